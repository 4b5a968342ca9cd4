"""``timpora db upgrade|info`` and ``timpora load``: the database and storing reports in it."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import List, Optional

import typer

DB_HELP = "Database URL or SQLite file (default: $TIMPORA_DB, else the user data folder)."


def register(app: typer.Typer) -> None:
    db_app = typer.Typer(help="Create, migrate and inspect the database.\n\nExample:  timpora db info",
                         no_args_is_help=True)

    @db_app.command("upgrade")
    def upgrade_cmd(db: Optional[str] = typer.Option(None, "--db", help=DB_HELP)) -> None:
        """Migrate the database to the current schema and refresh the reference tables.

        Example:  timpora db upgrade --db /tmp/timpora.sqlite
        """
        from pipeline.db import display_url, head_revision, resolve_url, upgrade

        url = resolve_url(db)
        upgrade(url)
        print(f"{display_url(url)}: at revision {head_revision()}")

    @db_app.command("info")
    def info_cmd(db: Optional[str] = typer.Option(None, "--db", help=DB_HELP)) -> None:
        """Print the database in use, the default SQLite path, the schema revision and counts.

        Example:  TIMPORA_DB=/tmp/t.sqlite timpora db info
        """
        from pipeline.db import (current_revision, default_sqlite_path, display_url, head_revision, make_engine,
                                 resolve_url, session_scope)

        url = resolve_url(db)
        print(f"database:        {display_url(url)}")
        print(f"default SQLite:  {default_sqlite_path()}")
        engine = make_engine(url)
        try:
            current = current_revision(engine)
        except Exception as exc:
            print(f"revision:        unavailable ({exc.__class__.__name__})")
            raise typer.Exit(1)
        head = head_revision()
        print(f"revision:        {current or 'none (empty database)'} (head {head})")
        if current == head:
            from pipeline.store import counts

            with session_scope(engine) as session:
                c = counts(session)
            print(f"reports:         {c.stored} stored, {c.failed} failed")
            print(f"open flags:      {c.open_flags}")
            print(f"corrections:     {c.corrections}")
        elif current is not None:
            print("run `timpora db upgrade` to migrate")
        engine.dispose()

    app.add_typer(db_app, name="db")

    @app.command("load")
    def load_cmd(
        paths: Optional[List[Path]] = typer.Argument(None, help="Report files, folders or .zip archives."),
        manifest: Optional[Path] = typer.Option(None, "--manifest", "-m",
                                                help="JSONL manifest {id, file, published, source_url}."),
        db: Optional[str] = typer.Option(None, "--db", help=DB_HELP),
        quiet: bool = typer.Option(False, "--quiet", "-q", help="Print the summary only."),
    ) -> None:
        """Read, extract and store reports, one transaction per report.

        Files already stored (same bytes) are skipped; a file that cannot be read is stored
        as failed with its reason and reported, and the others go on.

        Example:  timpora load samples/ && timpora search --place Bengkulu
        """
        from pipeline.errors import UsageError

        if not paths and manifest is None:
            raise UsageError("give report paths or --manifest FILE (see timpora load --help)")
        summary = load(paths or [], manifest=manifest, db=db, echo=not quiet)
        print(f"loaded: {summary['stored']} stored, {summary['duplicates']} already stored, "
              f"{summary['failed']} failed")
        if summary["failed"]:
            raise typer.Exit(1)


def load(paths, *, manifest=None, db: Optional[str] = None, echo: bool = False) -> dict:
    """The ``load`` command as a function: ``{"stored", "duplicates", "failed", "ids", "failures"}``."""
    from pipeline.db import open_engine, session_scope
    from pipeline.extract import extract
    from pipeline.ingest import discover, file_digest
    from pipeline.read import ReadError, SourceRef, read_source
    from pipeline.store import known_hashes, save_failure, save_report

    engine = open_engine(db)
    out = {"stored": 0, "duplicates": 0, "failed": 0, "ids": [], "failures": []}

    def fail(job, reason: str, sha256: Optional[str] = None, size: Optional[int] = None) -> None:
        with session_scope(engine) as session:
            rid = save_failure(session, name=job.name, sha256=sha256, size=size, fmt=_suffix(job.member or job.path), reason=reason,
                               doc_id=job.id, path=job.path)
        out["failed"] += 1
        out["failures"].append({"report_id": rid, "name": job.name, "reason": reason})
        print(f"timpora: {job.name}: {reason}", file=sys.stderr)

    for job in discover(paths, manifest):
        if job.problem:
            fail(job, job.problem)
            continue
        try:
            sha256, size = file_digest(job)
        except Exception as exc:  # OSError, BadZipFile, KeyError: the bytes cannot be had
            fail(job, f"cannot read ({exc.__class__.__name__})")
            continue
        with session_scope(engine) as session:
            if known_hashes(session, [sha256]):
                out["duplicates"] += 1
                if echo:
                    print(f"= {job.name} (already stored)")
                continue
        try:
            src = read_source(SourceRef(id=job.id, name=job.name, path=Path(job.path), member=job.member))
        except ReadError as exc:
            fail(job, getattr(exc, "reason", None) or str(exc), sha256, size)
            continue
        record = extract(src.text, doc_id=job.id, published=job.published, locate=src.locate)
        with session_scope(engine) as session:
            rid, created = save_report(session, src, record, published=job.published, source_url=job.source_url)
        if created:
            out["stored"] += 1
            out["ids"].append(rid)
            if echo:
                print(f"+ {job.name} -> report {rid} ({record.kind}, {record.date or 'no date'})")
        else:
            out["duplicates"] += 1
    return out


def _suffix(name: str) -> Optional[str]:
    return Path(name).suffix.lower().lstrip(".") or None
