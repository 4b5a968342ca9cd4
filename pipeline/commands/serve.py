"""``timpora serve``: the web app for search, review, accuracy and uploads."""
from __future__ import annotations

from typing import Optional

import typer


def register(app: typer.Typer) -> None:
    @app.command("serve")
    def serve_cmd(
        db: Optional[str] = typer.Option(None, "--db", help="Database URL (default: TIMPORA_DB or the SQLite file)."),
        host: str = typer.Option("127.0.0.1", "--host", help="Interface to bind (default: this machine only)."),
        port: int = typer.Option(8000, "--port", help="Port."),
        reviewer_header: Optional[str] = typer.Option(
            None, "--reviewer-header",
            help="Take the reviewer's name from this request header (set by a trusted proxy) instead of /login."),
    ) -> None:
        """Serve the web app: search with facets, report pages, the review queue, accuracy, uploads.

        Example:  timpora serve --port 8000   (then open http://127.0.0.1:8000/)
        """
        import uvicorn

        from web.app import create_app

        application = create_app(db, reviewer_header=reviewer_header)
        if host not in ("127.0.0.1", "localhost", "::1"):
            typer.echo(f"timpora: serving on {host}: reachable from other machines", err=True)
        uvicorn.run(application, host=host, port=port, log_level="warning")
