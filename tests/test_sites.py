"""sites: the places an operation inspected, as written after a visit cue."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extractors import build_nlp


@pytest.fixture(scope="module")
def nlp():
    return build_nlp(["timpora_sites", "timpora_findings", "timpora_foreigners", "timpora_violations"])


def sites(nlp, text):
    doc = nlp(text)
    return [s.label_ for s in doc.spans["sites"]]


@pytest.mark.parametrize("text,expected", [
    ("Tim operasi gabungan mendatangi PT Sumber Makmur Abadi di Kecamatan Ciruas.", ["PT Sumber Makmur Abadi"]),
    ("Operasi tersebut menyasar PT. Bintang Samudra yang terletak di kawasan pelabuhan.", ["PT. Bintang Samudra"]),
    ("Petugas melakukan sidak ke Hotel Melati Indah, Selasa (4/6).", ["Hotel Melati Indah"]),
    ("Operasi gabungan digelar di Pelabuhan Tenau pada pagi hari.", ["Pelabuhan Tenau"]),
    ("Usai apel, tim operasi langsung menuju ke Apartemen Green Bay Pluit.", ["Apartemen Green Bay Pluit"]),
    ("Lokasi pertama yang dikunjungi yakni Villa Puri Sari di Ubud.", ["Villa Puri Sari di Ubud"]),
    ("Dalam operasi itu, petugas menyisir Pantai Kuta, Pantai Legian dan Pantai Seminyak.",
     ["Pantai Kuta", "Pantai Legian", "Pantai Seminyak"]),
])
def test_named_sites_after_a_cue(nlp, text, expected):
    assert sites(nlp, text) == expected


def test_generic_sites_listed_after_a_vague_plural(nlp):
    text = "Dalam operasi itu petugas menyisir sejumlah lokasi, seperti tempat hiburan, rumah kos, hingga penginapan."
    assert sites(nlp, text) == ["tempat hiburan", "rumah kos", "penginapan"]


def test_vague_plural_alone_is_not_a_site(nlp):
    assert sites(nlp, "Tim operasi mendatangi beberapa perusahaan yang mempekerjakan TKA.") == []


def test_target_list_in_the_next_sentence(nlp):
    text = ("Ada dua perusahaan yang menjadi sasaran operasi gabungan. Yakni PT Cahaya Timur dan "
            "PT Karya Baru Sentosa.")
    assert sites(nlp, text) == ["PT Cahaya Timur", "PT Karya Baru Sentosa"]


def test_same_site_mentioned_twice_is_one_site(nlp):
    text = ("Operasi menyasar PT Hutan Lestari Jaya. Setelah itu tim kembali mendatangi PT Hutan Lestari "
            "untuk pemeriksaan dokumen.")
    assert sites(nlp, text) == ["PT Hutan Lestari Jaya"]


@pytest.mark.parametrize("text", [
    # a region is a place, not a site
    "Tim Pengawasan Orang Asing menggelar operasi gabungan di Kota Kupang.",
    "Operasi gabungan dilaksanakan di Kabupaten Mamasa selama dua hari.",
    # the team's own office
    "Sebelum operasi, tim berkumpul lalu menuju Kantor Imigrasi Kelas I Kupang.",
])
def test_not_sites(nlp, text):
    assert sites(nlp, text) == []


def test_meeting_without_operation_has_no_sites(nlp):
    text = ("Rapat Tim Pengawasan Orang Asing digelar di Hotel Santika. Peserta rapat juga membahas "
            "keberadaan TKA di PT Semen Indonesia.")
    assert sites(nlp, text) == []


def test_kota_named_resort_qualified_by_its_region_is_a_site(nlp):
    text = "Petugas melakukan sidak di Kota Bunga, Kabupaten Cianjur dan Puncak, Kabupaten Bogor."
    assert sites(nlp, text) == ["Kota Bunga", "Puncak"]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=300))
def test_never_raises(nlp, text):
    doc = nlp("Operasi menyasar " + text)
    assert all(s.label_ for s in doc.spans["sites"])
