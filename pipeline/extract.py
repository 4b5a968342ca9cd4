"""Extraction: canonical text (+ publication date) -> ``Record`` with evidence and flags.

The spaCy components in ``extractors/`` leave their results in ``doc.spans``; this module
runs them and reads the spans back into a ``Record`` (see ``extractors.common`` for the
conventions). It knows nothing of files or databases.
"""
from __future__ import annotations

from typing import Callable, Iterable, Iterator, Optional, Sequence

from models.record import (FLAG_MISSING, FLAG_UNKNOWN_AGENCY, Agency, Chair, Evidence, Flag,
                           Place, Record)

#: A version string stored with every record so that ``reprocess`` can find stale ones.
#: Bump it whenever a rule or data file changes what is extracted.
PIPELINE_VERSION = "0.4.0"

#: span group -> record field, for evidence
EVIDENCE_GROUPS = ("kind", "office", "date", "date_end", "time", "venue", "chair", "chair_role",
                   "agencies", "places", "sites", "findings", "foreigners", "violations")
UNKNOWN_AGENCY = "UNKNOWN"

Locator = Callable[[int, int], Sequence[object]]


def _nlp():
    from extractors import get_nlp

    return get_nlp()


def make_doc(text: str, published: Optional[str] = None):
    from extractors.common import PUBLISHED_KEY, TEXT_KEY

    text = text or ""
    doc = _nlp().make_doc(text)
    doc.user_data[PUBLISHED_KEY] = published
    # spaCy's tokenizer is non-destructive (doc.text == text): spare the components rebuilding it
    doc.user_data[TEXT_KEY] = text
    return doc


def extract(text: str, *, doc_id: str = "", published: Optional[str] = None,
            locate: Optional[Locator] = None) -> Record:
    """Extract one report's record from its canonical text."""
    doc = _nlp()(make_doc(text, published))
    return record_from_doc(doc, doc_id=doc_id, published=published, locate=locate)


def extract_many(items: Iterable[tuple[str, str, Optional[str], Optional[Locator]]],
                 batch_size: int = 64) -> Iterator[Record]:
    """Extract ``(doc_id, text, published, locate)`` items, ``batch_size`` at a time.

    Each batch goes through one component after the other (``nlp.pipe`` passes the docs one
    by one through the whole pipeline when components have no ``pipe`` method): a component
    then runs on many docs in a row with its patterns and tables warm, about 8% faster."""
    from spacy.util import minibatch

    nlp = _nlp()
    for batch in minibatch(items, batch_size):
        docs = [make_doc(text, published) for _, text, published, _ in batch]
        for _, proc in nlp.pipeline:
            docs = [proc(doc) for doc in docs]
        for (doc_id, _, published, locate), doc in zip(batch, docs):
            yield record_from_doc(doc, doc_id=doc_id, published=published, locate=locate)


def _value(span, text: Optional[str] = None) -> str:
    return span.label_ or (span.text if text is None else text[span.start_char:span.end_char])


def record_from_doc(doc, *, doc_id: str = "", published: Optional[str] = None,
                    locate: Optional[Locator] = None) -> Record:
    from extractors.common import doc_text, flags as doc_flags

    # a span's text is its slice of the doc's text (``Span.text`` rebuilds it from the tokens)
    text = doc_text(doc)
    rec = Record(id=doc_id, published=published)
    # each group's spans read once (a span group makes a new ``Span`` on every access)
    groups = {g: list(doc.spans[g]) for g in EVIDENCE_GROUPS if g in doc.spans}
    first = {g: groups[g][0] if groups.get(g) else None
             for g in ("kind", "office", "date", "date_end", "time", "venue", "chair", "chair_role", "violations")}
    if first["kind"] is not None and first["kind"].label_:
        rec.kind = first["kind"].label_
    for name in ("office", "venue"):
        if first[name] is not None:
            setattr(rec, name, _value(first[name], text))
    for name in ("date", "date_end", "time"):
        if first[name] is not None and first[name].label_:
            setattr(rec, name, first[name].label_)
    if first["chair"] is not None or first["chair_role"] is not None:
        rec.chair = Chair(name=_value(first["chair"], text) if first["chair"] is not None else None,
                          role=_value(first["chair_role"], text) if first["chair_role"] is not None else None)
    if first["violations"] is not None and first["violations"].label_ in ("true", "false"):
        rec.violations = first["violations"].label_ == "true"

    seen_codes: dict[str, Agency] = {}
    for span in groups.get("agencies", ()):
        code = span.label_
        if code == UNKNOWN_AGENCY:
            rec.flags.append(Flag("agencies", FLAG_UNKNOWN_AGENCY,
                                  f"organisation not in the gazetteer: {text[span.start_char:span.end_char]!r}",
                                  span.start_char, span.end_char))
            continue
        known = seen_codes.get(code)
        if known is None:
            seen_codes[code] = known = Agency(code=code, name=text[span.start_char:span.end_char])
            rec.agencies.append(known)
        if span.kb_id_ and not known.jurisdiction:
            known.jurisdiction = span.kb_id_
    if rec.agencies:
        from extractors.places import region_name

        for agency in rec.agencies:
            if agency.jurisdiction:
                agency.jurisdiction_name = region_name(agency.jurisdiction)

    seen_places: set[str] = set()
    for span in groups.get("places", ()):
        if span.label_ and span.label_ not in seen_places:
            seen_places.add(span.label_)
            mention = text[span.start_char:span.end_char]
            rec.places.append(Place(name=span.kb_id_ or mention, code=span.label_, mention=mention))

    for group, target in (("sites", rec.sites), ("findings", rec.findings)):
        for span in groups.get(group, ()):
            value = _value(span, text)
            if value not in target:
                target.append(value)

    counts = [int(s.label_) for s in groups.get("foreigners", ()) if s.label_.isdigit()]
    if counts:
        rec.foreigners_found = sum(counts)

    for entry in doc_flags(doc):
        rec.flags.append(Flag(**entry))
    if rec.kind != "other":
        for name in ("office", "date", "places"):
            if not getattr(rec, name):
                rec.flags.append(Flag(name, FLAG_MISSING, f"no {name} found in the text"))

    for group, spans in groups.items():
        items = []
        for span in spans:
            page = block = None
            if locate is not None:
                where = locate(span.start_char, span.end_char)
                if where:
                    page = getattr(where[0], "page", None)
                    block = getattr(where[0], "index", None)
            items.append(Evidence(span.start_char, span.end_char, text[span.start_char:span.end_char], span.id_ or group,
                                  page=page, block=block))
        if items:
            rec.evidence[group] = items
    return rec
