"""The timpora web app: search, report pages, the review queue, accuracy and uploads.

Server-rendered (FastAPI + Jinja2, autoescaped), usable without JavaScript; ``static/app.js``
only adds keyboard shortcuts. Every POST carries a CSRF token bound to the browser's
session cookie; corrections need a reviewer (a name given at /login, or a header set by a
trusted proxy, ``TIMPORA_REVIEWER_HEADER``). The app is a thin layer over ``pipeline``:
``pipeline.search`` for search and facets, ``pipeline.store`` for records and corrections,
``pipeline.review`` for the queue and accuracy, ``flows.ingest`` for uploads.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import secrets
import shutil
import tempfile
import threading
import uuid
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Optional
from urllib.parse import urlencode

from fastapi import FastAPI, HTTPException, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from models.record import FIELDS, KINDS
from pipeline import store
from pipeline.db import open_engine, session_scope
from pipeline.errors import TimporaError
from pipeline.review import accuracy, open_flag_kinds, queue
from pipeline.search import FACETS, SearchQuery, search

HERE = Path(__file__).resolve().parent
UPLOAD_TYPES = (".txt", ".docx", ".pdf", ".zip")
DEFAULT_MAX_UPLOAD = 50 * 1024 * 1024          # bytes per request
ZIP_MAX_MEMBERS = 5000
ZIP_MAX_RATIO = 100                             # uncompressed / compressed, per member
ZIP_MAX_TOTAL = 500 * 1024 * 1024               # uncompressed bytes in one archive
PAGE_SIZE = 25
SID_COOKIE = "timpora_sid"
REVIEWER_COOKIE = "timpora_reviewer"
SCALAR_FIELDS = ("kind", "office", "date", "date_end", "time", "venue", "foreigners_found", "violations")


@dataclass
class UploadJob:
    id: str
    files: list[str]
    refused: list[tuple[str, str]]
    status: str = "queued"            # queued | running | done | failed
    events: int = 0
    summary: Optional[dict] = None
    error: Optional[str] = None
    counts: dict[str, int] = field(default_factory=dict)


class Settings:
    def __init__(self, db_url: Optional[str], *, secret: Optional[str] = None,
                 reviewer_header: Optional[str] = None, reviewers: Optional[list[str]] = None,
                 upload_dir: Optional[Path] = None, max_upload: Optional[int] = None):
        self.db_url = db_url
        self.secret = (secret or os.environ.get("TIMPORA_SECRET") or secrets.token_hex(32)).encode()
        self.reviewer_header = reviewer_header or os.environ.get("TIMPORA_REVIEWER_HEADER") or None
        env_reviewers = os.environ.get("TIMPORA_REVIEWERS")
        self.reviewers = reviewers if reviewers is not None else (
            [r.strip() for r in env_reviewers.split(",") if r.strip()] if env_reviewers else None)
        self.upload_dir = Path(upload_dir) if upload_dir else Path(tempfile.gettempdir()) / "timpora-uploads"
        self.max_upload = int(max_upload or os.environ.get("TIMPORA_MAX_UPLOAD_BYTES") or DEFAULT_MAX_UPLOAD)


def _sign(settings: Settings, value: str) -> str:
    return hmac.new(settings.secret, value.encode(), hashlib.sha256).hexdigest()


def check_zip(path: Path) -> Optional[str]:
    """Why an uploaded archive is refused (path traversal, bomb, corrupt), or None."""
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            if len(infos) > ZIP_MAX_MEMBERS:
                return f"too many members ({len(infos)} > {ZIP_MAX_MEMBERS})"
            total = 0
            for info in infos:
                name = info.filename
                pure = PurePosixPath(name.replace("\\", "/"))
                if pure.is_absolute() or ".." in pure.parts or re.match(r"^[A-Za-z]:", name):
                    return f"path traversal in member name {name!r}"
                total += info.file_size
                if info.compress_size and info.file_size / info.compress_size > ZIP_MAX_RATIO \
                        and info.file_size > 1024 * 1024:
                    return f"member {name!r} expands {info.file_size // max(info.compress_size, 1)}x (zip bomb?)"
            if total > ZIP_MAX_TOTAL:
                return f"archive expands to {total} bytes (limit {ZIP_MAX_TOTAL})"
    except zipfile.BadZipFile:
        return "not a valid zip archive"
    return None


def create_app(db_url: Optional[str] = None, **kwargs: Any) -> FastAPI:
    settings = Settings(db_url, **kwargs)
    engine = open_engine(db_url)
    app = FastAPI(title="timpora", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.settings = settings
    app.state.jobs: dict[str, UploadJob] = {}
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    templates = Jinja2Templates(directory=HERE / "templates")
    templates.env.autoescape = True
    templates.env.filters["tojson_compact"] = lambda v: json.dumps(v, ensure_ascii=False)

    # ------------------------------------------------------------------ request helpers
    def sid(request: Request) -> str:
        return request.cookies.get(SID_COOKIE) or ""

    def csrf_token(request: Request) -> str:
        s = getattr(request.state, "new_sid", None) or sid(request)
        return _sign(settings, "csrf:" + s)

    def reviewer(request: Request) -> Optional[str]:
        if settings.reviewer_header:
            name = (request.headers.get(settings.reviewer_header) or "").strip()
            return name or None
        raw = request.cookies.get(REVIEWER_COOKIE) or ""
        name, _, sig = raw.rpartition("|")
        if name and hmac.compare_digest(sig, _sign(settings, "reviewer:" + name)):
            return name
        return None

    async def check_csrf(request: Request) -> None:
        form = await request.form()
        token = str(form.get("csrf_token") or request.headers.get("x-csrf-token") or "")
        if not sid(request) or not hmac.compare_digest(token, _sign(settings, "csrf:" + sid(request))):
            raise HTTPException(403, "missing or invalid CSRF token: reload the page and try again")

    def render(request: Request, name: str, status_code: int = 200, **ctx: Any) -> HTMLResponse:
        ctx.update(request=request, csrf_token=csrf_token(request), reviewer=reviewer(request),
                   kinds=KINDS, fields=FIELDS, reviewer_header=settings.reviewer_header)
        return templates.TemplateResponse(request, name, ctx, status_code=status_code)

    @app.middleware("http")
    async def session_cookie(request: Request, call_next):
        new_sid = None
        if not request.cookies.get(SID_COOKIE):
            new_sid = secrets.token_urlsafe(24)
            request.state.new_sid = new_sid
        response = await call_next(request)
        if new_sid:
            response.set_cookie(SID_COOKIE, new_sid, httponly=True, samesite="strict")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Content-Security-Policy",
                                    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'")
        return response

    @app.exception_handler(TimporaError)
    async def timpora_error(request: Request, exc: TimporaError):
        return render(request, "error.html", status_code=400, message=str(exc))

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException):
        return render(request, "error.html", status_code=exc.status_code, message=str(exc.detail))

    # ------------------------------------------------------------------ search
    @app.get("/", include_in_schema=False)
    def home() -> RedirectResponse:
        return RedirectResponse("/search", status_code=303)

    def query_from(params) -> SearchQuery:
        def opt(name):
            v = (params.get(name) or "").strip()
            return v or None

        violations = opt("violations")
        return SearchQuery(text=opt("q"), agency=opt("agency"), place=opt("place"), date_from=opt("from"),
                           date_to=opt("to"), kind=opt("kind"), office=opt("office"),
                           has_violations=None if violations is None else violations == "yes",
                           flagged=True if opt("flagged") else None, flag_kind=opt("flag"))

    @app.get("/search", response_class=HTMLResponse)
    def search_page(request: Request):
        params = request.query_params
        try:
            page = max(1, int(params.get("page") or 1))
        except ValueError:
            page = 1
        q = query_from(params)
        q.limit, q.offset = PAGE_SIZE, (page - 1) * PAGE_SIZE
        with session_scope(engine) as session:
            result = search(session, q)
        state = {k: v for k, v in params.items() if v and k != "page"}

        def url_with(**changes):
            s = dict(state)
            for k, v in changes.items():
                if v is None:
                    s.pop(k, None)
                else:
                    s[k] = v
            return "/search?" + urlencode(s)

        facet_param = {"agency": "agency", "place": "place", "province": "place", "year": None,
                       "kind": "kind", "flag": "flag"}
        facets = []
        for name in FACETS:
            items = []
            for value, label, count in result.facets.get(name, []):
                if name == "year":
                    link = url_with(**{"from": f"{value}-01-01", "to": f"{value}-12-31"})
                else:
                    link = url_with(**{facet_param[name]: str(value)})
                items.append({"value": value, "label": label, "count": count, "url": link})
            facets.append((name, items))
        pages = max(1, -(-result.total // PAGE_SIZE))
        return render(request, "search.html", result=result, state=state, facets=facets, page=page,
                      pages=pages, prev_url=url_with(page=str(page - 1)) if page > 1 else None,
                      next_url=url_with(page=str(page + 1)) if page < pages else None,
                      clear_url=lambda k: url_with(**{k: None}))

    # ------------------------------------------------------------------ report page
    def segments(text: str, evidence: dict[str, list[dict]], blocks: list[dict]) -> list[dict]:
        """The text cut at evidence and page boundaries: [{text, fields, anchor, page}]."""
        marks: list[tuple[int, int, str, str]] = []
        for fname, spans in evidence.items():
            for i, ev in enumerate(spans):
                s, e = int(ev.get("start", 0)), int(ev.get("end", 0))
                if 0 <= s < e <= len(text):
                    marks.append((s, e, fname, f"ev-{fname}-{i}"))
        pages: dict[int, int] = {}
        for b in blocks or []:
            p = b.get("page") if isinstance(b, dict) else None
            if p is not None and b.get("start") is not None:
                pages.setdefault(int(p), int(b["start"]))
        cuts = {0, len(text)}
        for s, e, _, _ in marks:
            cuts.update((s, e))
        cuts.update(pages.values())
        page_at = {v: k for k, v in pages.items()}
        out = []
        ordered = sorted(c for c in cuts if 0 <= c <= len(text))
        for a, b in zip(ordered, ordered[1:]):
            covering = [m for m in marks if m[0] <= a and b <= m[1]]
            starting = [m[3] for m in marks if m[0] == a]
            out.append({"text": text[a:b], "fields": sorted({m[2] for m in covering}),
                        "anchors": starting, "page": page_at.get(a)})
        return out

    def load_report(report_id: int) -> tuple[dict, str, list]:
        with session_scope(engine) as session:
            rec = store.effective_record(session, report_id)
            text, blocks = store.report_text(session, report_id)
        return rec, text, blocks

    @app.get("/reports/{report_id}", response_class=HTMLResponse)
    def report_page(request: Request, report_id: int):
        try:
            rec, text, blocks = load_report(report_id)
        except TimporaError:
            raise HTTPException(404, f"no report {report_id}")
        return render(request, "report.html", rec=rec, segs=segments(text, rec.get("evidence", {}), blocks),
                      open_flags={f["field"] for f in rec.get("flags", []) if f.get("status") == "open"})

    # ------------------------------------------------------------------ review
    def queue_url(flag: Optional[str], fieldname: Optional[str], **extra) -> str:
        s = {k: v for k, v in (("flag", flag), ("field", fieldname)) if v}
        s.update({k: str(v) for k, v in extra.items() if v is not None})
        return "/review" + ("?" + urlencode(s) if s else "")

    @app.get("/review", response_class=HTMLResponse)
    def review_page(request: Request, flag: Optional[str] = None, field: Optional[str] = None,
                    report: Optional[int] = None, at: Optional[str] = None, saved: Optional[str] = None):
        flag, field = flag or None, field or None
        with session_scope(engine) as session:
            items = queue(session, flag_kind=flag, field=field)
            kinds = open_flag_kinds(session)
        current = None
        if items:
            current = items[0]
            if report is not None:
                current = next((i for i in items if i.report_id == report and (not at or i.field == at)),
                               next((i for i in items if i.report_id >= report), items[0]))
        if report is not None and at in FIELDS and (current is None or (current.report_id, current.field)
                                                     != (report, at)):
            # a field that is not (or no longer) flagged, reviewed on request from its report page
            with session_scope(engine) as session:
                ids = store.find_report_ids(session, str(report))
            if ids:
                from pipeline.review import QueueItem

                rec0, _, _ = load_report(ids[0])
                if rec0.get("status") == "stored":
                    current = QueueItem(ids[0], rec0["id"], at)
                    items = [current] + [i for i in items if i != current]
        ctx: dict[str, Any] = {"items": items, "current": current, "flag": flag, "field": field,
                               "flag_kinds": kinds, "saved": saved}
        if current is not None:
            rec, text, blocks = load_report(current.report_id)
            ev = {current.field: rec.get("evidence", {}).get(_evidence_group(current.field), [])}
            ctx.update(rec=rec, segs=segments(text, ev, blocks),
                       flags=[f for f in rec.get("flags", []) if f.get("status") == "open"
                              and f.get("field") == current.field],
                       value=rec.get(current.field), value_text=_edit_text(current.field, rec.get(current.field)))
            idx = items.index(current)
            nxt = items[idx + 1] if idx + 1 < len(items) else None
            prv = items[idx - 1] if idx > 0 else None
            ctx["next_url"] = queue_url(flag, field, report=nxt.report_id, at=nxt.field) if nxt else None
            ctx["prev_url"] = queue_url(flag, field, report=prv.report_id, at=prv.field) if prv else None
            ctx["position"] = idx + 1
        return render(request, "review.html", **ctx)

    @app.post("/review/{report_id}/{fieldname}")
    async def review_action(request: Request, report_id: int, fieldname: str):
        await check_csrf(request)
        who = reviewer(request)
        if not who:
            raise HTTPException(401, "sign in as a reviewer first (/login)")
        if fieldname not in FIELDS:
            raise HTTPException(400, f"unknown field {fieldname!r}")
        form = await request.form()
        action = str(form.get("action") or "")
        if action not in ("accept", "correct", "not_applicable"):
            raise HTTPException(400, "action must be accept, correct or not_applicable")
        value = _parse_edit(fieldname, str(form.get("value") or "")) if action == "correct" else None
        note = (str(form.get("note") or "").strip() or None)
        with session_scope(engine) as session:
            store.add_correction(session, report_id, fieldname, value, reviewer=who, note=note, action=action)
        back = str(form.get("next") or "")
        if not back.startswith("/") or back.startswith("//"):
            back = f"/reports/{report_id}"
        sep = "&" if "?" in back else "?"
        return RedirectResponse(f"{back}{sep}saved={fieldname}", status_code=303)

    @app.get("/accuracy", response_class=HTMLResponse)
    def accuracy_page(request: Request):
        with session_scope(engine) as session:
            rows = accuracy(session)
            counts = store.counts(session)
        return render(request, "accuracy.html", rows=rows, counts=counts)

    # ------------------------------------------------------------------ reviewer identity
    @app.get("/login", response_class=HTMLResponse)
    def login_page(request: Request, next: str = "/review"):
        return render(request, "login.html", next=next)

    @app.post("/login")
    async def login(request: Request):
        await check_csrf(request)
        form = await request.form()
        name = re.sub(r"\s+", " ", str(form.get("name") or "")).strip()[:80]
        if not name or "|" in name:
            raise HTTPException(400, "give your name (no '|')")
        if settings.reviewers is not None and name not in settings.reviewers:
            raise HTTPException(403, f"{name!r} is not a reviewer here")
        nxt = str(form.get("next") or "/review")
        if not nxt.startswith("/") or nxt.startswith("//"):
            nxt = "/review"
        resp = RedirectResponse(nxt, status_code=303)
        resp.set_cookie(REVIEWER_COOKIE, f"{name}|{_sign(settings, 'reviewer:' + name)}",
                        httponly=True, samesite="strict")
        return resp

    @app.post("/logout")
    async def logout(request: Request):
        await check_csrf(request)
        resp = RedirectResponse("/search", status_code=303)
        resp.delete_cookie(REVIEWER_COOKIE)
        return resp

    # ------------------------------------------------------------------ pickers
    @app.get("/pickers/{kind}")
    def pickers(kind: str, q: str = "") -> Response:
        if kind == "agencies":
            from extractors.gazetteer import agencies

            items = [{"value": a.code, "label": a.name} for a in agencies()]
        elif kind == "places":
            from extractors.regions import regions, search_regions

            found = search_regions(q)[:30] if q.strip() else regions(levels=("kabupaten", "kota"))
            items = [{"value": r.name, "label": r.code} for r in found]
        else:
            raise HTTPException(404, "no such picker")
        return Response(json.dumps(items, ensure_ascii=False), media_type="application/json")

    # ------------------------------------------------------------------ upload
    @app.get("/upload", response_class=HTMLResponse)
    def upload_page(request: Request):
        return render(request, "upload.html", jobs=list(app.state.jobs.values())[-10:][::-1],
                      max_mb=settings.max_upload // (1024 * 1024), types=", ".join(UPLOAD_TYPES))

    @app.post("/upload")
    async def upload(request: Request):
        length = int(request.headers.get("content-length") or 0)
        if length > settings.max_upload:
            raise HTTPException(413, f"upload too large ({length} bytes; limit {settings.max_upload})")
        await check_csrf(request)
        form = await request.form()
        files = [f for f in form.getlist("files") if isinstance(f, UploadFile) or hasattr(f, "filename")]
        if not files or all(not getattr(f, "filename", "") for f in files):
            raise HTTPException(400, "choose one or more .txt, .docx, .pdf or .zip files")
        job = UploadJob(id=uuid.uuid4().hex[:12], files=[], refused=[])
        dest = settings.upload_dir / job.id
        dest.mkdir(parents=True, exist_ok=True)
        total = 0
        for f in files:
            name = Path(str(f.filename or "")).name.replace("\\", "_")
            if not name or name.startswith("."):
                job.refused.append((str(f.filename), "no usable file name"))
                continue
            if Path(name).suffix.lower() not in UPLOAD_TYPES:
                job.refused.append((name, f"unsupported file type (allowed: {', '.join(UPLOAD_TYPES)})"))
                continue
            target = dest / name
            n = 1
            while target.exists():
                target = dest / f"{Path(name).stem}-{n}{Path(name).suffix}"
                n += 1
            with target.open("wb") as out:
                while chunk := await f.read(1024 * 1024):
                    total += len(chunk)
                    if total > settings.max_upload:
                        out.close()
                        shutil.rmtree(dest, ignore_errors=True)
                        raise HTTPException(413, f"upload too large (limit {settings.max_upload} bytes)")
                    out.write(chunk)
            if target.suffix.lower() == ".zip":
                why = check_zip(target)
                if why:
                    target.unlink()
                    job.refused.append((name, f"archive refused: {why}"))
                    continue
            job.files.append(str(target))
        app.state.jobs[job.id] = job
        if job.files:
            threading.Thread(target=_run_upload, args=(job, settings.db_url), daemon=True).start()
        else:
            job.status = "failed"
            job.error = "nothing to ingest"
        return RedirectResponse(f"/upload/{job.id}", status_code=303)

    @app.get("/upload/{job_id}", response_class=HTMLResponse)
    def upload_status(request: Request, job_id: str):
        job = app.state.jobs.get(job_id)
        if job is None:
            raise HTTPException(404, "no such upload")
        return render(request, "upload_status.html", job=job)

    return app


_ingest_lock = threading.Lock()


def _run_upload(job: UploadJob, db_url: Optional[str]) -> None:
    """Run the ingest flow over an upload (one at a time per process)."""
    from flows import ingest as ingest_flows

    def listen(event: str, payload: Any) -> None:
        job.events += 1
        if event == "found" and isinstance(payload, int):
            job.counts["found"] = payload
        elif event == "batch" and hasattr(payload, "counts"):
            for k, v in payload.counts().items():
                if k != "found":
                    job.counts[k] = job.counts.get(k, 0) + v

    with _ingest_lock:
        job.status = "running"
        ingest_flows.add_listener(listen)
        try:
            job.summary = ingest_flows.run_ingest(job.files, db_url=db_url)
            job.status = "done"
        except Exception as exc:  # reported on the status page, never lost silently
            job.status = "failed"
            job.error = f"{exc.__class__.__name__}: {exc}"
        finally:
            ingest_flows.remove_listener(listen)


def _evidence_group(field: str) -> str:
    return {"foreigners_found": "foreigners"}.get(field, field)


def _edit_text(field: str, value: Any) -> str:
    """A field value as the text a reviewer edits."""
    if value is None:
        return ""
    if field == "chair":
        return " | ".join(x for x in ((value or {}).get("name") or "", (value or {}).get("role") or ""))
    if field == "agencies":
        return "; ".join(a.get("code", "") for a in value)
    if field == "places":
        return "; ".join(p.get("name", "") for p in value)
    if field == "sites":
        return "\n".join(s.get("name", "") for s in value)
    if field == "findings":
        return "\n".join(f.get("text", "") for f in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _parse_edit(field: str, text: str) -> Any:
    """The reviewer's edit text back into a value (``pipeline.store`` validates it)."""
    text = text.strip()
    if field == "chair":
        name, _, role = text.partition("|")
        return {"name": name.strip() or None, "role": role.strip() or None} if text else None
    if field in ("agencies", "places"):
        return [p.strip() for p in re.split(r"[;\n]", text) if p.strip()]
    if field in ("sites", "findings"):
        return [p.strip() for p in text.splitlines() if p.strip()]
    return text or None
