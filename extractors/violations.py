"""Violations: whether the operation found a violation (``true``), none (``false``), or the
text says neither (no span).

Read only inside the finding clauses. The ``false`` patterns of ``data/violations.jsonl``
(``tidak ditemukan pelanggaran``, ``memenuhi ketentuan``, ``dokumen lengkap``) are matched
first and blanked out, so that the ``true`` patterns (overstay, permit expired or not
matching, no documents, misuse, ``diamankan``, ``dideportasi`` ...) do not fire on a
negated phrase. Any violation found makes the report ``true``. When the only counts of
foreigners say that none were found, the report is ``false``.
"""
from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

from extractors.common import Haystack, char_span, guard
from extractors.findings import doc_text, compiled, operation_context, warm

GROUP = "violations"
VIOLATIONS_FILE = "violations.jsonl"


def judge(text: str, start: int, end: int):
    """(value, (start, end), rule) for the clause ``text[start:end]``, or None."""
    clause = text[start:end]
    blanked = clause
    negative = None
    hay = Haystack(clause)  # a pattern whose literals are absent cannot match (common.guard)
    for rid, rx in compiled(VIOLATIONS_FILE, "false"):
        if not hay.may_match(guard(rx)):
            continue
        for m in rx.finditer(clause):
            negative = negative or ("false", (start + m.start(), start + m.end()), rid)
            blanked = blanked[:m.start()] + " " * (m.end() - m.start()) + blanked[m.end():]
    if blanked is not clause:
        hay = Haystack(blanked)
    for rid, rx in compiled(VIOLATIONS_FILE, "true"):
        if not hay.may_match(guard(rx)):
            continue
        m = rx.search(blanked)
        if m:
            return "true", (start + m.start(), start + m.end()), rid
    return negative


class ViolationsComponent:
    """Sets ``doc.spans["violations"]``: one span, label ``true`` or ``false``."""

    def __init__(self, nlp: Language, name: str = "timpora_violations"):
        self.name = name
        warm(VIOLATIONS_FILE)

    def __call__(self, doc: Doc) -> Doc:
        spans = []
        text = doc_text(doc)
        if text.strip() and operation_context(doc, text) and "findings" in doc.spans:
            verdicts = [v for f in doc.spans["findings"]
                        if (v := judge(text, f.start_char, f.end_char)) is not None]
            verdict = next((v for v in verdicts if v[0] == "true"), None) or \
                next(iter(verdicts), None)
            counts = list(doc.spans["foreigners"]) \
                if "foreigners" in doc.spans else []
            if verdict is None and counts and all(c.label_ == "0" for c in counts):
                verdict = "false", (counts[0].start_char, counts[0].end_char), "none-found"
            if verdict is not None:
                value, (start, end), rule = verdict
                span = char_span(doc, start, end, label=value, rule=f"violations:{rule}")
                if span is not None:
                    spans.append(span)
        doc.spans[GROUP] = spans
        return doc


@Language.factory("timpora_violations")
def make_violations(nlp: Language, name: str):
    return ViolationsComponent(nlp, name)
