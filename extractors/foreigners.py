"""Foreigners found: the count mentions whose sum is ``foreigners_found``.

Counts are read only inside the finding clauses (``doc.spans["findings"]``), so meeting
statistics never count. A count is a number (digits or words from
``data/lang/numbers.tsv``) followed by a unit of ``data/foreigners.jsonl`` (``WNA``,
``orang asing``, ``TKA``, ``warga negara China`` ...), or ``N orang`` right after a
find verb (``mendapati 2 orang``); ``tidak ditemukan orang asing`` counts 0. A count
is left out when its clause has no find verb (unless it is a group total, ``dari 34
TKA``), when it is part of a group already counted (``terdiri dari``, ``di
antaranya``, ``dari 34 TKA ... 24 TKA``, ``... lainnya``, ``... tersebut``), vague
(``sedikitnya``) or hearsay. When the first count
opens the report (the lede), reports foreigners secured or caught (``mengamankan 13 WNA``,
``19 WNA terjaring razia``) and no later count exceeds it, it is the total and the later
ones are its breakdown, except foreigners only checked and found in order (no violation,
not secured), who are added; otherwise the counts are per site and add up. A group total
(``dari total 32 WNA yang diperiksa``) stands for the whole when the other counts add up to
no more than it. Inside one clause, counts that follow a count and add up to it are its
breakdown (``empat orang asing, dua warga Rusia dan dua warga Ukraina``). ``N tamu asal
Jerman`` counts, ``N pekerja asal Jawa Tengah`` (an Indonesian region) does not.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Optional

from spacy.language import Language
from spacy.tokens import Doc

from extractors.common import char_span
from extractors.findings import (doc_text, FINDINGS_FILE, FOREIGNERS_FILE, compiled, expand, first_match, warm,
                                 num_pattern, operation_context, parse_number, unit_pattern)

GROUP = "foreigners"
#: a first count within this many characters of the start of the text is the lede's total
LEDE_CHARS = 450
#: how far before a number a find verb may stand for "N orang"
VERB_REACH = 40
_ORIGIN = re.compile(r"\b(?:asal|berkewarganegaraan|kewarganegaraan|dari negara)\s+([A-Z][\w-]+(?:\s+[A-Z][\w-]+)?)")


def _violation(clause: str) -> bool:
    from extractors.violations import judge

    verdict = judge(clause, 0, len(clause))
    return verdict is not None and verdict[0] == "true"


def _domestic(unit_text: str) -> bool:
    """``pekerja asal Jawa Tengah``: the origin is an Indonesian region, not a country."""
    m = _ORIGIN.search(unit_text)
    if not m:
        return False
    try:
        from extractors.regions import find_region
        return find_region(m.group(1)) is not None
    except Exception:  # a lookup problem must not break extraction
        return False


@lru_cache(maxsize=1)
def _count_rx() -> re.Pattern:
    return re.compile(rf"(?<![\w-])(?:sebanyak\s+)?({num_pattern()})\s+(?:orang\s+)?{unit_pattern()}",
                      re.IGNORECASE)


@lru_cache(maxsize=1)
def _person_rx() -> re.Pattern:
    person = "|".join(f"(?:{expand(r['pattern'])})" for r in _person_rows())
    return re.compile(rf"(?<![\w-])({num_pattern()})\s+(?:{person})", re.IGNORECASE)


def _person_rows():
    from extractors.data import load_jsonl

    return [r for r in load_jsonl(FOREIGNERS_FILE) if r.get("type") == "person"]


@lru_cache(maxsize=1)
def _zero_rx() -> re.Pattern:
    pattern = next(r["pattern"] for r in _cue_rows() if r["id"] == "none-found")
    return re.compile(expand(pattern), re.IGNORECASE)


def _cue_rows():
    from extractors.data import load_jsonl

    return [r for r in load_jsonl(FINDINGS_FILE) if r.get("type") == "cue"]


def _any(kind: str, text: str) -> bool:
    return first_match(FOREIGNERS_FILE, kind, text) is not None


def counts_in(text: str, start: int, end: int) -> list[tuple[int, int, int, str, bool]]:
    """(start, end, value, rule, secured) of the counts of the finding clause ``text[start:end]``;
    ``secured``: the clause reports foreigners secured / caught (a lede's total)."""
    clause = text[start:end]
    if _any("hearsay", clause):
        return []
    has_verb = _any("verb", clause)
    said = first_match(FOREIGNERS_FILE, "reported", clause)
    reported = said[1].start() if said else None
    secured = _any("total_verb", clause)
    out: list[tuple[int, int, int, str, bool]] = []
    taken: list[tuple[int, int]] = []
    for m in _zero_rx().finditer(clause) if has_verb else ():
        out.append((start + m.start(), start + m.end(), 0, "none-found", False))
        taken.append((m.start(), m.end()))
    hits = [(m, "count") for m in _count_rx().finditer(clause)]
    for m in _person_rx().finditer(clause):
        before = clause[max(0, m.start() - VERB_REACH):m.start()]
        if first_match(FOREIGNERS_FILE, "verb", before) or _any("person_after", clause[m.end():]) \
                or _any("group_total", clause[:m.start(1)]) \
                or (has_verb and _any("count_last", clause[:m.start(1)])
                    and _any("foreign_marker", clause[max(0, m.start() - 80):m.start()])):
            # "memeriksa awak kapal berkebangsaan Filipina sebanyak 6 orang": the count comes last
            hits.append((m, "count-person"))
    for m, rule in sorted(hits, key=lambda h: h[0].start()):
        if any(a <= m.start(1) < b for a, b in taken):
            continue
        value = parse_number(m.group(1))
        if value is None:
            continue
        before, after = clause[:m.start(1)], clause[m.end():]
        # "dari 34 TKA ...": a group total needs no find verb, nor "86 TKA lainnya" (the rest);
        # "seluruh 21 TKA tersebut" sums up those counted before; "dari pemeriksaan tersebut,
        # dua TKA ..." may be a share of those checked (``choose`` tells)
        others = _any("others_after", after) or _any("share_before", before)
        group = _any("group_total", before)
        if not has_verb and not others and not group:
            continue
        if _subcount(before) or (_any("subcount_after", after) and not group) or _any("gone", after):
            continue
        if reported is not None and m.start() >= reported:
            continue  # "menurut manajemen dua TKA ...": the company's word, not a finding
        if _domestic(m.group()):
            continue
        taken.append((m.start(), m.end()))
        if group:
            rule = "group-total"
        elif others:
            rule = "others"
        elif not secured and not _violation(clause):
            rule += "-clean"  # checked and found in order
        out.append((start + m.start(1), start + m.end(), value, rule, secured))
    out.sort()
    return _drop_breakdown(text, out)


def _subcount(before: str) -> bool:
    """The count is part of a group already counted (``terdiri dari``, ``di antaranya``) ...
    unless that group is not one of foreigners: ``146 penumpang, di antaranya 38 WN Malaysia``
    counts the 38."""
    for _rid, rx in compiled(FOREIGNERS_FILE, "subcount_before"):
        m = None
        for m in rx.finditer(before):
            pass
        if m is None:
            continue
        head = before[:m.start()]
        if _count_rx().search(head) is None and _any("non_foreign", head) and _rid == "sub-of" \
                and not m.group().lower().startswith("dari"):
            continue
        return True
    return False


#: a count introduced by "di <place>" is a site's own figure, not part of a breakdown
_AT_PLACE = re.compile(r"\bdi\s+(?!sana\b|situ\b|sini\b|antara|antaranya)\w", re.IGNORECASE)


def _share_of_previous(text: str, prev: tuple[int, int, int, str, bool], cur: tuple[int, int, int, str, bool]) -> bool:
    """``cur`` reports a violation among the foreigners ``prev`` just counted as checked, at the
    same place: "memeriksa 26 TKA. Dua TKA asal Tiongkok ditemukan bekerja ... padahal ..."."""
    if not prev[3].endswith("-clean") or cur[3].endswith("-clean") or cur[3] in ("group-total", "others"):
        return False
    if not 0 < cur[2] < prev[2] or cur[0] - prev[1] > SHARE_REACH:
        return False
    return _AT_PLACE.search(text, prev[1], cur[0]) is None


def _drop_breakdown(text: str, out: list[tuple[int, int, int, str, bool]]) -> list[tuple[int, int, int, str, bool]]:
    """Counts that follow a count of the same clause and add up to it are its breakdown."""
    for i, head in enumerate(out):
        acc = 0
        for j in range(i + 1, len(out)):
            if _AT_PLACE.search(text, out[j - 1][1], out[j][0]):
                break
            acc += out[j][2]
            if acc == head[2] and j > i + 1:
                return out[:i + 1] + _drop_breakdown(text, out[j + 1:])
            if acc > head[2]:
                break
    return out


#: a count this close after a larger count of foreigners checked may be a share of them
SHARE_REACH = 160


def choose(counts: list[tuple[int, int, int, str, bool]], text: Optional[str] = None
           ) -> list[tuple[int, int, int, str, bool]]:
    """The counts to add up (see the module docstring); ``text``: the report, to tell a
    share of those just checked (``26 TKA diperiksa. Dua TKA ditemukan bekerja ...``)."""
    if not counts:
        return []
    # the same mention can sit in overlapping clauses: one per offset
    unique = sorted({c[0]: c for c in counts}.values())
    if text is not None:
        unique = [c for i, c in enumerate(unique) if not (i and _share_of_previous(text, unique[i - 1], c))]
    # "the other three" or "of those checked, two" of a larger group counted before are part of it
    unique = [c for i, c in enumerate(unique)
              if c[3] != "others" or not any(p[2] > c[2] for p in unique[:i])]
    first = unique[0]
    rest = unique[1:]
    if sum(1 for c in rest if c[2] > 0) >= 2 and first[2] == sum(c[2] for c in rest):
        return [first]  # "27 TKA" first, then each site's share of them
    if first[0] < LEDE_CHARS and first[4] and first[2] > 0 and all(c[2] <= first[2] for c in rest):
        # the lede's count of foreigners secured; later counts are its breakdown (all of them
        # when they add up to it), except foreigners only checked and found in order elsewhere
        if sum(c[2] for c in rest) == first[2]:
            return [first]
        return [first] + [c for c in rest if c[3].endswith("-clean")]
    # a total (a group total, or a lede's count of foreigners secured) stands for the whole
    # when the other counts add up to no more than it; otherwise it is one site's figure
    totals = [c for c in unique if c[2] > 0 and (c[3] == "group-total" or (
        c is first and c[0] < LEDE_CHARS and c[4]))]
    if totals:
        best = max(totals, key=lambda c: c[2])
        rest = [c for c in unique if c not in totals]
        if sum(c[2] for c in rest) <= best[2]:
            return [best]
        return rest
    return unique


class ForeignersComponent:
    """Sets ``doc.spans["foreigners"]``: counts to sum, label = the number as digits."""

    def __init__(self, nlp: Language, name: str = "timpora_foreigners"):
        self.name = name
        _count_rx(), _person_rx(), _zero_rx()
        warm(FOREIGNERS_FILE)

    def __call__(self, doc: Doc) -> Doc:
        spans = []
        text = doc_text(doc)
        if text.strip() and operation_context(doc, text) and "findings" in doc.spans:
            counts = []
            for finding in doc.spans["findings"]:
                counts.extend(counts_in(text, finding.start_char, finding.end_char))
            chosen = choose(counts, text)
            if chosen and all(c[2] == 0 for c in chosen) and self._uncounted(text, doc.spans["findings"]):
                chosen = []  # "none here" at one site, while foreigners were found elsewhere
            for start, end, value, rule, _secured in chosen:
                span = char_span(doc, start, end, label=str(value), rule=f"foreigners:{rule}")
                if span is not None:
                    spans.append(span)
        doc.spans[GROUP] = spans
        return doc


    @staticmethod
    def _uncounted(text: str, findings) -> bool:
        """Some finding reports foreigners by number that no count took (``Dua WN X kedapatan
        ...``): a zero elsewhere then says nothing about the total."""
        zero = _zero_rx()
        for f in findings:
            clause = text[f.start_char:f.end_char]
            if zero.search(clause):
                continue
            if _count_rx().search(clause):
                return True
        return False


@Language.factory("timpora_foreigners")
def make_foreigners(nlp: Language, name: str):
    return ForeignersComponent(nlp, name)
