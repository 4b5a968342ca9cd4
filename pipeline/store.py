"""Storing reports and their records; corrections; the effective record.

A report is stored once per content (``sha256``). Its record's *extracted* values are kept
as JSON (``record_extractions``); the searchable columns and child rows hold the *effective* values, i.e. for each
field the latest correction, else the extracted value. Corrections are keyed by report and
field, so ``reextract`` replaces extracted values, evidence and open flags but never a
correction, and the effective values are rebuilt from both.

All writes go through SQLAlchemy Core statements with bound parameters; ``save_many`` is
the bulk path (executemany / COPY) for large loads.

The free-text index is kept here, not by database triggers on insert: SQLite gets the FTS5
rows of a batch in one ``INSERT ... SELECT``; PostgreSQL gets ``search_docs.tsv`` from
``tsv_literal`` (the distinct folded words, ``text_words``; queries fold their words the
same way) and the new words of names in ``search_words`` (the typo fallback).
"""
from __future__ import annotations

import datetime as dt
import gc
import re
import unicodedata
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Iterable, Iterator, Optional, Sequence

from sqlalchemy import String, Text, any_, bindparam, delete, func, insert, select, text as sql_text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models.orm import (ACTIONS, FLAG_OPEN, FLAG_RESOLVED, STATUS_FAILED, STATUS_STORED, Correction,
                        EvidenceRow, FlagRow, RecordAgency, RecordExtraction, RecordFinding, RecordPlace,
                        RecordRow, RecordSite, Report, SearchDoc)
from models.record import FIELDS, KINDS, Record
from pipeline.errors import TimporaError

LIST_FIELDS = ("agencies", "places", "sites", "findings")
_CHUNK = 500
_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


class StoreError(TimporaError):
    """A store operation the user asked for cannot be done (unknown report, bad correction)."""


class ReportNotFound(StoreError):
    exit_code = 3


def _pipeline_version() -> str:
    from pipeline.extract import PIPELINE_VERSION

    return PIPELINE_VERSION


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def _to_date(value: Any) -> Optional[dt.date]:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _iso(value: Optional[dt.date]) -> Optional[str]:
    return value.isoformat() if value is not None else None


# --------------------------------------------------------------------------- field values

def _clean_str(value: Any) -> Optional[str]:
    if value is None:
        return None
    s = str(value).strip()
    return s or None


def normalise_value(field: str, value: Any) -> Any:
    """A field value in the RECORD.md JSON shape; raises ``StoreError`` when it cannot be one."""
    if field not in FIELDS:
        raise StoreError(f"unknown field {field!r} (fields: {', '.join(FIELDS)})")
    if field == "kind":
        if value not in KINDS:
            raise StoreError(f"kind must be one of {', '.join(KINDS)}, not {value!r}")
        return value
    if field in ("office", "venue"):
        return _clean_str(value)
    if field in ("date", "date_end"):
        if value in (None, ""):
            return None
        d = _to_date(value)
        if d is None or len(str(value).strip()) != 10:
            raise StoreError(f"{field} must be an ISO date (YYYY-MM-DD), not {value!r}")
        return d.isoformat()
    if field == "time":
        if value in (None, ""):
            return None
        s = str(value).strip().replace(".", ":")
        if len(s) == 4 and s[1] == ":":
            s = "0" + s
        if not _TIME.match(s):
            raise StoreError(f"time must be HH:MM, not {value!r}")
        return s
    if field == "chair":
        if value in (None, ""):
            return None
        if isinstance(value, str):
            return {"name": _clean_str(value), "role": None}
        if isinstance(value, dict):
            name, role = _clean_str(value.get("name")), _clean_str(value.get("role"))
            return {"name": name, "role": role} if (name or role) else None
        raise StoreError(f"chair must be a name or {{'name', 'role'}}, not {value!r}")
    if field == "foreigners_found":
        if value in (None, ""):
            return None
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            return value
        if isinstance(value, str) and value.strip().isdigit():
            return int(value.strip())
        raise StoreError(f"foreigners_found must be a whole number >= 0, not {value!r}")
    if field == "violations":
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            return value
        s = str(value).strip().lower()
        if s in ("true", "yes", "ya", "1"):
            return True
        if s in ("false", "no", "tidak", "0"):
            return False
        raise StoreError(f"violations must be true, false or null, not {value!r}")
    # list fields
    if value is None:
        return []
    if isinstance(value, (str, dict)):
        value = [value]
    items: list[dict] = []
    for item in value:
        if field == "agencies":
            if isinstance(item, dict):
                code = _clean_str(item.get("code"))
                if not code:
                    raise StoreError(f"an agency needs a code: {item!r}")
                entry = {"code": code.upper(), "name": _clean_str(item.get("name")) or code.upper()}
                for k in ("jurisdiction", "jurisdiction_name"):
                    if item.get(k):
                        entry[k] = str(item[k])
            else:
                code = _clean_str(item)
                if not code:
                    continue
                entry = {"code": code.upper(), "name": code}
            if all(e["code"] != entry["code"] for e in items):
                items.append(entry)
        elif field == "places":
            items.append(_place_value(item))
        elif field == "sites":
            name = _clean_str(item.get("name") if isinstance(item, dict) else item)
            if name:
                items.append({"name": name})
        else:  # findings
            text = _clean_str(item.get("text") if isinstance(item, dict) else item)
            if text:
                items.append({"text": text})
    return items


def _place_value(item: Any) -> dict:
    """A place as {"name", "code"[, "mention"]}; a bare name or code is resolved via the region list."""
    if isinstance(item, dict):
        code, name = _clean_str(item.get("code")), _clean_str(item.get("name"))
        mention = _clean_str(item.get("mention"))
    else:
        code, name, mention = None, _clean_str(item), None
    if not code and name:
        if re.fullmatch(r"\d{2}(\.\d{2}){0,3}", name):
            code, name = name, None
        else:
            region = _find_region(name)
            if region is None:
                raise StoreError(f"unknown place {name!r}: give a Kemendagri name or code")
            code, mention, name = region.code, mention or name, region.name
    if not code:
        raise StoreError(f"a place needs a name or code: {item!r}")
    if not name:
        name = _region_name(code)
    out = {"name": name, "code": code}
    if mention:
        out["mention"] = mention
    return out


def _find_region(name: str):
    from extractors.regions import find_region

    return find_region(name)


def _region_name(code: str) -> str:
    try:
        from extractors.regions import region_name
    except ModuleNotFoundError:
        return code
    return region_name(code) or code


def _drop_none(d: dict) -> dict:
    return {k: v for k, v in d.items() if v is not None}


_AGENCY_KEYS = ("code", "name", "jurisdiction", "jurisdiction_name")
_PLACE_KEYS = ("name", "code", "mention")


def _attrs_json(obj: Any, keys: tuple[str, ...]) -> dict:
    """The object's attributes ``keys`` that are set, in that order (RECORD.md's JSON)."""
    out = {}
    for key in keys:
        value = getattr(obj, key)
        if value is not None:
            out[key] = value
    return out


def _extracted_fields(record: Record) -> dict[str, Any]:
    """The record's values in the RECORD.md JSON shape (as ``Record.to_json``, without evidence)."""
    chair = record.chair
    return {
        "id": record.id, "published": record.published, "kind": record.kind, "office": record.office,
        "date": record.date, "date_end": record.date_end, "time": record.time, "venue": record.venue,
        "chair": None if chair is None else {"name": chair.name, "role": chair.role},
        "agencies": [_attrs_json(a, _AGENCY_KEYS) for a in record.agencies],
        "places": [_attrs_json(p, _PLACE_KEYS) for p in record.places],
        "sites": [{"name": s} for s in record.sites],
        "findings": [{"text": f} for f in record.findings],
        "foreigners_found": record.foreigners_found, "violations": record.violations,
        "flags": [_drop_none({"field": f.field, "kind": f.kind, "message": f.message, "start": f.start,
                              "end": f.end}) for f in record.flags],
    }


def effective_fields(extracted: dict[str, Any], corrections: Iterable[Any]) -> dict[str, Any]:
    """Each field's effective value: the latest correction (in id order), else the extracted one."""
    out = {f: extracted.get(f) for f in FIELDS}
    for f in LIST_FIELDS:
        out[f] = list(out[f] or [])
    for c in sorted(corrections, key=lambda c: c.id):
        if c.field in out:
            out[c.field] = c.new_value if c.new_value is not None or c.field not in LIST_FIELDS else []
    return out


# --------------------------------------------------------------------------- free-text words

_WORD = re.compile(r"\w+")
_COMBINING = re.compile(r"[\u0300-\u036f]+")
MAX_WORD = 200            # longer "words" (hashes, garbage) are not indexed, nor searched for
_MAX_TSV = 900_000        # PostgreSQL's tsvector holds at most 1 MB of lexemes


def _fold(text: str) -> str:
    """Lower case without diacritics (as SQLite's ``unicode61 remove_diacritics 2``)."""
    text = text.lower()
    if not text.isascii():
        text = _COMBINING.sub("", unicodedata.normalize("NFKD", text))
    return text


def text_words(text: Optional[str]) -> list[str]:
    """The distinct folded words of ``text`` in order of appearance (documents and queries alike)."""
    if not text:
        return []
    text = _fold(text)
    words = list(dict.fromkeys(_WORD.findall(text)))
    if words and max(map(len, words)) > MAX_WORD:
        return [w for w in words if len(w) <= MAX_WORD]
    return words


def tsv_literal(body: Optional[str], names: Optional[str]) -> str:
    """``search_docs.tsv`` as tsvector input: the distinct words of body and names, quoted
    (a word is ``\\w+``: never a quote, backslash or space)."""
    return _tsv_of_words(text_words(f"{body or ''}\n{names or ''}"))


def _tsv_and_name_words(body: Optional[str], names: Optional[str]) -> tuple[str, list[str]]:
    """``(tsv_literal(body, names), name_words(names))``, folding the names once: the words of
    ``body + "\\n" + names`` are those of the body, then those of the names not seen yet (a
    word never spans the line break, and folding is per character)."""
    named = text_words(names)
    words = text_words(body)
    if named:
        words = list(dict.fromkeys(words + named)) if words else named
    return _tsv_of_words(words), named


def _tsv_of_words(words: list[str]) -> str:
    if not words:
        return ""
    literal = "'" + "' '".join(words) + "'"
    if len(literal) > _MAX_TSV:  # characters: at most 4 bytes each
        literal = literal[:literal.rfind("' '", 0, _MAX_TSV // 4) + 1]
    return literal


def name_words(names: Optional[str]) -> list[str]:
    """The words of a record's names that the typo fallback can match (``search_words``)."""
    return text_words(names)


def _add_search_words(conn, words: set[str]) -> None:
    """PostgreSQL: new name words into ``search_words`` (sorted: concurrent writers take the
    row locks of new words in the same order, so they never deadlock)."""
    if words:
        conn.exec_driver_sql("INSERT INTO search_words (word) SELECT unnest(%(w)s::text[]) ON CONFLICT DO NOTHING",
                             {"w": sorted(words)})


def _insert_search_doc(session: Session, report_id: int, body: str, names: str) -> None:
    """One record's search document and its free-text index entries."""
    conn = session.connection()
    params = {"id": report_id, "body": body, "names": names}
    if conn.dialect.name == "postgresql":
        conn.execute(sql_text("INSERT INTO search_docs (report_id, body, names, tsv) "
                              "VALUES (:id, :body, :names, CAST(:tsv AS tsvector))"),
                     {**params, "tsv": tsv_literal(body, names)})
        _add_search_words(conn, set(name_words(names)))
        return
    conn.execute(insert(SearchDoc.__table__), [{"report_id": report_id, "body": body, "names": names}])
    if conn.dialect.name == "sqlite":
        conn.execute(sql_text("INSERT INTO search_fts (rowid, body, names) VALUES (:id, :body, :names)"), params)


# --------------------------------------------------------------------------- rows per table

def _search_names(eff: dict[str, Any]) -> str:
    parts: list[str] = []
    for key in ("office", "venue"):
        if eff.get(key):
            parts.append(str(eff[key]))
    chair = eff.get("chair") or {}
    if isinstance(chair, dict):
        parts += [str(v) for v in (chair.get("name"), chair.get("role")) if v]
    for a in eff.get("agencies") or []:
        parts += [str(a.get(k)) for k in ("code", "name", "jurisdiction_name") if isinstance(a, dict) and a.get(k)]
    for p in eff.get("places") or []:
        parts += [str(p.get(k)) for k in ("name", "mention") if isinstance(p, dict) and p.get(k)]
    for s in eff.get("sites") or []:
        parts.append(str(s.get("name") if isinstance(s, dict) else s))
    for f in eff.get("findings") or []:
        parts.append(str(f.get("text") if isinstance(f, dict) else f))
    return "\n".join(parts)


def _record_columns(eff: dict[str, Any]) -> dict[str, Any]:
    chair = eff.get("chair") if isinstance(eff.get("chair"), dict) else None
    day = _to_date(eff.get("date"))
    violations = eff.get("violations")
    found = eff.get("foreigners_found")
    return {
        "kind": eff.get("kind") if eff.get("kind") in KINDS else "other",
        "office": eff.get("office"),
        "date": day,
        "date_end": _to_date(eff.get("date_end")),
        "time": (eff.get("time") or None) and str(eff["time"])[:5],
        "venue": eff.get("venue"),
        "chair_name": chair.get("name") if chair else None,
        "chair_role": chair.get("role") if chair else None,
        "chair_present": chair is not None,
        "foreigners_found": found if isinstance(found, int) and not isinstance(found, bool) else None,
        "violations": violations if isinstance(violations, bool) else None,
        "year": day.year if day else None,
        **_facet_codes(eff),
    }


def _facet_codes(eff: dict[str, Any]) -> dict[str, str]:
    """The distinct agency / kabupaten-kota / province codes of the child rows, as JSON arrays
    (the same values ``_child_rows`` writes, first occurrence first)."""
    agencies: dict[str, None] = {}
    for a in eff.get("agencies") or []:
        agencies[str((a.get("code") if isinstance(a, dict) else a) or "")] = None
    regencies: dict[str, None] = {}
    provinces: dict[str, None] = {}
    for p in eff.get("places") or []:
        code = str((p.get("code") if isinstance(p, dict) else "") or "")
        if len(code) >= 5:
            regencies[code[:5]] = None
        if len(code) >= 2:
            provinces[code[:2]] = None
    return {"agency_codes": _json_strings(list(agencies)), "regency_codes": _json_strings(list(regencies)),
            "province_codes": _json_strings(list(provinces))}


_PLAIN = re.compile(r'[ !#-\[\]-~]*')  # printable ASCII but the quote and backslash: JSON as is


def _json_strings(values: list[str]) -> str:
    """``_json_dumps`` of a list of strings (the same text), without the encoder for plain codes."""
    if not values:
        return "[]"
    if _PLAIN.fullmatch("".join(values)):
        return '["' + '", "'.join(values) + '"]'
    return _json_dumps(values)


def _child_rows(report_id: int, eff: dict[str, Any]) -> dict[Any, list[dict]]:
    agencies, places, sites, findings = [], [], [], []
    for i, a in enumerate(eff.get("agencies") or []):
        if not isinstance(a, dict):
            a = {"code": str(a), "name": str(a)}
        agencies.append({"report_id": report_id, "position": i, "code": str(a.get("code") or ""),
                         "mention": a.get("name"), "jurisdiction": a.get("jurisdiction"),
                         "jurisdiction_name": a.get("jurisdiction_name")})
    for i, p in enumerate(eff.get("places") or []):
        if not isinstance(p, dict):
            p = {"name": str(p), "code": ""}
        code = str(p.get("code") or "")
        places.append({"report_id": report_id, "position": i, "code": code, "name": str(p.get("name") or code),
                       "mention": p.get("mention"),
                       "regency_code": code[:5] if len(code) >= 5 else None,
                       "province_code": code[:2] if len(code) >= 2 else None})
    for i, s in enumerate(eff.get("sites") or []):
        sites.append({"report_id": report_id, "position": i,
                      "name": str(s.get("name") if isinstance(s, dict) else s)})
    for i, f in enumerate(eff.get("findings") or []):
        findings.append({"report_id": report_id, "position": i,
                         "text": str(f.get("text") if isinstance(f, dict) else f)})
    return {RecordAgency: agencies, RecordPlace: places, RecordSite: sites, RecordFinding: findings}


def _evidence_rows(report_id: int, record: Record) -> list[dict]:
    rows = []
    for field, items in (record.evidence or {}).items():
        for e in items:
            rows.append({"report_id": report_id, "field": field, "start": e.start, "end": e.end,
                         "text": e.text, "rule": e.rule, "page": e.page, "block": e.block})
    return rows


def _flag_rows(report_id: int, record: Record, corrected: set[str]) -> list[dict]:
    now = _now()
    rows, seen = [], set()
    for f in record.flags:
        key = (f.field, f.kind, f.message, f.start, f.end)
        if key in seen:
            continue
        seen.add(key)
        resolved = f.field in corrected
        rows.append({"report_id": report_id, "field": f.field, "kind": f.kind, "message": f.message or "",
                     "start": f.start, "end": f.end, "status": FLAG_RESOLVED if resolved else FLAG_OPEN,
                     "created_at": now, "resolved_at": now if resolved else None})
    return rows


def _write_effective(session: Session, report_id: int, eff: dict[str, Any], body: str, *, new: bool) -> None:
    """(Re)write the record's effective columns, child rows and search document."""
    cols = _record_columns(eff)
    if not new:
        for table in (RecordAgency, RecordPlace, RecordSite, RecordFinding, SearchDoc):
            session.execute(delete(table).where(table.report_id == report_id))
        session.execute(update(RecordRow).where(RecordRow.report_id == report_id).values(**cols))
    for table, rows in _child_rows(report_id, eff).items():
        if rows:
            session.execute(insert(table.__table__), rows)
    _insert_search_doc(session, report_id, body or "", _search_names(eff))


# --------------------------------------------------------------------------- public API

def known_hashes(session: Session, hashes: Iterable[str]) -> set[str]:
    """The given sha256 values already stored successfully (failed reads are not 'known')."""
    wanted = sorted({h for h in hashes if h})
    found: set[str] = set()
    postgresql = session.get_bind().dialect.name == "postgresql"
    for i in range(0, len(wanted), _HASH_CHUNK):
        chunk = wanted[i:i + _HASH_CHUNK]
        # by the unique sha256 index alone: a condition on ``status`` too lets a planner with stale
        # statistics (right after a bulk load) pick the status index and scan every report
        found.update(h for h, status in session.execute(_known_select(chunk, postgresql))
                     if status == STATUS_STORED)
    return found


_HASH_CHUNK = 5000


def _known_select(hashes: list[str], postgresql: bool):
    """``(sha256, status)`` of the reports with one of ``hashes``: the hashes travel as one bound
    parameter (an array on PostgreSQL, a JSON array on SQLite), not as one parameter each, so
    the statement is the same whatever their number (compiled once, nothing to render)."""
    if postgresql:
        from sqlalchemy.dialects.postgresql import ARRAY

        cond = Report.sha256 == any_(bindparam("hashes", hashes, type_=ARRAY(String)))
    else:
        listed = func.json_each(bindparam("hashes", _json_strings(hashes), type_=Text)).table_valued("value")
        cond = Report.sha256.in_(select(listed.c.value))
    return select(Report.sha256, Report.status).where(cond)


def _src_columns(src: Any) -> dict[str, Any]:
    blocks = getattr(src, "blocks", None) or []
    return {
        "doc_id": str(getattr(src, "id", "") or ""),
        "name": str(getattr(src, "name", "") or getattr(src, "id", "") or ""),
        "path": str(getattr(src, "path")) if getattr(src, "path", None) else None,
        "member": getattr(src, "member", None),
        "sha256": getattr(src, "sha256", None),
        "format": getattr(src, "format", None),
        "size": getattr(src, "size", None),
        "text": getattr(src, "text", "") or "",
        "blocks": [_block_json(b) for b in blocks],
        "properties": dict(getattr(src, "properties", None) or {}),
    }


def _block_json(block: Any) -> dict:
    if isinstance(block, dict):
        return block
    out = {k: getattr(block, k, None) for k in ("start", "end", "kind", "index", "page", "line", "cell")}
    if out.get("cell") is not None:
        out["cell"] = list(out["cell"])
    return {k: v for k, v in out.items() if v is not None}


def save_report(session: Session, src: Any, record: Record, *, published: Optional[str] = None,
                source_url: Optional[str] = None, pipeline_version: Optional[str] = None) -> tuple[int, bool]:
    """Store a read report and its extracted record: ``(report id, created)``.

    ``created`` is False when these bytes (``src.sha256``) are already stored; a failed row
    for the same bytes is turned into a stored one.
    """
    cols = _src_columns(src)
    if record.id:
        cols["doc_id"] = record.id
    published_day = _to_date(published or record.published)
    cols.update(published=published_day, source_url=source_url, status=STATUS_STORED, failure_reason=None,
                pipeline_version=pipeline_version or _pipeline_version(), updated_at=_now())
    if cols["sha256"]:
        existing = session.execute(select(Report.id, Report.status).where(Report.sha256 == cols["sha256"])).first()
        if existing is not None and existing.status == STATUS_STORED:
            return existing.id, False
    else:
        existing = None
    try:
        with session.begin_nested():
            if existing is not None:  # a failed read of the same bytes: becomes this report
                report_id = existing.id
                session.execute(update(Report).where(Report.id == report_id).values(**cols))
                session.execute(delete(RecordRow).where(RecordRow.report_id == report_id))
                session.execute(delete(FlagRow).where(FlagRow.report_id == report_id,
                                                      FlagRow.status == FLAG_OPEN))
            else:
                cols["created_at"] = cols["updated_at"]
                report_id = session.execute(insert(Report.__table__).values(**cols)
                                            .returning(Report.id)).scalar_one()
            _insert_record(session, report_id, record, cols["text"])
    except IntegrityError:
        # another process stored the same bytes meanwhile
        other = session.scalar(select(Report.id).where(Report.sha256 == cols["sha256"],
                                                       Report.status == STATUS_STORED))
        if other is None:
            raise
        return other, False
    session.expire_all()
    return report_id, True


def _insert_record(session: Session, report_id: int, record: Record, body: str) -> None:
    corrections = list(session.scalars(select(Correction).where(Correction.report_id == report_id)))
    extracted = _extracted_fields(record)
    eff = effective_fields(extracted, corrections)
    session.execute(insert(RecordRow.__table__).values(report_id=report_id, extracted_at=_now(),
                                                       **_record_columns(eff)))
    session.execute(insert(RecordExtraction.__table__).values(report_id=report_id, json=extracted))
    _write_effective(session, report_id, eff, body, new=True)
    ev = _evidence_rows(report_id, record)
    if ev:
        session.execute(insert(EvidenceRow.__table__), ev)
    flags = _new_flags(session, report_id, record, {c.field for c in corrections})
    if flags:
        session.execute(insert(FlagRow.__table__), flags)


def _new_flags(session: Session, report_id: int, record: Record, corrected: set[str]) -> list[dict]:
    """Flags to raise; a resolved flag already on file is not raised again."""
    resolved = {(r.field, r.kind, r.message) for r in session.execute(
        select(FlagRow.field, FlagRow.kind, FlagRow.message).where(FlagRow.report_id == report_id,
                                                                   FlagRow.status == FLAG_RESOLVED))}
    return [r for r in _flag_rows(report_id, record, corrected)
            if not (r["status"] == FLAG_RESOLVED and (r["field"], r["kind"], r["message"]) in resolved)]


def save_many(session: Session, items: Sequence[tuple[Any, Record]], *,
              pipeline_version: Optional[str] = None) -> list[int]:
    """Bulk-store new reports (reports whose sha256 is known are skipped).

    ``items`` are ``(src, record)`` pairs; ``src`` needs the ``SourceDocument`` attributes and may
    carry ``published`` / ``source_url``. Returns the new report ids in input order.

    The bulk path bypasses per-row SQLAlchemy work: report ids are allocated up front (one
    ``nextval`` round trip on PostgreSQL; on SQLite the first row's rowid under the write lock
    that insert takes), every table's rows are built as plain tuples in one pass, and they go
    to the driver in one statement per table: ``executemany`` on SQLite, ``COPY`` on
    PostgreSQL (per sub-batch of ``_PG_SUB_BATCH``, the next one built meanwhile), on the
    session's connection (its transaction / savepoint). Values stay bound
    parameters / COPY data, never SQL text. A duplicate raises ``IntegrityError`` as usual.
    """
    version = pipeline_version or _pipeline_version()
    known = known_hashes(session, (getattr(s, "sha256", None) for s, _ in items))
    todo, seen = [], set(known)
    for src, rec in items:
        h = getattr(src, "sha256", None)
        if h and h in seen:
            continue
        if h:
            seen.add(h)
        todo.append((src, rec))
    if not todo:
        return []
    conn = session.connection()
    dialect = conn.dialect
    try:
        with _no_cyclic_gc():
            if dialect.name == "postgresql":
                return _bulk_pg(conn, todo, version)
            return _bulk_sqlite(conn, todo, version)
    except dialect.loaded_dbapi.IntegrityError as exc:  # same contract as Core: sqlalchemy's IntegrityError
        raise IntegrityError("bulk insert", None, exc) from exc


@contextmanager
def _no_cyclic_gc():
    """The cyclic garbage collector paused while a batch's rows are built: they are plain
    tuples, dicts and lists without cycles (freed by reference counting as usual), and the
    collector's passes over the many young objects cost about a sixth of the building time."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


# column order of each table in the bulk path (``id`` of ``reports`` first)
_REPORT_COLS = ("id", "doc_id", "name", "path", "member", "sha256", "format", "size", "published", "source_url",
                "text", "blocks", "properties", "status", "failure_reason", "pipeline_version", "created_at",
                "updated_at")
_RECORD_COLS = ("report_id", "kind", "office", "date", "date_end", "time", "venue", "chair_name", "chair_role",
                "chair_present", "foreigners_found", "violations", "year", "agency_codes", "regency_codes",
                "province_codes", "extracted_at")
_BULK_COLS = {
    "reports": _REPORT_COLS,
    "records": _RECORD_COLS,
    "record_extractions": ("report_id", "json"),
    "record_agencies": ("report_id", "position", "code", "mention", "jurisdiction", "jurisdiction_name"),
    "record_places": ("report_id", "position", "code", "name", "mention", "regency_code", "province_code"),
    "record_sites": ("report_id", "position", "name"),
    "record_findings": ("report_id", "position", "text"),
    "search_docs": ("report_id", "body", "names"),         # + "tsv" on PostgreSQL
    "evidence": ("report_id", "field", "start", "end", "text", "rule", "page", "block"),
    "flags": ("report_id", "field", "kind", "message", "start", "end", "status", "created_at", "resolved_at"),
}


def _bulk_rows(todo: list[tuple[Any, Record]], ids: Sequence[int], version: str, dumps, day, now: Any,
               words: Optional[set[str]] = None) -> dict:
    """Every table's rows (tuples in ``_BULK_COLS`` order) for new reports ``ids``.

    The values are those ``save_report`` writes (no corrections exist for new reports, so the
    effective values are the extracted ones); ``dumps`` makes the JSON text, ``day`` and ``now``
    are dates / the timestamp as the driver takes them. With ``words`` (PostgreSQL) the search
    documents carry their ``tsv`` and ``words`` collects the words of their names.
    """
    out: dict[str, list[tuple]] = {t: [] for t in _BULK_COLS}
    reports, records, agencies, places = out["reports"], out["records"], out["record_agencies"], out["record_places"]
    extractions = out["record_extractions"]
    sites, findings, sdocs, evidence, flags = (out["record_sites"], out["record_findings"], out["search_docs"],
                                               out["evidence"], out["flags"])
    for rid, (src, rec) in zip(ids, todo):
        cols = _src_columns(src)
        text = cols["text"]
        published = _to_date(getattr(src, "published", None) or rec.published)
        reports.append((rid, rec.id or cols["doc_id"], cols["name"], cols["path"], cols["member"], cols["sha256"],
                        cols["format"], cols["size"], published and day(published),
                        getattr(src, "source_url", None), text, dumps(cols["blocks"]), dumps(cols["properties"]),
                        STATUS_STORED, None, version, now, now))
        extracted = _extracted_fields(rec)
        eff = effective_fields(extracted, ())
        c = _record_columns(eff)
        date, date_end = c["date"], c["date_end"]
        records.append((rid, c["kind"], c["office"], date and day(date), date_end and day(date_end), c["time"],
                        c["venue"], c["chair_name"], c["chair_role"], c["chair_present"], c["foreigners_found"],
                        c["violations"], c["year"], c["agency_codes"], c["regency_codes"], c["province_codes"],
                        now))
        extractions.append((rid, dumps(extracted)))
        for i, a in enumerate(eff["agencies"]):
            if not isinstance(a, dict):
                a = {"code": str(a), "name": str(a)}
            agencies.append((rid, i, str(a.get("code") or ""), a.get("name"), a.get("jurisdiction"),
                             a.get("jurisdiction_name")))
        for i, p in enumerate(eff["places"]):
            if not isinstance(p, dict):
                p = {"name": str(p), "code": ""}
            code = str(p.get("code") or "")
            places.append((rid, i, code, str(p.get("name") or code), p.get("mention"),
                           code[:5] if len(code) >= 5 else None, code[:2] if len(code) >= 2 else None))
        for i, x in enumerate(eff["sites"]):
            sites.append((rid, i, str(x.get("name") if isinstance(x, dict) else x)))
        for i, x in enumerate(eff["findings"]):
            findings.append((rid, i, str(x.get("text") if isinstance(x, dict) else x)))
        names = _search_names(eff)
        if words is None:
            sdocs.append((rid, text, names))
        else:
            tsv, named = _tsv_and_name_words(text, names)
            sdocs.append((rid, text, names, tsv))
            words.update(named)
        for field_, items in (rec.evidence or {}).items():
            for e in items:
                evidence.append((rid, field_, e.start, e.end, e.text, e.rule, e.page, e.block))
        if rec.flags:
            for r in _flag_rows(rid, rec, set()):
                flags.append((rid, r["field"], r["kind"], r["message"], r["start"], r["end"], r["status"],
                              now, None))
    return out


_JSON = None


def _json_dumps(value: Any) -> str:
    global _JSON
    if not value:
        if value == []:
            return "[]"
        if value == {}:
            return "{}"
    if _JSON is None:
        import json

        _JSON = json.JSONEncoder().encode
    return _JSON(value)


def _bulk_sqlite(conn, todo: list[tuple[Any, Record]], version: str) -> list[int]:
    """executemany of plain tuples on the DBAPI connection (dates and timestamps as SQLAlchemy stores them)."""
    dialect = conn.dialect
    quote = dialect.identifier_preparer.quote
    day = RecordRow.__table__.c.date.type._cached_bind_processor(dialect) or (lambda d: d)
    stamp = Report.__table__.c.created_at.type._cached_bind_processor(dialect) or (lambda t: t)
    rows = _bulk_rows(todo, range(len(todo)), version, _json_dumps, day, stamp(_now()))  # ids are offsets here
    cur = conn.connection.driver_connection.cursor()
    try:
        # the first report takes the write lock and its rowid; the rest follow it (nobody else can insert)
        rep_cols = _BULK_COLS["reports"]
        cur.execute(f"INSERT INTO reports ({', '.join(quote(c) for c in rep_cols[1:])}) "
                    f"VALUES ({', '.join('?' * (len(rep_cols) - 1))})", rows["reports"][0][1:])
        first = cur.lastrowid  # rows were built with ids 0..n-1: report i gets first + i
        for name, cols in _BULK_COLS.items():
            data = rows[name][1:] if name == "reports" else rows[name]
            if data:
                cur.executemany(f"INSERT INTO {quote(name)} ({', '.join(quote(c) for c in cols)}) "
                                f"VALUES ({', '.join('?' * len(cols))})", [(first + r[0],) + r[1:] for r in data])
        # the batch's FTS5 rows in one statement (about 3x cheaper than a trigger per row)
        cur.execute("INSERT INTO search_fts (rowid, body, names) SELECT report_id, body, names FROM search_docs "
                    "WHERE report_id BETWEEN ? AND ?", (first, first + len(todo) - 1))
    finally:
        cur.close()
    return list(range(first, first + len(todo)))


_PG_SUB_BATCH = 1000


def _bulk_pg(conn, todo: list[tuple[Any, Record]], version: str) -> list[int]:
    """Ids from the reports sequence in one round trip, then one COPY per table and sub-batch.

    The rows of the next sub-batch are built in a worker thread while the server takes in
    (and indexes) the current one: building rows is Python work of this process, indexing is
    the server's, so they overlap instead of following each other. Sub-batches go in order,
    parents before children, all on the session's connection (only the main thread uses it).
    """
    from concurrent.futures import ThreadPoolExecutor

    quote = conn.dialect.identifier_preparer.quote
    ids = [r[0] for r in conn.exec_driver_sql(
        "SELECT nextval(pg_get_serial_sequence('reports', 'id')) FROM generate_series(1, %(n)s)",
        {"n": len(todo)})]
    now = _now()
    words: set[str] = set()
    copies = {}
    for name, cols in _BULK_COLS.items():
        cols = cols + ("tsv",) if name == "search_docs" else cols
        copies[name] = f"COPY {quote(name)} ({', '.join(quote(c) for c in cols)}) FROM STDIN"


    def build(start: int) -> tuple[dict, set[str]]:
        found: set[str] = set()
        return (_bulk_rows(todo[start:start + _PG_SUB_BATCH], ids[start:start + _PG_SUB_BATCH], version,
                           _json_dumps, lambda d: d, now, found), found)

    starts = range(0, len(todo), _PG_SUB_BATCH)
    cur = conn.connection.driver_connection.cursor()
    try:
        with ThreadPoolExecutor(max_workers=1) as pool:
            pending = pool.submit(build, starts[0])
            for k in range(len(starts)):
                rows, found = pending.result()
                if k + 1 < len(starts):
                    pending = pool.submit(build, starts[k + 1])
                words |= found
                for name in _BULK_COLS:
                    data = rows[name]
                    if data:
                        with cur.copy(copies[name]) as copy:
                            for r in data:
                                copy.write_row(r)
    finally:
        cur.close()
    _add_search_words(conn, words)
    return ids


def save_failure(session: Session, *, name: str, sha256: Optional[str], size: Optional[int],
                 fmt: Optional[str], reason: str, doc_id: Optional[str] = None,
                 path: Optional[str] = None) -> int:
    """Store a report that could not be read (status ``failed``) and return its id.

    The same bytes (or, without a hash, the same name) failing again update that row; bytes
    already stored successfully are left alone.
    """
    if sha256:
        cond = Report.sha256 == sha256
    else:
        cond = (Report.sha256.is_(None)) & (Report.name == name) & (Report.status == STATUS_FAILED)
    existing = session.execute(select(Report.id, Report.status).where(cond)).first()
    if existing is not None:
        if existing.status == STATUS_FAILED:
            session.execute(update(Report).where(Report.id == existing.id)
                            .values(failure_reason=reason, name=name, updated_at=_now()))
        return existing.id
    now = _now()
    stem = doc_id or re.sub(r"\.[^./\\]+$", "", re.split(r"[/\\!]", name)[-1] or name)
    values = {"doc_id": stem, "name": name, "path": path, "sha256": sha256, "format": fmt, "size": size,
              "status": STATUS_FAILED, "failure_reason": reason, "created_at": now, "updated_at": now}
    try:
        with session.begin_nested():
            return session.execute(insert(Report.__table__).values(**values).returning(Report.id)).scalar_one()
    except IntegrityError:
        other = session.scalar(select(Report.id).where(Report.sha256 == sha256))
        if other is None:
            raise
        return other


def _report(session: Session, report_id: int) -> Report:
    rep = session.get(Report, report_id, populate_existing=True)
    if rep is None:
        raise ReportNotFound(f"no report with id {report_id}")
    return rep


def _record(session: Session, report_id: int) -> RecordRow:
    rep = _report(session, report_id)
    row = session.get(RecordRow, report_id, populate_existing=True)
    if row is None:
        raise StoreError(f"report {report_id} ({rep.name}) has no record: {rep.failure_reason or rep.status}")
    return row


def _extraction(session: Session, report_id: int) -> dict:
    return session.scalar(select(RecordExtraction.json).where(RecordExtraction.report_id == report_id)) or {}


def reextract(session: Session, report_id: int, record: Record, *,
              pipeline_version: Optional[str] = None) -> None:
    """Replace a report's extracted values, evidence and open flags; corrections stay and win."""
    row = _record(session, report_id)
    rep = _report(session, report_id)
    corrections = list(session.scalars(select(Correction).where(Correction.report_id == report_id)))
    extracted = _extracted_fields(record)
    if not extracted.get("id"):
        extracted["id"] = rep.doc_id
    eff = effective_fields(extracted, corrections)
    session.execute(update(RecordRow).where(RecordRow.report_id == report_id).values(extracted_at=_now()))
    session.execute(delete(RecordExtraction).where(RecordExtraction.report_id == report_id))
    session.execute(insert(RecordExtraction.__table__).values(report_id=report_id, json=extracted))
    _write_effective(session, report_id, eff, rep.text or "", new=False)
    session.execute(delete(EvidenceRow).where(EvidenceRow.report_id == report_id))
    ev = _evidence_rows(report_id, record)
    if ev:
        session.execute(insert(EvidenceRow.__table__), ev)
    session.execute(delete(FlagRow).where(FlagRow.report_id == report_id, FlagRow.status == FLAG_OPEN))
    flags = _new_flags(session, report_id, record, {c.field for c in corrections})
    if flags:
        session.execute(insert(FlagRow.__table__), flags)
    session.execute(update(Report).where(Report.id == report_id)
                    .values(pipeline_version=pipeline_version or _pipeline_version(), updated_at=_now()))
    session.expire(row)


def add_correction(session: Session, report_id: int, field: str, new_value: Any, *, reviewer: str,
                   note: Optional[str] = None, action: str = "correct") -> int:
    """Record a reviewer's decision on one field and return the correction id.

    ``correct`` sets ``new_value``; ``accept`` confirms the current value; ``not_applicable``
    empties the field. Every action resolves that field's open flags.
    """
    if action not in ACTIONS:
        raise StoreError(f"action must be one of {', '.join(ACTIONS)}, not {action!r}")
    if not (reviewer or "").strip():
        raise StoreError("a correction needs a reviewer")
    if field not in FIELDS:
        raise StoreError(f"unknown field {field!r} (fields: {', '.join(FIELDS)})")
    _record(session, report_id)
    extracted = _extraction(session, report_id)
    corrections = list(session.scalars(select(Correction).where(Correction.report_id == report_id)))
    current = effective_fields(extracted, corrections)[field]
    if action == "accept":
        value = current
    elif action == "not_applicable":
        if field == "kind":
            value = "other"
        else:
            value = [] if field in LIST_FIELDS else None
    else:
        value = normalise_value(field, new_value)
    now = _now()
    cid = session.execute(insert(Correction.__table__).values(
        report_id=report_id, field=field, old_value=current, new_value=value, action=action,
        reviewer=reviewer.strip(), note=note, created_at=now).returning(Correction.__table__.c.id)).scalar_one()
    corrections = list(session.scalars(select(Correction).where(Correction.report_id == report_id)))
    eff = effective_fields(extracted, corrections)
    text_ = session.scalar(select(Report.text).where(Report.id == report_id)) or ""
    _write_effective(session, report_id, eff, text_, new=False)
    session.execute(update(FlagRow).where(FlagRow.report_id == report_id, FlagRow.field == field,
                                          FlagRow.status == FLAG_OPEN)
                    .values(status=FLAG_RESOLVED, resolved_at=now))
    session.execute(update(Report).where(Report.id == report_id).values(updated_at=now))
    session.expire_all()
    return cid


def _report_header(rep: Report) -> dict[str, Any]:
    return {"report_id": rep.id, "id": rep.doc_id, "name": rep.name, "status": rep.status,
            "sha256": rep.sha256, "format": rep.format, "size": rep.size, "published": _iso(rep.published),
            "source_url": rep.source_url, "pipeline_version": rep.pipeline_version,
            "failure_reason": rep.failure_reason}


def _effective_json(rep: Report, extracted: Optional[dict], corrections: list[Correction],
                    flags: list[FlagRow], evidence: list[EvidenceRow]) -> dict[str, Any]:
    """``extracted`` is None when the report has no record."""
    out = _report_header(rep)
    if extracted is None:
        return out
    eff = effective_fields(extracted, corrections)
    for f in FIELDS:
        out[f] = eff[f]
    out["flags"] = [{k: v for k, v in (("field", f.field), ("kind", f.kind), ("message", f.message),
                                       ("start", f.start), ("end", f.end), ("status", f.status)) if v is not None}
                    for f in flags]
    ev: dict[str, list[dict]] = {}
    for e in evidence:
        ev.setdefault(e.field, []).append({k: v for k, v in (("start", e.start), ("end", e.end), ("text", e.text),
                                                             ("rule", e.rule), ("page", e.page),
                                                             ("block", e.block)) if v is not None})
    out["evidence"] = ev
    out["corrected_fields"] = sorted({c.field for c in corrections})
    out["corrections"] = [{"id": c.id, "field": c.field, "old_value": c.old_value, "new_value": c.new_value,
                           "action": c.action, "reviewer": c.reviewer, "note": c.note,
                           "created_at": c.created_at.isoformat() if c.created_at else None}
                          for c in sorted(corrections, key=lambda c: c.id)]
    return out


def effective_record(session: Session, report_id: int) -> dict[str, Any]:
    """The RECORD.md JSON with corrections applied, plus evidence, flags (with status) and
    the corrections history. A failed report gives its header (status, failure_reason) only."""
    rep = _report(session, report_id)
    has_record, extracted = session.execute(
        select(RecordRow.report_id, RecordExtraction.json).outerjoin(
            RecordExtraction, RecordExtraction.report_id == RecordRow.report_id)
        .where(RecordRow.report_id == report_id)).first() or (None, None)
    extracted = (extracted or {}) if has_record is not None else None
    corrections = list(session.scalars(select(Correction).where(Correction.report_id == report_id)
                                       .order_by(Correction.id)))
    flags = list(session.scalars(select(FlagRow).where(FlagRow.report_id == report_id).order_by(FlagRow.id)))
    evidence = list(session.scalars(select(EvidenceRow).where(EvidenceRow.report_id == report_id)
                                    .order_by(EvidenceRow.id)))
    return _effective_json(rep, extracted, corrections, flags, evidence)


def iter_effective(session: Session, report_ids: Optional[Iterable[int]] = None, *,
                   with_details: bool = False) -> Iterator[dict[str, Any]]:
    """Effective records of stored reports (all, or the given ids), in chunks, by report id."""
    if report_ids is None:
        ids = list(session.scalars(select(RecordRow.report_id).order_by(RecordRow.report_id)))
    else:
        ids = list(report_ids)
    for i in range(0, len(ids), _CHUNK):
        chunk = ids[i:i + _CHUNK]
        reps = {r.id: r for r in session.scalars(select(Report).where(Report.id.in_(chunk)))}
        rows = {rid: (js or {}) for rid, js in session.execute(
            select(RecordRow.report_id, RecordExtraction.json).outerjoin(
                RecordExtraction, RecordExtraction.report_id == RecordRow.report_id)
            .where(RecordRow.report_id.in_(chunk)))}
        corr: dict[int, list] = {}
        for c in session.scalars(select(Correction).where(Correction.report_id.in_(chunk))):
            corr.setdefault(c.report_id, []).append(c)
        flags: dict[int, list] = {}
        for f in session.scalars(select(FlagRow).where(FlagRow.report_id.in_(chunk)).order_by(FlagRow.id)):
            flags.setdefault(f.report_id, []).append(f)
        ev: dict[int, list] = {}
        if with_details:
            for e in session.scalars(select(EvidenceRow).where(EvidenceRow.report_id.in_(chunk))
                                     .order_by(EvidenceRow.id)):
                ev.setdefault(e.report_id, []).append(e)
        for rid in chunk:
            if rid in reps:
                out = _effective_json(reps[rid], rows.get(rid), corr.get(rid, []), flags.get(rid, []),
                                      ev.get(rid, []))
                if not with_details:
                    out.pop("evidence", None)
                    out.pop("corrections", None)
                yield out


def report_text(session: Session, report_id: int) -> tuple[str, Any]:
    """The canonical text of a report and the reader's block map (JSON)."""
    rep = _report(session, report_id)
    return rep.text or "", rep.blocks or []


def find_report_ids(session: Session, ref: str) -> list[int]:
    """Report ids for a user's reference: a numeric id, a doc id (file stem), a name or a sha256 prefix."""
    ref = (ref or "").strip()
    if not ref:
        return []
    if ref.isdigit() and session.get(Report, int(ref)) is not None:
        return [int(ref)]
    ids = list(session.scalars(select(Report.id).where(Report.doc_id == ref).order_by(Report.id)))
    if not ids:
        ids = list(session.scalars(select(Report.id).where(Report.name == ref).order_by(Report.id)))
    if not ids and re.fullmatch(r"[0-9a-f]{8,64}", ref):
        ids = list(session.scalars(select(Report.id).where(Report.sha256.startswith(ref, autoescape=True))))
    return ids


@dataclass
class Counts:
    stored: int
    failed: int
    open_flags: int
    corrections: int


def counts(session: Session) -> Counts:
    from sqlalchemy import func

    by_status = dict(session.execute(select(Report.status, func.count()).group_by(Report.status)).all())
    return Counts(stored=by_status.get(STATUS_STORED, 0), failed=by_status.get(STATUS_FAILED, 0),
                  open_flags=session.scalar(select(func.count()).select_from(FlagRow)
                                            .where(FlagRow.status == FLAG_OPEN)) or 0,
                  corrections=session.scalar(select(func.count()).select_from(Correction)) or 0)
