"""Bulk ingest: the plain functions the Prefect tasks in ``flows/`` call.

``discover`` turns paths and a manifest into ``Job`` s (plain, picklable: ids and paths,
never documents); ``process_batch`` reads, de-duplicates, extracts and stores one batch;
``reprocess_batch`` re-extracts stored reports. A report is identified by the SHA-256 of
its bytes: content already stored is skipped (and counted as a duplicate) before it is
read or extracted, whatever its file name, so re-running an ingest changes nothing.

Every batch is stored in ONE database transaction (a savepoint per report), so a run
killed at any moment leaves either the whole batch or none of it: re-running it then
stores exactly the reports that are missing. A file that cannot be read becomes a failed
report with its reason; nothing a single file contains can stop the run.
"""
from __future__ import annotations

import hashlib
import threading
import zipfile
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any, Iterable, Iterator, Optional, Sequence

#: Reason stored for a manifest entry whose file does not exist.
MISSING_FROM_MANIFEST = "listed in manifest but not found"
DEFAULT_BATCH_SIZE = 50
_HASH_CHUNK = 1 << 20


@dataclass(frozen=True)
class Job:
    """One input to ingest: a file (or a member of a zip archive) and what the manifest says of it."""

    id: str
    name: str                          # display name ("samples/x.pdf", "a.zip!2019/x.docx")
    path: str                          # the file on disk (the archive for a member)
    member: Optional[str] = None       # member name inside a zip archive
    published: Optional[str] = None    # ISO date from the manifest
    source_url: Optional[str] = None
    problem: Optional[str] = None      # known failure reason (nothing to read)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Job":
        return cls(**{k: data.get(k) for k in cls.__dataclass_fields__})


class _Tally:
    """Run totals merged from batch results: whole-number fields add up, list fields extend."""

    def merge(self, other):
        for f in fields(self):
            mine, theirs = getattr(self, f.name), getattr(other, f.name)
            if isinstance(mine, list):
                mine.extend(theirs)
            else:
                setattr(self, f.name, mine + theirs)
        return self

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]):
        return cls(**{k: data[k] for k in cls.__dataclass_fields__ if k in data})


@dataclass
class BatchResult(_Tally):
    """Counts of one batch (or of a whole run, merged), plus what the summary lists."""

    found: int = 0
    stored: int = 0
    duplicates: int = 0
    failed: int = 0
    flagged: int = 0
    failures: list[dict[str, str]] = field(default_factory=list)   # {name, reason}
    flagged_reports: list[dict[str, Any]] = field(default_factory=list)  # {report_id, id, name, flags}

    def counts(self) -> dict[str, int]:
        return {"found": self.found, "stored": self.stored, "duplicates": self.duplicates,
                "failed": self.failed, "flagged": self.flagged}


# --------------------------------------------------------------------------- discovery

def _problem_job(name: str, path: str, reason: str, *, doc_id: Optional[str] = None,
                 published: Optional[str] = None, source_url: Optional[str] = None) -> Job:
    return Job(id=doc_id or Path(name).stem or name, name=name, path=path, published=published,
               source_url=source_url, problem=reason)


def _jobs_for(path: Path, *, display: Optional[str] = None, doc_id: Optional[str] = None,
              published: Optional[str] = None, source_url: Optional[str] = None) -> list[Job]:
    from pipeline.read import ReadError, iter_sources

    try:
        refs = list(iter_sources([path]))
    except ReadError as exc:
        return [_problem_job(getattr(exc, "name", None) or display or str(path), str(path),
                             getattr(exc, "reason", None) or str(exc), doc_id=doc_id,
                             published=published, source_url=source_url)]
    jobs = []
    for ref in refs:
        rid = doc_id if doc_id and len(refs) == 1 else ref.id
        jobs.append(Job(id=rid, name=ref.name, path=str(ref.path), member=ref.member,
                        published=published, source_url=source_url))
    return jobs


def discover(paths: Iterable[Path | str] = (), manifest: Optional[Path | str] = None) -> list[Job]:
    """The jobs for report files, folders, ``.zip`` archives and a JSONL manifest.

    Nothing here raises for a bad input: a missing path, an unreadable archive, a bad
    manifest line or a manifest entry whose file is missing becomes a job with ``problem``
    set, which ``process_batch`` stores as a failed report. Only an unreadable manifest
    file itself raises (``TimporaError``).
    """
    jobs: list[Job] = []
    if manifest is not None:
        from pipeline.manifest import load_manifest

        manifest = Path(manifest)
        entries, problems = load_manifest(manifest)
        for p in problems:
            name = f"{manifest.name}:{p.line}"
            jobs.append(_problem_job(name, str(manifest), f"manifest line {p.line}: {p.reason}",
                                     doc_id=name))
        for e in entries:
            if not e.path.exists():
                jobs.append(_problem_job(_display(e.path), str(e.path), MISSING_FROM_MANIFEST,
                                         doc_id=e.id, published=e.published, source_url=e.source_url))
                continue
            jobs.extend(_jobs_for(e.path, doc_id=e.id, published=e.published, source_url=e.source_url))
    for p in paths or ():
        jobs.extend(_jobs_for(Path(p)))
    return jobs


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        return str(path)


def batches(jobs: Sequence[Job], size: int = DEFAULT_BATCH_SIZE) -> list[list[Job]]:
    size = max(1, int(size or DEFAULT_BATCH_SIZE))
    return [list(jobs[i:i + size]) for i in range(0, len(jobs), size)]


# --------------------------------------------------------------------------- hashing

def _fmt(job: Job) -> str:
    name = job.member or job.path
    return Path(name).suffix.lower().lstrip(".") or "unknown"


def file_digest(job: Job) -> tuple[str, int]:
    """SHA-256 and size of the job's bytes (the member's bytes for a zip member).

    Raises ``OSError`` / ``zipfile.BadZipFile`` / ``KeyError`` when they cannot be read.
    """
    h = hashlib.sha256()
    size = 0
    if job.member is not None:
        with zipfile.ZipFile(job.path) as zf, zf.open(job.member) as fh:
            for chunk in iter(lambda: fh.read(_HASH_CHUNK), b""):
                h.update(chunk)
                size += len(chunk)
    else:
        with open(job.path, "rb") as fh:
            for chunk in iter(lambda: fh.read(_HASH_CHUNK), b""):
                h.update(chunk)
                size += len(chunk)
    return h.hexdigest(), size


# --------------------------------------------------------------------------- store access

_ENGINES: dict[str, Any] = {}
_ENGINES_LOCK = threading.Lock()


def engine_for(db_url: str):
    """One engine per database URL per process (tasks in a worker share it)."""
    with _ENGINES_LOCK:
        engine = _ENGINES.get(db_url)
        if engine is None:
            from pipeline.db import make_engine

            engine = _ENGINES[db_url] = make_engine(db_url)
        return engine


def dispose_engines() -> None:
    with _ENGINES_LOCK:
        for engine in _ENGINES.values():
            engine.dispose()
        _ENGINES.clear()


def prepare(db_url: Optional[str] = None) -> str:
    """Resolve the database URL (``--db``, ``TIMPORA_DB`` or the user default) and migrate it to head."""
    from pipeline.db import resolve_url, upgrade

    url = resolve_url(db_url)
    upgrade(engine_for(url))
    return url


# --------------------------------------------------------------------------- processing

_NLP_LOCK = threading.Lock()


def _ensure_nlp() -> None:
    """Build the extraction pipeline once per process (a second caller waits for the first)."""
    from extractors import get_nlp

    with _NLP_LOCK:
        get_nlp()


def warm_up() -> threading.Thread:
    """Start building the extraction pipeline in a background thread (it takes seconds), e.g.
    while Prefect's temporary server starts; ``process_batch`` waits for it when it gets there."""
    thread = threading.Thread(target=_ensure_nlp, name="timpora-nlp-warm-up", daemon=True)
    thread.start()
    return thread


class _Unreadable(Exception):
    pass


def _source_ref(job: Job):
    from pipeline.read import SourceRef

    return SourceRef(id=job.id, name=job.name, path=Path(job.path), member=job.member)


def _read(job: Job):
    """The job's ``SourceDocument``; ``_Unreadable(reason)`` for any reading problem."""
    from pipeline.read import ReadError, read_source

    try:
        return read_source(_source_ref(job))
    except ReadError as exc:
        raise _Unreadable(getattr(exc, "reason", None) or str(exc)) from None
    except MemoryError:
        raise _Unreadable("file too large to read") from None
    except Exception as exc:  # a reader bug must not stop the run: the file fails, the run goes on
        raise _Unreadable(f"unexpected reader error ({exc.__class__.__name__})") from None


def _extract_all(docs: list[tuple[Job, Any]]) -> list[Any]:
    """A ``Record`` (or the exception) per document, in order; one ``extract_many`` call when all goes well."""
    from pipeline.extract import extract, extract_many

    items = [(job.id, src.text, job.published, src.locate) for job, src in docs]
    try:
        return list(extract_many(items))
    except Exception:
        pass
    out: list[Any] = []  # isolate the document that broke the batch
    for doc_id, text, published, locate in items:
        try:
            out.append(extract(text, doc_id=doc_id, published=published, locate=locate))
        except Exception as exc:
            out.append(exc)
    return out


def _flag_kinds(record) -> list[str]:
    kinds: list[str] = []
    for f in record.flags:
        if f.kind not in kinds:
            kinds.append(f.kind)
    return kinds


def process_batch(db_url: str, jobs: Sequence[Job | dict]) -> BatchResult:
    """Read, de-duplicate, extract and store one batch of jobs; return its counts.

    Order of work: hash every file, skip the hashes already stored (and repeats inside the
    batch) BEFORE reading or extracting anything, read the rest, extract them in one
    ``extract_many`` call, then store everything in one transaction with a savepoint per
    report. Raises only for database / I/O trouble (``sqlalchemy.exc.OperationalError``,
    ``OSError`` on the store), which the flow retries: a retried batch starts again from
    scratch because nothing of it was committed.
    """
    from pipeline.db import session_scope
    from pipeline.extract import PIPELINE_VERSION
    from pipeline.store import known_hashes, save_failure

    jobs = [j if isinstance(j, Job) else Job.from_dict(j) for j in jobs]
    result = BatchResult(found=len(jobs))
    engine = engine_for(db_url)

    failures: list[tuple[Job, Optional[str], Optional[int], str]] = []
    hashed: list[tuple[Job, Optional[str], Optional[int]]] = []
    for job in jobs:
        if job.problem:
            failures.append((job, None, None, job.problem))
            continue
        try:
            sha, size = file_digest(job)
        except Exception:  # unreadable bytes: the reader says why (encrypted, corrupt, missing...)
            sha = size = None
        hashed.append((job, sha, size))

    with session_scope(engine) as session:
        known = set(known_hashes(session, {sha for _, sha, _ in hashed if sha}))
    to_read: list[tuple[Job, Optional[str], Optional[int]]] = []
    for job, sha, size in hashed:
        if sha is None:
            to_read.append((job, sha, size))
            continue
        if sha in known:
            result.duplicates += 1
            continue
        known.add(sha)
        to_read.append((job, sha, size))

    docs: list[tuple[Job, Any]] = []
    for job, sha, size in to_read:
        try:
            docs.append((job, _read(job)))
        except _Unreadable as exc:
            failures.append((job, sha, size, str(exc)))
    if docs:
        _ensure_nlp()
    records = _extract_all(docs) if docs else []

    good: list[tuple[Job, Any, Any]] = []
    for (job, src), rec in zip(docs, records):
        if isinstance(rec, BaseException):
            failures.append((job, src.sha256, src.size, f"extraction failed ({rec.__class__.__name__})"))
        else:
            good.append((job, src, rec))

    with session_scope(engine) as session:
        for job, report_id, created, rec in _store(session, good, PIPELINE_VERSION):
            if not created:
                result.duplicates += 1
                continue
            result.stored += 1
            if rec.flags:
                result.flagged += 1
                result.flagged_reports.append({"report_id": report_id, "id": job.id, "name": job.name,
                                               "flags": _flag_kinds(rec)})
        for job, sha, size, reason in failures:
            with session.begin_nested():
                save_failure(session, name=job.name, sha256=sha, size=size, fmt=_fmt(job), reason=reason,
                             doc_id=job.id, path=job.path or None)
            result.failed += 1
            result.failures.append({"name": job.name, "reason": reason})
    return result


class _Stamped:
    """A ``SourceDocument`` seen through ``save_many``: plus the manifest's published / source_url."""

    def __init__(self, src: Any, job: Job):
        self._src = src
        self.published = job.published
        self.source_url = job.source_url

    def __getattr__(self, name: str) -> Any:
        return getattr(self._src, name)


def _store(session, good: list[tuple[Job, Any, Any]], version: str) -> Iterator[tuple[Job, int, bool, Any]]:
    """Store read + extracted reports: ``(job, report id, created, record)`` each.

    Fast path: one ``save_many`` (executemany) in a savepoint. When it cannot take the batch
    as it is (a failed row for the same bytes, a concurrent worker storing the same bytes),
    the savepoint is rolled back and each report goes through ``save_report``.
    """
    from sqlalchemy.exc import IntegrityError

    from pipeline.store import save_many, save_report

    if not good:
        return
    try:
        with session.begin_nested():
            ids = save_many(session, [(_Stamped(src, job), rec) for job, src, rec in good],
                            pipeline_version=version)
            if len(ids) != len(good):
                raise _Fallback()
    except (IntegrityError, _Fallback):
        pass
    else:
        for (job, _, rec), report_id in zip(good, ids):
            yield job, int(report_id), True, rec
        return
    for job, src, rec in good:
        try:
            with session.begin_nested():
                report_id, created = save_report(session, src, rec, published=job.published,
                                                 source_url=job.source_url, pipeline_version=version)
        except IntegrityError:  # stored meanwhile by a concurrent worker
            yield job, 0, False, rec
            continue
        yield job, int(report_id), created, rec


class _Fallback(Exception):
    pass


def run(paths: Iterable[Path | str] = (), manifest: Optional[Path | str] = None, *,
        db_url: Optional[str] = None, batch_size: int = DEFAULT_BATCH_SIZE) -> BatchResult:
    """The whole ingest without Prefect (sequential): for scripts and the benchmark baseline."""
    url = prepare(db_url)
    total = BatchResult()
    for batch in batches(discover(paths, manifest), batch_size):
        total.merge(process_batch(url, batch))
    return total


# --------------------------------------------------------------------------- reprocess

@dataclass
class ReprocessResult(_Tally):
    found: int = 0
    reprocessed: int = 0
    failed: int = 0
    flagged: int = 0
    failures: list[dict[str, Any]] = field(default_factory=list)        # {report_id, reason}
    flagged_reports: list[dict[str, Any]] = field(default_factory=list)  # {report_id, id, name, flags}

    def counts(self) -> dict[str, int]:
        return {"selected": self.found, "reprocessed": self.reprocessed, "failed": self.failed,
                "flagged": self.flagged}


def version_key(version: Optional[str]) -> tuple:
    """Sortable key of a dotted version string ("0.10.1" > "0.9"); unknown/empty sorts first."""
    if not version:
        return ()
    parts = []
    for piece in str(version).replace("-", ".").replace("+", ".").split("."):
        digits = "".join(ch for ch in piece if ch.isdigit())
        parts.append((int(digits) if digits else -1, piece))
    return tuple(parts)


def select_reports(db_url: str, *, kind: Optional[str] = None, older_than_version: Optional[str] = None,
                   report_ids: Optional[Sequence[int]] = None) -> list[int]:
    """Ids of stored (successfully read) reports matching every filter given; all when none is."""
    from sqlalchemy import select

    from models.orm import STATUS_STORED, RecordRow, Report
    from pipeline.db import session_scope

    stmt = (select(Report.id, Report.pipeline_version).join(RecordRow, RecordRow.report_id == Report.id)
            .where(Report.status == STATUS_STORED).order_by(Report.id))
    if kind:
        stmt = stmt.where(RecordRow.kind == kind)
    if report_ids:
        stmt = stmt.where(Report.id.in_([int(i) for i in report_ids]))
    with session_scope(engine_for(db_url)) as session:
        rows = session.execute(stmt).all()
    if older_than_version:
        limit = version_key(older_than_version)
        rows = [r for r in rows if version_key(r.pipeline_version) < limit]
    return [int(r.id) for r in rows]


class _Block:
    __slots__ = ("start", "end", "page", "index", "kind")

    def __init__(self, data: dict[str, Any]):
        self.start = int(data.get("start") or 0)
        self.end = int(data.get("end") or 0)
        self.page = data.get("page")
        self.index = data.get("index")
        self.kind = data.get("kind")


def locator_from_blocks(blocks: Any):
    """A ``locate(start, end)`` over stored block JSON (as ``SourceDocument.locate`` does)."""
    items = [_Block(b) for b in blocks or [] if isinstance(b, dict)]
    if not items:
        return None

    def locate(start: int, end: int) -> list[_Block]:
        end = max(end, start + 1)
        return [b for b in items if b.start < end and b.end > start]

    return locate


def reprocess_batch(db_url: str, report_ids: Sequence[int]) -> ReprocessResult:
    """Re-extract stored reports with the current pipeline (``pipeline.store.reextract``):
    every correction stays in force, flags are raised again. One transaction per batch."""
    from sqlalchemy import select

    from models.orm import STATUS_STORED, Report
    from pipeline.db import session_scope
    from pipeline.store import reextract

    ids = [int(i) for i in report_ids]
    result = ReprocessResult(found=len(ids))
    engine = engine_for(db_url)
    with session_scope(engine) as session:
        rows = session.execute(
            select(Report.id, Report.doc_id, Report.name, Report.text, Report.blocks, Report.published)
            .where(Report.id.in_(ids), Report.status == STATUS_STORED)).all()
    by_id = {int(r.id): r for r in rows}
    for rid in ids:
        if rid not in by_id:
            result.failed += 1
            result.failures.append({"report_id": rid, "reason": "no stored report with this id"})
    order = [rid for rid in ids if rid in by_id]
    docs = []
    for rid in order:
        r = by_id[rid]
        published = r.published.isoformat() if r.published is not None else None
        docs.append((Job(id=r.doc_id, name=r.name, path="", published=published),
                     _Stored(r.text or "", locator_from_blocks(r.blocks))))
    if docs:
        _ensure_nlp()
    records = _extract_all(docs) if docs else []
    with session_scope(engine) as session:
        for rid, (job, _), rec in zip(order, docs, records):
            if isinstance(rec, BaseException):
                result.failed += 1
                result.failures.append({"report_id": rid, "reason": f"extraction failed ({rec.__class__.__name__})"})
                continue
            with session.begin_nested():
                reextract(session, rid, rec)
            result.reprocessed += 1
            if rec.flags:
                result.flagged += 1
                result.flagged_reports.append({"report_id": rid, "id": job.id, "name": job.name,
                                               "flags": _flag_kinds(rec)})
    return result


class _Stored:
    """The two things extraction needs of a stored report (stand-in for a SourceDocument)."""

    __slots__ = ("text", "locate")

    def __init__(self, text: str, locate):
        self.text = text
        self.locate = locate


# --------------------------------------------------------------------------- drop folder

def ready_files(folder: Path | str, *, settle_seconds: float = 5.0, now: Optional[float] = None) -> list[str]:
    """Files under ``folder`` (recursively, sorted, hidden ones and partial downloads left out)
    that have not changed for ``settle_seconds``: a file still being copied is left for the next poll."""
    import time

    root = Path(folder)
    if not root.is_dir():
        return []
    now = time.time() if now is None else now
    out: list[str] = []
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).parts
        if any(part.startswith(".") for part in rel) or path.suffix.lower() in (".part", ".tmp", ".crdownload"):
            continue
        try:
            st = path.stat()
        except OSError:
            continue
        if path.is_file() and now - st.st_mtime >= settle_seconds:
            out.append(str(path))
    return out


def archive_done(db_url: str, files: Sequence[str], folder: Path | str, done_dir: Path | str) -> list[str]:
    """Move the files whose content the store now holds (stored or failed) from ``folder`` to
    ``done_dir``, keeping their relative paths; returns the moved files' new paths. Files the
    store does not hold (a run interrupted before their batch committed) stay for the next poll."""
    import shutil

    from pipeline.db import session_scope
    from pipeline.store import known_hashes

    root, dest = Path(folder), Path(done_dir)
    digests: dict[str, str] = {}
    for f in files:
        try:
            digests[f] = file_digest(Job(id="", name=f, path=f))[0]
        except OSError:
            continue
    with session_scope(engine_for(db_url)) as session:
        known = set(known_hashes(session, set(digests.values())))
    moved = []
    for f, sha in digests.items():
        if sha not in known:
            continue
        target = dest / Path(f).resolve().relative_to(root.resolve())
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists():
            target = target.with_name(f"{target.stem}.{sha[:8]}{target.suffix}")
        try:
            shutil.move(f, target)
        except OSError:
            continue
        moved.append(str(target))
    return moved
