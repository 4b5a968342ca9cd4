"""The places component (extractors.places): which kabupaten/kota a report's activity was in."""
from __future__ import annotations

import random

import pytest

from extractors import build_nlp, data
from extractors.common import flags
from extractors.places import PlacesComponent, region_name
from extractors.regions import get_region


@pytest.fixture(scope="module")
def nlp():
    return build_nlp(["timpora_places"])


def places(nlp, text):
    doc = nlp(text)
    names = []
    for span in doc.spans["places"]:
        if span.kb_id_ not in names:
            names.append(span.kb_id_)
    return names


def place_flags(nlp, text):
    return [f["kind"] for f in flags(nlp(text)) if f["field"] == "places"]


@pytest.mark.parametrize("text, expected", [
    # the TIMPORA's own level names the place
    ("Rapat koordinasi Tim Pengawasan Orang Asing (TIMPORA) Tingkat Kabupaten Sikka tahun 2024 "
     "berjalan lancar.", ["Kabupaten Sikka"]),
    ("Imigrasi membentuk TIMPORA Kota Ternate dalam rapat yang dihadiri unsur Forkopimda.",
     ["Kota Ternate"]),
    # where the activity took place
    ("Operasi gabungan dilaksanakan di wilayah Kabupaten Muko-Muko pada hari Selasa.",
     ["Kabupaten Mukomuko"]),
    ("Tim gabungan menyisir tiga hotel di Kota Lubuklinggau, Rabu (4/9).", ["Kota Lubuk Linggau"]),
    ("Rapat berlangsung di Aula Hotel Sutan, Kabupaten Kepulauan Aru, Kamis.", ["Kabupaten Kepulauan Aru"]),
    ("Pengawasan dilakukan di Kab. Kep. Meranti dan berlangsung selama dua hari.",
     ["Kabupaten Kepulauan Meranti"]),
    ("Kegiatan dipusatkan di Kabupaten Minahasa selatan pada Jumat pagi.", ["Kabupaten Minahasa Selatan"]),
])
def test_activity_place(nlp, text, expected):
    assert places(nlp, text) == expected


@pytest.mark.parametrize("text, expected", [
    ("Rapat TIMPORA Kabupaten TTS digelar di Soe bersama camat se-Kabupaten TTS.",
     ["Kabupaten Timor Tengah Selatan"]),
    ("Anggota Timpora TTU melakukan patroli di perbatasan Kabupaten TTU.",
     ["Kabupaten Timor Tengah Utara"]),
    ("Tim bergerak menuju Tangsel dan memeriksa dua apartemen di Tangsel.", ["Kota Tangerang Selatan"]),
    ("Rakor TIMPORA digelar di Bau-Bau. Peserta rapat di Bau-Bau berasal dari sepuluh instansi.",
     ["Kota Bau Bau"]),
])
def test_aliases_and_spellings(nlp, text, expected):
    assert places(nlp, text) == expected


@pytest.mark.parametrize("text, expected", [
    ("Razia orang asing dilakukan di Kota Kupang, Jumat malam.", ["Kota Kupang"]),
    ("Razia orang asing dilakukan di Kabupaten Kupang, Jumat malam.", ["Kabupaten Kupang"]),
    # a bare name takes the level the text gives elsewhere
    ("Pengawasan di Kediri berjalan lancar. Tim menyisir tiga penginapan di Kabupaten Kediri.",
     ["Kabupaten Kediri"]),
    # both named together
    ("Timpora kini terbentuk di Blitar Kota/Kabupaten dan di Kabupaten Tulungagung.",
     ["Kabupaten Blitar", "Kota Blitar", "Kabupaten Tulungagung"]),
])
def test_kabupaten_or_kota(nlp, text, expected):
    assert sorted(places(nlp, text)) == sorted(expected)


def test_bare_shared_name_is_flagged_ambiguous(nlp):
    text = "Operasi digelar di Kupang. Petugas memeriksa hotel di Kupang hingga malam."
    assert places(nlp, text) in (["Kota Kupang"], ["Kabupaten Kupang"])
    assert "ambiguous_place" in place_flags(nlp, text)


@pytest.mark.parametrize("text, expected", [
    ("Rapat TIMPORA diselenggarakan di Kabupaten Timur Tengah Selatan pada Senin.",
     ["Kabupaten Timor Tengah Selatan"]),
    ("Operasi gabungan dilakukan di Kabupaten Manggarai Barta selama dua hari.",
     ["Kabupaten Manggarai Barat"]),
])
def test_misspelt_kabupaten_is_matched_and_flagged(nlp, text, expected):
    assert places(nlp, text) == expected
    assert "fuzzy_place" in place_flags(nlp, text)


@pytest.mark.parametrize("text", [
    "Tim menyisir kawasan Timur Tengah Selatan.",   # no Kabupaten/Kota word: no fuzzy match
    "Tim tiba di kawasan Kota Bunga dan memeriksa vila.",
])
def test_no_fuzzy_match_without_an_explicit_level(nlp, text):
    assert places(nlp, text) == []


@pytest.mark.parametrize("text, expected", [
    ("Kantor Imigrasi Kelas I TPI Kupang menggelar rapat TIMPORA di Kabupaten Alor, Selasa.",
     ["Kabupaten Alor"]),
    ("Kepala Kantor Imigrasi Kelas II Non TPI Polewali Mandar membuka rapat di Kabupaten Majene.",
     ["Kabupaten Majene"]),
    ("Kanim Jember menggelar operasi gabungan di Kabupaten Banyuwangi. Kakanim Jember hadir.",
     ["Kabupaten Banyuwangi"]),
    ("Divisi Keimigrasian Kanwil Kemenkumham Bengkulu melakukan pengawasan di Kabupaten Kaur.",
     ["Kabupaten Kaur"]),
])
def test_office_home_town_is_not_a_place(nlp, text, expected):
    assert places(nlp, text) == expected


@pytest.mark.parametrize("text, expected", [
    ("Rapat di Kabupaten Belu ini digelar setelah kegiatan serupa beberapa waktu lalu di Kabupaten Alor.",
     ["Kabupaten Belu"]),
    ("Operasi digelar di Kabupaten Ende. Petugas menemukan dua WNA asal Kabupaten Sikka yang bekerja di sana. "
     "Operasi di Kabupaten Ende berakhir sore.", ["Kabupaten Ende"]),
    ("Kepala Kantor Imigrasi Kelas I TPI Batam, Samuel Toba, memimpin operasi di Kota Batam.",
     ["Kota Batam"]),
    ("Kapal asing terpantau melintas di Selat Malaka. Patroli digelar di Kota Dumai.", ["Kota Dumai"]),
    # the office's seat
    ("Operasi gabungan digelar di Kabupaten Gayo Lues. Kantor Imigrasi yang berkedudukan di Kota Langsa itu "
     "membawahi beberapa kabupaten.", ["Kabupaten Gayo Lues"]),
    # an operation's assembly point
    ("Sebelum berangkat, petugas mengikuti apel di halaman kantor imigrasi di Kota Palu. Tim lalu menyisir "
     "perusahaan tambang di Kabupaten Morowali.", ["Kabupaten Morowali"]),
    # where foreigners come to, as background
    ("Patroli dilakukan di Kabupaten Lombok Utara. Menurut dia, banyak WNA yang datang ke Kota Mataram sebelum "
     "menyeberang.", ["Kabupaten Lombok Utara"]),
    # the inflow of foreigners, as background
    ("Rapat TIMPORA digelar di Kota Kendari. Arus masuk tenaga kerja asing meningkat tajam, terutama ke kawasan "
     "industri di Kabupaten Konawe.", ["Kota Kendari"]),
    ("Operasi digelar di Kota Bitung. Menurutnya, peningkatan wisatawan mancanegara yang datang ke Kabupaten "
     "Minahasa Utara perlu diantisipasi.", ["Kota Bitung"]),
    # a planned activity
    ("Rapat Timpora digelar di Kota Bontang. Operasi serupa akan digelar di Kabupaten Kutai Timur bulan depan.",
     ["Kota Bontang"]),
    ("Rapat Timpora digelar di Kota Bontang. Rapat menyusun rencana aksi 2025, termasuk jadwal operasi gabungan di "
     "Kabupaten Kutai Timur.", ["Kota Bontang"]),
    ("Rapat Timpora digelar di Kota Bontang. Polres menyatakan siap mendukung operasi gabungan di wilayah "
     "perbatasan, terutama di Kabupaten Nunukan.", ["Kota Bontang"]),
    # follow-up examination at the office
    ("Operasi gabungan dilakukan di Kabupaten Sumbawa Barat. Dua WNA dibawa untuk pemeriksaan lanjutan di Kantor "
     "Imigrasi Sumbawa Besar.", ["Kabupaten Sumbawa Barat"]),
])
def test_places_only_mentioned_are_not_places(nlp, text, expected):
    assert places(nlp, text) == expected


@pytest.mark.parametrize("text, expected", [
    ("Operasi dilakukan di tiga kabupaten, yakni Sikka, Ende dan Ngada pada pekan ini.",
     ["Kabupaten Sikka", "Kabupaten Ende", "Kabupaten Ngada"]),
    ("Pengawasan digelar di Kabupaten Padang Lawas dan Kota Padangsidimpuan selama dua hari.",
     ["Kabupaten Padang Lawas", "Kota Padangsidimpuan"]),
])
def test_several_places(nlp, text, expected):
    assert sorted(places(nlp, text)) == sorted(expected)


@pytest.mark.parametrize("text, expected", [
    ("Rapat TIMPORA digelar di Aula Kantor Imigrasi Kelas I TPI Kupang, Rabu. Peserta berasal dari 20 instansi.",
     ["Kota Kupang"]),
    ("Rakor berlangsung di ruang rapat Kantor Imigrasi Kelas II TPI Selatpanjang pada Selasa.",
     ["Kabupaten Kepulauan Meranti"]),
])
def test_meeting_held_at_the_office_is_in_its_town(nlp, text, expected):
    assert places(nlp, text) == expected


def test_office_working_area_list_is_not_a_place(nlp):
    text = ("Wilayah kerja kantor itu meliputi Kabupaten Sikka, Kabupaten Ende dan Kabupaten Ngada. "
            "Operasi kali ini digelar di Kabupaten Flores Timur.")
    assert places(nlp, text) == ["Kabupaten Flores Timur"]


@pytest.mark.parametrize("text, expected", [
    ("Tim menyasar sebuah vila di Kecamatan Entikong, Kalimantan Barat, pada Kamis.", ["Kabupaten Sanggau"]),
    ("Rapat pembentukan Timpora Tingkat Kecamatan Lubuk Pinang, Provinsi Bengkulu, berjalan lancar.",
     ["Kabupaten Mukomuko"]),
])
def test_kecamatan_maps_up_to_its_kabupaten(nlp, text, expected):
    assert places(nlp, text) == expected


def test_kecamatan_name_shared_across_provinces_needs_context(nlp):
    # many provinces have a Kecamatan Sukajadi; with no other clue none is chosen
    assert places(nlp, "Tim memeriksa penginapan di Kecamatan Sukajadi.") == []


@pytest.mark.parametrize("text", [
    "Puncak acara berlangsung meriah dan ditutup dengan doa bersama.",
    "Petugas berjalan di atas batu karang menuju puncak bukit.",
    "Desa Binaan Imigrasi diresmikan oleh kepala desa setempat.",
    "Di Desa Wisata itu tidak ditemukan orang asing.",
    "Serang balik dilakukan oleh tim lawan dalam pertandingan itu.",
    "Kota besar menarik banyak orang asing.",
])
def test_common_words_are_not_places(nlp, text):
    assert places(nlp, text) == []


def test_province_only_when_no_kabupaten_kota_can_be_told(nlp):
    text = "Pembentukan Tim PORA Tingkat Provinsi Kaltara dibuka oleh Gubernur Kaltara."
    assert places(nlp, text) == ["Kalimantan Utara"]


def test_province_level_timpora_written_with_se(nlp):
    text = "Sosialisasi aplikasi pelaporan orang asing bagi anggota TIMPORA se-Sulawesi Tengah digelar secara daring."
    assert places(nlp, text) == ["Sulawesi Tengah"]


def test_kota_where_the_meeting_was_held_beats_the_province_level(nlp):
    text = ("Kanwil menggelar rapat Tim Pengawasan Orang Asing Tingkat Provinsi Kalimantan Utara. "
            "Acara yang berlangsung di Tarakan itu dihadiri 17 instansi.")
    assert places(nlp, text) == ["Kota Tarakan"]


@pytest.mark.parametrize("text, expected", [
    ("SOE, KOMPAS.com - Tim gabungan menyisir penginapan, Selasa.", ["Kabupaten Timor Tengah Selatan"]),
    ("KOTA KEDIRI, BERITAJATIM.com - Imigrasi mengukuhkan Timpora, Jumat.", ["Kota Kediri"]),
    ("Merauke, 12 Mei 2024 - Kantor Imigrasi mengukuhkan Timpora.", ["Kabupaten Merauke"]),
])
def test_dateline_names_the_place_when_nothing_else_does(nlp, text, expected):
    assert places(nlp, text) == expected


def test_written_kota_after_the_name(nlp):
    text = "Anggota Polres Kupang Kota ikut dalam operasi di Kupang Kota pada malam hari."
    assert places(nlp, text) == ["Kota Kupang"]
    assert "ambiguous_place" not in place_flags(nlp, text)


def test_village_maps_up_when_nothing_else_names_a_kabupaten(nlp):
    text = "Tim gabungan menggelar operasi di Desa Senggigi, Nusa Tenggara Barat, pada Sabtu malam."
    assert places(nlp, text) == ["Kabupaten Lombok Barat"]


def test_village_without_a_province_is_not_mapped(nlp):
    assert places(nlp, "Tim gabungan menggelar operasi di Desa Senggigi pada Sabtu malam.") == []


def test_span_values(nlp):
    doc = nlp("Rapat TIMPORA Tingkat Kabupaten Mukomuko digelar di Kabupaten Muko-Muko.")
    spans = list(doc.spans["places"])
    assert spans
    for span in spans:
        assert span.label_ == "17.06"
        assert span.kb_id_ == "Kabupaten Mukomuko" == region_name(span.label_)
        assert span.id_
    assert spans[0].text == "Kabupaten Mukomuko"


def test_pattern_ids_are_known_rules():
    rows = data.load_jsonl("places.jsonl")
    ids = {r["id"] for r in rows}
    assert {"explicit", "bare", "office_name", "timpora_level", "activity_at"} <= ids
    assert {r["type"] for r in rows} <= {"cue", "base", "exclude", "context", "venue", "named_site", "online"}


def test_stopwords_are_region_names_or_common_words():
    words = data.load_list("place_stopwords.txt")
    assert "Puncak" in words and len(set(words)) == len(words)


@pytest.mark.parametrize("text", [
    "", " ", "\n\n\n", "Kabupaten", "Kab.", "Kota Kota Kota", "Desa Desa Desa", "di di di",
    "Kabupaten Kabupaten Kota Kecamatan Desa", "\x00\ufeff\u202e", "Kab. " * 300 + "\n",
])
def test_odd_texts_give_no_place_and_do_not_raise(nlp, text):
    assert places(nlp, text) == []


def test_random_unicode_does_not_raise(nlp):
    rnd = random.Random(7)
    for _ in range(20):
        text = "".join(chr(rnd.randint(1, 0x2FFF)) for _ in range(rnd.randint(1, 3000)))
        nlp(text)


def test_huge_text_is_handled():
    component = PlacesComponent(None)
    found = component.find("Operasi digelar di Kabupaten Muko-Muko. " * 30000)
    assert found and {code for _, code, _ in found} == {"17.06"}
    assert get_region("17.06").name == "Kabupaten Mukomuko"


@pytest.mark.parametrize("text,expected", [
    # no place is told but the venue's or the site's own name ends with one
    ("Imigrasi Tanjung Balai Karimun menggelar rapat koordinasi Timpora di Hotel Aston Karimun, Rabu (19/6).",
     ["Kabupaten Karimun"]),
    ("Imigrasi Bitung memimpin operasi gabungan Timpora di Pelabuhan Samudera Bitung pada Sabtu (15/6).",
     ["Kota Bitung"]),
])
def test_place_closing_a_venue_or_site_name_is_the_last_resort(nlp, text, expected):
    assert places(nlp, text) == expected


def test_place_told_elsewhere_beats_a_name_closing_a_hotel(nlp):
    text = "Rapat Timpora Kabupaten Bintan digelar di Hotel Aston Karimun."
    assert places(nlp, text) == ["Kabupaten Bintan"]


@pytest.mark.parametrize("text,expected", [
    ("Operasi gabungan Timpora digelar di Pulau Bintan, Kepulauan Riau, Selasa (4/6).", ["Kabupaten Bintan"]),
    ("Operasi gabungan Timpora menyasar sejumlah villa di Canggu, Kuta Utara, Badung, Selasa (4/6).",
     ["Kabupaten Badung"]),
])
def test_island_and_chains_of_qualifying_regions(nlp, text, expected):
    assert places(nlp, text) == expected


@pytest.mark.parametrize("text,expected", [
    # an office's working area is no place of the activity ("wilayah kerjanya meliputi ...")
    ("Rapat Timpora digelar di PLBN Jagoi Babang, Kabupaten Bengkayang. Kegiatan dilaksanakan Kantor Imigrasi "
     "Singkawang yang wilayah kerjanya meliputi Kota Singkawang, Kabupaten Sambas dan Kabupaten Bengkayang.",
     ["Kabupaten Bengkayang"]),
    # an award to another regency's TIMPORA names no place of the activity
    ("Rapat Timpora Tingkat Provinsi digelar di Kota Makassar. Di akhir acara, Kakanwil menyerahkan piagam "
     "penghargaan kepada Timpora kabupaten teraktif, yakni Timpora Kabupaten Luwu Timur dan Kabupaten Bantaeng.",
     ["Kota Makassar"]),
])
def test_working_areas_and_awards_are_no_places(nlp, text, expected):
    assert places(nlp, text) == expected


@pytest.mark.parametrize("text,expected", [
    # a provincial TIMPORA meeting held in a town that the dateline tells: the town
    ("Banda Aceh – Kantor Wilayah Kementerian Hukum dan HAM Aceh menggelar Rapat Koordinasi TIMPORA Tingkat Provinsi "
     "Aceh di Hotel Hermes Palace. Kasubdit Ditjen Imigrasi turut hadir secara daring.", ["Kota Banda Aceh"]),
    # ... held online: the province
    ("PALU – Kantor Wilayah Direktorat Jenderal Imigrasi Sulawesi Tengah menggelar Rapat Timpora Tingkat Provinsi "
     "Sulawesi Tengah secara daring melalui Zoom Meeting.", ["Sulawesi Tengah"]),
])
def test_provincial_meeting_in_a_town_or_online(nlp, text, expected):
    assert places(nlp, text) == expected
