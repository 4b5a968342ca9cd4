"""Watch a drop folder: every poll ingests the files that have settled there.

One poll is the ``timpora-watch`` flow: list the settled files (unchanged for
``settle_seconds``, so a file still being copied waits for the next poll), run the
``timpora-ingest`` flow over them as a subflow (content already stored is skipped by its
SHA-256, so polling the same folder again costs only hashing), then, when ``done_dir`` is
given, move the files whose content the store now holds out of the drop folder.

Two ways to run it (see docs/prefect.md)::

    # a deployment served by this process; a Prefect server (PREFECT_API_URL) schedules it
    python -m flows.watch /srv/drop --db postgresql+psycopg://timpora@db/timpora --serve --interval 60

    # no Prefect server: a plain polling loop, each poll a (local, ephemeral) flow run
    python -m flows.watch /srv/drop --db /srv/timpora.sqlite --interval 60 --done /srv/done
"""
from __future__ import annotations

from flows import env as _env

_env.configure()

import argparse  # noqa: E402
import time  # noqa: E402
from typing import Any, Optional  # noqa: E402

from prefect import flow, task  # noqa: E402
from prefect.cache_policies import NO_CACHE  # noqa: E402

from flows.ingest import ingest_flow, prepare_store, retry_on_transient  # noqa: E402
from pipeline import ingest as _ingest  # noqa: E402

DEPLOYMENT_NAME = "drop-folder"


@task(name="ready-files", cache_policy=NO_CACHE)
def ready_files(folder: str, settle_seconds: float) -> list[str]:
    return _ingest.ready_files(folder, settle_seconds=settle_seconds)


@task(name="archive-done", retries=2, retry_delay_seconds=[1, 5], retry_condition_fn=retry_on_transient,
      cache_policy=NO_CACHE)
def archive_done(db_url: str, files: list[str], folder: str, done_dir: str) -> list[str]:
    return _ingest.archive_done(db_url, files, folder, done_dir)


@flow(name="timpora-watch", log_prints=False)
def watch_flow(folder: str, db_url: Optional[str] = None, done_dir: Optional[str] = None,
               settle_seconds: float = 5.0, batch_size: int = _ingest.DEFAULT_BATCH_SIZE) -> dict[str, Any]:
    """One poll of the drop folder ``folder``; returns the ingest summary (empty when nothing settled)."""
    url = prepare_store(db_url)
    files = ready_files(folder, settle_seconds)
    if not files:
        return {"counts": {"found": 0}, "moved": 0}
    summary = ingest_flow(paths=files, db_url=url, batch_size=batch_size)
    moved = archive_done(url, files, folder, done_dir) if done_dir else []
    return {**summary, "moved": len(moved)}


def poll_forever(folder: str, *, db_url: Optional[str] = None, done_dir: Optional[str] = None,
                 interval: float = 60.0, settle_seconds: float = 5.0,
                 batch_size: int = _ingest.DEFAULT_BATCH_SIZE, max_polls: Optional[int] = None) -> int:
    """Run ``watch_flow`` every ``interval`` seconds (``max_polls`` times, or until interrupted).

    A poll that fails (e.g. the database is down) is logged by Prefect and the loop goes on.
    Returns the number of polls made.
    """
    polls = 0
    while max_polls is None or polls < max_polls:
        started = time.monotonic()
        try:
            watch_flow(folder=folder, db_url=db_url, done_dir=done_dir, settle_seconds=settle_seconds,
                       batch_size=batch_size)
        except Exception as exc:  # the flow run is recorded as failed; keep watching
            print(f"timpora watch: poll failed: {exc.__class__.__name__}: {exc}", flush=True)
        polls += 1
        if max_polls is not None and polls >= max_polls:
            break
        time.sleep(max(0.0, interval - (time.monotonic() - started)))
    return polls


def serve(folder: str, *, db_url: Optional[str] = None, done_dir: Optional[str] = None,
          interval: float = 60.0, settle_seconds: float = 5.0,
          batch_size: int = _ingest.DEFAULT_BATCH_SIZE) -> None:
    """Serve ``watch_flow`` as the deployment ``timpora-watch/drop-folder`` scheduled every
    ``interval`` seconds; runs until interrupted. Needs a Prefect server (``PREFECT_API_URL``)."""
    watch_flow.serve(
        name=DEPLOYMENT_NAME,
        interval=interval,
        parameters={"folder": folder, "db_url": db_url, "done_dir": done_dir,
                    "settle_seconds": settle_seconds, "batch_size": batch_size},
        description=f"Ingest TIMPORA reports dropped into {folder}",
        tags=["timpora"],
    )


def main(argv: Optional[list[str]] = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m flows.watch",
                                 description="Ingest reports dropped into a folder, every INTERVAL seconds.")
    ap.add_argument("folder", help="the drop folder")
    ap.add_argument("--db", default=None, help="database URL or SQLite file (default: $TIMPORA_DB)")
    ap.add_argument("--done", default=None, help="move ingested files here (default: leave them)")
    ap.add_argument("--interval", type=float, default=60.0, help="seconds between polls (default 60)")
    ap.add_argument("--settle", type=float, default=5.0,
                    help="a file must be unchanged this many seconds before it is ingested (default 5)")
    ap.add_argument("--batch-size", type=int, default=_ingest.DEFAULT_BATCH_SIZE)
    ap.add_argument("--serve", action="store_true",
                    help="serve as a Prefect deployment (needs PREFECT_API_URL) instead of a local loop")
    ap.add_argument("--once", action="store_true", help="poll once and exit")
    args = ap.parse_args(argv)
    if args.serve:
        serve(args.folder, db_url=args.db, done_dir=args.done, interval=args.interval,
              settle_seconds=args.settle, batch_size=args.batch_size)
        return 0
    try:
        poll_forever(args.folder, db_url=args.db, done_dir=args.done, interval=args.interval,
                     settle_seconds=args.settle, batch_size=args.batch_size, max_polls=1 if args.once else None)
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
