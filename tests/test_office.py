"""Office: the organising immigration office, in its fullest written form."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extractors.office import choose, find_mentions


def office_of(text):
    result = choose(text)
    if result is None:
        return None
    _, mention, n, _ = result
    return text[mention.start:mention.place_words[n - 1][1]]


@pytest.mark.parametrize("text,office", [
    # the fullest form of the same office wins over the short organiser mention
    ("Kanim Ende menggelar rapat TIMPORA di Kabupaten Nagekeo. Kepala Kantor Imigrasi Kelas II TPI Ende, "
     "Budi Raharjo, membuka kegiatan.", "Kantor Imigrasi Kelas II TPI Ende"),
    # "Imigrasi Kelas ..." without "Kantor"
    ("Imigrasi Kelas II Non TPI Pati menggelar operasi gabungan di Kabupaten Rembang.",
     "Imigrasi Kelas II Non TPI Pati"),
    # bare "Imigrasi X" in a headline
    ("Imigrasi Maumere Bentuk Timpora Kecamatan", "Imigrasi Maumere"),
    # Kanim and Kanwil together: the Kanim
    ("Kantor Wilayah Kementerian Hukum dan HAM Jawa Timur mendukung kegiatan yang digelar "
     "Kantor Imigrasi Kelas I TPI Malang di Kota Batu.", "Kantor Imigrasi Kelas I TPI Malang"),
    # only a Kanwil: the Kanwil
    ("Kantor Wilayah Kementerian Hukum dan HAM Sulawesi Tengah menggelar rapat TIMPORA tingkat provinsi.",
     "Kantor Wilayah Kementerian Hukum dan HAM Sulawesi Tengah"),
    # a person's name right after the place is not part of the office
    ("Kepala Kanim Kelas I Khusus Jakarta Barat Andi Wijaya mengatakan operasi digelar dua hari. "
     "Kanim Kelas I Khusus Jakarta Barat berkomitmen melanjutkan pengawasan.",
     "Kanim Kelas I Khusus Jakarta Barat"),
    # a weekday after the place is not part of it
    ("Kantor Imigrasi Kelas III Kediri Selasa (5/3) membentuk Timpora kecamatan.", "Kantor Imigrasi Kelas III Kediri"),
    # the Kanwil of a province-level TIMPORA beats a Kanim listed among participants
    ("Tim Pengawasan Orang Asing Tingkat Provinsi Riau melakukan operasi gabungan yang diikuti oleh "
     "Kanwil Kemenkumham Riau, Polda Riau, Kesbangpol, serta Kantor Imigrasi Kelas II TPI Dumai.",
     "Kanwil Kemenkumham Riau"),
    # a headline verb after a bare "Imigrasi" is not a place
    ("Imigrasi Periksa 12 WNA di Tuktuk\n\nKantor Imigrasi Kelas II TPI Sibolga menggelar operasi gabungan "
     "Timpora di Kabupaten Samosir.", "Kantor Imigrasi Kelas II TPI Sibolga"),
    ("Imigrasi Sisir Vila di Canggu\n\nKantor Imigrasi Kelas I Khusus TPI Ngurah Rai melaksanakan pengawasan "
     "orang asing di Kabupaten Badung.", "Kantor Imigrasi Kelas I Khusus TPI Ngurah Rai"),
    ("Imigrasi Tahan Paspor Dua TKA\n\nTANJUNG SELOR – Paspor dua TKA ditahan. Sidak dipimpin oleh Kepala "
     "Kantor Imigrasi Kelas II TPI Tarakan, Hendra. Keduanya wajib hadir ke Kantor Imigrasi Tarakan.",
     "Kantor Imigrasi Kelas II TPI Tarakan"),
    ("Imigrasi Bekuk WNA Overstay\n\nKUTA – Seorang WNA diamankan. Sidak dipimpin oleh Kepala Kantor Imigrasi "
     "Kelas I Khusus TPI Ngurah Rai, Made. WNA itu dibawa ke Kantor Imigrasi Ngurah Rai.",
     "Kantor Imigrasi Kelas I Khusus TPI Ngurah Rai"),
])
def test_organising_office(text, office):
    assert office_of(text) == office


@pytest.mark.parametrize("text", [
    "Direktorat Jenderal Imigrasi mengapresiasi peran masyarakat.",
    "Petugas gabungan memeriksa dokumen di pelabuhan.",
    "Warga melapor ke kantor imigrasi terdekat.",
    "",
])
def test_no_office(text):
    assert office_of(text) is None


def test_mentions_keep_class_words_out_of_the_place():
    text = "Kantor Imigrasi Kelas I Khusus Non-Tempat Pemeriksaan Imigrasi (TPI) Jakarta Utara menggelar razia."
    [mention] = find_mentions(text)
    assert mention.place(text) == "Jakarta Utara"


@settings(max_examples=60, deadline=None)
@given(st.text())
def test_never_raises(text):
    office_of(text)


def test_abbreviated_province_and_its_full_name_are_one_office():
    text = ("Kanwil Ditjen Imigrasi Sumbar Gelar Rapat Timpora Provinsi\n\nPadang – Kantor Wilayah Direktorat Jenderal "
            "Imigrasi Sumatera Barat menggelar Rapat Tim Pengawasan Orang Asing Tingkat Provinsi Sumatera Barat.")
    assert office_of(text) == "Kantor Wilayah Direktorat Jenderal Imigrasi Sumatera Barat"


def test_kanim_organising_together_with_its_kanwil_is_the_office():
    text = ("Kantor Imigrasi Kelas I TPI Palu bersama Kantor Wilayah Kementerian Hukum dan HAM Sulawesi Tengah menggelar "
            "rapat Timpora Kabupaten Morowali Utara. Rapat dipimpin Kepala Divisi Keimigrasian Kanwil Kemenkumham Sulteng.")
    assert office_of(text) == "Kantor Imigrasi Kelas I TPI Palu"


def test_a_stop_word_completing_a_region_name_stays():
    text = "JAKARTA - Kantor Imigrasi Kelas I Khusus Non TPI Jakarta Pusat melaksanakan Rapat Koordinasi Timpora."
    assert office_of(text) == "Kantor Imigrasi Kelas I Khusus Non TPI Jakarta Pusat"
