"""The ``timpora-reprocess`` Prefect flow: re-extract stored reports with the current pipeline.

Selects stored reports (all, or by kind / pipeline version / ids), re-extracts them in
batches with the current ``pipeline.extract.PIPELINE_VERSION`` and replaces their
extracted values through ``pipeline.store.reextract``: every human correction stays in
force and flags are raised again. A table artifact summarises the run.
"""
from __future__ import annotations

from flows import env as _env

_env.configure()

from typing import Any, Optional, Sequence  # noqa: E402

from prefect import flow, task  # noqa: E402
from prefect.artifacts import create_table_artifact  # noqa: E402
from prefect.cache_policies import NO_CACHE  # noqa: E402
from prefect.futures import as_completed  # noqa: E402
from prefect.task_runners import ThreadPoolTaskRunner  # noqa: E402

from flows.ingest import _notify, prepare_store, retry_on_transient, task_runner  # noqa: E402
from pipeline import ingest as _ingest  # noqa: E402
from pipeline.ingest import ReprocessResult  # noqa: E402

ARTIFACT_KEY = "timpora-reprocess-summary"
ARTIFACT_MAX_ROWS = 500


class ReprocessIncomplete(RuntimeError):
    """Some batches could not be re-extracted (database trouble that outlasted the retries)."""


@task(name="select-reports", retries=2, retry_delay_seconds=[1, 5],
      retry_condition_fn=retry_on_transient, cache_policy=NO_CACHE)
def select_reports(db_url: str, kind: Optional[str], older_than_version: Optional[str],
                   report_ids: Optional[list[int]]) -> list[int]:
    return _ingest.select_reports(db_url, kind=kind, older_than_version=older_than_version,
                                  report_ids=report_ids)


@task(name="reprocess-batch", retries=2, retry_delay_seconds=[1, 5],
      retry_condition_fn=retry_on_transient, cache_policy=NO_CACHE)
def reprocess_batch(db_url: str, report_ids: list[int]) -> ReprocessResult:
    return _ingest.reprocess_batch(db_url, report_ids)


@task(name="publish-reprocess-summary", cache_policy=NO_CACHE)
def publish_summary(summary: dict[str, Any]) -> None:
    rows: list[dict[str, Any]] = [{"section": "count", "name": k, "detail": str(v)}
                                  for k, v in summary["counts"].items()]
    for f in summary["failures"][:ARTIFACT_MAX_ROWS]:
        rows.append({"section": "failed", "name": f"report {f['report_id']}", "detail": f["reason"]})
    for f in summary["flagged_reports"][:ARTIFACT_MAX_ROWS]:
        rows.append({"section": "flagged", "name": f"{f['name']} (report {f['report_id']})",
                     "detail": ", ".join(f["flags"])})
    c = summary["counts"]
    create_table_artifact(
        table=rows, key=ARTIFACT_KEY,
        description=(f"**timpora reprocess** (pipeline {summary['pipeline_version']}): {c['selected']} selected, "
                     f"{c['reprocessed']} re-extracted, {c['failed']} failed, {c['flagged']} flagged"))


@flow(name="timpora-reprocess", log_prints=False, task_runner=ThreadPoolTaskRunner(max_workers=1))
def reprocess_flow(db_url: Optional[str] = None, kind: Optional[str] = None,
                   older_than_version: Optional[str] = None, report_ids: Optional[list[int]] = None,
                   batch_size: int = _ingest.DEFAULT_BATCH_SIZE) -> dict[str, Any]:
    """Re-extract the selected stored reports (all when no filter is given); returns the summary."""
    from pipeline.extract import PIPELINE_VERSION

    url = prepare_store(db_url)
    ids = select_reports(url, kind, older_than_version, report_ids)
    _notify("found", len(ids))
    futures = {reprocess_batch.submit(url, list(ids[i:i + batch_size])): ids[i:i + batch_size]
               for i in range(0, len(ids), max(1, batch_size))}
    total = ReprocessResult()
    errors = 0
    for fut in as_completed(list(futures)):
        try:
            part = fut.result()
        except Exception as exc:
            batch = futures[fut]
            errors += len(batch)
            part = ReprocessResult(found=len(batch), failed=len(batch),
                                   failures=[{"report_id": rid, "reason": f"{exc.__class__.__name__}: {exc}"[:300]}
                                             for rid in batch])
        total.merge(part)
        _notify("batch", part)
    summary = {"counts": total.counts(), "failures": total.failures, "flagged_reports": total.flagged_reports,
               "pipeline_version": PIPELINE_VERSION}
    publish_summary(summary)
    _notify("summary", summary)
    if errors:
        raise ReprocessIncomplete(f"{errors} report(s) could not be re-extracted; run reprocess again")
    return summary


def run_reprocess(*, db_url: Optional[str] = None, kind: Optional[str] = None,
                  older_than_version: Optional[str] = None, report_ids: Optional[Sequence[int]] = None,
                  batch_size: int = _ingest.DEFAULT_BATCH_SIZE, workers: Optional[int] = None,
                  dask_address: Optional[str] = None) -> dict[str, Any]:
    """Run ``reprocess_flow`` with the task runner for ``workers`` / ``dask_address``."""
    runner = task_runner(workers, dask_address)
    if isinstance(runner, ThreadPoolTaskRunner):
        _ingest.warm_up()
    return reprocess_flow.with_options(task_runner=runner)(
        db_url=db_url, kind=kind, older_than_version=older_than_version,
        report_ids=None if not report_ids else [int(i) for i in report_ids], batch_size=batch_size)
