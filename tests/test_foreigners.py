"""foreigners_found: counts in digits and words, none found = 0, per-site sums, sub-counts."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extractors import build_nlp
from extractors.data import load_tsv
from extractors.findings import parse_number


@pytest.fixture(scope="module")
def nlp():
    return build_nlp(["timpora_sites", "timpora_findings", "timpora_foreigners", "timpora_violations"])


def total(nlp, text):
    doc = nlp(text)
    labels = [int(s.label_) for s in doc.spans["foreigners"]]
    return sum(labels) if labels else None


@pytest.mark.parametrize("words,value", [
    ("nol", 0), ("satu", 1), ("seorang", 1), ("enam", 6), ("sepuluh", 10), ("sebelas", 11),
    ("dua belas", 12), ("sembilan belas", 19), ("dua puluh", 20), ("dua puluh tiga", 23),
    ("seratus", 100), ("17", 17), ("puluhan", None), ("beberapa", None), ("meja", None), ("", None),
])
def test_number_words(words, value):
    assert parse_number(words) == value


def test_numbers_file_has_units_teens_and_tens():
    rows = {r["word"]: r["value"] for r in load_tsv("lang/numbers.tsv")}
    assert [rows[w] for w in ("satu", "dua", "sembilan", "sepuluh", "sebelas", "lima belas", "tiga puluh")] \
        == ["1", "2", "9", "10", "11", "15", "30"]
    assert rows["seorang"] == "1" and rows["puluhan"] == ""


@pytest.mark.parametrize("text,expected", [
    ("Dalam operasi gabungan itu petugas menemukan 5 WNA asal Vietnam di kapal ikan.", 5),
    ("Saat operasi di lokasi proyek, tim mendapati tujuh orang tenaga kerja asing.", 7),
    ("Razia semalam itu menjaring dua belas warga negara asing di tempat hiburan.", 12),
    ("Dalam sidak tersebut petugas mengamankan seorang WNA asal Nigeria.", 1),
    ("Pada operasi pengawasan ke hotel, tim tidak menemukan orang asing yang menginap.", 0),
    ("Sidak ke pabrik itu selesai siang hari. Tidak ditemukan keberadaan WNA di sana.", 0),
])
def test_counts(nlp, text, expected):
    assert total(nlp, text) == expected


def test_counts_add_up_over_sites(nlp):
    text = ("Tim operasi gabungan mendatangi dua perusahaan. Di PT Sinar Laut tim menemukan 4 TKA asal Korea. "
            "Selanjutnya di PT Mega Baja petugas mendapati 3 orang TKA asal China.")
    assert total(nlp, text) == 7


def test_none_found_at_one_site_adds_nothing(nlp):
    text = ("Operasi menyasar dua hotel. Di hotel pertama tim tidak menemukan tamu orang asing. "
            "Di hotel kedua tim mendapati 2 orang asing asal Australia.")
    assert total(nlp, text) == 2


@pytest.mark.parametrize("text,expected", [
    ("Dalam sidak itu, dari 20 TKA yang bekerja di sana, sebanyak 8 TKA tidak dapat menunjukkan paspor.", 20),
    ("Operasi gabungan mengamankan 9 WNA, terdiri dari 5 warga Vietnam dan 4 warga Kamboja.", 9),
    ("Petugas operasi menemukan 6 TKA di pabrik itu. Satu di antaranya hanya memiliki izin kunjungan.", 6),
])
def test_sub_counts_are_not_added(nlp, text, expected):
    assert total(nlp, text) == expected


def test_lede_total_is_not_added_to_its_breakdown(nlp):
    text = ("Sebanyak 15 WNA terjaring razia imigrasi di Kota Medan dalam operasi semalam. "
            "Razia menyasar beberapa lokasi. Tiga warga India ditangkap di sebuah apartemen.")
    assert total(nlp, text) == 15


@pytest.mark.parametrize("text", [
    # statistics quoted at a meeting: no operation took place
    "Dalam rapat koordinasi itu disampaikan bahwa terdapat 320 orang asing di Kabupaten Badung.",
    # the number of officers is not a number of foreigners
    "Operasi gabungan melibatkan 40 orang petugas dari berbagai instansi.",
    # hearsay
    "Dalam operasi itu tim memperoleh informasi bahwa ada 4 orang asing di desa sebelah.",
])
def test_no_count(nlp, text):
    assert total(nlp, text) is None


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=300))
def test_never_raises(nlp, text):
    doc = nlp(text)
    assert all(s.label_.isdigit() for s in doc.spans["foreigners"])


# --- round 2 ------------------------------------------------------------------------------

def test_per_site_counts_in_words_add_up(nlp):
    text = ("Operasi gabungan digelar Senin. Di Hotel Mawar Sari ditemukan tiga WNA asal Jepang. "
            "Sementara di Vila Bukit Indah petugas mendapati dua WNA asal Prancis.")
    assert total(nlp, text) == 5


def test_group_total_stands_for_the_site_counts(nlp):
    text = ("Operasi gabungan digelar Senin. Di PT Baja Kencana petugas memeriksa 4 TKA, sedangkan di "
            "PT Kayu Lestari terdapat 6 TKA. Dari total 10 TKA yang diperiksa, seorang di antaranya "
            "tidak membawa paspor.")
    assert total(nlp, text) == 10


def test_breakdown_by_nationality_inside_a_clause_is_not_added(nlp):
    text = ("Operasi gabungan digelar Senin. Lima orang asing yang menginap di sana, tiga warga Jepang "
            "dan dua warga Korea, diperiksa petugas.")
    assert total(nlp, text) == 5


@pytest.mark.parametrize("text,expected", [
    ("Dalam operasi gabungan itu petugas memeriksa dua tamu asal Belanda di sebuah vila.", 2),
    ("Saat operasi di kapal itu, tim mendata enam anak buah kapal (ABK) asal Vietnam.", 6),
    ("Dalam operasi gabungan itu petugas memeriksa paspor dan visa empat WNA asal Italia.", 4),
    ("Dalam operasi gabungan itu petugas mendapati dua pekerja asal Jawa Tengah di lokasi proyek.", None),
])
def test_people_of_a_foreign_origin_count(nlp, text, expected):
    assert total(nlp, text) == expected


def test_company_reported_totals_are_not_found(nlp):
    text = ("Operasi gabungan digelar Senin. Di PT Logam Jaya petugas memeriksa 3 TKA. Menurut data "
            "perusahaan, terdapat 85 TKA yang bekerja di kawasan itu.")
    assert total(nlp, text) == 3


@pytest.mark.parametrize("text", [
    "Operasi gabungan ke tiga penginapan digelar Sabtu. Hasilnya nihil, tidak ada temuan.",
    "Razia di pelabuhan itu berlangsung dua jam, namun tidak didapati orang asing di kapal.",
])
def test_none_found_gives_zero(nlp, text):
    assert total(nlp, text) == 0


def test_lede_total_plus_foreigners_only_checked_elsewhere(nlp):
    text = ("Timpora mengamankan dua WNA asal Nigeria dalam operasi gabungan di Kota Serang, Rabu. "
            "Di Hotel Puri Kencana, petugas memeriksa empat WNA asal Malaysia. "
            "Di sebuah rumah kontrakan ditemukan dua WNA asal Nigeria yang izin tinggalnya sudah habis.")
    assert total(nlp, text) == 6


# ----------------------------------------------------------------- round 3: general phrasings

@pytest.mark.parametrize("text,expected", [
    # a number with its spelling in brackets is one count
    ("Dalam razia itu petugas menemukan 4 (empat) orang WNA asal Vietnam di sebuah gudang.", 4),
    ("Saat sidak, tim memeriksa dokumen 7 (tujuh) orang TKA berkewarganegaraan India.", 7),
    # a foreign unit without a country: tamu asing, kru kapal berkewarganegaraan asing
    ("Dalam patroli laut, petugas mendapati tiga kru kapal berkewarganegaraan asing.", 3),
    ("Dalam operasi di hotel itu, petugas memeriksa enam tamu asing yang menginap.", 6),
])
def test_counts_with_spelled_numbers_and_foreign_nouns(nlp, text, expected):
    assert total(nlp, text) == expected


@pytest.mark.parametrize("text", [
    # workers, passengers and residents are not foreigners
    "Dalam sidak ke pabrik, petugas memeriksa 64 orang karyawan di bagian produksi.",
    "Saat operasi di pelabuhan, petugas mendata 120 orang penumpang kapal feri.",
])
def test_non_foreign_people_do_not_count(nlp, text):
    assert total(nlp, text) is None


def test_foreigners_among_other_people_count(nlp):
    text = ("Dalam operasi di bandara, petugas memeriksa 90 penumpang, di antaranya 12 warga negara "
            "Thailand.")
    assert total(nlp, text) == 12


def test_total_stated_as_total_beats_the_sum(nlp):
    text = ("Tim operasi gabungan mendatangi Hotel Cempaka dan Villa Anggrek. Secara keseluruhan, "
            "sepuluh WNA diperiksa dokumennya. Di Villa Anggrek petugas menemukan seorang WN Italia "
            "yang izin tinggalnya sudah habis.")
    assert total(nlp, text) == 10


def test_what_the_company_reports_is_not_a_count(nlp):
    text = ("Dalam sidak ke PT Sawit Jaya, tidak ditemukan TKA, karena menurut pengelola tiga tenaga "
            "ahli asal Korea telah kembali ke negaranya.")
    assert total(nlp, text) == 0


def test_subset_of_those_checked_is_not_added(nlp):
    text = ("Dalam operasi itu petugas memeriksa 15 WNA di kawasan wisata. Dari pemeriksaan itu, dua WNA "
            "asal Jerman ditemukan bekerja dengan visa kunjungan.")
    assert total(nlp, text) == 15


def test_a_zero_at_one_site_is_no_total_when_others_were_found(nlp):
    text = ("Operasi gabungan digelar di pelabuhan. Empat WN Filipina kedapatan memakai paspor milik "
            "orang lain. Di pasar ikan, tim tidak menemukan orang asing.")
    assert total(nlp, text) is None


def test_statistics_of_a_region_do_not_count(nlp):
    text = ("Operasi gabungan digelar Senin. Menurut Kasi Inteldakim, hingga akhir Maret 2024 terdapat "
            "85 WNA pemegang izin tinggal yang berdomisili di kabupaten itu.")
    assert total(nlp, text) is None


@pytest.mark.parametrize("text,expected", [
    # a second count naming only the origin ('dan 2 asal Jepang')
    ("Operasi gabungan digelar di Kuala Tanjung. Di lokasi, tim mendapati 9 WNA asal Tiongkok dan "
     "2 asal Jepang yang bekerja sebagai tenaga ahli.", 11),
    # any person noun of a foreign origin ('terapis asal Uzbekistan')
    ("Razia digelar di Tamansari. Di Golden Lotus Spa petugas menemukan lima terapis asal Uzbekistan.", 5),
    # any person noun of a foreign origin ('santri warga negara Thailand')
    ("Operasi gabungan digelar di Sumenep. Tim mengunjungi pesantren dan mendapati tujuh santri warga negara "
     "Thailand.", 7),
    # a thing of a foreign origin is no foreigner
    ("Operasi gabungan digelar di pelabuhan. Petugas memeriksa dua kapal asal Vietnam.", None),
    # none, written with 'satu pun'
    ("Operasi gabungan digelar di vila. Petugas tidak menjumpai satu pun orang asing di ketiga vila tersebut.", 0),
    # a site's own figure 'di X, tercatat N ...'
    ("Operasi gabungan digelar di Kepulauan Seribu. Di Pulau Macan, petugas mendapati enam wisatawan asing. "
     "Di Pulau Ayer, tercatat sebelas tamu asal Tiongkok dan Singapura.", 17),
    # the count written last ('awak kapal berkebangsaan Filipina sebanyak 6 orang')
    ("Operasi gabungan digelar di Sangatta. Di PT Kaltim Bara, petugas memeriksa 8 TKA asal Australia. Di jetty, tim "
     "memeriksa awak kapal tongkang berkebangsaan Filipina sebanyak 6 orang.", 14),
    # people counted last but not foreigners
    ("Operasi gabungan digelar di pelabuhan. Petugas memeriksa penumpang kapal sebanyak 300 orang.", None),
])
def test_who_is_counted_and_how_the_count_is_written(nlp, text, expected):
    assert total(nlp, text) == expected


@pytest.mark.parametrize("text,expected", [
    # a stated total 'N orang asing kami periksa'
    ('Operasi gabungan digelar di Pulau Maratua. Di dua resort petugas memeriksa delapan WNA. '
     '"Total dua belas orang asing kami periksa," ujar Harris.', 12),
    # '86 TKA lainnya' with no larger group before: added
    ("Sidak digelar di PT Well Harvest. Di lokasi, petugas mendapati empat TKA asal Tiongkok yang tidak dapat "
     "menunjukkan dokumen. Sedangkan 86 TKA lainnya memiliki izin tinggal yang masih berlaku.", 90),
    # 'tiga WNA lainnya' of a larger group counted before: part of it
    ("Operasi gabungan digelar di Tanjung Lesung. Petugas mendapati empat orang asing. Satu WNA asal Rusia bekerja "
     "sebagai instruktur selancar. Tiga WNA lainnya tercatat sebagai wisatawan dengan dokumen yang sah.", 4),
    # a lede's count with its breakdown counted once
    ("Tujuh perempuan warga negara asing diamankan dalam razia tim gabungan pada Jumat malam. Di tempat "
     "pertama, petugas menemukan lima terapis asal Uzbekistan. Di tempat kedua, dua terapis asal Thailand didapati.", 7),
    # 'Dari 13 orang yang kami periksa, dua orang ...': the two are part of it
    ("Operasi gabungan digelar di proyek. Dari 13 orang yang kami periksa, dua orang hanya mengantongi visa kunjungan.", 13),
    # 'Jumlahnya dua puluh tiga orang' sums up the sites
    ("Pengawasan orang asing digelar Timpora di Nemberala. Di resort petugas memeriksa empat belas turis asing, sedangkan di Malole "
     "Surf House tercatat sembilan orang. Jumlahnya dua puluh tiga orang.", 23),
    # a breakdown naming only origins ('tiga asal Australia dan satu dari Kanada')
    ("Operasi gabungan digelar di tambang. Di lokasi tambang kami mendata empat pekerja asing, tiga asal Australia "
     "dan satu dari Kanada.", 4),
    # 'Dari 13 orang ...' covers the sites' counts
    ("Operasi gabungan digelar di proyek. Petugas mendapati sembilan TKA asal Tiongkok. Empat pekerja asing "
     "ditemukan mengoperasikan alat berat. Dari 13 orang yang kami periksa, dua orang hanya mengantongi visa "
     "kunjungan.", 13),
    # 'seluruh 21 TKA tersebut' sums up the sites' figures
    ("Operasi gabungan digelar di proyek. Tim mendapati 18 tenaga kerja asing asal Tiongkok. Di mess, petugas "
     "menemukan tiga TKA lainnya. Hasilnya, seluruh 21 TKA tersebut memegang ITAS yang masih berlaku.", 21),
    # a first count that the sites' counts add up to is their total
    ("Operasi gabungan digelar di Cikarang. Tim memeriksa dokumen 27 tenaga kerja asing. Di PT Hanwoo, petugas "
     "memeriksa 19 TKA asal Korea Selatan. Di PT Sinar Jaya, tim memeriksa delapan TKA asal Tiongkok.", 27),
    # 'Total ada N orang asing'
    ("Operasi gabungan digelar di Tabanan. Petugas memeriksa lima WNA. Di vila kedua ditemukan tiga WNA asal Rusia. "
     "Tim mendapati satu WNA Brasil. Total ada sembilan orang asing yang kami periksa.", 9),
    # one checked, none at another place, one more found: no total
    ("Operasi gabungan digelar di Situjuah. Tim melakukan pengecekan terhadap seorang warga negara asing. Di sekolah "
     "tidak ditemukan WNA. Tim menemukan satu orang asing lain di desa.", 2),
    # 'dari pemeriksaan tersebut' after a larger count: a share of it
    ("Operasi gabungan digelar di GNI. Sebanyak 120 TKA asal Tiongkok diperiksa dokumennya. Dari pemeriksaan "
     "tersebut kami mendapati dua orang TKA menggunakan visa kunjungan.", 120),
    # 'dari pengecekan tersebut' with nothing counted before: a finding of its own
    ("Operasi gabungan digelar di Jagoi Babang. Tim melakukan pengecekan terhadap pelintas batas. Dari pengecekan "
     "tersebut, tim menemukan empat warga negara Malaysia yang berbelanja di pasar perbatasan.", 4),
    # offenders among those just checked at the same place are a share of them
    ("Operasi gabungan digelar di OKI. Di kawasan pabrik PT Waringin, tim memeriksa 26 TKA. Dua TKA asal Tiongkok "
     "ditemukan bekerja di bagian produksi padahal izin tinggalnya sebagai konsultan.", 26),
    # offenders found at another place add up
    ("Operasi gabungan digelar di OKI. Di pabrik, tim memeriksa 26 TKA. Di perkebunan PT Sawit, dua TKA asal "
     "Tiongkok ditemukan bekerja padahal izin tinggalnya sebagai konsultan.", 28),
])
def test_totals_and_their_parts(nlp, text, expected):
    assert total(nlp, text) == expected
