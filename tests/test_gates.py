"""extractors.gates: a gate never hides a pattern that matches, a caseless search finds what
the IGNORECASE pattern finds."""
import re

import pytest

from extractors import data, gazetteer
from extractors.gates import Caseless, LiteralGate, words

PATTERNS = [re.compile(r["regex"]) for r in data.load_jsonl(gazetteer.PATTERNS) if r.get("kind") == "context"]
WINDOWS = [
    "surat keputusan yang dikeluarkan oleh ", "kegiatan ini diikuti oleh ", "sk ", "no. ",
    "wilayah kerja ", "wilkernya ", "di lingkungan ", "harus melibatkan ", "menurut dia bahwa ",
    "rapat di aula kantor ", "dititipkan sementara di ", "mengimbau kepada seluruh ",
    "diserahkan ke pihak ", "seperti ", "“kata ” ", "i̇mi̇grasi ", "", "x" * 300,
]


@pytest.mark.parametrize("window", WINDOWS)
def test_gate_never_hides_a_match(window):
    gate = LiteralGate(PATTERNS)
    for tail_from in (0, len(window) // 2):
        anywhere, tail = gate.scan(window, tail_from)
        for i, rx in enumerate(PATTERNS):
            if rx.search(window):
                assert anywhere >> i & 1, (rx.pattern, window)
            if rx.search(window[tail_from:]):
                assert tail >> i & 1, (rx.pattern, window)


def test_words_only_for_case_sensitive_patterns():
    assert words(re.compile(r"\b(?:surat|sk)\s*$")) == frozenset({"surat", "sk"})
    assert words(re.compile(r"\b(?:surat|sk)\s*$", re.I)) is None
    assert words(re.compile(r"\b(?:a|surat)")) is None       # a one-letter word gates nothing


@pytest.mark.parametrize("s", ["Kantor Imigrasi", "KANTOR", "İmigrasi", "ımigrasi", "\u212aantor",
                               "ſeksi", "“Jenderal” ", "Ditjen   ", "uu", "UU\n", "Ü uu"])
def test_caseless_finds_what_ignorecase_finds(s):
    rx = re.compile(r"(?:jenderal|kantor|seksi|imigrasi|ditjen|uu)\s*$", re.I)
    fast = Caseless(rx)
    assert fast.twin is not None
    assert bool(fast.search(s)) == bool(rx.search(s))
    if rx.search(s):
        assert fast.search(s).span() == rx.search(s).span()
