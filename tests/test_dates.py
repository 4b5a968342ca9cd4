"""The date / date_end / time component (extractors/dates.py) on hand-written Indonesian phrasings."""
from __future__ import annotations

import time as _time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extractors import build_nlp
from extractors.common import FLAGS_KEY, PUBLISHED_KEY
from models.record import FLAG_CANDIDATES, FLAG_WEEKDAY_MISMATCH, FLAG_YEAR_INFERRED


@pytest.fixture(scope="module")
def nlp():
    return build_nlp(["timpora_dates"])


def run(nlp, text, published=None):
    doc = nlp.make_doc(text)
    doc.user_data[PUBLISHED_KEY] = published
    doc = nlp(doc)

    def first(group):
        spans = doc.spans[group] if group in doc.spans else []
        return spans[0].label_ if spans else None

    kinds = {f["kind"] for f in doc.user_data.get(FLAGS_KEY, []) if f["field"] == "date"}
    return first("date"), first("date_end"), first("time"), kinds, doc


# ---------------------------------------------------------------- written dates
@pytest.mark.parametrize("text,expected", [
    ("Rapat itu digelar pada tanggal 16 Mei 2017 di aula kantor camat.", "2017-05-16"),
    ("Rapat koordinasi berlangsung 4 Mei 2018 di Hotel Mawar.", "2018-05-04"),
    ("Tim gabungan melaksanakan operasi di kawasan pelabuhan, Selasa (7/3/2023).", "2023-03-07"),
    ("Operasi dilaksanakan Selasa, 7/3/2023 di wilayah kota.", "2023-03-07"),
    ("Rapat koordinasi berlangsung di hotel Anggrek, Kamis(12/9/19).", "2019-09-12"),
    ("Kegiatan bertempat di aula kecamatan, Jumat (29/11/2019).", "2019-11-29"),
    ("Info Kanim Atambua_Jumat (29/11/2019) bertempat di Aula Hotel Sinar.", "2019-11-29"),
    ("Rapat dilaksanakan Rabu, 13 Maret 2019 di ruang rapat bupati.", "2019-03-13"),
    ("Sosialisasi dilaksanakan pada 13-03-2019 di kantor camat.", "2019-03-13"),
    ("Pemeriksaan dilakukan pada 10.08.2022 di dua perusahaan.", "2022-08-10"),
    ("Rapat diadakan pada 2019-03-13 di kantor bupati.", "2019-03-13"),
    ("Pengawasan dilakukan pada hari Kamis tanggal 13 Juni 2024 di pelabuhan.", "2024-06-13"),
    ("Rapat digelar Kamis 24 Oktober 2024 di hotel kota.", "2024-10-24"),
    ("Rakor diselenggarakan pada 3 Nopember 2021 di aula.", "2021-11-03"),
    ("Pembentukan tim dilaksanakan 14 Pebruari 2020 di pendopo.", "2020-02-14"),
    ("Sidak dilakukan tgl. 5 Agt 2022 di sebuah vila.", "2022-08-05"),
    ("Operasi digelar 9 Des 2021 malam di tempat hiburan.", "2021-12-09"),
    ("Rapat pengukuhan berlangsung Senin, 7/3/22 di aula.", "2022-03-07"),
])
def test_written_dates(nlp, text, expected):
    assert run(nlp, text)[0] == expected


@pytest.mark.parametrize("text", [
    "Skor pertandingan 2/1 dan layanan 24/7 tetap berjalan.",
    "Sesuai Pasal 8 Ayat 2 UU 6/11 setiap orang wajib memiliki dokumen.",
    "Personel Kodim 0204/DS turut hadir dalam kegiatan itu.",
    "Pengawasan dilakukan sepanjang Januari hingga Maret 2024.",
    "Anggaran sebesar Rp 1.500.000 disiapkan untuk 30 peserta.",
])
def test_numbers_that_are_not_dates(nlp, text):
    assert run(nlp, text)[0] is None


# ---------------------------------------------------------------- years from context
@pytest.mark.parametrize("text,published,expected", [
    ("Rapat digelar pada Rabu (21/5), bertempat di aula.", "2025-05-22", "2025-05-21"),
    ("Razia dilakukan di Kuta, Selasa (14/11) siang.", "2023-11-14", "2023-11-14"),
    # a December date in a January publication belongs to the previous year
    ("Operasi dilaksanakan Jumat (20/12) malam di pelabuhan.", "2025-01-06", "2024-12-20"),
    ("Operasi dilaksanakan pada 20 Desember di pelabuhan.", "2025-01-06", "2024-12-20"),
    # the weekday fits the year before the publication year only
    ("Rapat digelar Senin (3/6) di aula.", "2025-07-01", "2024-06-03"),
    ("Rapat TIMPORA Tahun 2022 digelar Selasa (14/6) di aula bupati.", None, "2022-06-14"),
    ("Rapat rutin TA. 2021 dilaksanakan Kamis (4/3) di kantor.", None, "2021-03-04"),
    ("Rapat tingkat kecamatan tahun anggaran 2020 digelar Kamis (03/09).", None, "2020-09-03"),
    ("Operasi digelar Senin (8/7) di pelabuhan.\nHal itu dikatakan Kepala Kantor, Selasa (9/7/2024).",
     None, "2024-07-08"),
    # an era clue with the weekday fixes the year
    ("Selama pandemi Covid-19, operasi dilakukan pada Kamis (5/11) siang di penginapan.", None, "2020-11-05"),
    # a page dateline serves as the publication date
    ("Senin, 10 Juni 2024 | 14:20\n\nRapat digelar Jumat (7/6) di aula.", None, "2024-06-07"),
])
def test_year_inferred(nlp, text, published, expected):
    got, _, _, kinds, _ = run(nlp, text, published)
    assert got == expected
    assert FLAG_YEAR_INFERRED in kinds


@pytest.mark.parametrize("text", [
    "Rapat digelar Rabu (25/5) di salah satu hotel.",
    # a law's year is no clue (8/7/2011 was a Friday)
    "Sesuai UU Nomor 6 Tahun 2011, operasi digelar Jumat (8/7) di pelabuhan.",
])
def test_no_year_no_date(nlp, text):
    assert run(nlp, text)[0] is None


def test_letter_year_is_a_weak_clue(nlp):
    text = "Sesuai SK Nomor 5 tanggal 3 Desember 2023, rapat digelar pada 14 Mei di aula."
    assert run(nlp, text, "2024-05-20")[0] == "2024-05-14"


def test_written_year_not_flagged(nlp):
    assert FLAG_YEAR_INFERRED not in run(nlp, "Rapat digelar Selasa (7/3/2023).")[3]


# ---------------------------------------------------------------- weekday only, kemarin
@pytest.mark.parametrize("text,published,expected", [
    ("Tim gabungan menggelar operasi pada hari Selasa di pelabuhan.", "2024-05-09", "2024-05-07"),
    ("Razia dilakukan Kamis kemarin di tempat hiburan malam.", "2024-05-11", "2024-05-09"),
    ("Operasi dilaksanakan Senin lalu di kawasan industri.", "2024-05-09", "2024-05-06"),
    ("Rapat koordinasi digelar kemarin di aula kantor bupati.", "2024-05-09", "2024-05-08"),
    ("Rapat digelar pada hari Kamis di aula.", "2024-05-09", "2024-05-09"),
    # a dateline's weekday before its dash
    ("DOBO, Selasa – Kantor Imigrasi hari ini menggelar rapat TIMPORA di aula kantor bupati.",
     "2025-03-18", "2025-03-18"),
    ("AMBON, Kamis - Tim gabungan menggelar operasi di kawasan pelabuhan.", "2024-05-10", "2024-05-09"),
    # "last week's Friday", and 'kemarin' with the activity told after it
    ("Rapat TIMPORA digelar di aula hotel, Jumat pekan lalu.", "2025-02-17", "2025-02-14"),
    ("Rapat koordinasi diadakan Rabu minggu lalu di kantor camat.", "2024-05-13", "2024-05-08"),
    ("TIMPORA Kabupaten Badung kemarin menggelar operasi gabungan ke sejumlah vila.", "2025-01-25", "2025-01-24"),
    ("Tim gabungan Kamis kemarin melaksanakan pengawasan di pelabuhan.", "2024-05-11", "2024-05-09"),
    # "hari ini" beside the activity: the publication date
    ("Kanwil menggelar FGD TIMPORA Tingkat Provinsi Kalimantan Selatan, hari ini. Kegiatan digelar secara hybrid.",
     "2025-02-20", "2025-02-20"),
])
def test_weekday_resolved_against_publication(nlp, text, published, expected):
    got, _, _, kinds, _ = run(nlp, text, published)
    assert got == expected
    assert FLAG_YEAR_INFERRED in kinds


@pytest.mark.parametrize("text,published", [
    ("Tim gabungan menggelar operasi pada hari Selasa di pelabuhan.", None),
    ("Kegiatan ini bagian dari program Jumat Curhat kepolisian.", "2024-05-09"),
    ("Dua minggu lalu tim melakukan operasi.", "2024-05-09"),
    ("Kepala Kantor dihubungi dari Kupang, Sabtu, mengatakan pengawasan terus berjalan.", "2024-05-09"),
    ("Operasi gabungan itu diungkapkan Kepala Kanim, Kamis.", "2024-05-09"),
    ("Pengawasan rutin digelar setiap hari Senin di pelabuhan.", "2024-05-09"),
    ("Kepala Kantor Imigrasi kemarin mengatakan pengawasan terus berjalan.", "2024-05-09"),
    ("Kakanim mengatakan hari ini pengawasan terus berjalan.", "2024-05-09"),
])
def test_weekday_without_date_ignored(nlp, text, published):
    assert run(nlp, text, published)[0] is None


# ---------------------------------------------------------------- weekday contradictions
@pytest.mark.parametrize("text,published,expected", [
    # the written date stands when it is possible
    ("Rapat digelar Senin (8/6/2021) di aula.", "2021-06-08", "2021-06-08"),
    ("Operasi digelar Senin (5/7/2017) di galangan kapal.", None, "2017-07-05"),
    # after publication: impossible, the weekday before publication wins
    ("Pembentukan tim digelar Kamis (26/3/2021) di aula.", "2021-03-25", "2021-03-25"),
    # same day number, wrong month, the weekday matches the days before publication
    ("Sidak dilakukan Selasa (5/7/2017) siang.", "2017-09-05", "2017-09-05"),
])
def test_weekday_mismatch(nlp, text, published, expected):
    got, _, _, kinds, _ = run(nlp, text, published)
    assert got == expected
    assert FLAG_WEEKDAY_MISMATCH in kinds


def test_matching_weekday_not_flagged(nlp):
    assert FLAG_WEEKDAY_MISMATCH not in run(nlp, "Rapat digelar Rabu, 13 Maret 2019.")[3]


# ---------------------------------------------------------------- ranges
@pytest.mark.parametrize("text,start,end", [
    ("Operasi berlangsung 2-3/5/2024 di wilayah kerja kantor.", "2024-05-02", "2024-05-03"),
    ("“Kegiatan berlangsung Kamis-Jumat (2-3/5/2024),” katanya.", "2024-05-02", "2024-05-03"),
    ("Operasi digelar 7-8 Oktober 2024 di tiga kabupaten.", "2024-10-07", "2024-10-08"),
    ("Operasi dilaksanakan 7 s.d. 9 Oktober 2024.", "2024-10-07", "2024-10-09"),
    ("Operasi dilaksanakan 7 s/d 9 Okt 2024 di pelabuhan.", "2024-10-07", "2024-10-09"),
    ("Operasi berlangsung 28 Februari hingga 2 Maret 2024.", "2024-02-28", "2024-03-02"),
    ("Operasi berlangsung 30 Desember 2024 sampai dengan 2 Januari 2025.", "2024-12-30", "2025-01-02"),
    ("Operasi berlangsung mulai 8 hingga 10 Oktober 2025.", "2025-10-08", "2025-10-10"),
    ("Pengawasan digelar di dua kabupaten pada 15 dan 16 Juli 2025.", "2025-07-15", "2025-07-16"),
    ("Operasi digelar selama 2 hari, Rabu (21/8/2024) dan Kamis (22/8/2024).", "2024-08-21", "2024-08-22"),
    ("Operasi digelar Senin (3/6/2024) sampai dengan Rabu (5/6/2024).", "2024-06-03", "2024-06-05"),
    ("Razia pada Kamis (27/10/2016) pukul 20.30 WIB hingga Jumat dini hari.", "2016-10-27", "2016-10-28"),
    ("Operasi digelar Kamis, 6 Juni 2024 s.d. Sabtu, 8 Juni 2024.", "2024-06-06", "2024-06-08"),
    ("Kegiatan digelar Selasa-Rabu (4-5/6/2024) di hotel.", "2024-06-04", "2024-06-05"),
    ("Rapat digelar tanggal 4 s.d 5 Juni 2024 di hotel.", "2024-06-04", "2024-06-05"),
])
def test_ranges(nlp, text, start, end):
    got, got_end, *_ = run(nlp, text)
    assert (got, got_end) == (start, end)


def test_yearless_range_resolved_against_publication(nlp):
    got = run(nlp, "Rapat digelar pada Sabtu (1/6) hingga Minggu (2/6) di hotel.", "2024-06-05")
    assert got[:2] == ("2024-06-01", "2024-06-02")


@pytest.mark.parametrize("text,start", [
    ("Operasi digelar Rabu (21/8/2024) di pelabuhan.", "2024-08-21"),
    ("Pemeriksaan dilakukan pada 5 dan 20 Mei 2024 di dua lokasi.", "2024-05-05"),
])
def test_single_day_has_no_end(nlp, text, start):
    got, got_end, *_ = run(nlp, text)
    assert (got, got_end) == (start, None)


# ---------------------------------------------------------------- dates that are not the activity's
@pytest.mark.parametrize("text,expected", [
    ("Rabu, 13 Maret 2019 | 18:49\n\nTim PORA menggelar rapat di aula kantor camat, Selasa (12/3/2019).",
     "2019-03-12"),
    ("Jum'at, 28 Oktober 2016 - 23:21 WIB\nRazia serentak digelar Kamis (27/10/2016) di Semarang.",
     "2016-10-27"),
    ("Berita Imigrasi\n12 November 2025\nLast Updated 2025-11-12T10:05:00Z\n"
     "Rapat koordinasi berlangsung di hotel, Senin (10/11/2025).", "2025-11-10"),
    ("Berdasarkan Surat Direktur Nomor: IMI.5-GR.03.06-100 Tanggal 5 Agustus 2024, "
     "operasi digelar Rabu (21/8/2024).", "2024-08-21"),
    ("Operasi digelar Rabu (21/8/2024). Hal itu disampaikan Kepala Kantor dalam keterangan persnya, "
     "Jumat (23/8/2024).", "2024-08-21"),
    ("“Kami menemukan dua WNA,” kata Kepala Kantor Imigrasi, Budi Santoso, Jumat (23/8/2024).\n"
     "Operasi itu digelar pada Rabu (21/8/2024) di kawasan industri.", "2024-08-21"),
    ("FOTO: Kepala Kanim (kedua dari kiri) saat rakor, Kamis 3 Juni 2025.\n"
     "Kantor Imigrasi menggelar rapat koordinasi pada Kamis (3/7/2025) di aula.", "2025-07-03"),
    ("Seorang WNA kelahiran 12 Maret 1990 diamankan dalam operasi yang digelar Senin (4/3/2024).",
     "2024-03-04"),
    ("Izin tinggalnya berlaku sampai dengan 3 Juli 2025. Operasi digelar Rabu (21/8/2024).", "2024-08-21"),
    ("Sebelumnya, pada Senin (1/7/2024) tim juga menggelar rapat. Operasi digelar Rabu (3/7/2024).",
     "2024-07-03"),
    ("Penulis: Andi | Editor: Budi | Senin, 3 Juni 2024 10:15 WIB\nRapat Timpora digelar Jumat (31/5/2024).",
     "2024-05-31"),
    ("Foto bersama peserta rapat, Senin (3/6/2024).\n"
     "Tim menemukan tenaga kerja asing (TKA/WNA) dalam operasi, Selasa (4/6/2024).", "2024-06-04"),
    ("Dasar: Surat Kepala Kantor Nomor: W.5-UM.01-123 tanggal 2 Mei 2017\n"
     "Hari/Tanggal : Selasa, 16 Mei 2017\nWaktu : Pukul 08.00 WIB s.d. selesai", "2017-05-16"),
])
def test_activity_date_chosen_over_others(nlp, text, expected):
    assert run(nlp, text)[0] == expected


@pytest.mark.parametrize("text", [
    "Rabu, 13 Maret 2019 | 18:49\n\nTim PORA terus memperkuat pengawasan orang asing.",
    "Sesuai Surat Keputusan Nomor 12 tanggal 3 September 2021 tentang Panitia Timpora.",
    "“Pengawasan terus kami lakukan,” ujar Kepala Kanim, Senin (26/8/2024).",
    "Kepala Seksi Inteldakim saat dikonfirmasi, Senin (26/8/2024), membenarkan hal itu.",
    "Izin tinggal WNA itu berlaku sampai dengan 3 Juli 2025.",
    "WNA tersebut lahir pada 12 Maret 1990 di Lyon.",
    "Operasi gabungan akan digelar pada Rabu, 16 Juli 2025 di perairan.",
    "Timpora bakal dibentuk di kabupaten itu tanggal 11 Maret 2019.",
])
def test_no_activity_date(nlp, text):
    assert run(nlp, text)[0] is None


def test_competing_activity_dates_flagged(nlp):
    text = ("Operasi gabungan dilaksanakan pada Senin (22/11/2021). "
            "Operasi ini tindak lanjut rapat yang dilaksanakan pada Kamis, 18 Nopember 2021 lalu.")
    got, _, _, kinds, doc = run(nlp, text)
    assert got == "2021-11-22"
    assert FLAG_CANDIDATES in kinds
    assert [s.label_ for s in doc.spans["date"]] == ["2021-11-22", "2021-11-18"]


def test_days_inside_the_range_do_not_compete(nlp):
    text = ("Operasi berlangsung 8 hingga 10 Oktober 2025.\n"
            "Hari kedua (9 Oktober 2025), tim memeriksa dua perusahaan.")
    assert FLAG_CANDIDATES not in run(nlp, text)[3]


def test_span_evidence(nlp):
    _, _, _, _, doc = run(nlp, "Rapat digelar di aula, Selasa (7/3/2023), mulai pukul 09.00 WIB.")
    span = doc.spans["date"][0]
    assert span.text == "Selasa (7/3/2023)"
    assert span.id_ == "date_num_paren"
    assert doc.spans["time"][0].text.startswith("pukul 09.00")


# ---------------------------------------------------------------- time
@pytest.mark.parametrize("text,expected", [
    ("Rapat dimulai pukul 09.00 WIB di aula.", "09:00"),
    ("Apel dimulai pkl. 08.30 di halaman kantor.", "08:30"),
    ("Rapat dibuka jam 10:00 WITA oleh bupati.", "10:00"),
    ("Rapat berlangsung pukul 09.00 s.d. 12.00 WIT.", "09:00"),
    ("Tim berkumpul mulai pukul 8 pagi di pelabuhan.", "08:00"),
    ("Razia dimulai pukul 7 malam di kawasan wisata.", "19:00"),
    ("Operasi dimulai pukul 2 siang.", "14:00"),
    ("Kegiatan dimulai 13.30 WIB di aula.", "13:30"),
])
def test_time(nlp, text, expected):
    assert run(nlp, text)[2] == expected


@pytest.mark.parametrize("text", [
    "Kegiatan selesai pada pukul 15.00 WIB.",
    "TKA itu disembunyikan saat jam istirahat.",
    "Jum'at, 28 Oktober 2016 - 23:21 WIB\nPengawasan terus dilakukan.",
    "Last Updated 2025-11-11T09:23:00Z",
])
def test_not_a_start_time(nlp, text):
    assert run(nlp, text)[2] is None


def test_time_of_a_structured_report(nlp):
    text = "Hari/Tanggal : Selasa, 16 Mei 2017\nWaktu : 08.00 WIB s.d. selesai\nTempat : Aula Kantor Camat"
    assert run(nlp, text)[:3] == ("2017-05-16", None, "08:00")


def test_time_in_the_date_sentence_preferred(nlp):
    text = ("Pukul 07.00 WIB petugas sudah bersiap di kantor.\n"
            "Rapat digelar Senin (3/6/2024) pukul 13.00 WIB di aula bupati.")
    assert run(nlp, text)[2] == "13:00"


# ---------------------------------------------------------------- robustness and speed
@pytest.mark.parametrize("text", ["", " ", "\n\n", "Selasa (", "(31/2/2024)", "Kamis (30/2)",
                                  "pukul 99.99 WIB", "31 Februari 2024", "0/0/0000", "Rabu (1-/5)"])
def test_odd_inputs_do_not_raise(nlp, text):
    run(nlp, text, "2024-05-09")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300)
       | st.lists(st.sampled_from(["Selasa", " (", "7", "/", "3", "/2023", ")", "s.d.", " hingga ",
                                   "Mei", " 2024", "pukul", " 09.00", " WIB", "\n", ", ", "kemarin",
                                   "tanggal", "Nomor", "kata", "2-3", "-", "Jum'at"]), max_size=40
                  ).map("".join),
       st.none() | st.dates().map(lambda d: d.isoformat()))
def test_never_raises(nlp, text, published):
    got, end, t, _, _ = run(nlp, text, published)
    assert got is None or len(got) == 10
    assert end is None or (got is not None and end > got)
    assert t is None or len(t) == 5


def test_fast_on_a_megabyte(nlp):
    chunk = ("Tim gabungan menggelar operasi di pelabuhan, Selasa (7/3/2023), mulai pukul 09.00 WIB. "
             "“Kami memeriksa dokumen,” kata Kepala Kantor, Rabu (8/3/2023). ")
    text = (chunk * 7000)[:1_000_000]
    component = nlp.get_pipe("timpora_dates")
    t0 = _time.perf_counter()
    found = component.analyse(text, None)
    assert _time.perf_counter() - t0 < 5
    assert found.best.value.isoformat() == "2023-03-07"
    assert found.time.value == "09:00"
