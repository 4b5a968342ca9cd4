"""The database schema as typed SQLAlchemy 2 ORM classes (SQLite and PostgreSQL).

One ``Report`` per source file (``sha256`` unique: the same bytes are never stored twice),
one ``RecordRow`` per successfully read report (its primary key *is* the report id), and
normalised child rows for the record's lists, its evidence spans and flags.

The columns of ``records`` and its child rows hold each field's **effective** value (the
latest correction, else the extracted value) so that search sees what a reviewer decided;
the untouched extraction is kept as JSON in its own narrow table ``record_extractions``
(``RecordExtraction``; ``RecordRow.extracted`` reads it as a deferred correlated subquery), so
that ``records`` rows stay small and a search reading thousands of them stays fast.
Corrections and flags hang off the *report*, never off record rows that a re-extraction
replaces.

Free text: ``search_docs`` holds the searchable text of each record. SQLite: an external
content FTS5 index over it, filled by ``pipeline.store`` in bulk after each insert (deletes
and updates by triggers). PostgreSQL: a ``tsv`` column (the distinct folded words of body and
names, written by ``pipeline.store``) with a GIN index, and ``search_words``, the distinct
words of names with a trigram index, for the typo fallback (migration 0003).
"""
from __future__ import annotations

import datetime as dt
from typing import Any, Optional

from sqlalchemy import JSON, Boolean, Date, DateTime, ForeignKey, Index, Integer, String, Text, select
from sqlalchemy.orm import DeclarativeBase, Mapped, column_property, mapped_column, relationship

STATUS_STORED = "stored"
STATUS_FAILED = "failed"
FLAG_OPEN = "open"
FLAG_RESOLVED = "resolved"
ACTIONS = ("correct", "accept", "not_applicable")


class Base(DeclarativeBase):
    pass


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


class Report(Base):
    """A source report file as read (or as failed to read)."""

    __tablename__ = "reports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    doc_id: Mapped[str] = mapped_column(String(255), index=True)       # file name without extension
    name: Mapped[str] = mapped_column(String(1024))                     # display name
    path: Mapped[Optional[str]] = mapped_column(String(2048))
    member: Mapped[Optional[str]] = mapped_column(String(1024))         # member inside a .zip
    sha256: Mapped[Optional[str]] = mapped_column(String(64), unique=True)
    format: Mapped[Optional[str]] = mapped_column(String(16))
    size: Mapped[Optional[int]] = mapped_column(Integer)
    published: Mapped[Optional[dt.date]] = mapped_column(Date)
    source_url: Mapped[Optional[str]] = mapped_column(Text)
    text: Mapped[Optional[str]] = mapped_column(Text)                   # canonical text
    blocks: Mapped[Optional[Any]] = mapped_column(JSON)                 # the reader's block map
    properties: Mapped[Optional[Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default=STATUS_STORED, index=True)
    failure_reason: Mapped[Optional[str]] = mapped_column(Text)
    pipeline_version: Mapped[Optional[str]] = mapped_column(String(32))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now, onupdate=_now)

    record: Mapped[Optional["RecordRow"]] = relationship(back_populates="report", uselist=False,
                                                         cascade="all, delete-orphan", passive_deletes=True)
    corrections: Mapped[list["Correction"]] = relationship(back_populates="report", cascade="all, delete-orphan",
                                                           passive_deletes=True, order_by="Correction.id")
    flags: Mapped[list["FlagRow"]] = relationship(back_populates="report", cascade="all, delete-orphan",
                                                  passive_deletes=True, order_by="FlagRow.id")


class RecordRow(Base):
    """A report's record: effective values (corrections applied); the raw extraction is in
    ``RecordExtraction`` (``RecordRow.extracted`` reads it)."""

    __tablename__ = "records"

    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), default="other")
    office: Mapped[Optional[str]] = mapped_column(Text)
    date: Mapped[Optional[dt.date]] = mapped_column(Date)
    date_end: Mapped[Optional[dt.date]] = mapped_column(Date)
    time: Mapped[Optional[str]] = mapped_column(String(5))
    venue: Mapped[Optional[str]] = mapped_column(Text)
    chair_name: Mapped[Optional[str]] = mapped_column(Text)
    chair_role: Mapped[Optional[str]] = mapped_column(Text)
    chair_present: Mapped[bool] = mapped_column(Boolean, default=False)
    foreigners_found: Mapped[Optional[int]] = mapped_column(Integer)
    violations: Mapped[Optional[bool]] = mapped_column(Boolean)
    year: Mapped[Optional[int]] = mapped_column(Integer)                  # denormalised from date
    # denormalised for the facets (JSON arrays of the distinct values of the child rows, in order)
    agency_codes: Mapped[Optional[str]] = mapped_column(Text)            # record_agencies.code
    regency_codes: Mapped[Optional[str]] = mapped_column(Text)           # record_places.regency_code
    province_codes: Mapped[Optional[str]] = mapped_column(Text)          # record_places.province_code
    extracted_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)

    report: Mapped[Report] = relationship(back_populates="record")
    agencies: Mapped[list["RecordAgency"]] = relationship(cascade="all, delete-orphan", passive_deletes=True,
                                                          order_by="RecordAgency.position")
    places: Mapped[list["RecordPlace"]] = relationship(cascade="all, delete-orphan", passive_deletes=True,
                                                       order_by="RecordPlace.position")
    sites: Mapped[list["RecordSite"]] = relationship(cascade="all, delete-orphan", passive_deletes=True,
                                                     order_by="RecordSite.position")
    findings: Mapped[list["RecordFinding"]] = relationship(cascade="all, delete-orphan", passive_deletes=True,
                                                           order_by="RecordFinding.position")
    evidence: Mapped[list["EvidenceRow"]] = relationship(cascade="all, delete-orphan", passive_deletes=True,
                                                         order_by="EvidenceRow.id")

    # + on PostgreSQL ix_records_date_desc (date DESC NULLS LAST, report_id DESC): migration 0002
    # + on PostgreSQL ix_records_facets (report_id) INCLUDE (year, kind, *_codes), index-only facets: migration 0004
    __table_args__ = (Index("ix_records_date_report", "date", "report_id"),)


class RecordExtraction(Base):
    """``Record.to_json()`` (without evidence) as extracted, one row per record (migration 0003)."""

    __tablename__ = "record_extractions"

    report_id: Mapped[int] = mapped_column(ForeignKey("records.report_id", ondelete="CASCADE"), primary_key=True)
    json: Mapped[Optional[Any]] = mapped_column(JSON)


# read-only, loaded on access: the extraction of a record (writes go to RecordExtraction)
RecordRow.extracted = column_property(
    select(RecordExtraction.json).where(RecordExtraction.report_id == RecordRow.report_id)
    .correlate_except(RecordExtraction).scalar_subquery(), deferred=True)


class RecordAgency(Base):
    __tablename__ = "record_agencies"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("records.report_id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    code: Mapped[str] = mapped_column(String(64))
    mention: Mapped[Optional[str]] = mapped_column(Text)                 # as written in the report
    jurisdiction: Mapped[Optional[str]] = mapped_column(String(32))     # region code
    jurisdiction_name: Mapped[Optional[str]] = mapped_column(Text)

    __table_args__ = (Index("ix_record_agencies_code", "code", "report_id"),
                      Index("ix_record_agencies_report_code", "report_id", "code"))


class RecordPlace(Base):
    __tablename__ = "record_places"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("records.report_id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(Text)
    mention: Mapped[Optional[str]] = mapped_column(Text)
    regency_code: Mapped[Optional[str]] = mapped_column(String(8))      # kabupaten/kota ("17.06")
    province_code: Mapped[Optional[str]] = mapped_column(String(4))     # "17"

    __table_args__ = (Index("ix_record_places_code", "code", "report_id"),
                      Index("ix_record_places_report_region", "report_id", "regency_code", "province_code"),
                      Index("ix_record_places_regency", "regency_code", "report_id"),
                      Index("ix_record_places_province", "province_code", "report_id"))


class RecordSite(Base):
    __tablename__ = "record_sites"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("records.report_id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(Text)


class RecordFinding(Base):
    __tablename__ = "record_findings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("records.report_id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    text: Mapped[str] = mapped_column(Text)


class EvidenceRow(Base):
    """Where an extracted value came from (offsets into ``Report.text``)."""

    __tablename__ = "evidence"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("records.report_id", ondelete="CASCADE"), index=True)
    field: Mapped[str] = mapped_column(String(32))
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    rule: Mapped[Optional[str]] = mapped_column(String(255))
    page: Mapped[Optional[int]] = mapped_column(Integer)
    block: Mapped[Optional[int]] = mapped_column(Integer)


class FlagRow(Base):
    """A doubt about a field; ``open`` until a reviewer acts on that field."""

    __tablename__ = "flags"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"))
    field: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(64))
    message: Mapped[str] = mapped_column(Text, default="")
    start: Mapped[Optional[int]] = mapped_column(Integer)
    end: Mapped[Optional[int]] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default=FLAG_OPEN)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    resolved_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime(timezone=True))

    report: Mapped[Report] = relationship(back_populates="flags")

    __table_args__ = (Index("ix_flags_report_status", "report_id", "status"),
                      Index("ix_flags_status_kind", "status", "kind", "report_id"))


class Correction(Base):
    """A reviewer's decision on one field of one report; the latest per field wins."""

    __tablename__ = "corrections"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"))
    field: Mapped[str] = mapped_column(String(32))
    old_value: Mapped[Optional[Any]] = mapped_column(JSON(none_as_null=False))
    new_value: Mapped[Optional[Any]] = mapped_column(JSON(none_as_null=False))
    action: Mapped[str] = mapped_column(String(16), default="correct")
    reviewer: Mapped[str] = mapped_column(String(255))
    note: Mapped[Optional[str]] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)

    report: Mapped[Report] = relationship(back_populates="corrections")

    __table_args__ = (Index("ix_corrections_report_field", "report_id", "field", "id"),)


class SearchDoc(Base):
    """The free-text document of a record (canonical text + names), indexed per dialect
    (PostgreSQL adds ``tsv``, see the module docstring)."""

    __tablename__ = "search_docs"

    report_id: Mapped[int] = mapped_column(ForeignKey("records.report_id", ondelete="CASCADE"), primary_key=True)
    body: Mapped[str] = mapped_column(Text, default="")
    names: Mapped[str] = mapped_column(Text, default="")


class AgencyRef(Base):
    """The agency gazetteer (``extractors.gazetteer.agencies()``)."""

    __tablename__ = "agency_ref"

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    level: Mapped[Optional[str]] = mapped_column(String(64))
    aliases: Mapped[Optional[Any]] = mapped_column(JSON)


class RegionRef(Base):
    """The region hierarchy (province → kabupaten/kota) from ``extractors.regions``."""

    __tablename__ = "region_ref"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    level: Mapped[str] = mapped_column(String(16))
    parent_code: Mapped[Optional[str]] = mapped_column(String(32), index=True)
    province_code: Mapped[Optional[str]] = mapped_column(String(4), index=True)


class RegionAlias(Base):
    __tablename__ = "region_alias"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    alias: Mapped[str] = mapped_column(Text)
    code: Mapped[str] = mapped_column(String(32), index=True)


class Meta(Base):
    """Key/value bookkeeping (e.g. the hash of the loaded reference data)."""

    __tablename__ = "meta"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[Optional[str]] = mapped_column(Text)


__all__ = ["Base", "Report", "RecordRow", "RecordExtraction", "RecordAgency", "RecordPlace", "RecordSite", "RecordFinding",
           "EvidenceRow", "FlagRow", "Correction", "SearchDoc", "AgencyRef", "RegionRef", "RegionAlias",
           "Meta", "STATUS_STORED", "STATUS_FAILED", "FLAG_OPEN", "FLAG_RESOLVED", "ACTIONS"]
