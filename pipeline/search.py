"""Searching stored records: filters, free text, facets.

``SearchQuery`` holds what a user asked; ``build_select(q)`` turns it into a SELECT of the
matching report ids (bound parameters only, no SQL run), ``facets_select(q, facet)`` into a
GROUP BY over the same filtered set, and ``search(session, q)`` runs them.

* agency: a code, alias or name resolved by ``extractors.gazetteer.resolve_agency``; when the
  query names a place too ("Polres Muko-Muko"), a record matches if it has such an agency whose
  jurisdiction lies in that region, or such an agency and a place in that region;
* place: any level or alias via ``extractors.regions.search_regions`` (a province finds the
  records of its kabupaten/kota);
* text: SQLite FTS5 / PostgreSQL ``tsvector`` of the folded words (``pipeline.store.text_words``);
  on PostgreSQL, when no record has all the words, a typo fallback: each word is matched to
  the trigram-similar words of names (``search_words``), which are then looked up in ``tsv``.

Filters apply to *effective* values (corrections included).
"""
from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from dataclasses import asdict, dataclass, field
from typing import Any, Optional, Union

from sqlalchemy import (Boolean, Integer, Select, String, and_, bindparam, cast, exists, false, func, literal, or_, select,
                        true, union_all)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.expression import ColumnElement

from models.orm import (FLAG_OPEN, AgencyRef, Correction, FlagRow, RecordAgency, RecordPlace, RecordRow,
                        RegionRef, Report)
from models.record import FIELDS, KINDS
from pipeline.errors import TimporaError

FACETS = ("agency", "place", "province", "year", "kind", "flag")
FACET_LIMIT = 30
_WORD = re.compile(r"\w+", re.UNICODE)
_CODE = re.compile(r"^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$")


class SearchError(TimporaError):
    exit_code = 2


DateLike = Union[str, dt.date, None]


@dataclass
class SearchQuery:
    text: Optional[str] = None
    agency: Optional[str] = None
    place: Optional[str] = None
    date_from: DateLike = None
    date_to: DateLike = None
    kind: Optional[str] = None           # one kind or several, comma separated
    office: Optional[str] = None         # substring, case-insensitive
    has_violations: Optional[bool] = None
    flagged: Optional[bool] = None       # has open flags (on ``field`` if given)
    unreviewed: Optional[bool] = None    # no reviewer decision yet (on ``field`` if given)
    flag_kind: Optional[str] = None      # has an open flag of this kind
    field: Optional[str] = None
    limit: int = 50
    offset: int = 0


@dataclass
class SearchResult:
    total: int
    rows: list[dict] = field(default_factory=list)
    facets: dict[str, list[tuple[Any, str, int]]] = field(default_factory=dict)

    def to_json(self) -> dict:
        return {"total": self.total, "rows": self.rows,
                "facets": {k: [{"value": v, "label": l, "count": c} for v, l, c in items]
                           for k, items in self.facets.items()}}


# --------------------------------------------------------------------------- free text

class _TextMatch(ColumnElement):
    """``records.report_id`` is in the free-text hits; rendered per dialect."""

    inherit_cache = False
    type = Boolean()

    def __init__(self, text: str):
        from pipeline.store import text_words

        words = _WORD.findall(text)
        self.fts = bindparam("fts_query", " ".join('"' + w.replace('"', '""') + '"' for w in words),
                             unique=True)
        folded = text_words(text)  # \w+ runs: never a quote, backslash or space
        self.n_words = len(folded)
        self.tsq = bindparam("tsquery", " & ".join("'" + w + "'" for w in folded), unique=True)
        self.words = bindparam("text_words", " ".join(folded), unique=True)
        self.n = bindparam("n_words", len(folded), unique=True)


@compiles(_TextMatch)
def _text_match_default(element: _TextMatch, compiler, **kw) -> str:  # SQLite FTS5
    col = compiler.process(RecordRow.__table__.c.report_id, **kw)
    return f"{col} IN (SELECT rowid FROM search_fts WHERE search_fts MATCH {compiler.process(element.fts, **kw)})"


def _pg_tsqueries(element: _TextMatch, compiler, **kw) -> tuple[str, str]:
    """(the words as a tsquery, the typo fallback's tsquery): each word ORed with the words of
    names trigram-similar to it (``search_words``, a small table), NULL unless every word has one."""
    op = "<%%" if compiler.dialect.paramstyle in ("format", "pyformat") else "<%"  # trigram word similarity
    exact = f"CAST({compiler.process(element.tsq, **kw)} AS tsquery)"
    fuzzy = (f"(SELECT CAST(string_agg(alts, ' & ') AS tsquery) FROM ("
             f"SELECT '(' || string_agg(chr(39) || w.word || chr(39), ' | ') || ')' AS alts "
             f"FROM unnest(string_to_array({compiler.process(element.words, **kw)}, ' ')) AS q(word) "
             f"JOIN search_words AS w ON q.word {op} w.word GROUP BY q.word) AS per_word "
             f"HAVING count(*) = {compiler.process(element.n, **kw)})")
    return exact, fuzzy


def _pg_text_hits(element: _TextMatch, compiler, **kw) -> str:
    """Word hits through the ``tsvector`` GIN index; when there is none at all, the typo
    fallback's hits. The fallback branch is gated by a one-time filter, so a query with word
    hits never runs it."""
    if not element.n_words:  # only over-long "words": nothing is indexed under them
        return "SELECT search_docs.report_id FROM search_docs WHERE false"
    exact, fuzzy = _pg_tsqueries(element, compiler, **kw)
    words = f"search_docs.tsv @@ {exact}"
    return (f"SELECT search_docs.report_id FROM search_docs WHERE {words} "
            f"UNION ALL SELECT search_docs.report_id FROM search_docs WHERE search_docs.tsv @@ {fuzzy} "
            f"AND NOT EXISTS (SELECT 1 FROM search_docs WHERE {words})")


@compiles(_TextMatch, "postgresql")
def _text_match_pg(element: _TextMatch, compiler, **kw) -> str:
    col = compiler.process(RecordRow.__table__.c.report_id, **kw)
    return f"{col} IN ({_pg_text_hits(element, compiler, **kw)})"


class _TextCount(ColumnElement):
    """How many records the free text matches (each search document is one record)."""

    inherit_cache = False
    type = Integer()

    def __init__(self, match: _TextMatch):
        self.match = match


class _TextProbe(ColumnElement):
    """``_TextMatch`` as a correlated test of one record (to walk records in date order)."""

    inherit_cache = False
    type = Boolean()

    def __init__(self, match: _TextMatch):
        self.match = match


@compiles(_TextProbe)
def _text_probe_default(element: _TextProbe, compiler, **kw) -> str:  # SQLite FTS5
    col = compiler.process(RecordRow.__table__.c.report_id, **kw)
    return (f"EXISTS (SELECT 1 FROM search_fts WHERE search_fts MATCH {compiler.process(element.match.fts, **kw)} "
            f"AND search_fts.rowid = {col})")


@compiles(_TextProbe, "postgresql")
def _text_probe_pg(element: _TextProbe, compiler, **kw) -> str:
    col = compiler.process(RecordRow.__table__.c.report_id, **kw)
    if not element.match.n_words:
        return "false"
    exact, fuzzy = _pg_tsqueries(element.match, compiler, **kw)
    return (f"EXISTS (SELECT 1 FROM search_docs AS sd WHERE sd.report_id = {col} AND (sd.tsv @@ {exact} OR "
            f"(NOT EXISTS (SELECT 1 FROM search_docs WHERE search_docs.tsv @@ {exact}) AND sd.tsv @@ {fuzzy})))")


@compiles(_TextCount)
def _text_count_default(element: _TextCount, compiler, **kw) -> str:  # SQLite FTS5
    return f"(SELECT count(*) FROM search_fts WHERE search_fts MATCH {compiler.process(element.match.fts, **kw)})"


@compiles(_TextCount, "postgresql")
def _text_count_pg(element: _TextCount, compiler, **kw) -> str:
    return f"(SELECT count(*) FROM ({_pg_text_hits(element.match, compiler, **kw)}) AS text_hits)"


# --------------------------------------------------------------------------- resolution

def _parse_date(value: DateLike, what: str) -> Optional[dt.date]:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    s = str(value).strip()
    try:
        if re.fullmatch(r"\d{4}", s):
            return dt.date(int(s), 1, 1) if what == "from" else dt.date(int(s), 12, 31)
        if re.fullmatch(r"\d{4}-\d{2}", s):
            y, m = int(s[:4]), int(s[5:])
            first = dt.date(y, m, 1)
            if what == "from":
                return first
            nxt = dt.date(y + (m == 12), m % 12 + 1, 1)
            return nxt - dt.timedelta(days=1)
        return dt.date.fromisoformat(s)
    except ValueError:
        raise SearchError(f"--{what}: not a date (YYYY-MM-DD, YYYY-MM or YYYY): {value!r}") from None


def _level_of(code: str) -> str:
    n = code.count(".")
    return ("provinsi", "kabupaten", "kecamatan", "desa")[min(n, 3)]


def resolve_places(query: str) -> list[tuple[str, str, str]]:
    """``(code, level, name)`` of the regions a place query means (best match and its namesakes)."""
    return list(_resolve_places((query or "").strip()))


@lru_cache(maxsize=256)
def _resolve_places(q: str) -> tuple[tuple[str, str, str], ...]:
    if not q:
        return ()
    if _CODE.match(q):
        return ((q, _level_of(q), q),)
    from extractors.regions import search_regions

    found = search_regions(q) or []
    if not found:
        return ()
    best = found[0]

    def bare(name: str) -> str:
        return re.sub(r"^(provinsi|kabupaten|kab\.?|kota|kecamatan|desa|kelurahan)\s+", "", name.lower()).strip()

    keep = [best] + [r for r in found[1:] if bare(r.name) == bare(best.name)]
    return tuple((r.code, r.level, r.name) for r in keep)


def _place_condition(code: str, level: str):
    """A condition on ``RecordPlace`` rows lying in region ``code``."""
    if level == "provinsi":
        return RecordPlace.province_code == code
    if level in ("kabupaten", "kota"):
        return RecordPlace.regency_code == code
    # kecamatan / desa: records are placed at kabupaten/kota level, so match its kabupaten
    return or_(RecordPlace.code == code, RecordPlace.regency_code == code[:5])


def _within(column, code: str):
    """``column`` (a region code) is ``code`` or lies inside it."""
    return or_(column == code, column.startswith(code + ".", autoescape=True))


def _place_ids(regions: list[tuple[str, str, str]]):
    return select(RecordPlace.report_id).where(or_(*[_place_condition(c, lvl) for c, lvl, _ in regions]))


@lru_cache(maxsize=256)
def _resolve_agency(query: str) -> tuple[tuple[str, ...], Optional[str]]:
    from extractors.gazetteer import resolve_agency

    codes, region_code = resolve_agency(query)
    return tuple(codes or ()), region_code


def _agency_condition(query: str) -> tuple[Any, Optional[Select]]:
    """The condition for an agency query and, when it is a plain set of ids, that set."""
    codes, region_code = _resolve_agency(query)
    codes = sorted(set(codes or []))
    if not codes:
        q = query.strip()
        ids = select(RecordAgency.report_id).where(
            or_(RecordAgency.code == q.upper(), RecordAgency.mention.icontains(q, autoescape=True)))
        return RecordRow.report_id.in_(ids), ids
    with_code = select(RecordAgency.report_id).where(RecordAgency.code.in_(codes))
    if not region_code:
        return RecordRow.report_id.in_(with_code), with_code
    in_region = with_code.where(_within(RecordAgency.jurisdiction, region_code))
    place_ids = _place_ids([(region_code, _level_of(region_code), region_code)])
    return or_(RecordRow.report_id.in_(in_region),
               and_(RecordRow.report_id.in_(with_code), RecordRow.report_id.in_(place_ids))), None


@dataclass
class _IdSet:
    """A condition that is a set of ids: a cheap count of the set (no join with ``records``)
    and the condition as a correlated test of one record."""

    count: Select
    probe: Any


def _id_set(ids: Select) -> _IdSet:
    sub = ids.subquery()
    col = ids.selected_columns[0]
    return _IdSet(select(func.count(sub.c.report_id.distinct())),
                  exists(ids.where(col == RecordRow.report_id)))


def _conditions(q: SearchQuery, counts: Optional[list] = None) -> list:
    """The WHERE conditions on ``records`` for ``q``; ``counts`` collects an ``_IdSet`` for each
    condition that is a set of ids."""
    conds: list = []
    counts = [] if counts is None else counts
    if q.text and q.text.strip():
        if _WORD.search(q.text):
            match = _TextMatch(q.text)
            conds.append(match)
            counts.append(_IdSet(select(_TextCount(match)), _TextProbe(match)))
    if q.agency and q.agency.strip():
        cond, ids = _agency_condition(q.agency)
        conds.append(cond)
        if ids is not None:
            counts.append(_id_set(ids))
    if q.place and q.place.strip():
        regions = resolve_places(q.place)
        if regions:
            conds.append(RecordRow.report_id.in_(_place_ids(regions)))
            counts.append(_id_set(_place_ids(regions)))
        else:  # not a known region: the place names or mentions as written
            p = q.place.strip()
            ids = select(RecordPlace.report_id).where(or_(RecordPlace.name.icontains(p, autoescape=True),
                                                          RecordPlace.mention.icontains(p, autoescape=True)))
            conds.append(RecordRow.report_id.in_(ids))
            counts.append(_id_set(ids))
    d_from, d_to = _parse_date(q.date_from, "from"), _parse_date(q.date_to, "to")
    if d_from:
        conds.append(RecordRow.date >= d_from)
    if d_to:
        conds.append(RecordRow.date <= d_to)
    if d_from and d_to and d_from > d_to:
        conds.append(false())
    if q.kind:
        kinds = [k.strip().lower() for k in str(q.kind).split(",") if k.strip()]
        bad = [k for k in kinds if k not in KINDS]
        if bad:
            raise SearchError(f"--kind: {', '.join(bad)} is not one of {', '.join(KINDS)}")
        if kinds:
            conds.append(RecordRow.kind.in_(kinds))
    if q.office and q.office.strip():
        conds.append(RecordRow.office.icontains(q.office.strip(), autoescape=True))
    if q.has_violations is True:
        conds.append(RecordRow.violations.is_(True))
    elif q.has_violations is False:
        conds.append(RecordRow.violations.is_not(True))
    if q.field is not None and q.field not in FIELDS:
        raise SearchError(f"--field: unknown field {q.field!r} (fields: {', '.join(FIELDS)})")
    if q.flagged is not None or q.flag_kind:
        flag_ids = select(FlagRow.report_id).where(FlagRow.status == FLAG_OPEN)
        if q.field:
            flag_ids = flag_ids.where(FlagRow.field == q.field)
        if q.flag_kind:
            flag_ids = flag_ids.where(FlagRow.kind == q.flag_kind)
        if q.flagged is False and not q.flag_kind:
            conds.append(RecordRow.report_id.not_in(flag_ids))
        else:
            conds.append(RecordRow.report_id.in_(flag_ids))
    if q.unreviewed is not None:
        reviewed = select(Correction.report_id)
        if q.field:
            reviewed = reviewed.where(Correction.field == q.field)
        conds.append(RecordRow.report_id.not_in(reviewed) if q.unreviewed
                     else RecordRow.report_id.in_(reviewed))
    return conds


def build_select(q: SearchQuery) -> Select:
    """SELECT of the matching report ids, newest activity first (no limit applied)."""
    return (select(RecordRow.report_id).where(*_conditions(q))
            .order_by(*_ORDER))


_ORDER = (RecordRow.date.desc().nulls_last(), RecordRow.report_id.desc())


class _json_values(FunctionElement):
    """The elements of a JSON array (text column) as rows with a ``value`` column."""

    name = "json_values"
    inherit_cache = True


@compiles(_json_values)
def _json_values_default(element, compiler, **kw) -> str:  # SQLite
    return f"json_each({compiler.process(element.clauses, **kw)})"


@compiles(_json_values, "postgresql")
def _json_values_pg(element, compiler, **kw) -> str:
    return f"json_array_elements_text(CAST({compiler.process(element.clauses, **kw)} AS json))"


def _facet_stmt(facet: str, ids, limit: int, groups=None) -> Select:
    """``(value, label, count)`` of one facet over the report ids of ``ids`` (a subquery / CTE).

    ``ids`` has one row per record and a record's code arrays hold distinct values, so a plain
    ``count(*)`` counts records (a hash aggregate, no sort); the flag facet counts distinct
    records (a record may have several open flags of a kind). Labels are joined to the
    ``limit`` counted values only.

    The single-valued facet columns (year, kind, place and province codes) are counted in two
    stages: ``groups`` (``_facet_groups``) counts the matches per distinct combination of those
    columns, and a facet sums the counts of the combinations holding each value: the same
    numbers as counting the records one by one, from a few hundred rows instead of a pass over
    every match per facet."""
    groups = _facet_groups(ids) if groups is None else groups
    if facet in ("agency", "place", "province"):
        # the record's distinct values, carried by the matches (records.*_codes JSON arrays)
        if facet == "agency":
            src, codes, n = ids, ids.c.agency_codes, func.count()
        else:
            src, codes = groups, {"place": groups.c.regency_codes, "province": groups.c.province_codes}[facet]
            n = _sum_count(groups.c.n)
        n = n.label("n")
        v = _json_values(codes).table_valued("value", joins_implicitly=True).alias(f"v_{facet}")
        counted = (select(v.c.value.label("value"), n).select_from(src).join(v, true()).group_by(v.c.value)
                   .order_by(n.desc(), v.c.value).limit(limit).subquery(f"counted_{facet}"))
        if facet == "agency":
            ref, ref_code, ref_name = AgencyRef, AgencyRef.code, AgencyRef.name
        else:
            ref = aliased(RegionRef)
            ref_code, ref_name = ref.code, ref.name
        return (select(counted.c.value, func.coalesce(ref_name, counted.c.value), counted.c.n)
                .outerjoin(ref, ref_code == counted.c.value).order_by(counted.c.n.desc(), counted.c.value))
    if facet == "year":
        n = _sum_count(groups.c.n).label("n")
        stmt = (select(groups.c.year, groups.c.year, n).where(groups.c.year.is_not(None)).group_by(groups.c.year))
        key = groups.c.year
    elif facet == "kind":
        n = _sum_count(groups.c.n).label("n")
        stmt = select(groups.c.kind, groups.c.kind, n).group_by(groups.c.kind)
        key = groups.c.kind
    elif facet == "flag":
        n = func.count(ids.c.report_id.distinct()).label("n")
        stmt = (select(FlagRow.kind, FlagRow.kind, n).select_from(ids)
                .join(FlagRow, FlagRow.report_id == ids.c.report_id)
                .where(FlagRow.status == FLAG_OPEN).group_by(FlagRow.kind))
        key = FlagRow.kind
    else:
        raise SearchError(f"unknown facet {facet!r} (facets: {', '.join(FACETS)})")
    order = [n.desc(), key.desc()] if facet == "year" else [n.desc(), key]
    return stmt.order_by(*order).limit(limit)


def _sum_count(n):
    """The sum of counts as an integer (PostgreSQL's ``sum`` of a bigint is a numeric)."""
    return cast(func.sum(n), Integer)


def _matching_ids(q: SearchQuery, name: str = "matches"):
    """The ids (and year, kind) of the records matching ``q`` as a CTE, computed once however
    often it is used."""
    return (select(RecordRow.report_id, RecordRow.year, RecordRow.kind, RecordRow.agency_codes,
                   RecordRow.regency_codes, RecordRow.province_codes).where(*_conditions(q))
            .cte(name).prefix_with("MATERIALIZED"))


def _facet_groups(ids, name: str = "facet_groups"):
    """The matches of ``ids`` counted per distinct (year, kind, place codes, province codes),
    as a CTE computed once: a few hundred rows however many records match."""
    n = func.count().label("n")
    return (select(ids.c.year, ids.c.kind, ids.c.regency_codes, ids.c.province_codes, n)
            .group_by(ids.c.year, ids.c.kind, ids.c.regency_codes, ids.c.province_codes)
            .cte(name).prefix_with("MATERIALIZED"))


def facets_select(q: SearchQuery, facet: str, *, limit: int = FACET_LIMIT) -> Select:
    """``(value, label, count)`` rows of one facet over the records matching ``q``."""
    if facet not in FACETS:
        raise SearchError(f"unknown facet {facet!r} (facets: {', '.join(FACETS)})")
    return _facet_stmt(facet, _matching_ids(q), limit)


def all_facets_select(q: SearchQuery, facets: tuple[str, ...] = FACETS, *, limit: int = FACET_LIMIT) -> Select:
    """Every facet in one statement: ``(facet, value, label, count, position)`` rows.

    The matching ids are computed once (a materialised CTE); the agency and flag facets group
    over them, the others over their counts per distinct (year, kind, place codes, province
    codes) (``_facet_groups``, a second materialised CTE); values and labels come back as text
    (a year as its digits).
    """
    bad = [f for f in facets if f not in FACETS]
    if bad:
        raise SearchError(f"unknown facet {bad[0]!r} (facets: {', '.join(FACETS)})")
    ids = _matching_ids(q)
    groups = _facet_groups(ids)
    parts = []
    for name in facets:
        inner = _facet_stmt(name, ids, limit, groups).subquery(f"facet_{name}")
        value, label, n = inner.c[0], inner.c[1], inner.c.n
        parts.append(select(literal(name).label("facet"), cast(value, String).label("value"),
                            cast(label, String).label("label"), n.label("n")).select_from(inner))
    return union_all(*parts)


# --------------------------------------------------------------------------- running

def _rows(session: Session, ids: list[int]) -> list[dict]:
    if not ids:
        return []
    base = {r.report_id: r for r in session.execute(
        select(RecordRow.report_id, Report.doc_id, Report.name, Report.published, RecordRow.date,
               RecordRow.date_end, RecordRow.kind, RecordRow.office, RecordRow.venue, RecordRow.chair_name,
               RecordRow.chair_role, RecordRow.foreigners_found, RecordRow.violations)
        .join(Report, Report.id == RecordRow.report_id).where(RecordRow.report_id.in_(ids)))}
    agencies: dict[int, list[str]] = {}
    for rid, code in session.execute(select(RecordAgency.report_id, RecordAgency.code)
                                     .where(RecordAgency.report_id.in_(ids)).order_by(RecordAgency.position)):
        agencies.setdefault(rid, []).append(code)
    places: dict[int, list[dict]] = {}
    for rid, name, code in session.execute(select(RecordPlace.report_id, RecordPlace.name, RecordPlace.code)
                                           .where(RecordPlace.report_id.in_(ids)).order_by(RecordPlace.position)):
        places.setdefault(rid, []).append({"name": name, "code": code})
    flags = dict(session.execute(select(FlagRow.report_id, func.count()).where(
        FlagRow.report_id.in_(ids), FlagRow.status == FLAG_OPEN).group_by(FlagRow.report_id)).all())
    out = []
    for rid in ids:
        r = base.get(rid)
        if r is None:
            continue
        out.append({"report_id": rid, "id": r.doc_id, "name": r.name,
                    "published": r.published.isoformat() if r.published else None,
                    "date": r.date.isoformat() if r.date else None,
                    "date_end": r.date_end.isoformat() if r.date_end else None,
                    "kind": r.kind, "office": r.office, "venue": r.venue,
                    "chair": None if not (r.chair_name or r.chair_role) else {"name": r.chair_name,
                                                                              "role": r.chair_role},
                    "agencies": agencies.get(rid, []), "places": places.get(rid, []),
                    "foreigners_found": r.foreigners_found, "violations": r.violations,
                    "open_flags": flags.get(rid, 0)})
    return out


def _walk_in_date_order(total: int, wanted: int, span: int) -> bool:
    """Whether testing records newest first finds ``wanted`` of ``total`` matches among ``span``
    records (about wanted * span / total tests, each an index step and probe) cheaper than
    reading and sorting all ``total`` matches."""
    return wanted * span < total * total


def search(session: Session, q: SearchQuery, *, facets: Union[bool, tuple[str, ...]] = True) -> SearchResult:
    """Run a query: total count, one page of rows and the facet counts.

    * one filter that is a set of ids (agency, place or text): the total counts that set alone
      (no join with ``records``) and the page walks the records newest first, testing each,
      when the set is a large share of them, else reads the set;
    * several filters: the page and the total from one statement (``count(*) OVER ()``, so
      the filters run once); no filter: a plain count and the index order.
    All facets come from one more statement over the matching records (``all_facets_select``).
    """
    counts: list = []
    conds = _conditions(q, counts)
    limit, offset = max(0, int(q.limit)), max(0, int(q.offset))
    page: list[int] = []
    total: Optional[int] = None
    if len(conds) == 1 and len(counts) == 1:
        # one id-set filter (agency, place or text): count the set itself; page in date order,
        # walking the records newest first and testing each when the set is a large share of
        # them (a page is found after a few tests), else from the set
        total = session.scalar(counts[0].count) or 0
        if limit and total > offset:
            cond = conds[0]
            span = session.scalar(select(func.max(RecordRow.report_id))) or 0  # >= the number of records
            if _walk_in_date_order(total, offset + limit, span):
                cond = counts[0].probe
            page = list(session.scalars(select(RecordRow.report_id).where(cond).order_by(*_ORDER)
                                        .limit(limit).offset(offset)))
    elif limit and conds:
        found = session.execute(select(RecordRow.report_id, func.count().over().label("total"))
                                .where(*conds).order_by(*_ORDER).limit(limit).offset(offset)).all()
        page = [r.report_id for r in found]
        if found:
            total = found[0].total
    elif limit:
        page = list(session.scalars(select(RecordRow.report_id).order_by(*_ORDER).limit(limit).offset(offset)))
    if total is None:
        total = session.scalar(select(func.count()).select_from(RecordRow).where(*conds)) or 0
    result = SearchResult(total=total, rows=_rows(session, page))
    wanted = FACETS if facets is True else (tuple(facets) if facets else ())
    if wanted:
        got: dict[str, list] = {name: [] for name in wanted}
        for name, value, label, count in session.execute(all_facets_select(q, wanted)):
            got[name].append((int(value) if name == "year" else value, str(label), int(count)))
        for name in wanted:  # the order of ``facets_select``: most frequent first, then by value
            items = got[name]
            if name == "year":
                items.sort(key=lambda t: (-t[2], -t[0]))
            else:
                items.sort(key=lambda t: (-t[2], str(t[0])))
            result.facets[name] = items
    return result


def query_json(q: SearchQuery) -> dict:
    return {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in asdict(q).items() if v is not None}
