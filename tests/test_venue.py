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
    # a form line of a formal report: the whole line
    ("LAPORAN KEGIATAN\nNama kegiatan : Rapat Koordinasi TIMPORA\nTempat       : Ruang Rapat Bupati Lantai 3, "
     "Kantor Bupati Kolaka\nWaktu        : 09.00 WITA", "Ruang Rapat Bupati Lantai 3, Kantor Bupati Kolaka"),
    # a Balinese meeting hall after a long activity phrase
    ("Anggota Timpora kecamatan mengikuti sosialisasi tentang tata cara pelaporan orang asing dari petugas imigrasi "
     "dan kepolisian setempat di Wantilan Banjar Tengah Kelod, Sabtu.", "Wantilan Banjar Tengah Kelod"),
    # a room, then its building after a comma
    ("Rapat berlangsung di Ruang Cendana, Hotel Aston Kupang pada Selasa.", "Ruang Cendana, Hotel Aston Kupang"),
    # an agency's hall keeps its region
    ("Rakor digelar di Aula Bappeda Kabupaten Lamandau, Kamis (4/7).", "Aula Bappeda Kabupaten Lamandau"),
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


@pytest.mark.parametrize("text,expected", [
    # a floor of a building is where the room is
    ("Rapat Timpora resmi dibuka Sekretaris Daerah di Lantai IV Kantor Bupati Nunukan, Kamis (13/6).",
     "Lantai IV Kantor Bupati Nunukan"),
    # a village or regency hall runs on past its region word
    ("Kantor Imigrasi Mataram menggelar rapat Timpora di Balai Desa Gili Indah, Kamis (13/6).",
     "Balai Desa Gili Indah"),
    ("Kanim Sampit menggelar rapat Timpora di Gedung Serbaguna Kabupaten Kotawaringin Timur, Kamis (13/6).",
     "Gedung Serbaguna Kabupaten Kotawaringin Timur"),
])
def test_halls_and_floors(text, expected):
    assert venue_of(text) == expected


@pytest.mark.parametrize("text,expected", [
    # a headline's "di <regency>" is a region, not the hall named in the body
    ("Imigrasi Manokwari Gelar Rakor Timpora Dua Hari di Teluk Bintuni\n\nKantor Imigrasi menggelar rapat "
     "selama dua hari, 2-3 Mei 2024, di Aula Hotel Bintuni Indah.", "Aula Hotel Bintuni Indah"),
    # an island named by the same kind of cue loses to a phrase with a venue noun
    ("Timpora menggelar rapat koordinasi di Pulau Sebatik. Kegiatan itu diawali rapat pukul 08.30 WITA di "
     "Aula Kantor Kecamatan Sebatik Timur.", "Aula Kantor Kecamatan Sebatik Timur"),
])
def test_a_phrase_with_a_venue_noun_beats_a_region(text, expected):
    assert venue_of(text) == expected



@pytest.mark.parametrize("blank", ["\u00a0", "\x0b", "\x0c", "\u3000"])
def test_unusual_blanks_inside_a_venue_phrase(blank):
    # a no-break space, a vertical tab, a form feed or an ideographic space between the words
    text = f"Rapat koordinasi TIMPORA digelar di Aula {blank}Kantor{blank} Bupati Kupang, Selasa (7/3/2023)."
    assert " ".join(venue_of(text).split()) == "Aula Kantor Bupati Kupang"


def test_a_line_separator_after_a_venue_noun_never_raises():
    assert venue_of("Rapat digelar di Aula \u2028Kantor Bupati.").startswith("Aula")


@pytest.mark.parametrize("text,expected", [
    # a place in a meeting's recommendations or plans is not where it was held
    ("Kantor Imigrasi menggelar FGD TIMPORA selama dua hari, Selasa–Rabu (21–22/5/2024), di Ballroom Hotel Tanjung "
     "Permai. Hasil FGD dirumuskan dalam rekomendasi, di antaranya pembentukan posko bersama di Pelabuhan "
     "Domestik Tanjung Balai.", "Ballroom Hotel Tanjung Permai"),
    ("Kantor Imigrasi menggelar FGD TIMPORA selama dua hari, Selasa–Rabu (21–22/5/2024), di Aula Hotel Bintan. "
     "Peserta menyepakati rapat berikutnya digelar di Gedung Daerah Tanjungpinang.", "Aula Hotel Bintan"),
])
def test_a_recommended_or_planned_place_is_no_venue(text, expected):
    assert venue_of(text) == expected

