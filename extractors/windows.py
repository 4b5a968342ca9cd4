"""Cheaper equivalents of regex searches in short windows before a mention (places, office).

A context rule's ``before`` pattern is searched in a window of 70–160 characters before
every mention. ``re`` tries such a pattern at every position of the window, and patterns
that start with look-behinds or with a case-insensitive alternation (``(?<!lanjut )\\b(?:di|
bertempat di|...)``, ``(?i:imigrasi|kanim|...)``) get no help from its literal-prefix scan:
that costs several microseconds per mention and rule.

``anchors(rx)`` derives from the compiled pattern the literal texts every match starts with
(zero-width items such as ``\\b`` and look-arounds consume nothing and are skipped);
``search_from`` then answers "does ``rx.search(text, lo, hi)`` find a match?" by trying
``rx.match`` only where one of them occurs in ``text[lo:hi]``.
Both derive from the pattern, never from the text, so they can only skip positions where
no match can start.

``tails(rx)`` does the same for a pattern anchored at the end (``...\\s+$``: every match
ends where the window does): the window, its trailing blanks left out, ends with one of a
few literals (``str.endswith`` with a tuple: one call per window).

``any_of(patterns)`` joins patterns into one alternation: a string none of them matches
(the common case) is then read once instead of once per pattern.
"""
from __future__ import annotations

import re
from typing import Iterable, Iterator, Optional

try:    # the parser of the ``re`` module (Python >= 3.11); without it nothing is derived
    from re import _constants as _sre_c, _parser as _sre_p
except ImportError:  # pragma: no cover
    _sre_c = _sre_p = None

from extractors.common import finditer_at, parsed

#: more anchors than this cost more ``str.find`` calls than the regex scan they replace
MAX_ANCHORS = 24
_ZERO_WIDTH = (_sre_c.AT, _sre_c.ASSERT, _sre_c.ASSERT_NOT) if _sre_c is not None else ()


def _leads(items, ci: bool) -> tuple[set, bool]:
    """(set of (literal, case-insensitive?), whole?): every match of the sequence ``items``
    consumes a text that starts with one of the literals (lower-cased where case-insensitive),
    ``whole`` when it is exactly one of them. ``{("", False)}`` when nothing is known."""
    out = {("", False)}
    for op, av in items:
        if op in _ZERO_WIDTH:
            continue                # \b, ^, $, look-arounds: zero width, nothing consumed
        if op is _sre_c.LITERAL and av < 128:
            c = chr(av)
            out = {((p.lower() if ci else p) + (c.lower() if ci or pci else c), pci or ci) for p, pci in out}
            continue
        if op is _sre_c.SUBPATTERN:
            _, add, rm, sub = av
            subs, whole = _leads(sub, (ci or bool(add & re.IGNORECASE)) and not rm & re.IGNORECASE)
        elif op is _sre_c.BRANCH:
            alts = [_leads(seq, ci) for seq in av[1]]
            subs = set().union(*(a[0] for a in alts))
            whole = all(a[1] for a in alts)
        else:
            return out, False
        if any(s == "" for s, _ in subs) or len(out) * len(subs) > MAX_ANCHORS:
            return out, False       # what is known so far still holds for every match
        # a case-insensitive part makes the whole literal one to look up in the lower-cased text
        out = {((p.lower() if sci else p) + (s.lower() if pci else s), pci or sci)
               for p, pci in out for s, sci in subs}
        if not whole:
            return out, False
    return out, True


_ANCHORS: dict = {}


def anchors(rx: "re.Pattern") -> Optional[tuple[tuple[str, bool], ...]]:
    """The literals (lower-cased where case-insensitive: to be found in the lower-cased text)
    one of which every match of ``rx`` starts with, or None when unknown or a single character."""
    key = (rx.pattern, rx.flags)
    if key in _ANCHORS:
        return _ANCHORS[key]
    found = None
    if _sre_p is not None and isinstance(rx.pattern, str) and not rx.flags & (re.LOCALE | re.VERBOSE):
        try:
            lits, _ = _leads(parsed(rx.pattern, rx.flags & ~re.UNICODE).data, bool(rx.flags & re.IGNORECASE))
        except Exception:
            lits = set()
        if lits and min(len(s) for s, _ in lits) >= 2:
            # an occurrence of a literal that starts with another one is one of the other's
            kept: list[tuple[str, bool]] = []
            for s, ci in sorted(lits, key=lambda x: (len(x[0]), x)):
                if not any((kci and s.lower().startswith(k)) or (not kci and not ci and s.startswith(k))
                           for k, kci in kept):
                    kept.append((s, ci))
            found = tuple(kept)
    _ANCHORS[key] = found
    return found


def search_from(rx: "re.Pattern", where: str, lits, lo: int, hi: int, text: Optional[str] = None) -> bool:
    """Whether ``rx.search(text, lo, hi)`` finds a match starting with one of ``lits`` (from
    ``anchors(rx)``) as found in ``where``: the text, or (``text`` given) its lower-cased copy
    for the case-insensitive ones, position for position (no character ``re`` equates with an
    ASCII letter: ``Haystack.exotic``).

    A match found by ``search`` starts at some position p in [lo, hi] and is the one
    ``rx.match(text, p, hi)`` finds (look-behinds read before ``lo`` in both); it consumes one
    of the anchors at p, inside ``text[lo:hi]``: trying ``match`` where ``str.find`` sees one
    of them finds a match exactly when ``search`` does."""
    if text is None:
        text = where
    match = rx.match
    for lit in lits:
        p = where.find(lit, lo, hi)
        while p >= 0:
            if match(text, p, hi) is not None:
                return True
            p = where.find(lit, p + 1, hi)
    return False


def finditer_from(rx: "re.Pattern", hay) -> Iterator["re.Match"]:
    """The matches of ``rx.finditer(hay.text)`` (``hay``: the text's ``Haystack``), tried only
    where one of ``anchors(rx)`` lies (for patterns whose literal prefixes are too short for
    ``extractors.common.finditer``, such as ``\\bIm(?:i)?grasi``)."""
    found = finditer_at(rx, hay, anchors(rx))
    return rx.finditer(hay.text) if found is None else found


# ---------------------------------------------------------------------- end-anchored patterns
#
# ``tails`` reads the pattern backwards from its final ``$``. A state is (text, case-insensitive?,
# mode): mode WS while only blanks have been read (they are what ``rstrip`` removes), OPEN while
# the text read is exactly what the match ends with, CLOSED when it is only known to end so.

_WS, _OPEN, _CLOSED = 0, 1, 2
_MAX_TAILS = 48


def _blank_item(op, av) -> bool:
    """Whether the item consumes blanks only (``\\s``, ``[ \\t]``, a space)."""
    if op is _sre_c.LITERAL:
        return chr(av).isspace()
    if op is _sre_c.IN:
        return bool(av) and all((o is _sre_c.LITERAL and chr(a).isspace()) or
                                (o is _sre_c.CATEGORY and a is _sre_c.CATEGORY_SPACE) for o, a in av)
    if op in (_sre_c.MAX_REPEAT, _sre_c.MIN_REPEAT, _sre_c.POSSESSIVE_REPEAT):
        return len(av[2]) == 1 and _blank_item(*av[2][0])
    if op is _sre_c.SUBPATTERN:
        return len(av[3]) == 1 and _blank_item(*av[3][0])
    return False


def _chars(av) -> Optional[list[str]]:
    """The ASCII characters of a small positive class (``[Tt]``, ``[a-z]``), else None."""
    out: list[str] = []
    for o, a in av:
        if o is _sre_c.LITERAL and a < 128:
            out.append(chr(a))
        elif o is _sre_c.RANGE and a[1] < 128 and a[1] - a[0] < 64:
            out.extend(map(chr, range(a[0], a[1] + 1)))
        else:
            return None
    return out if len(out) <= 64 else None


def _close(states: set) -> set:
    return {(t, tci, _CLOSED if m == _OPEN else m) for t, tci, m in states}


def _back(items, ci: bool, states: set) -> Optional[set]:
    """The states after reading ``items`` backwards from ``states``; None: nothing known."""
    for op, av in reversed(items):
        if op in _ZERO_WIDTH:
            continue
        if all(m == _CLOSED for _, _, m in states):
            return states               # nothing more can be learnt
        if sum(m == _OPEN for _, _, m in states) > _MAX_TAILS // 4:
            states = _close(states)     # enough: what is known so far holds
        # what holds when the item is not understood: the exactly known texts end there
        fallback = None if any(m == _WS for _, _, m in states) else _close(states)
        if op is _sre_c.LITERAL and av < 128:
            chars = [chr(av)]
        elif op is _sre_c.IN and not _blank_item(op, av):
            chars = _chars(av)
            if chars is None:
                return fallback
        elif _blank_item(op, av):
            # blanks (other than one literal blank): skipped while only blanks were read,
            # the end of the exactly known text otherwise
            states = _close(states)
            continue
        else:
            chars = None
        if chars is not None:
            out = set()
            for t, tci, m in states:
                if m == _CLOSED or (m == _WS and len(chars) == 1 and chars[0].isspace()):
                    out.add((t, tci, m))    # a literal blank at the end: stripped like the others
                    continue
                for c in chars:
                    cci = ci or tci
                    out.add(((c.lower() if cci else c) + (t.lower() if ci and not tci else t), cci, _OPEN))
        elif op is _sre_c.SUBPATTERN:
            _, add, rm, sub = av
            out = _back(sub, (ci or bool(add & re.IGNORECASE)) and not rm & re.IGNORECASE, states)
        elif op is _sre_c.BRANCH:
            out = set()
            for seq in av[1]:
                got = _back(seq, ci, states)
                if got is None:
                    out = None
                    break
                out |= got
        elif op in (_sre_c.MAX_REPEAT, _sre_c.MIN_REPEAT, _sre_c.POSSESSIVE_REPEAT):
            lo, hi, sub = av
            out = _back(sub, ci, states)
            if out is not None:
                if hi != 1:     # more repetitions may come before the last one
                    out = _close(out)
                out = (states | out) if lo == 0 else out
        else:
            return fallback
        if out is None or len(out) > _MAX_TAILS:
            return fallback
        states = out
    return states


_TAILS: dict = {}


def tails(rx: "re.Pattern") -> Optional[tuple[tuple[str, bool], ...]]:
    """(literal, case-insensitive?) pairs for a pattern that ends with ``$`` (or ``\\Z``): the
    text a match ends with, its trailing blanks left out, ends with one of the literals (lower-
    cased where case-insensitive). None when unknown."""
    key = (rx.pattern, rx.flags)
    if key in _TAILS:
        return _TAILS[key]
    found = None
    if _sre_p is not None and isinstance(rx.pattern, str) and not rx.flags & (re.LOCALE | re.VERBOSE | re.MULTILINE):
        try:
            items = parsed(rx.pattern, rx.flags & ~re.UNICODE).data
            if items and items[-1][0] is _sre_c.AT and items[-1][1] in (_sre_c.AT_END, _sre_c.AT_END_STRING):
                states = _back(items, bool(rx.flags & re.IGNORECASE), {("", False, _WS)})
                if states and all(t for t, _, _ in states):
                    # a text that ends with another one adds nothing
                    kept: list[tuple[str, bool]] = []
                    for t, tci in sorted({(t, tci) for t, tci, _ in states}, key=lambda x: (len(x[0]), x)):
                        if not any((kci and t.lower().endswith(k)) or (not kci and not tci and t.endswith(k))
                                   for k, kci in kept):
                            kept.append((t, tci))
                    found = tuple(kept)
        except Exception:
            found = None
    _TAILS[key] = found
    return found


def any_of(patterns: Iterable["re.Pattern"]) -> Optional["re.Pattern"]:
    """One pattern that matches a string when any of ``patterns`` does (same flags, no groups,
    no inline global flags: then the alternation means exactly "one of them"), else None."""
    patterns = list(dict.fromkeys(patterns))
    if not patterns or _sre_p is None or len({p.flags for p in patterns}) != 1:
        return None
    for p in patterns:
        try:
            state = parsed(p.pattern, p.flags & ~re.UNICODE).state
        except Exception:
            return None
        if state.groups != 1 or (state.flags & ~re.UNICODE) != (p.flags & ~re.UNICODE):
            return None
    try:
        return re.compile("|".join("(?:%s)" % p.pattern for p in patterns), patterns[0].flags)
    except re.error:
        return None
