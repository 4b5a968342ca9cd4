"""``timpora ingest`` and ``timpora reprocess``: the Prefect flows behind a progress bar."""
from __future__ import annotations

from pathlib import Path
from typing import Any, List, Optional

import typer

from pipeline.errors import TimporaError, UsageError


class IngestFailed(TimporaError):
    exit_code = 1


def _prefect_env() -> None:
    from flows import env

    env.configure(quiet=True)


def _progress(console, found_label: str = "files"):
    """A rich progress bar fed by the flow's listener events; returns (progress, listener)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, \
        TimeElapsedColumn

    progress = Progress(SpinnerColumn(), TextColumn("[bold]{task.description}"), BarColumn(bar_width=24),
                        MofNCompleteColumn(), TextColumn("{task.fields[counts]}"), TimeElapsedColumn(),
                        console=console, transient=False)
    state = {"task": None, "found": 0, "stored": 0, "duplicates": 0, "failed": 0, "flagged": 0,
             "reprocessed": 0}

    def counts_text() -> str:
        if found_label == "reports":
            return (f"reprocessed {state['reprocessed']}  failed {state['failed']}  "
                    f"flagged {state['flagged']}")
        return (f"found {state['found']}  stored {state['stored']}  duplicates {state['duplicates']}  "
                f"failed {state['failed']}  flagged {state['flagged']}")

    state["task"] = progress.add_task("discovering", total=None, counts=counts_text())

    def listener(event: str, payload: Any) -> None:
        if event == "found":
            state["found"] = int(payload)
            progress.update(state["task"], description="ingesting" if found_label == "files" else "reprocessing",
                            total=int(payload), completed=0, counts=counts_text())
        elif event == "batch":
            for key in ("stored", "duplicates", "failed", "flagged", "reprocessed"):
                state[key] += int(getattr(payload, key, 0) or 0)
            done = getattr(payload, "found", None)
            if done is None:
                done = getattr(payload, "reprocessed", 0) + getattr(payload, "failed", 0)
            progress.update(state["task"], advance=done, counts=counts_text())
        elif event == "summary":
            state["summary"] = payload

    listener.state = state  # type: ignore[attr-defined]
    return progress, listener


def _summary_tables(console, summary: dict[str, Any], *, max_rows: int = 50) -> None:
    from rich.table import Table

    counts = Table("", "reports", title="timpora ingest", title_justify="left")
    for key, value in summary["counts"].items():
        counts.add_row(key, str(value))
    console.print(counts)
    failures = summary.get("failures") or []
    errors = summary.get("errors") or []
    if failures or errors:
        table = Table(title=f"failed ({len(failures) + len(errors)})", title_justify="left")
        table.add_column("file", overflow="fold")
        table.add_column("reason", overflow="fold")
        for f in (failures + errors)[:max_rows]:
            table.add_row(f["name"], f["reason"])
        if len(failures) + len(errors) > max_rows:
            table.add_row(f"... {len(failures) + len(errors) - max_rows} more", "")
        console.print(table)
    flagged = summary.get("flagged_reports") or []
    if flagged:
        table = Table(title=f"flagged for review ({len(flagged)})", title_justify="left")
        table.add_column("report")
        table.add_column("file", overflow="fold")
        table.add_column("flags", overflow="fold")
        for f in flagged[:max_rows]:
            table.add_row(str(f["report_id"]), f["name"], ", ".join(f["flags"]))
        if len(flagged) > max_rows:
            table.add_row("", f"... {len(flagged) - max_rows} more", "")
        console.print(table)


def register(app: typer.Typer) -> None:
    @app.command("ingest")
    def ingest_cmd(
        paths: Optional[List[Path]] = typer.Argument(None, help="Report files, folders or .zip archives."),
        manifest: Optional[Path] = typer.Option(None, "--manifest", "-m",
                                                help="JSONL manifest {id, file, published, source_url}."),
        db: Optional[str] = typer.Option(None, "--db", help="Database URL or SQLite file (default: $TIMPORA_DB, "
                                                            "else the user data folder)."),
        batch_size: int = typer.Option(50, "--batch-size", min=1, help="Reports per Prefect task run."),
        workers: int = typer.Option(1, "--workers", min=1,
                                    help="Local worker processes (a local Dask cluster when > 1)."),
        dask: Optional[str] = typer.Option(None, "--dask", metavar="ADDRESS",
                                           help="Dask scheduler address (tcp://host:8786); use a "
                                                "PostgreSQL --db shared by all workers."),
        quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar, only the summary."),
    ) -> None:
        """Read, extract and store reports; content already stored is skipped (by SHA-256).

        Bad files are stored as failed reports with their reason and listed at the end; the
        run goes on. Re-running the same ingest changes nothing; an interrupted run can
        simply be started again.

        Example:  timpora ingest samples/ --db /tmp/timpora.sqlite
        """
        if not paths and manifest is None:
            raise UsageError("give report paths or --manifest FILE (see timpora ingest --help)")
        _prefect_env()
        from rich.console import Console

        from flows.ingest import IngestIncomplete, add_listener, remove_listener, run_ingest

        console = Console(stderr=True)
        progress, listener = _progress(console)
        summary: Optional[dict[str, Any]] = None
        incomplete: Optional[Exception] = None
        add_listener(listener)
        try:
            with progress if not quiet else _Null():
                summary = run_ingest([str(p) for p in paths or []], manifest, db_url=db,
                                     batch_size=batch_size, workers=workers, dask_address=dask)
        except IngestIncomplete as exc:
            incomplete = exc
            summary = listener.state.get("summary")
        finally:
            remove_listener(listener)
        out = Console()
        if summary is not None:
            _summary_tables(out, summary)
        if incomplete is not None:
            raise IngestFailed(str(incomplete))

    @app.command("reprocess")
    def reprocess_cmd(
        db: Optional[str] = typer.Option(None, "--db", help="Database URL or SQLite file."),
        all_: bool = typer.Option(False, "--all", help="Re-extract every stored report."),
        kind: Optional[str] = typer.Option(None, "--kind", help="Only reports of this kind "
                                                                "(meeting, operation, mixed, other)."),
        older_than_version: Optional[str] = typer.Option(
            None, "--older-than-version", metavar="VERSION",
            help="Only reports extracted by a pipeline version older than VERSION."),
        stale: bool = typer.Option(False, "--stale", help="Only reports extracted by an older pipeline "
                                                          "version than the current one."),
        report_id: Optional[List[int]] = typer.Option(None, "--id", help="Only these report ids (repeatable)."),
        batch_size: int = typer.Option(50, "--batch-size", min=1, help="Reports per Prefect task run."),
        workers: int = typer.Option(1, "--workers", min=1, help="Local worker processes (Dask when > 1)."),
        dask: Optional[str] = typer.Option(None, "--dask", metavar="ADDRESS", help="Dask scheduler address."),
        quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar, only the summary."),
    ) -> None:
        """Re-extract stored reports with the current pipeline, keeping every human correction.

        Choose the reports with --all or filters (--kind, --older-than-version, --stale, --id);
        flags are raised again and corrected fields keep their corrected values.

        Example:  timpora reprocess --stale --db /tmp/timpora.sqlite
        """
        from pipeline.extract import PIPELINE_VERSION

        if stale:
            if older_than_version:
                raise UsageError("give either --stale or --older-than-version, not both")
            older_than_version = PIPELINE_VERSION
        if not (all_ or kind or older_than_version or report_id):
            raise UsageError("choose the reports: --all, --kind, --older-than-version, --stale or --id")
        _prefect_env()
        from rich.console import Console
        from rich.table import Table

        from flows.ingest import add_listener, remove_listener
        from flows.reprocess import ReprocessIncomplete, run_reprocess

        console = Console(stderr=True)
        progress, listener = _progress(console, found_label="reports")
        summary: Optional[dict[str, Any]] = None
        incomplete: Optional[Exception] = None
        add_listener(listener)
        try:
            with progress if not quiet else _Null():
                summary = run_reprocess(db_url=db, kind=kind, older_than_version=older_than_version,
                                        report_ids=list(report_id or []) or None, batch_size=batch_size,
                                        workers=workers, dask_address=dask)
        except ReprocessIncomplete as exc:
            incomplete = exc
            summary = listener.state.get("summary")
        finally:
            remove_listener(listener)
        out = Console()
        if summary is not None:
            table = Table("", "reports", title=f"timpora reprocess (pipeline {PIPELINE_VERSION})",
                          title_justify="left")
            for key, value in summary["counts"].items():
                table.add_row(key, str(value))
            out.print(table)
            if summary.get("failures"):
                ft = Table("report", "reason", title="failed", title_justify="left")
                for f in summary["failures"][:50]:
                    ft.add_row(str(f["report_id"]), f["reason"])
                out.print(ft)
        if incomplete is not None:
            raise IngestFailed(str(incomplete))


class _Null:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

