"""The scanning shortcuts every component relies on find exactly what plain ``re``/``str.find`` find.

``Haystack.positions`` (one Aho-Corasick pass for all known literals), ``finditer`` (matches
tried only where a pattern's literal prefixes occur) and ``guard``/``may_match`` (scans
skipped when a required literal is absent) must never change a result, only its cost."""
from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extractors.common import Haystack, finditer, guard, may_search, prefixes


def _find_all(source: str, s: str) -> tuple[int, ...]:
    out, i = [], source.find(s)
    while i >= 0:
        out.append(i)
        i = source.find(s, i + 1)
    return tuple(out)


# words the components look for, pieces of them and overlapping ones ("anana" in "ananas")
LITERALS = ["rapat", "rap", "apa", "ana", "anana", "desa binaan", "jum", "Jum", "ke ", "İstanbul", "kota"]
ALPHABET = st.sampled_from(list("rapt desbinJumkoİıKS.\n,-") + ["rapat ", "desa binaan", "ananas", "Kota "])
TEXTS = st.lists(ALPHABET, max_size=60).map("".join)


@settings(max_examples=300, deadline=None)
@given(text=TEXTS, asked=st.lists(st.tuples(st.sampled_from(LITERALS), st.booleans()), min_size=1, max_size=8))
def test_positions_are_every_occurrence(text, asked):
    hay = Haystack(text)
    for s, ci in asked:
        assert hay.positions(s, ci) == _find_all(hay.low if ci else text, s), (s, ci)


@pytest.mark.parametrize("text, literal, expected", [
    ("rapat rapat", "rapat", (0, 6)),
    ("ananas", "ana", (0, 2)),                      # overlapping occurrences too
    ("Rapat TIMPORA", "rapat", ()),                 # case-sensitive in the text itself
    ("", "rapat", ()),
])
def test_positions_in_the_text(text, literal, expected):
    assert Haystack(text).positions(literal, False) == expected


def test_a_new_literal_is_found_before_and_after_it_joins_the_scan():
    word = "zqxliteral"       # asked for the first time: str.find, then registered
    assert Haystack(f"a {word} b {word}").positions(word, False) == (2, 15)
    assert Haystack(f"{word}{word}").positions(word, False) == (0, 10)
    assert Haystack("nothing here").positions(word, False) == ()


def test_lowered_haystack_shares_the_positions_of_the_lower_cased_text():
    hay = Haystack("Rapat TIMPORA di Kota Kupang")
    assert hay.lowered().positions("timpora", False) == hay.positions("timpora", True) == (6,)


PATTERNS = [
    r"\b(?:rapat|rakor|rakortek)\b",
    r"\bdesa\s+binaan\b",
    r"(?i)\bkota\s+\w+",
    r"\b(?:pembentukan|membe?n?tuk|bentuk)\s+(?:tim\b|timpora)",
    r"(?<!di )\bkota\b",
    r"ana(?=s)",
    # a literal start that mixes case-sensitive and case-insensitive parts
    r"Kantor (?i:imigrasi)",
    r"(?i:kantor) Imigrasi",
    r"(?i)(?-i:Kantor) imigrasi",
]
TEXT_PIECES = st.sampled_from(["rapat ", "rakortek ", "Rapat ", "desa  binaan ", "Desa Binaan ", "kota Kupang ",
                               "KOTA Kupang ", "di kota ", "membentuk tim ", "bentuk timpora ", "ananas ",
                               "Kantor Imigrasi ", "kantor imigrasi ", "KANTOR IMIGRASI ", "Kantor imigrasi ",
                               "İ", "ı", "é", " ", ".", "\n"])


@settings(max_examples=300, deadline=None)
@given(pattern=st.sampled_from(PATTERNS), pieces=st.lists(TEXT_PIECES, max_size=25))
def test_finditer_finds_what_re_finds(pattern, pieces):
    rx = re.compile(pattern)
    text = "".join(pieces)
    expected = [(m.start(), m.end()) for m in rx.finditer(text)]
    assert [(m.start(), m.end()) for m in finditer(rx, Haystack(text))] == expected


@settings(max_examples=300, deadline=None)
@given(pattern=st.sampled_from(PATTERNS), pieces=st.lists(TEXT_PIECES, max_size=25))
def test_guards_only_skip_texts_without_a_match(pattern, pieces):
    rx = re.compile(pattern)
    text = "".join(pieces)
    if rx.search(text) is not None:
        assert Haystack(text).may_match(guard(rx))
        assert may_search(guard(rx), text)


@pytest.mark.parametrize("pattern, expected", [
    (r"\b(?:rapat|rakor)\b", {("rapat", False), ("rakor", False)}),
    (r"\bdesa\s+binaan", {("desa", False)}),
    (r"(?i)\bkota\b", {("kota", True)}),
])
def test_prefixes_of_a_pattern(pattern, expected):
    assert set(prefixes(re.compile(pattern))) == expected


@pytest.mark.parametrize("pattern, text", [
    (r"Kantor (?i:imigrasi)", "di Kantor Imigrasi Kupang"),
    (r"(?i:kantor) Imigrasi", "di KANTOR Imigrasi Kupang"),
    (r"(?i)(?-i:Kantor) imigrasi", "di Kantor IMIGRASI Kupang"),
])
def test_prefixes_mixing_case_rules_still_find_the_match(pattern, text):
    rx = re.compile(pattern)
    assert [m.span() for m in finditer(rx, Haystack(text))] == [m.span() for m in rx.finditer(text)] != []

