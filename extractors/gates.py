"""Which of a set of cue patterns can match in a short string, told in one pass.

The agencies and dates components test a dozen cue patterns against the few hundred
characters before each mention or date. Each ``re.search`` tries its pattern at every
position of that window, and nearly all of them find nothing. Every pattern here needs
one of a few literal words to match (``guard`` in ``common``: a word every match contains;
else the words every match starts with), so a window that holds none of a pattern's words
cannot match it. ``LiteralGate`` finds all the words of all the patterns in a window with
one Aho-Corasick pass (``pyahocorasick``, in C) and answers with a bit mask of the patterns
that may match; the caller runs ``re.search`` for those only, in its usual order, so the
results are those of searching every pattern.

Only case-sensitive patterns are gated (the cues run on lower-cased windows, written in
lower case): case-insensitive matching could find a word under another spelling
(``İ``, the Kelvin sign), so such a pattern is never skipped. A pattern whose words cannot
be derived is never skipped either.
"""
from __future__ import annotations

import re
from typing import Iterable, Optional

import ahocorasick

from extractors.common import _EXOTIC, _prefixes, guard, parsed

try:    # the parser of the ``re`` module (Python >= 3.11); without it nothing is gated
    from re import _constants as _sre_c, _parser as _sre_p
except ImportError:  # pragma: no cover
    _sre_c = _sre_p = None

#: a word shorter than this is found almost everywhere: not worth gating on
MIN_WORD = 2
MAX_WORDS = 64


def words(rx: re.Pattern) -> Optional[frozenset[str]]:
    """Literal words one of which every match of ``rx`` contains, or None when unknown.

    ``common.guard`` first (a word inside the match, a look-around included); failing that
    the literal starts of every match (``\\b(?:sk|surat|...)``: a match starts with one)."""
    if _sre_p is None or not isinstance(rx.pattern, str) or rx.flags & re.IGNORECASE:
        return None
    found = guard(rx)
    if found is not None:
        if any(ci for _, ci in found):
            return None
        return frozenset(s for s, _ in found)
    try:
        starts, _ = _prefixes(parsed(rx.pattern, rx.flags & ~re.UNICODE).data, False)
    except Exception:
        return None
    if not starts or any(ci for _, ci in starts) or len(starts) > MAX_WORDS \
            or min(len(w) for w, _ in starts) < MIN_WORD:
        return None
    return frozenset(w for w, _ in starts)


class LiteralGate:
    """The patterns of a list that may match in a string, as a bit mask (bit ``i`` for
    ``patterns[i]``); patterns without known words always have their bit set."""

    def __init__(self, patterns: Iterable[re.Pattern]) -> None:
        self.always = 0
        by_word: dict[str, int] = {}
        for i, rx in enumerate(patterns):
            found = words(rx)
            if found is None:
                self.always |= 1 << i
                continue
            for w in found:
                by_word[w] = by_word.get(w, 0) | 1 << i
        self._automaton = None
        if by_word:
            automaton = ahocorasick.Automaton()
            for w, bits in by_word.items():
                automaton.add_word(w, (len(w), bits))
            automaton.make_automaton()
            self._automaton = automaton

    def scan(self, s: str, tail_from: int = 0) -> tuple[int, int]:
        """(mask of the patterns that may match in ``s``, mask of those that may match in
        ``s[tail_from:]``). Overlapping words are all found."""
        anywhere = tail = self.always
        if self._automaton is not None:
            for end, (n, bits) in self._automaton.iter(s):
                anywhere |= bits
                if end - n + 1 >= tail_from:
                    tail |= bits
        return anywhere, tail


# ---------------------------------------------------------------------- caseless searches
#
# ``re`` is slow with IGNORECASE alternations of words (it cannot skip an alternative by its
# first letter). A pattern written in ASCII lower case finds the same matches at the same
# offsets case-sensitively in the lower-cased string, as long as the string has none of the
# few characters IGNORECASE equates with an ASCII letter (``İ``, ``ı``, ``ſ``, the Kelvin
# sign): every other character either has no case, or lowers to the letter IGNORECASE
# compares it with, one character for one.

#: non-ASCII characters that ``(?i)[a-z]`` matches
EXOTIC = frozenset(_EXOTIC)


class Caseless:
    """``rx.search`` / ``rx.match`` for a case-insensitive ``rx``, run case-sensitively on
    the lower-cased string when that finds the same (see above)."""

    __slots__ = ("rx", "twin")

    def __init__(self, rx: re.Pattern) -> None:
        self.rx = rx
        p = rx.pattern
        # the twin needs a pattern that lower-casing leaves as it is (ASCII, no upper-case
        # letter, so no escape such as \S either) and no part that turns IGNORECASE off
        same = (isinstance(p, str) and p.isascii() and p == p.lower() and "(?-" not in p
                and rx.flags & re.IGNORECASE)
        self.twin = re.compile(p, rx.flags & ~re.IGNORECASE) if same else None

    def _plain(self, s: str) -> bool:
        return self.twin is not None and (s.isascii() or EXOTIC.isdisjoint(s))

    def search(self, s: str):
        """A match (offsets as in ``s``; truth and spans only: its string may be lowered)."""
        if self._plain(s):
            return self.twin.search(s.lower())
        return self.rx.search(s)

    def match(self, s: str):
        if self._plain(s):
            return self.twin.match(s.lower())
        return self.rx.match(s)
