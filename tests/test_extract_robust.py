"""The full extraction pipeline never raises, whatever the text."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from models.record import FIELDS, KINDS
from pipeline.extract import extract


def _valid(rec) -> None:
    data = rec.to_json()
    json.dumps(data)
    assert data["kind"] in KINDS
    assert set(FIELDS) <= set(data)
    for spans in rec.evidence.values():
        for ev in spans:
            assert 0 <= ev.start < ev.end


def test_empty_text():
    rec = extract("", doc_id="empty")
    assert rec.kind == "other" and rec.date is None and rec.agencies == []


def test_whitespace_only():
    _valid(extract(" \n\n\t ", doc_id="ws"))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=400))
def test_random_unicode_never_raises(text):
    _valid(extract(text, doc_id="r", published="2024-01-31"))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from([
    "Rapat", "TIMPORA", "Kantor Imigrasi Kelas I TPI", "Kupang", "Selasa", "(7/3/2023)", "31/2",
    "pukul", "99.99", "WIB", "dipimpin oleh", "bapak", "Polres", "Kabupaten", "s.d.", "hingga",
    "ditemukan", "dua belas", "WNA", "PT.", "di", ",", ".", "\n\n", "Muko-Muko", "Kodim 0423",
    "TNI/Polri", "Forkopimda", "Kamis kemarin", "30 Februari 2023", "0/0/0", "Desa", "Kecamatan",
]), max_size=80), st.none() | st.dates().map(lambda d: d.isoformat()))
def test_report_like_noise_never_raises(words, published):
    _valid(extract(" ".join(words), doc_id="n", published=published))


def test_one_megabyte_text():
    para = ("Kantor Imigrasi Kelas I TPI Kupang menggelar rapat TIMPORA di Aula Hotel Sasando pada "
            "Selasa (7/3/2023) pukul 09.00 WITA, dipimpin oleh Asisten I Kabupaten Kupang. ")
    text = (para * (1_000_000 // len(para) + 1))[:1_000_000]
    _valid(extract(text, doc_id="big"))


_SAMPLES = sorted((Path(__file__).resolve().parents[1] / "samples").glob("*.txt"))
#: characters that case-fold oddly, blanks that are no ASCII space, typographic marks, line separators
_ODD = "ſKİı×\u00a0\u200b\u2028\u3000\x0b\x0c\r\té’“”—–()/.,-0123456789"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(_SAMPLES),
       st.lists(st.tuples(st.floats(0, 1), st.sampled_from(_ODD), st.booleans()), max_size=60),
       st.sampled_from([str, str.upper, str.lower, str.swapcase]))
def test_real_reports_with_odd_characters_never_raise(path, edits, case):
    text = list(case(path.read_text(encoding="utf-8")))
    for where, char, over_a_space in edits:
        at = int(where * len(text))
        if over_a_space:        # an odd blank (or mark) where the writer typed a space
            at = next((i for i in range(at, len(text)) if text[i] == " "), None)
            if at is not None:
                text[at] = char
        else:
            text.insert(at, char)
    _valid(extract("".join(text), doc_id="odd", published="2024-06-01"))


@pytest.mark.parametrize("blank", ["\u00a0", "\u3000", "\x0b", "\x0c", "\u2028", "\u200b"])
@pytest.mark.parametrize("path", _SAMPLES, ids=lambda p: p.stem)
def test_real_reports_with_other_blanks_for_spaces(path, blank):
    # text pasted from a PDF or a word processor: no-break spaces and other blanks for every space
    _valid(extract(path.read_text(encoding="utf-8").replace(" ", blank), doc_id="blanks", published="2024-06-01"))
