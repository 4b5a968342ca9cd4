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

import threading
from datetime import date
from functools import lru_cache
from typing import Optional

import ahocorasick
from spacy.tokens import Doc, Span

FLAGS_KEY = "timpora.flags"
PUBLISHED_KEY = "timpora.published"
#: ``doc.text`` cached once per doc (spaCy rebuilds it from the tokens on every access)
TEXT_KEY = "timpora.text"
_TEXT_TOKENS = "timpora.text.tokens"


def doc_text(doc: Doc) -> str:
    """``doc.text``, read once per doc and cached in ``doc.user_data``.

    spaCy joins the tokens anew on every ``doc.text`` access, which costs about as much
    as the rest of a component's work: every component reads the text through this.
    The cache is checked against the doc's length, so a retokenised doc is read again.
    """
    data = doc.user_data
    text = data.get(TEXT_KEY)
    n = len(doc)
    if data.get(_TEXT_TOKENS) != n or not isinstance(text, str):
        expected = doc[-1].idx + len(doc[-1].text_with_ws) if n else 0
        if not isinstance(text, str) or len(text) != expected:
            text = doc.text
            data[TEXT_KEY] = text
        data[_TEXT_TOKENS] = n          # checked against the doc's length once per token count
    # the doc's haystack becomes the one ``haystack(text)`` gives for this text
    hay = data.get(HAYSTACK_KEY)
    if hay is None or hay.text is not text:
        hay = data[HAYSTACK_KEY] = Haystack(text)
    _CURRENT[0] = hay
    return text


HAYSTACK_KEY = "timpora.haystack"


def doc_haystack(doc: Doc) -> "Haystack":
    """The ``Haystack`` of ``doc_text(doc)``, kept in ``doc.user_data``: the components
    that read one doc share its lower-cased text, the answers of its guards and the
    positions of literals, however the docs are interleaved (``haystack(text)`` gives it
    too for that text, until another doc is read)."""
    doc_text(doc)  # reading the text builds the haystack
    return doc.user_data[HAYSTACK_KEY]


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
    span = doc.char_span(start, end, label=label, kb_id=kb_id, alignment_mode="expand", span_id=rule or 0)
    if span is None or len(span) == 0:
        return None
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


# ---------------------------------------------------------------------- keyword guards
#
# A pattern scanned over a whole report costs about the same whatever it looks for (``re``
# tries it at every position); most cue patterns cannot match most reports. ``guard(rx)``
# derives from the compiled pattern the literal words any match must contain (one of the
# alternatives of a branch, the longest such word of a sequence), and ``Haystack`` answers
# "can it match here?" with plain substring tests. The guard is derived, never written by
# hand, so it can only skip a scan that would find nothing.

import re as _re

try:    # the parser of the ``re`` module (Python >= 3.11); without it nothing is guarded
    from re import _constants as _sre_c, _parser as _sre_p
except ImportError:  # pragma: no cover
    _sre_c = _sre_p = None

@lru_cache(maxsize=None)
def parsed(pattern: str, flags: int):
    """``re``'s parse tree of a pattern, parsed once: the guards, prefixes, anchors and gates
    derived from one pattern all read it (they never change it). ``flags`` without UNICODE."""
    return _sre_p.parse(pattern, flags)


_MIN_GUARD = 3          # a guard shorter than this saves too little to be worth checking
_MAX_ALTERNATIVES = 24  # a branch with more alternatives than this is not used as a guard
#: characters outside ASCII that IGNORECASE equates with an ASCII letter (``İ``, ``ı``,
#: ``ſ``, the Kelvin sign): a text with one of them is always scanned in full
_EXOTIC = "".join(sorted(set(_re.findall(r"(?i)[a-z]", "".join(map(chr, range(0x80, 0x10000)))))))


def _best(cands):
    cands = [c for c in cands if c and len(c) <= _MAX_ALTERNATIVES]
    if not cands:
        return None
    return max(cands, key=lambda c: (min(len(s) for s, _ in c), -len(c)))


def _required(items, ci: bool, behind: bool = True):
    """frozenset of (literal, case-insensitive?) of which any match contains one, or None;
    ``behind=False`` leaves out what look-behinds read (it may lie before the search window)."""
    cands = []
    run: list[str] = []

    def flush():
        if run:
            cands.append(frozenset({("".join(run), ci)}))
            run.clear()

    for op, av in items:
        if op is _sre_c.LITERAL and av < 128:
            run.append(chr(av).lower() if ci else chr(av))
            continue
        flush()
        if op is _sre_c.SUBPATTERN:
            _, add, rm, sub = av
            sub_ci = (ci or bool(add & _re.IGNORECASE)) and not rm & _re.IGNORECASE
            cands.append(_required(sub, sub_ci, behind))
        elif op is _sre_c.ATOMIC_GROUP:
            cands.append(_required(av, ci, behind))
        elif op is _sre_c.BRANCH:
            alts = [_required(seq, ci, behind) for seq in av[1]]
            if alts and all(a is not None for a in alts):
                cands.append(frozenset().union(*alts))
        elif op in (_sre_c.MAX_REPEAT, _sre_c.MIN_REPEAT, _sre_c.POSSESSIVE_REPEAT):
            lo, _, sub = av
            if lo >= 1:
                cands.append(_required(sub, ci, behind))
        elif op is _sre_c.ASSERT and (behind or av[0] >= 0):   # a positive look-around reads text too
            cands.append(_required(av[1], ci, behind))
    flush()
    return _best(cands)


def may_search(found: Optional[frozenset], s: str, low: Optional[str] = None) -> bool:
    """False only when ``rx.search(s)`` cannot match, ``found = guard(rx)``: for short
    strings of their own (the words before a mention); ``low`` = ``s.lower()`` if known."""
    if found is None:
        return True
    if not s.isascii() and any(c in s for c in _EXOTIC):
        return True
    for lit, ci in found:
        if ci:
            if low is None:
                low = s.lower()
            if lit in low:
                return True
        elif lit in s:
            return True
    return False


@lru_cache(maxsize=None)
def guard(rx: "_re.Pattern", window: bool = False) -> Optional[frozenset]:
    """The literals one of which every match of ``rx`` contains (see ``Haystack``), or None.

    ``window=True``: only literals inside the match or its look-aheads, for
    ``Haystack.may_match_in`` (a look-behind may read before the searched window)."""
    if _sre_p is None or not isinstance(rx.pattern, str) or rx.flags & (_re.LOCALE | _re.VERBOSE):
        return None
    try:
        found = _required(parsed(rx.pattern, rx.flags & ~_re.UNICODE), bool(rx.flags & _re.IGNORECASE),
                          behind=not window)
    except Exception:
        return None
    if found is None or min(len(s) for s, _ in found) < _MIN_GUARD:
        return None
    # a literal that contains another one (of the same case rule) is found only where that
    # one is: "anggotanya" adds nothing to "anggota"
    return frozenset(f for f in found if not any(o[1] == f[1] and o[0] != f[0] and o[0] in f[0] for o in found))


class Haystack:
    """A text with its lower-cased copy, for ``may_match`` checks of guards."""

    __slots__ = ("text", "_low", "exotic", "_seen", "_pos", "_pos_low", "_lowered", "memo")

    def __init__(self, text: str) -> None:
        self.text = text
        self._low: Optional[str] = None
        self._seen: dict = {}          # guard -> may_match answer
        self._pos: dict = {}           # literal -> its positions in the text
        self._pos_low: dict = {}       # literal -> its positions in the lower-cased text
        self._lowered: Optional[Haystack] = None
        self.memo: dict = {}           # per-text results components share (keyed by their own names)
        self.exotic = not text.isascii() and any(c in text for c in _EXOTIC)

    @property
    def low(self) -> str:
        if self._low is None:
            self._low = self.text.lower()
        return self._low

    def lowered(self) -> "Haystack":
        """The haystack of ``low`` (for patterns written for lower-cased text): its positions in
        the text are those found here in the lower-cased text, and the other way round."""
        if self._lowered is None:
            self._lowered = Haystack(self.low)
            self._lowered._pos = self._pos_low
        return self._lowered

    def positions(self, s: str, ci: bool) -> tuple[int, ...]:
        """Every start of ``s`` in the text (in the lower-cased text when ``ci``), overlapping ones too."""
        cache = self._pos_low if ci else self._pos
        found = cache.get(s)
        if found is not None:
            return found
        covered = cache.get(_SCANNED)
        if covered is None:               # the first literal asked of this text: find them all
            covered = _LITERALS.scan(self.low if ci else self.text, cache)
            found = cache.get(s)
            if found is not None:
                return found
        if s in covered:
            found = ()                    # the scan looked for it and did not find it
        else:
            _LITERALS.add(s)              # found with the others in one pass from the next text on
            source = self.low if ci else self.text
            out = []
            i = source.find(s)
            while i >= 0:
                out.append(i)
                i = source.find(s, i + 1)
            found = tuple(out)
        cache[s] = found
        return found

    def remember(self, key: str, make):
        """``make(self.text)``, computed once per text and kept in ``memo`` under ``key``
        (components that run one after the other on a batch of docs share it)."""
        found = self.memo.get(key)
        if found is None:
            found = self.memo[key] = make(self.text)
        return found

    def may_match(self, found: Optional[frozenset]) -> bool:
        """False only when no match of the guarded pattern can exist in the text."""
        if found is None or self.exotic:
            return True
        seen = self._seen.get(found)
        if seen is None:
            seen = False
            for s, ci in found:       # a loop, not any(...): no generator per guard
                if self.positions(s, ci):
                    seen = True
                    break
            self._seen[found] = seen
        return seen

    def may_scan(self, rx: "_re.Pattern") -> bool:
        """Whether ``finditer(rx, self)`` is worth calling: True for a pattern with literal
        prefixes (``finditer`` looks for those itself), else ``may_match(guard(rx))``."""
        return prefixes(rx) is not None or self.may_match(guard(rx))

    def may_match_in(self, found: Optional[frozenset], start: int, end: int) -> bool:
        """Like ``may_match`` for ``rx.search(text, start, end)``, ``found = guard(rx, window=True)``."""
        if found is None or self.exotic:
            return True
        for s, ci in found:
            if ci:
                low = self.low
                if len(low) != len(self.text) or low.find(s, start, end) >= 0:
                    return True
            elif self.text.find(s, start, end) >= 0:
                return True
        return False


#: ``Haystack.positions`` keeps under this key the literals its one-pass scan looked for
_SCANNED = object()


class _LiteralScanner:
    """Every literal ``Haystack.positions`` has been asked for, found in a text in one pass.

    The components ask a text for the positions of about 300 literals (the prefixes of their
    patterns, the words of their guards); one ``str.find`` loop per literal reads the text
    300 times. An Aho-Corasick automaton over all of them (``pyahocorasick``, in C) finds
    every occurrence of every literal, overlapping ones too, in one reading: the same
    positions, about a tenth of the time. A literal seen for the first time is found with
    ``str.find`` and joins the automaton, which is rebuilt before the next text's scan."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._known: set[str] = set()
        self._built: tuple = (None, frozenset())      # (automaton, the literals it holds)

    def add(self, s: str) -> None:
        if s and s not in self._known:
            with self._lock:
                self._known.add(s)

    def _current(self) -> tuple:
        built = self._built
        if len(built[1]) != len(self._known):
            with self._lock:
                built = self._built
                if len(built[1]) != len(self._known):
                    automaton = ahocorasick.Automaton()
                    for s in self._known:
                        automaton.add_word(s, s)
                    automaton.make_automaton()
                    built = self._built = (automaton, frozenset(self._known))
        return built

    def scan(self, source: str, cache: dict) -> frozenset:
        """Put the positions of every known literal found in ``source`` into ``cache`` and
        return the literals looked for (those not in ``cache`` are not in ``source``)."""
        automaton, covered = self._current()
        if automaton is not None and covered:
            hits: dict[str, list[int]] = {}
            for end, s in automaton.iter(source):
                at = hits.get(s)
                if at is None:
                    hits[s] = [end - len(s) + 1]
                else:
                    at.append(end - len(s) + 1)
            for s, at in hits.items():
                cache.setdefault(s, tuple(at))
        cache[_SCANNED] = covered
        return covered


_LITERALS = _LiteralScanner()


#: the haystack ``doc_haystack`` gave last (a one-element list: read and replaced whole)
_CURRENT: list = [None]


def haystack(text: str) -> Haystack:
    """The ``Haystack`` of a text, shared by the components that read the same doc."""
    hay = _CURRENT[0]
    if hay is not None and hay.text is text:
        return hay
    return _haystack(text)


@lru_cache(maxsize=4)
def _haystack(text: str) -> Haystack:
    return Haystack(text)


# ---------------------------------------------------------------------- anchored scans
#
# ``rx.finditer(text)`` tries the pattern at every position of the text. When every match
# of a pattern starts with one of a few literals (``\b(?:rapat|rakor|pertemuan)\s+di``), the
# same matches are found by trying ``rx.match`` only where one of them occurs (``str.find``
# is much faster than the regex engine's scan): ``finditer(rx, hay)`` below.

_MAX_PREFIXES = 64
_ZERO_WIDTH_LEADS = (_sre_c.AT, _sre_c.ASSERT_NOT) if _sre_c is not None else ()


def _prefixes(items, ci: bool, lead: bool = True):
    """(set of (prefix, any char case-insensitive?), whole sequence literal?) of a sequence."""
    out = {("", False)}
    for op, av in items:
        if lead and out == {("", False)} and (op in _ZERO_WIDTH_LEADS or (op is _sre_c.ASSERT and av[0] < 0)):
            continue      # \b, ^, look-behinds before the first character: the match starts after them
        lead = False
        if op is _sre_c.LITERAL and av < 128:
            c = chr(av)
            # a literal looked up in the lower-cased text is lower-cased whole
            out = {((p.lower() if ci else p) + (c.lower() if ci or pci else c), pci or ci) for p, pci in out}
            continue
        if op is _sre_c.SUBPATTERN:
            _, add, rm, sub = av
            subs, whole = _prefixes(sub, (ci or bool(add & _re.IGNORECASE)) and not rm & _re.IGNORECASE, False)
        elif op is _sre_c.BRANCH:
            alts = [_prefixes(seq, ci, False) for seq in av[1]]
            subs = set().union(*(a[0] for a in alts)) if alts else set()
            whole = all(a[1] for a in alts)
        else:
            return out, False
        if not subs or any(s == "" for s, _ in subs) or len(out) * len(subs) > _MAX_PREFIXES:
            return out, False
        out = {((p.lower() if sci else p) + (s.lower() if pci else s), pci or sci) for p, pci in out for s, sci in subs}
        if not whole:
            return out, False
    return out, True


@lru_cache(maxsize=None)
def prefixes(rx: "_re.Pattern") -> Optional[tuple[tuple[str, bool], ...]]:
    """The literals every match of ``rx`` starts with (lower-cased where case-insensitive), or
    None when they are unknown or too short to help."""
    if _sre_p is None or not isinstance(rx.pattern, str) or rx.flags & (_re.LOCALE | _re.VERBOSE):
        return None
    try:
        found, _ = _prefixes(parsed(rx.pattern, rx.flags & ~_re.UNICODE).data,
                             bool(rx.flags & _re.IGNORECASE))
    except Exception:
        return None
    if not found or min(len(s) for s, _ in found) < 3:
        return None
    # a prefix that starts with another one adds nothing
    kept = sorted(found, key=lambda f: len(f[0]))
    out: list[tuple[str, bool]] = []
    for s, ci in kept:
        if not any(s.startswith(k) and (kci or not ci) for k, kci in out):
            out.append((s, ci))
    return tuple(out)


def search(rx: "_re.Pattern", hay: "Haystack"):
    """``rx.search(hay.text)``, found like ``finditer``."""
    return next(finditer(rx, hay), None)


def finditer(rx: "_re.Pattern", hay: "Haystack"):
    """The matches of ``rx.finditer(hay.text)``, found from the pattern's literal prefixes."""
    found = finditer_at(rx, hay, prefixes(rx))
    return rx.finditer(hay.text) if found is None else found


def finditer_at(rx: "_re.Pattern", hay: "Haystack", starts):
    """The matches of ``rx.finditer(hay.text)`` when every match starts with one of the literals
    ``starts`` ((literal, case-insensitive?) pairs, lower-cased where case-insensitive):
    ``rx.match`` tried where they occur, in order. ``finditer`` tries every position from the
    end of the last match on, and a match can only start at one of them, so the matches are
    the same. None when ``starts`` is None or positions in the lower-cased text cannot be
    trusted (a character whose case folding is unusual, a lower-casing that changes lengths)."""
    text = hay.text
    if starts is None or hay.exotic or (len(hay.low) != len(text) and any(ci for _, ci in starts)):
        return None
    if len(starts) == 1:
        at = hay.positions(*starts[0])
    else:
        positions = hay.positions
        hits = [p for p in [positions(s, ci) for s, ci in starts] if p]
        at = hits[0] if len(hits) == 1 else sorted(set().union(*hits)) if hits else ()
    return _matches_at(rx.match, text, at) if at else iter(())


def _matches_at(match, text: str, positions):
    """The non-overlapping matches ``match(text, pos)`` finds at the sorted ``positions``."""
    last_end = -1
    for pos in positions:
        if pos < last_end:
            continue
        m = match(text, pos)
        if m is not None:
            last_end = m.end()
            yield m
