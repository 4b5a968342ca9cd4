"""Venue: where the meeting took place, as written, room to building."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extractors.venue import candidates


def venue_of(text):
    found = candidates(text)
    if not found:
        return None
    return found[0].label or text[found[0].start:found[0].end]


@pytest.mark.parametrize("text,venue", [
    ("Rapat TIMPORA digelar pada Senin (4/3), bertempat di Aula Hotel Kristal Kupang, dan dihadiri 30 peserta.",
     "Aula Hotel Kristal Kupang"),
    ("Kegiatan tersebut berlangsung di Ruang Rapat Kantor Bupati Kabupaten Sikka pada Kamis pagi.",
     "Ruang Rapat Kantor Bupati Kabupaten Sikka"),
    ("Rakor TIMPORA dilaksanakan di Grand Mutiara Resort, Rabu 12 Juni 2024.", "Grand Mutiara Resort"),
    ("Pertemuan diadakan di Aula Mawar Sari Kota Kecamatan Lewoleba.", "Aula Mawar Sari"),
    ("Rapat itu diselenggarakan di salah satu ruang pertemuan Hotel Sahid, Larantuka.",
     "ruang pertemuan Hotel Sahid"),
    ("Pembentukan Timpora dilaksanakan salah satu hotel ternama di Wamena pada Selasa.",
     "salah satu hotel ternama di Wamena"),
    ("Kantor Imigrasi menggelar rapat koordinasi di Warung Makan Bambu Kuning dan Resto Sederhana, Jumat.",
     "Warung Makan Bambu Kuning dan Resto Sederhana"),
    ("Rapat Timpora dilaksanakan secara daring melalui aplikasi Zoom.", "daring"),
])
def test_venue(text, venue):
    assert venue_of(text) == venue


@pytest.mark.parametrize("text", [
    "Rapat TIMPORA berlangsung di Kabupaten Belu dan dihadiri unsur TNI.",   # a region is not a venue
    "Rapat koordinasi berlangsung di Atambua pada Senin.",                    # a bare town name
    "Kepala Kantor Imigrasi menyampaikan hal itu kepada wartawan.",
    "",
])
def test_no_venue(text):
    assert venue_of(text) is None


@settings(max_examples=60, deadline=None)
@given(st.text())
def test_never_raises(text):
    venue_of(text)
