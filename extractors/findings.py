"""Findings: the clauses that report what an operation found or did.

The text is cut into sentences and each sentence into clauses (sentence punctuation,
semicolons, quotation marks, ``, namun`` / ``, sehingga`` ...). A clause is a finding when
one of the ``cue`` patterns of ``data/findings.jsonl`` matches it (foreigners found or
checked, permits valid or not, violations or their absence, actions taken) and no
``block`` pattern does (conditions, purposes, wishes, quoted statistics, the past).
Adjacent finding clauses of one sentence are merged into one span, so that a span is
close to what a person would quote. Nothing is produced when the text has no
``operation`` cue (a meeting's background statistics are not findings).

The sentence / clause helpers here are shared with the sites, foreigners and violations
components.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Iterator, Optional

import ahocorasick
from spacy.language import Language
from spacy.tokens import Doc

from extractors.common import (_EXOTIC, _MIN_GUARD, _required, _sre_c, _sre_p, parsed, char_span, doc_text, finditer, guard,
                               haystack)
from extractors.data import load_jsonl, load_tsv

GROUP = "findings"
FINDINGS_FILE = "findings.jsonl"
FOREIGNERS_FILE = "foreigners.jsonl"
NUMBERS_FILE = "lang/numbers.tsv"
#: lines shorter than this without final punctuation are headlines / captions
HEADLINE_MAX = 160
#: a merged run of finding clauses longer than this (words) is cut at its commas
LONG_RUN = 40
#: never look at more than this many characters (a 1 MB text stays cheap)
MAX_CHARS = 200_000


# --------------------------------------------------------------------------- data

def _rows(name: str, kind: str) -> list[dict]:
    return [r for r in load_jsonl(name) if r.get("type") == kind]


@lru_cache(maxsize=1)
def numbers() -> dict[str, Optional[int]]:
    """Indonesian number words -> value (``None`` for vague words such as ``puluhan``)."""
    out: dict[str, Optional[int]] = {}
    for row in load_tsv(NUMBERS_FILE):
        value = row["value"].strip()
        out[row["word"].strip().lower()] = int(value) if value else None
    return out


@lru_cache(maxsize=1)
def num_pattern() -> str:
    """Regex source for a count: digits or number words (``dua puluh tiga``, ``seorang``)."""
    words = sorted((w for w, v in numbers().items() if v is not None), key=len, reverse=True)
    alt = "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in words)
    # "5 (lima)": a number followed by its spelling in brackets is one count
    return (rf"\b(?:\d{{1,4}}(?![.,]?\d)(?:\s*\((?:{alt})(?:\s+(?:{alt}))?\)|\b)"
            rf"|(?:{alt})(?:\s+(?:{alt}))?\b)")


def parse_number(text: str) -> Optional[int]:
    """``"12"`` -> 12, ``"dua puluh tiga"`` -> 23, ``"seorang"`` -> 1; None when not a number."""
    text = re.sub(r"\s+", " ", (text or "").strip().lower())
    if "(" in text:  # "5 (lima)": the digits before the spelling
        text = text[:text.index("(")].strip()
    if not text:
        return None
    if text.isdigit():
        return int(text)
    table = numbers()
    if text in table:
        return table[text]
    # compose "dua puluh" + "tiga", "seratus" + "dua belas"
    for cut in range(len(text) - 1, 0, -1):
        if text[cut] != " ":
            continue
        head, tail = table.get(text[:cut]), parse_number(text[cut + 1:])
        if head is not None and tail is not None and head >= 10 and head % 10 == 0 and tail < head:
            return head + tail
    return None


@lru_cache(maxsize=1)
def unit_pattern() -> str:
    return "(?:" + "|".join(f"(?:{flexible_spaces(r['pattern'])})"
                            for r in _rows(FOREIGNERS_FILE, "unit")) + ")"


def flexible_spaces(pattern: str) -> str:
    """A literal space in a data pattern (outside ``[...]``) matches any run of whitespace."""
    out, in_class, escaped = [], False, False
    for ch in pattern:
        if escaped:
            out.append(ch)
            escaped = False
        elif ch == "\\":
            out.append(ch)
            escaped = True
        elif ch == "[":
            in_class = True
            out.append(ch)
        elif ch == "]":
            in_class = False
            out.append(ch)
        elif ch == " " and not in_class:
            out.append(r"\s+")
        else:
            out.append(ch)
    return "".join(out)


def expand(pattern: str) -> str:
    pattern = pattern.replace("{NUM}", num_pattern()).replace("{UNIT}", unit_pattern())
    return flexible_spaces(pattern)


@lru_cache(maxsize=None)
def compiled(name: str, kind: str) -> tuple[tuple[str, re.Pattern], ...]:
    """The ``kind`` patterns of a data file, compiled (case-insensitive), with their ids."""
    return tuple((r["id"], re.compile(expand(r["pattern"]), 0 if r.get("case") else re.IGNORECASE))
                 for r in _rows(name, kind))


@lru_cache(maxsize=None)
def combined(name: str, kind: str) -> tuple[Optional[re.Pattern], tuple[str, ...]]:
    """All ``kind`` patterns of a file as one alternation (one scan instead of one per pattern)."""
    rows = _rows(name, kind)
    if not rows:
        return None, ()
    parts = []
    for n, r in enumerate(rows):
        flags = "" if r.get("case") else "(?i:"
        body = expand(r["pattern"])
        parts.append(f"(?P<g{n}>{flags}{body}{')' if flags else ''})")
    return re.compile("|".join(parts)), tuple(r["id"] for r in rows)


def _top_alternatives(pattern: str) -> list[str]:
    """The top-level alternatives of a regex source (``a|b(?:c|d)`` -> ``a``, ``b(?:c|d)``)."""
    out, cur, depth, i, n = [], [], 0, 0, len(pattern)
    while i < n:
        ch = pattern[i]
        if ch == "\\":
            cur.append(pattern[i:i + 2])
            i += 2
            continue
        if ch == "[":  # a class: up to its closing bracket (a leading "]" or "^]" is literal)
            j = i + 1
            if j < n and pattern[j] == "^":
                j += 1
            if j < n and pattern[j] == "]":
                j += 1
            while j < n and pattern[j] != "]":
                j += 2 if pattern[j] == "\\" else 1
            cur.append(pattern[i:j + 1])
            i = j + 1
            continue
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "|" and depth == 0:
            out.append("".join(cur))
            cur = []
            i += 1
            continue
        cur.append(ch)
        i += 1
    out.append("".join(cur))
    return out


class _Alternatives:
    """The ``kind`` patterns of a data file split into their top-level alternatives, each
    compiled alone with the literals one of which any of its matches contains
    (``common.guard``). The leftmost match of the one-alternation regex (``combined``) is
    the leftmost of the alternatives' own leftmost matches, the first alternative winning
    a tie; an alternative whose literals are absent from a text cannot match it and is not
    tried, so a clause costs a few substring tests instead of a scan by every pattern."""

    __slots__ = ("ids", "alts", "always", "ci_lits", "cs_lits", "needs")

    def __init__(self, name: str, kind: str, window: bool = False) -> None:
        rows = _rows(name, kind)
        self.ids = tuple(r["id"] for r in rows)
        alts: list[tuple[int, re.Pattern]] = []
        always: list[int] = []
        ci: dict[str, list[int]] = {}
        cs: dict[str, list[int]] = {}
        needs: dict[int, tuple[tuple[tuple[str, bool], ...], ...]] = {}
        for n, r in enumerate(rows):
            flags = 0 if r.get("case") else re.IGNORECASE
            for body in _top_alternatives(expand(r["pattern"])):
                rx = re.compile(body, flags)
                k = len(alts)
                alts.append((n, rx))
                found = guard(rx, window) or _punct_guard(rx, window)
                if found is None:
                    always.append(k)
                    continue
                for lit, lit_ci in found:
                    (ci if lit_ci else cs).setdefault(lit, []).append(k)
                # (a set holding all of ``found`` adds nothing: ``found`` is checked first)
                more = tuple(tuple(g) for g in _part_guards(rx, window) if not found <= g)
                if more:
                    needs[k] = more
        self.alts = tuple(alts)
        self.needs = needs
        self.always = tuple(always)
        self.ci_lits = _literal_finder(ci)
        self.cs_lits = _literal_finder(cs)

    def candidates(self, text: str, low: Optional[str] = None):
        """Indexes of the alternatives that may match ``text``, in order."""
        if not text.isascii() and any(c in text for c in _EXOTIC):
            return range(len(self.alts))
        if low is None:
            low = text.lower()
        active = set(self.always)
        for finder, source in ((self.ci_lits, low), (self.cs_lits, text)):
            if finder is not None:
                for _, ks in finder.iter(source):
                    active.update(ks)
        needs = self.needs
        if not needs:
            return sorted(active)
        return [k for k in sorted(active) if k not in needs or _has_all(needs[k], text, low)]

    def may_match(self, text: str, low: Optional[str] = None) -> bool:
        """False only when no alternative can match ``text`` (``window=True``: or a window of
        a longer text searched with ``pos`` / ``endpos``, cut out as ``text``)."""
        return bool(self.always) or bool(self.candidates(text, low))

    def first(self, text: str, low: Optional[str] = None) -> Optional[tuple[str, re.Match]]:
        best = None
        best_n = 0
        alts = self.alts
        for k in self.candidates(text, low):
            n, rx = alts[k]
            m = rx.search(text)
            if m is not None and (best is None or m.start() < best.start()):
                best, best_n = m, n
                if m.start() == 0:
                    break  # no later alternative can start further left
        if best is None:
            return None
        return self.ids[best_n], best


def _part_guards(rx: re.Pattern, window: bool = False) -> list[frozenset]:
    """Literal sets of which every match of ``rx`` contains one each: ``common.guard`` keeps
    the best of them only (``{NUM} {UNIT} ... (diperiksa|didata|kami|tim|petugas)`` is guarded
    by its last words alone), this gives one per part of its top-level sequence (a run of
    literal characters is one part), as ``common._required`` derives it for that part alone.
    Every match of a sequence matches each of its parts in turn, so a text lacking all of one
    set's literals cannot match: ``candidates`` then leaves the alternative out."""
    if _sre_p is None or rx.flags & (re.LOCALE | re.VERBOSE):
        return []
    try:
        items = list(parsed(rx.pattern, rx.flags & ~re.UNICODE))
    except Exception:
        return []
    parts, run = [], []
    for item in items:
        if item[0] is _sre_c.LITERAL and item[1] < 128:
            run.append(item)
            continue
        if run:
            parts.append(run)
            run = []
        parts.append([item])
    if run:
        parts.append(run)
    out = []
    for part in parts:
        found = _required(part, bool(rx.flags & re.IGNORECASE), not window)
        if found is not None and min(len(s) for s, _ in found) >= _MIN_GUARD and found not in out:
            out.append(found)
    return out


def _has_all(groups, text: str, low: str) -> bool:
    """Whether ``text`` (``low`` lower-cased) holds a literal of each of ``groups``."""
    for group in groups:
        for lit, ci in group:
            if lit in (low if ci else text):
                break
        else:
            return False
    return True


def _literal_finder(lits: dict[str, list[int]]):
    """An Aho-Corasick automaton finding every literal of ``lits`` in a text in one pass
    (overlapping and nested ones too); its value for a literal is the tuple of alternatives
    that literal guards. None without literals."""
    if not lits:
        return None
    automaton = ahocorasick.Automaton()
    for lit, ks in lits.items():
        automaton.add_word(lit, tuple(ks))
    automaton.make_automaton()
    return automaton


@lru_cache(maxsize=None)
def alternatives(name: str, kind: str, window: bool = False) -> _Alternatives:
    return _Alternatives(name, kind, window)


def _punct_guard(rx: re.Pattern, window: bool = False) -> Optional[frozenset]:
    """Like ``common.guard`` for a pattern without literal words: the punctuation marks one
    of which any match contains (``\\s*[;"]\\s*``), as case-sensitive literals; or None.
    Punctuation has no case, so IGNORECASE cannot match it with another character."""
    if _sre_p is None:
        return None
    try:
        items = parsed(rx.pattern, rx.flags & ~re.UNICODE)
    except Exception:
        return None
    chars = _punct_chars(items)
    return frozenset((c, False) for c in chars) if chars else None


def _punct_chars(items) -> Optional[frozenset]:
    for op, av in items:
        if op is _sre_c.LITERAL:
            c = chr(av)
            if unicodedata.category(c).startswith("P"):
                return frozenset(c)
        elif op is _sre_c.IN:
            cs = [chr(v) for o, v in av if o is _sre_c.LITERAL]
            if len(cs) == len(av) and cs and all(unicodedata.category(c).startswith("P") for c in cs):
                return frozenset(cs)
        elif op in (_sre_c.MAX_REPEAT, _sre_c.MIN_REPEAT, _sre_c.POSSESSIVE_REPEAT) and av[0] >= 1:
            found = _punct_chars(av[2])
            if found:
                return found
        elif op is _sre_c.SUBPATTERN:
            found = _punct_chars(av[3])
            if found:
                return found
        elif op is _sre_c.BRANCH:
            alts = [_punct_chars(a) for a in av[1]]
            if alts and all(alts):
                return frozenset().union(*alts)
    return None


def warm(name: str) -> None:
    """Build the compiled forms of every pattern type of data file ``name`` now (at pipeline
    build), not on the first report that needs them."""
    for kind in {r.get("type") for r in load_jsonl(name) if "pattern" in r} - {None}:
        compiled(name, kind)
        alternatives(name, kind)     # (``combined`` forms are built by the few that use them)


def first_match(name: str, kind: str, text: str, low: Optional[str] = None) -> Optional[tuple[str, re.Match]]:
    """(pattern id, match) of the leftmost match of any ``kind`` pattern, or None: the same
    as ``combined(name, kind)[0].search(text)``; ``low``: ``text.lower()`` if at hand."""
    return alternatives(name, kind).first(text, low)


# ---------------------------------------------------------------------- sentences

@lru_cache(maxsize=1)
def _abbrevs() -> frozenset[str]:
    words: set[str] = set()
    for row in _rows(FINDINGS_FILE, "abbrev"):
        words.update(w.lower() for w in row.get("words", []))
    return frozenset(words)


#: ``[.!?]+["”’)]*(?=\s+["“‘(]?[A-Z0-9])|\n+`` written to open with a character class, which
#: lets ``re`` skip to the candidate characters instead of trying both branches everywhere
_END = re.compile(r"[.!?\n](?:(?<=[.!?])[.!?]*[\"”’)]*(?=\s+[\"“‘(]?[A-Z0-9])|(?<=\n)\n*)")
_WORD_BEFORE = re.compile(r"([\w.]+)[.!?]*$")


def sentences(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) character offsets of the sentences of ``text`` (lines always split)."""
    text = text[:MAX_CHARS]
    start = 0
    for m in _END.finditer(text):
        if m.group().startswith("."):
            prev = _WORD_BEFORE.search(text, max(start, m.start() - 30), m.start() + 1)
            word = prev.group(1).rstrip(".").lower() if prev else ""
            if word in _abbrevs() or (len(word) == 1 and word.isalpha()):
                continue
        end = m.end() if not m.group().startswith("\n") else m.start()
        while start < end and text[start].isspace():
            start += 1
        if end > start:
            yield start, end
        start = m.end()
    while start < len(text) and text[start].isspace():
        start += 1
    if start < len(text):
        yield start, len(text)


def sentence_list(text: str) -> tuple[tuple[int, int], ...]:
    """``sentences(text)`` as a tuple, kept with the text's haystack: the findings and sites
    components share it."""
    return haystack(text).remember("findings.sentences", lambda t: tuple(sentences(t)))


def is_headline(text: str) -> bool:
    """A short title-case line without final punctuation (a title, a caption, a by-line)."""
    stripped = text.strip()
    if len(stripped) >= HEADLINE_MAX:
        return False
    # (``stripped`` ends in no whitespace: ``\s*$`` is its end)
    if stripped.endswith(("...", "…")):
        return True
    if stripped.endswith((".", "!", "?", '"', "”")):
        return False
    if len(stripped.split()) < 6:
        return True
    words = [w for w in re.findall(r"[^\W\d_]+", stripped) if len(w) > 3]
    return bool(words) and sum(w[0].isupper() for w in words) >= 0.7 * len(words)


@lru_cache(maxsize=1)
def _split_rx() -> re.Pattern:
    return re.compile("|".join(f"(?:{expand(r['pattern'])})" for r in _rows(FINDINGS_FILE, "split")),
                      re.IGNORECASE)


def clauses(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Clause offsets inside the sentence ``text[start:end]``."""
    if not alternatives(FINDINGS_FILE, "split", True).may_match(text[start:end]):
        return [(start, end)] if start < end and text[start:end].strip(" ,.") else []
    out, pos = [], start
    for m in _split_rx().finditer(text, start, end):
        if m.start() > pos:
            out.append((pos, m.start()))
        pos = max(pos, m.end())
    if pos < end:
        out.append((pos, end))
    return [(s, e) for s, e in out if text[s:e].strip(" ,.")]


def has_operation(text: str) -> bool:
    """True when some clause reports an operation (not only plans one)."""
    text = text[:MAX_CHARS]
    hay = haystack(text)
    for _rid, rx in compiled(FINDINGS_FILE, "operation"):
        if not hay.may_scan(rx):
            continue
        for m in finditer(rx, hay):
            left = max(text.rfind(".", 0, m.start()), text.rfind(",", 0, m.start()),
                       text.rfind("\n", 0, m.start()))
            right_candidates = [i for i in (text.find(".", m.end()), text.find(",", m.end()),
                                            text.find("\n", m.end())) if i >= 0]
            right = min(right_candidates) if right_candidates else len(text)
            if not first_match(FINDINGS_FILE, "operation_block", text[left + 1:right]):
                return True
    return False


def operation_context(doc: Doc, text: Optional[str] = None) -> bool:
    """Cached per doc: whether the report describes an operation at all: a clause reports
    one, or the report as a whole reads as an operation (``extractors.kind``)."""
    key = "timpora.has_operation"
    if key not in doc.user_data:
        from extractors.kind import classify_doc

        text = doc_text(doc) if text is None else text
        doc.user_data[key] = classify_doc(doc, text)[0] in ("operation", "mixed") or has_operation(text)
    return bool(doc.user_data[key])


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Drop leading discourse words (``Hasilnya,`` ``... mengatakan bahwa``) and edge punctuation."""
    while start < end and text[start].isspace():
        start += 1
    for _ in range(3):
        seg = text[start:end]
        hit = first_match(FINDINGS_FILE, "lead", seg)
        if not hit or hit[1].end() >= len(seg.rstrip()) - 3:
            break
        # keep the cue: only trim when the rest still holds a finding cue
        rest = seg[hit[1].end():]
        if not first_match(FINDINGS_FILE, "cue", rest):
            break
        start += hit[1].end()
    while start < end and text[start] in " ,.:;\"“”'‘’-–(\n\t":
        start += 1
    while end > start and text[end - 1] in " ,.:;\"“”'‘’-–\n\t":
        end -= 1
    return start, end


def _blocked(clause: str) -> bool:
    """A condition, a wish, a plan, statistics ...: no finding, whatever its cue."""
    return bool(first_match(FINDINGS_FILE, "block", clause) or first_match(FINDINGS_FILE, "statistics", clause))


def _split_long(text: str, start: int, end: int, rule: str) -> list[tuple[int, int, str]]:
    """A run longer than ``LONG_RUN`` words is cut at its commas into its finding pieces."""
    if len(text[start:end].split()) <= LONG_RUN:
        return [(start, end, rule)]
    out, pos = [], start
    for m in list(re.finditer(r",\s+", text[start:end])) + [None]:
        stop = start + m.start() if m else end
        cue = first_match(FINDINGS_FILE, "cue", text[pos:stop])
        if cue and not _blocked(text[pos:stop]):
            out.append((pos, stop, cue[0]))
        if m:
            pos = start + m.end()
    return out or [(start, end, rule)]


#: clauses joined by a semicolon or by a contrast / consequence (``, namun``, ``, sehingga``)
#: report separate findings, even when both are findings
_CONTRAST = re.compile(r"(?:sehingga|namun|tetapi|sedangkan|padahal)\b", re.IGNORECASE)


def _separate(text: str, prev_end: int, start: int) -> bool:
    gap = text[prev_end:start]
    return ";" in gap or ("," in gap and _CONTRAST.match(text, start) is not None)


def finding_clauses(text: str) -> list[tuple[int, int, str]]:
    """(start, end, rule id) of the finding clauses of ``text`` (no operation check)."""
    out: list[tuple[int, int, str]] = []
    statistics = False          # the sentence before gave statistics
    for s_start, s_end in sentence_list(text[:MAX_CHARS]):
        sentence = text[s_start:s_end]
        if is_headline(sentence):
            continue
        run: Optional[list] = None
        share = statistics      # its first clause may be a share of them ("Dua di antaranya ...")
        statistics = False
        for c_start, c_end in clauses(text, s_start, s_end):
            clause = text[c_start:c_end]
            if run is not None and _separate(text, run[1], c_start):
                out.append((run[0], run[1], run[2]))
                run = None
            cue = first_match(FINDINGS_FILE, "cue", clause)
            if share and first_match(FINDINGS_FILE, "statistics_share", clause):
                statistics = True
                cue = None
            elif first_match(FINDINGS_FILE, "statistics", clause):
                statistics = True
                cue = None
            share = False
            if cue and not first_match(FINDINGS_FILE, "block", clause):
                if run is None:
                    run = [c_start, c_end, cue[0]]
                else:
                    run[1] = c_end
                continue
            if run is not None:
                out.append((run[0], run[1], run[2]))
                run = None
        if run is not None:
            out.append((run[0], run[1], run[2]))
    pieces: list[tuple[int, int, str]] = []
    for start, end, rule in out:
        pieces.extend(_split_long(text, start, end, rule))
    trimmed = []
    for start, end, rule in pieces:
        start, end = _trim(text, start, end)
        if end > start:
            trimmed.append((start, end, rule))
    return trimmed


# ---------------------------------------------------------------------- component

class FindingsComponent:
    """Sets ``doc.spans["findings"]``: finding clauses as written, label = the clause."""

    def __init__(self, nlp: Language, name: str = "timpora_findings"):
        self.name = name
        warm(FINDINGS_FILE)
        alternatives(FINDINGS_FILE, "split", True)

    def __call__(self, doc: Doc) -> Doc:
        spans = []
        text = doc_text(doc)
        if text.strip() and operation_context(doc, text):
            venue = [(s.start_char, s.end_char) for s in doc.spans.get("venue", [])] \
                if "venue" in doc.spans else []
            for start, end, rule in finding_clauses(text):
                span = char_span(doc, start, end, rule=f"findings:{rule}")
                if span is None or any(vs <= start < ve for vs, ve in venue):
                    continue
                span.label_ = text[start:end]
                spans.append(span)
        doc.spans[GROUP] = spans
        return doc


@Language.factory("timpora_findings")
def make_findings(nlp: Language, name: str):
    return FindingsComponent(nlp, name)
