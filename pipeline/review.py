"""The review queue and the extractor's measured accuracy, as library functions.

``queue_select`` builds the SELECT of open flags (one row per flagged field of a stored
report, flagged reports in order); ``accuracy`` reads every field's latest reviewer
decision and tells how often the extractor was right: an ``accept`` or a correction that
kept the extracted value counts as right, a changed value or ``not_applicable`` as wrong.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from models.orm import FLAG_OPEN, Correction, FlagRow, Report, STATUS_STORED
from models.record import FIELDS


def queue_select(*, flag_kind: Optional[str] = None, field: Optional[str] = None) -> Select:
    """(report_id, doc_id, field, kinds, messages) of open flags, one row per report and field."""
    stmt = (select(FlagRow.report_id, Report.doc_id, FlagRow.field,
                   func.count(FlagRow.id).label("n"), func.min(FlagRow.id).label("first_flag"))
            .join(Report, Report.id == FlagRow.report_id)
            .where(FlagRow.status == FLAG_OPEN, Report.status == STATUS_STORED)
            .group_by(FlagRow.report_id, Report.doc_id, FlagRow.field)
            .order_by(FlagRow.report_id, func.min(FlagRow.id)))
    if flag_kind:
        stmt = stmt.where(FlagRow.kind == flag_kind)
    if field:
        stmt = stmt.where(FlagRow.field == field)
    return stmt


@dataclass(frozen=True)
class QueueItem:
    report_id: int
    doc_id: str
    field: str


def queue(session: Session, *, flag_kind: Optional[str] = None, field: Optional[str] = None) -> list[QueueItem]:
    return [QueueItem(r.report_id, r.doc_id, r.field)
            for r in session.execute(queue_select(flag_kind=flag_kind, field=field))]


def open_flag_kinds(session: Session) -> list[tuple[str, int]]:
    return [(k, n) for k, n in session.execute(
        select(FlagRow.kind, func.count()).where(FlagRow.status == FLAG_OPEN)
        .group_by(FlagRow.kind).order_by(func.count().desc(), FlagRow.kind))]


@dataclass
class FieldAccuracy:
    field: str
    reviewed: int = 0
    right: int = 0

    @property
    def share(self) -> Optional[float]:
        return self.right / self.reviewed if self.reviewed else None


def _same(a, b) -> bool:
    return (a in (None, "", [], {}) and b in (None, "", [], {})) or a == b


def accuracy(session: Session) -> list[FieldAccuracy]:
    """Per field: reports reviewed (latest decision per report and field) and how many the
    extractor got right."""
    latest = (select(func.max(Correction.id)).group_by(Correction.report_id, Correction.field)
              .scalar_subquery())
    out = {f: FieldAccuracy(f) for f in FIELDS}
    rows = session.execute(select(Correction.field, Correction.action, Correction.old_value,
                                  Correction.new_value, Correction.report_id)
                           .where(Correction.id.in_(latest)))
    extracted_cache: dict[int, dict] = {}
    from models.orm import RecordRow

    for field, action, old, new, report_id in rows:
        acc = out.setdefault(field, FieldAccuracy(field))
        acc.reviewed += 1
        if action == "accept":
            acc.right += 1
        elif action == "correct":
            if report_id not in extracted_cache:
                extracted_cache[report_id] = session.scalar(
                    select(RecordRow.extracted).where(RecordRow.report_id == report_id)) or {}
            from pipeline.store import normalise_value

            extracted = normalise_value(field, extracted_cache[report_id].get(field))
            if _same(extracted, new):
                acc.right += 1
    return [out[f] for f in out]
