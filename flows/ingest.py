"""The ``timpora-ingest`` Prefect flow: discover -> process batches -> publish a summary.

Each task calls one function of ``pipeline.ingest`` and passes only paths, ids and
counts. One task run per BATCH of documents (a task run costs ~25 ms of Prefect
bookkeeping). Only transient trouble (a locked / unreachable database, an I/O error)
is retried; a retried batch starts from scratch because it commits in one transaction.

Run it locally (ephemeral Prefect, no server to start)::

    from flows.ingest import ingest_flow
    ingest_flow(["samples/"], db_url="sqlite:////tmp/t.db")

or through the CLI: ``timpora ingest samples/ --workers 4``.
"""
from __future__ import annotations

from flows import env as _env

_env.configure()

from typing import Any, Callable, Optional  # noqa: E402

from prefect import flow, task  # noqa: E402
from prefect.artifacts import create_table_artifact  # noqa: E402
from prefect.cache_policies import NO_CACHE  # noqa: E402
from prefect.futures import as_completed  # noqa: E402
from prefect.task_runners import ThreadPoolTaskRunner  # noqa: E402

from pipeline import ingest as _ingest  # noqa: E402
from pipeline.ingest import BatchResult, Job  # noqa: E402

ARTIFACT_KEY = "timpora-ingest-summary"
#: rows of failures / flagged reports listed in the artifact (the counts are always complete)
ARTIFACT_MAX_ROWS = 500

# --------------------------------------------------------------------------- progress

#: In-process listeners ``fn(event, payload)``: ``("found", n_jobs)`` once, then
#: ``("batch", BatchResult)`` after each batch, ``("summary", dict)`` at the end (also when
#: the run then fails). The CLI's progress bar is one.
_listeners: list[Callable[[str, Any], None]] = []


def add_listener(fn: Callable[[str, Any], None]) -> None:
    _listeners.append(fn)


def remove_listener(fn: Callable[[str, Any], None]) -> None:
    if fn in _listeners:
        _listeners.remove(fn)


def _notify(event: str, payload: Any) -> None:
    for fn in list(_listeners):
        try:
            fn(event, payload)
        except Exception:  # a broken progress display must not break the ingest
            pass


# --------------------------------------------------------------------------- retries

def is_transient(exc: BaseException) -> bool:
    """Database connection / lock trouble and I/O errors: worth another try. Nothing else."""
    try:
        from sqlalchemy.exc import DBAPIError, OperationalError
    except ImportError:  # pragma: no cover
        return isinstance(exc, OSError)
    if isinstance(exc, (OperationalError, OSError)):
        return True
    return isinstance(exc, DBAPIError) and bool(getattr(exc, "connection_invalidated", False))


def retry_on_transient(task, task_run, state) -> bool:
    """``retry_condition_fn`` for the storage tasks."""
    try:
        exc = state.result(raise_on_failure=False)
    except Exception:
        return False
    return isinstance(exc, BaseException) and is_transient(exc)


# --------------------------------------------------------------------------- tasks

@task(name="prepare-store", retries=2, retry_delay_seconds=[1, 5],
      retry_condition_fn=retry_on_transient, cache_policy=NO_CACHE)
def prepare_store(db_url: Optional[str]) -> str:
    return _ingest.prepare(db_url)


@task(name="discover", cache_policy=NO_CACHE)
def discover(paths: list[str], manifest: Optional[str]) -> list[Job]:
    return _ingest.discover(paths, manifest)


@task(name="process-batch", retries=2, retry_delay_seconds=[1, 5],
      retry_condition_fn=retry_on_transient, cache_policy=NO_CACHE)
def process_batch(db_url: str, jobs: list[Job]) -> BatchResult:
    return _ingest.process_batch(db_url, jobs)


@task(name="publish-summary", cache_policy=NO_CACHE)
def publish_summary(summary: dict[str, Any]) -> None:
    rows: list[dict[str, Any]] = [{"section": "count", "name": k, "detail": str(v)}
                                  for k, v in summary["counts"].items()]
    for f in summary["failures"][:ARTIFACT_MAX_ROWS]:
        rows.append({"section": "failed", "name": f["name"], "detail": f["reason"]})
    for f in summary["flagged_reports"][:ARTIFACT_MAX_ROWS]:
        rows.append({"section": "flagged", "name": f"{f['name']} (report {f['report_id']})",
                     "detail": ", ".join(f["flags"])})
    for e in summary.get("errors", [])[:ARTIFACT_MAX_ROWS]:
        rows.append({"section": "error", "name": e["name"], "detail": e["reason"]})
    c = summary["counts"]
    create_table_artifact(
        table=rows, key=ARTIFACT_KEY,
        description=(f"**timpora ingest**: {c['found']} found, {c['stored']} stored, "
                     f"{c['duplicates']} duplicates, {c['failed']} failed, {c['flagged']} flagged"),
    )


# --------------------------------------------------------------------------- flow

class IngestIncomplete(RuntimeError):
    """Some batches could not be stored (database trouble that outlasted the retries)."""


@flow(name="timpora-ingest", log_prints=False, task_runner=ThreadPoolTaskRunner(max_workers=1))
def ingest_flow(paths: list[str], manifest: Optional[str] = None, db_url: Optional[str] = None,
                batch_size: int = _ingest.DEFAULT_BATCH_SIZE) -> dict[str, Any]:
    """Ingest report files, folders, zips and a manifest into the store; returns the summary."""
    url = prepare_store(db_url)
    jobs = discover(list(paths or []), manifest)
    _notify("found", len(jobs))
    batches = _ingest.batches(jobs, batch_size)
    futures = {process_batch.submit(url, batch): batch for batch in batches}
    total = BatchResult()
    errors: list[dict[str, str]] = []
    for fut in as_completed(list(futures)):
        try:
            part = fut.result()
        except Exception as exc:  # the batch was retried and still failed: nothing of it is stored
            part = BatchResult(found=len(futures[fut]))
            errors.extend({"name": j.name, "reason": f"not stored: {exc.__class__.__name__}: {exc}"[:300]}
                          for j in futures[fut])
        total.merge(part)
        _notify("batch", part)
    summary = {"counts": total.counts(), "failures": total.failures,
               "flagged_reports": total.flagged_reports, "errors": errors, "db_url": _safe_url(url)}
    publish_summary(summary)
    _notify("summary", summary)
    if errors:
        raise IngestIncomplete(f"{len(errors)} report(s) could not be stored; run the ingest again")
    return summary


def _safe_url(url: str) -> str:
    try:
        from sqlalchemy.engine import make_url

        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "<database>"


def task_runner(workers: Optional[int] = None, dask_address: Optional[str] = None):
    """The task runner for a run: a Dask cluster at ``dask_address``, a local Dask cluster of
    ``workers`` processes, or (default) one worker thread in this process."""
    if dask_address:
        from prefect_dask import DaskTaskRunner

        return DaskTaskRunner(address=dask_address)
    if workers and workers > 1:
        from prefect_dask import DaskTaskRunner

        return DaskTaskRunner(cluster_kwargs={"n_workers": int(workers), "processes": True,
                                              "threads_per_worker": 1, "dashboard_address": None})
    return ThreadPoolTaskRunner(max_workers=1)


def run_ingest(paths: list[str], manifest: Optional[str] = None, *, db_url: Optional[str] = None,
               batch_size: int = _ingest.DEFAULT_BATCH_SIZE, workers: Optional[int] = None,
               dask_address: Optional[str] = None) -> dict[str, Any]:
    """Run ``ingest_flow`` with the task runner for ``workers`` / ``dask_address``."""
    runner = task_runner(workers, dask_address)
    if isinstance(runner, ThreadPoolTaskRunner):  # extraction runs in this process: build it meanwhile
        _ingest.warm_up()
    return ingest_flow.with_options(task_runner=runner)(
        paths=[str(p) for p in paths], manifest=None if manifest is None else str(manifest),
        db_url=db_url, batch_size=batch_size)
