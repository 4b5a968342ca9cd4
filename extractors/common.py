"""Helpers shared by the extractor components: spans from character offsets, flags, context.

Conventions every component follows (``pipeline.extract`` reads them back):

* results go to ``doc.spans[<field>]``; each span's ``label_`` is the normalised value
  (agency code, region code, ISO date, ``HH:MM``, kind, count, ``true``/``false``), its
  ``id_`` the id of the pattern or rule that produced it, and ``kb_id_`` an optional
  second value (an agency's jurisdiction region code);
* for single-valued fields the chosen value's span comes first in its group;
* doubts go to ``add_flag`` (kept in ``doc.user_data``), the publication date given by
  a manifest is read with ``published(doc)``.
"""
from __future__ import annotations

from datetime import date
from typing import Optional

from spacy.tokens import Doc, Span

FLAGS_KEY = "timpora.flags"
PUBLISHED_KEY = "timpora.published"
#: ``doc.text`` cached once per doc (spaCy rebuilds it from the tokens on every access)
TEXT_KEY = "timpora.text"


def doc_text(doc: Doc) -> str:
    """``doc.text``, read once per doc and cached in ``doc.user_data``.

    spaCy joins the tokens anew on every ``doc.text`` access, which costs about as much
    as the rest of a component's work: every component reads the text through this.
    The cache is checked against the doc's length, so a retokenised doc is read again.
    """
    text = doc.user_data.get(TEXT_KEY)
    expected = doc[-1].idx + len(doc[-1].text_with_ws) if len(doc) else 0
    if not isinstance(text, str) or len(text) != expected:
        text = doc.text
        doc.user_data[TEXT_KEY] = text
    return text


def char_span(doc: Doc, start: int, end: int, label: str = "", rule: str = "",
              kb_id: str = "") -> Optional[Span]:
    """A span covering characters ``start:end`` (expanded to token bounds), or None if empty."""
    text = doc_text(doc)
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start >= end:
        return None
    span = doc.char_span(start, end, label=label, kb_id=kb_id, alignment_mode="expand")
    if span is None or len(span) == 0:
        return None
    if rule:
        span.id_ = rule
    return span


def add_flag(doc: Doc, field: str, kind: str, message: str, span: Optional[Span] = None) -> None:
    flags = doc.user_data.setdefault(FLAGS_KEY, [])
    entry = {"field": field, "kind": kind, "message": message}
    if span is not None:
        entry["start"], entry["end"] = span.start_char, span.end_char
    if entry not in flags:
        flags.append(entry)


def flags(doc: Doc) -> list[dict]:
    return list(doc.user_data.get(FLAGS_KEY, []))


def published(doc: Doc) -> Optional[date]:
    """The report's publication date from the manifest, if one was given."""
    value = doc.user_data.get(PUBLISHED_KEY)
    if not value:
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None
