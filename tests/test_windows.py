"""The shortcuts of ``extractors.windows`` answer exactly what the regex searches they replace do."""
from __future__ import annotations

import random
import re

import pytest

from extractors.common import Haystack
from extractors.windows import any_of, anchors, finditer_from, search_from, tails

TEXT = ("Rapat TIMPORA di Aula Kantor Imigrasi Kelas I TPI Kupang, dilaksanakan di\nKabupaten Kupang. "
        "Baca juga: tim ke wilayah Kota Kupang ; warga asal Rote dari  Kab. Alor (NTT):  "
        "Bupati Kupang dan Pemkab Alor, ruang rapat di Hotel Aston, dihadiri perwakilan.")
#: characters ``re`` equates with ASCII letters when ignoring case: such texts are searched in full
EXOTIC = " ſ K İ ı "

PATTERNS = [
    r"\bfoo\s+$", r"ab?c$", r"(?:x|y)+ $", r"a\s*:?\s*$", r"(?i:tim)\s*pora$", r"[a-z]+\s$",
    r"(?<!lanjut )\b(?:di|bertempat di)\s+(?:(?i:aula|ruang)\s+)?(?i:kantor\s+)?(?i:imigrasi|kanim)\s*$",
    r"\b(?:asal|(?<!terdiri )dari|warga)\s+$", r"(?i)\bkab\.?\s*$", r"\b(?:[Tt]im|petugas)\b[^.,;]{0,30}\bke\s+$",
    r"(?:,|\bserta|\bdan)\s*$", r"\b(?:Bupati|Pemkab|Wali ?[Kk]ota)\s+$", r"(?i)(?:hadir|dihadiri|perwakilan)",
    r"\bIm(?:i)?grasi(?=\s+(?:Kelas|TPI)\b)", r"(?i)\bdi\s+(?=Aula|Hotel|Ruang)",
]


def _windows(text, n=400, seed=1):
    rnd = random.Random(seed)
    for _ in range(n):
        hi = rnd.randrange(len(text) + 1)
        yield max(0, hi - rnd.randrange(0, 120)), hi


@pytest.mark.parametrize("pattern", PATTERNS)
def test_shortcuts_agree_with_search(pattern):
    rx = re.compile(pattern)
    starts, ends = anchors(rx), tails(rx)
    for text in (TEXT, TEXT.lower(), TEXT.upper(), TEXT.replace(" ", "\n"), TEXT + EXOTIC):
        low = text.lower()
        usable = len(low) == len(text) and not any(c in text for c in EXOTIC.strip())
        for lo, hi in _windows(text):
            truth = rx.search(text, lo, hi) is not None
            if starts is not None and usable:
                cs = tuple(s for s, ci in starts if not ci)
                ci = tuple(s for s, ci in starts if ci)
                assert (search_from(rx, text, cs, lo, hi) or search_from(rx, low, ci, lo, hi, text)) == truth
            if ends is not None and usable and truth:
                stripped = len(text[:hi].rstrip())
                assert text.endswith(tuple(t for t, ci in ends if not ci), lo, stripped) or \
                    low.endswith(tuple(t for t, ci in ends if ci), lo, stripped)


@pytest.mark.parametrize("pattern", PATTERNS)
def test_finditer_from_agrees_with_finditer(pattern):
    rx = re.compile(pattern)
    for text in (TEXT, TEXT.lower(), TEXT * 3, EXOTIC + TEXT.upper()):
        assert [m.span() for m in finditer_from(rx, Haystack(text))] == [m.span() for m in rx.finditer(text)]


def test_any_of_matches_where_one_does():
    rxs = [re.compile(p) for p in (r"\bsetelah\b", r"\b(?:juara|terbaik)\b", r"akan (?:digelar|dilakukan)")]
    one = any_of(rxs)
    for lo, hi in _windows(TEXT + " setelah juara akan digelar"):
        s = (TEXT + " setelah juara akan digelar")[lo:hi]
        assert (one.search(s) is not None) == any(r.search(s) for r in rxs)
    assert any_of([re.compile(r"(a)\1"), re.compile("b")]) is None        # groups: not joined
    assert any_of([re.compile("a", re.I), re.compile("b")]) is None       # different flags


def test_anchors_and_tails_of_examples():
    assert set(anchors(re.compile(r"(?<!x )\b(?:di|bertempat di)\s+"))) == {("di", False), ("bertempat di", False)}
    assert anchors(re.compile(r"[A-Z][a-z]+")) is None
    assert set(tails(re.compile(r"\b(?:Bupati|Wali ?[Kk]ota)\s+$"))) == {("Bupati", False), ("Kota", False),
                                                                       ("kota", False)}
    assert tails(re.compile(r"\bfoo\s+")) is None      # not anchored at the end
