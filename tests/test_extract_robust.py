"""The full extraction pipeline never raises, whatever the text."""
from __future__ import annotations

import json

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
