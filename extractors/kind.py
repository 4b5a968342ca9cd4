"""The report kind (``doc.spans["kind"]``): meeting, operation, mixed or other.

Weighted cues from ``data/kind.jsonl`` are counted over the text (a cue counts at most
``cap`` times, twice as much in the lead, a fifth when its sentence refers to it as a
plan, a hope or the origin of something else). A report that never concerns immigration
supervision, or whose "other" cues (statistics, plans, service news) outweigh its
activity cues, is ``other`` and flagged ``not_a_report``. ``mixed`` needs an explicit
link between a meeting and an operation (``rapat ... dilanjutkan dengan operasi``,
``operasi ... diawali dengan rapat``) and real evidence for both.

This component runs last: for a report that is not a meeting (pure operation, other) it
empties ``doc.spans["venue"]`` (an assembly point is not a venue).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Optional

from spacy.language import Language
from spacy.tokens import Doc

from extractors.common import add_flag, char_span, doc_text, finditer, haystack, search
from extractors.data import load_jsonl
from models.record import FLAG_NOT_A_REPORT

GROUP = "kind"
LEAD_CHARS = 500          # headline + lead paragraph
DEFAULT_CAP = 2
_SENT_START = re.compile(r"[.!?\n]\s*")


@dataclass
class Cue:
    id: str
    label: str
    weight: float
    pattern: re.Pattern
    cap: int = DEFAULT_CAP


@dataclass
class KindScore:
    scores: dict[str, float] = field(default_factory=lambda: {"meeting": 0.0, "operation": 0.0, "other": 0.0, "mixed": 0.0})
    hits: dict[str, list[tuple[int, int, str]]] = field(default_factory=lambda: {"meeting": [], "operation": [], "other": [], "mixed": []})
    relevant: dict[str, bool] = field(default_factory=dict)


def _compile(pattern: str) -> re.Pattern:
    """Patterns run over the lowercased text without IGNORECASE (much faster in ``re``)."""
    return re.compile(pattern.replace("\\S", "[^\\s]").lower(), re.A)


def _lower(text: str) -> str:
    low = text.lower()
    if len(low) != len(text):      # a few characters lowercase to two: keep offsets aligned
        low = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    return low


@lru_cache(maxsize=1)
def _config():
    cues, discounts, relevance = [], [], []
    for row in load_jsonl("kind.jsonl"):
        if row.get("kind") == "cue":
            cues.append(Cue(row["id"], row["label"], float(row["weight"]), _compile(row["pattern"]),
                            int(row.get("cap", DEFAULT_CAP))))
        elif row.get("kind") == "discount":
            discounts.append((_compile(row["pattern"]), float(row["factor"])))
        elif row.get("kind") == "relevance":
            relevance.append((row.get("label", "operation"), _compile(row["pattern"])))
    return cues, discounts, relevance


def _context_before(text: str, start: int) -> str:
    window = text[max(0, start - 80):start]
    parts = _SENT_START.split(window)
    return parts[-1] if parts else window


def score(text: str) -> KindScore:
    cues, discounts, relevance = _config()
    hay = haystack(text)
    # the doc's lower-cased text when it keeps the offsets (it shares literal positions found there)
    hay = hay.lowered() if len(hay.low) == len(text) else haystack(_lower(text))
    text = hay.text
    result = KindScore()
    for label, rx in relevance:
        result.relevant[label] = result.relevant.get(label, False) or (
            hay.may_scan(rx) and search(rx, hay) is not None)
    for cue in cues:
        if not hay.may_scan(cue.pattern):
            continue
        counted = 0
        for m in finditer(cue.pattern, hay):
            factor = 2.0 if m.start() < LEAD_CHARS else 1.0
            before = _context_before(text, m.start())
            for rx, f in discounts:
                if rx.search(before):
                    factor *= f
                    break
            result.scores[cue.label] += cue.weight * factor
            result.hits[cue.label].append((m.start(), m.end(), cue.id))
            counted += 1
            if counted >= cue.cap:
                break
    return result


#: decision thresholds: the evidence a meeting / an operation needs, the share of it that
#: "other" cues must reach to make the text news rather than a report, and the evidence for
#: each side of a mixed report (besides an explicit meeting-operation link).
MIN_EVIDENCE = {"meeting": 3.0, "operation": 4.0}
OTHER_SHARE = 0.5
MIN_OTHER = 4.0
MIXED_MIN_EACH = 2.0


def decide(s: KindScore) -> str:
    meeting = s.scores["meeting"] if s.relevant.get("meeting") else 0.0
    operation = s.scores["operation"] if s.relevant.get("operation") else 0.0
    other = s.scores["other"]
    if meeting < MIN_EVIDENCE["meeting"] and operation < MIN_EVIDENCE["operation"]:
        return "other"
    if other >= MIN_OTHER and other >= max(meeting, operation) * OTHER_SHARE:
        return "other"
    if s.scores["mixed"] >= 1.0 and meeting >= MIXED_MIN_EACH and operation >= MIXED_MIN_EACH:
        return "mixed"
    return "meeting" if meeting >= operation else "operation"


def classify(text: str) -> tuple[str, KindScore]:
    s = score(text or "")
    return decide(s), s


def classify_doc(doc: Doc, text: Optional[str] = None) -> tuple[str, KindScore]:
    """``classify`` of a doc's text, once per doc (findings ask before this component runs)."""
    key = "timpora.kind"
    if key not in doc.user_data:
        doc.user_data[key] = classify(doc_text(doc) if text is None else text)
    return doc.user_data[key]


class KindClassifier:
    def __init__(self, nlp: Language, name: str = "timpora_kind"):
        self.name = name

    def __call__(self, doc: Doc) -> Doc:
        kind, s = classify_doc(doc)
        if kind == "mixed":
            labels = ("mixed", "meeting", "operation")
        else:
            labels = (kind,)
        spans = []
        seen = set()
        for label in labels:
            for start, end, rule in sorted(s.hits[label]):
                span = char_span(doc, start, end, label=kind, rule=rule)
                if span is not None and (span.start, span.end) not in seen:
                    seen.add((span.start, span.end))
                    spans.append(span)
        doc.spans[GROUP] = spans
        if kind == "other":
            add_flag(doc, "kind", FLAG_NOT_A_REPORT,
                     "the text does not read as a report of a TIMPORA meeting or operation")
        if kind in ("operation", "other") and "venue" in doc.spans:
            doc.spans["venue"] = []
        return doc


@Language.factory("timpora_kind")
def make_kind(nlp: Language, name: str):
    return KindClassifier(nlp, name)
