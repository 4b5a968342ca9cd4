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

from extractors.common import (_matches_at, _sre_c, _sre_p, add_flag, parsed, char_span, doc_text, finditer, haystack, prefixes,
                               search)
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


# ---------------------------------------------------------------------- one scan for all cues
#
# Scanned one by one, the ~35 cue and relevance patterns cost ~150 literal look-ups
# (``finditer`` finds each pattern's literal prefixes) and as many Python calls per
# report. Almost all of them are ``\b(?:word|word...)...``: every match starts at a word
# boundary with one of the pattern's prefixes (``common.prefixes``). One regex ``\b`` +
# (a trie of all these prefixes) finds, in one pass over the lower-cased text, every
# boundary position where one of them starts; ``rx.match`` at those positions (in order,
# skipping those inside the pattern's previous match, as ``common.finditer`` does) gives
# exactly the matches of ``rx.finditer``: a position it leaves out is one where
# ``rx.match`` fails (no prefix there, or no boundary, which the pattern asserts too).
#
# The scan does not report overlapping literals; that loses nothing because every prefix
# it looks for is made of ASCII word characters, so no boundary (hence no other position
# worth trying) lies inside a literal it matched. A pattern that does not fit (no
# prefixes, a prefix with another character, no leading ``\b``, other flags) is scanned
# on its own as before. The scan uses the cues' own flags (ASCII, case-sensitive over the
# lower-cased text), so its ``\b`` and literals mean what the cues' do, whatever the text
# holds (the non-ASCII case-folding caveats of ``common`` concern IGNORECASE patterns).

_WORD_LITERAL = re.compile(r"[0-9a-z_]+")


def _leading_boundary(items) -> bool:
    r"""Whether every match of the parsed sequence asserts ``\b`` at its start (look-behinds,
    zero-width, may come first)."""
    for op, av in items:
        if op in (_sre_c.ASSERT, _sre_c.ASSERT_NOT) and av[0] < 0:
            continue
        if op is _sre_c.AT:
            return av is _sre_c.AT_BOUNDARY
        if op is _sre_c.SUBPATTERN:
            return _leading_boundary(av[3])
        if op is _sre_c.BRANCH:
            return all(_leading_boundary(alt) for alt in av[1])
        return False
    return False


def _scannable(rx: re.Pattern) -> Optional[tuple[str, ...]]:
    """The literal prefixes of ``rx`` when its matches can be found from the shared scan, else None."""
    if _sre_p is None or rx.flags != _compile("x").flags:
        return None
    found = prefixes(rx)
    if found is None or any(ci or not _WORD_LITERAL.fullmatch(lit) for lit, ci in found):
        return None
    try:
        if not _leading_boundary(parsed(rx.pattern, rx.flags & ~re.UNICODE)):
            return None
    except Exception:
        return None
    return tuple(lit for lit, _ in found)


@dataclass
class _Scan:
    """The shared scan of the patterns ``rxs`` (cues, then relevance patterns)."""
    finder: Optional[re.Pattern]        # \b + trie of the prefixes; its match is the longest one
    table: dict                         # literal matched -> indexes of the patterns it may start
    scanned: tuple[bool, ...]           # pattern i is found from the scan (else on its own)


def _trie(words) -> str:
    trie: dict = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict) -> str:
        alts = [re.escape(ch) + emit(node[ch]) for ch in sorted(k for k in node if k)]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        return f"(?:{body})?" if "" in node else body     # greedy: the longest literal

    return emit(trie)


@lru_cache(maxsize=1)
def _scan_plan() -> _Scan:
    cues, _discounts, relevance = _config()
    rxs = [c.pattern for c in cues] + [rx for _label, rx in relevance]
    lits: dict[str, set[int]] = {}
    scanned = []
    for i, rx in enumerate(rxs):
        found = _scannable(rx)
        scanned.append(found is not None)
        for lit in found or ():
            lits.setdefault(lit, set()).add(i)
    if not lits:
        return _Scan(None, {}, tuple(scanned))
    # the scan reports the longest literal at a position: it starts the patterns of every
    # literal that is a prefix of it
    table = {lit: tuple(sorted({i for other, its in lits.items() if lit.startswith(other) for i in its}))
             for lit in lits}
    return _Scan(re.compile(r"\b" + _trie(lits), _compile("x").flags), table, tuple(scanned))


def _starts(plan: _Scan, text: str, n: int) -> list[list[int]]:
    """For each of the ``n`` patterns, the positions where a match of it may start (ascending)."""
    at: list[list[int]] = [[] for _ in range(n)]
    if plan.finder is not None:
        table = plan.table
        for m in plan.finder.finditer(text):
            pos = m.start()
            for i in table[m.group()]:
                at[i].append(pos)
    return at


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
    plan = _scan_plan()
    scanned = plan.scanned
    starts = _starts(plan, text, len(scanned))
    result = KindScore()
    n_cues = len(cues)
    for j, (label, rx) in enumerate(relevance):
        if result.relevant.get(label, False):
            continue
        if scanned[n_cues + j]:
            found = next(_matches_at(rx.match, text, starts[n_cues + j]), None) is not None
        else:
            found = hay.may_scan(rx) and search(rx, hay) is not None
        result.relevant[label] = found
    for i, cue in enumerate(cues):
        if scanned[i]:
            matches = _matches_at(cue.pattern.match, text, starts[i])
        elif hay.may_scan(cue.pattern):
            matches = finditer(cue.pattern, hay)
        else:
            continue
        counted = 0
        for m in matches:
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
        _scan_plan()    # built with the pipeline, not on the first report

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
