"""Kind: meeting, operation, mixed or other, from weighted cues."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extractors import build_nlp
from extractors.kind import classify
from models.record import FLAG_NOT_A_REPORT


@pytest.fixture(scope="module")
def nlp():
    return build_nlp(["timpora_venue", "timpora_kind"])


@pytest.mark.parametrize("text", [
    "Kantor Imigrasi Kelas II TPI Ende menggelar Rapat Koordinasi Tim Pengawasan Orang Asing (TIMPORA) "
    "Kabupaten Ende. Rapat dibuka oleh Asisten I dan dihadiri unsur TNI, Polri dan Pemda.",
    "Imigrasi Maumere mengukuhkan anggota TIMPORA tingkat kecamatan di Kabupaten Sikka. Pengukuhan "
    "dihadiri para camat dan kapolsek.",
    "Kantor Imigrasi Kupang melaksanakan sosialisasi kepada anggota Timpora kecamatan. Rapat diisi paparan "
    "narasumber dan diskusi.",
    # statistics quoted in a welcome speech do not make the meeting news
    "Kantor Imigrasi Kelas II TPI Dumai menyelenggarakan Rapat Koordinasi TIMPORA Kota Dumai di Aula Hotel Grand "
    "Zuri. Rapat dibuka oleh Wakil Wali Kota Dumai. Dalam sambutannya, Kepala Kantor menyampaikan bahwa sepanjang "
    "tahun lalu tercatat 300 WNA masuk melalui pelabuhan.",
])
def test_meeting(text):
    assert classify(text)[0] == "meeting"


@pytest.mark.parametrize("text", [
    "Tim Pengawasan Orang Asing (Timpora) Kabupaten Belu menggelar operasi gabungan ke sejumlah hotel. "
    "Tim gabungan mendatangi tiga hotel dan menemukan dua WNA.",
    "Petugas imigrasi merazia sejumlah tempat hiburan malam. Dalam razia itu lima WNA terjaring dan diamankan.",
    "Kantor Imigrasi Batam melaksanakan operasi Jagratara secara serentak. Petugas menyisir kawasan industri.",
    "Timpora melakukan sidak ke perusahaan tambang. Petugas memeriksa dokumen izin tinggal para TKA.",
    # supervision written plainly, without operasi / razia
    "Kantor Imigrasi Kelas I TPI Samarinda bersama Timpora Kabupaten Kutai Kartanegara melaksanakan pengawasan "
    "keimigrasian terhadap perusahaan tambang batu bara. Tim memeriksa sembilan TKA dan seluruhnya memiliki izin "
    "tinggal yang sah.",
    # a team sent off to a port
    "Tim Pengawasan Orang Asing Kota Bitung melakukan pengawasan di Pelabuhan Samudera Bitung. Tim dilepas oleh "
    "Wali Kota Bitung. Petugas memeriksa awak kapal berbendera asing.",
])
def test_operation(text):
    assert classify(text)[0] == "operation"


@pytest.mark.parametrize("text", [
    "Kantor Imigrasi menggelar rapat TIMPORA di aula kecamatan. Rapat dilanjutkan dengan operasi gabungan "
    "ke dua perusahaan; tim gabungan menemukan tiga TKA.",
    "Operasi gabungan Timpora diawali dengan rapat persiapan di kantor camat. Tim kemudian menyisir jalur "
    "tikus di perbatasan dan mendatangi dua desa.",
    # "usai rakor, tim langsung bergerak ke ..."
    "Usai rakor Timpora di aula kantor bupati, tim langsung bergerak ke dua perusahaan perikanan. Rakor dibuka "
    "oleh Sekda. Di perusahaan pertama, petugas mendapati empat TKA asal Vietnam.",
    # one sentence announcing both: "rapat koordinasi sekaligus pengawasan lapangan"
    "Kantor Imigrasi Kelas II TPI Ketapang menggelar rapat koordinasi sekaligus pengawasan lapangan Timpora "
    "Kabupaten Kayong Utara. Rapat dibuka oleh Sekda di aula kantor bupati. Keesokan harinya tim memeriksa "
    "paspor lima wisatawan asing di sebuah penginapan.",
    # "usai sosialisasi, tim melakukan pengawasan ke ..."
    "Imigrasi Nunukan menggelar sosialisasi kepada anggota Timpora kecamatan di balai desa. Usai sosialisasi, "
    "tim melakukan pengawasan ke sebuah perusahaan perkebunan dan memeriksa dua TKA.",
])
def test_mixed(text):
    assert classify(text)[0] == "mixed"


@pytest.mark.parametrize("text", [
    # deportation statistics
    "Kantor Imigrasi Atambua mendeportasi sepuluh WNA selama periode Januari hingga Maret 2024.",
    # a TIMPORA still being planned
    "Timpora bakal dibentuk di Kabupaten Luwu bulan depan, kata Kepala Imigrasi Palopo.",
    # service news
    "Menteri meletakkan batu pertama pembangunan gedung kantor imigrasi. Peletakan batu pertama disaksikan bupati.",
    # an operation mentioned only in yearly statistics
    "Secara total kantor imigrasi telah menindak 40 WNA hingga pertengahan tahun ini melalui operasi gabungan timpora.",
    # a meeting that is not about supervising foreigners
    "Rapat koordinasi anggaran dibuka oleh sekretaris daerah dan dihadiri seluruh kepala dinas.",
    # an interview about TIMPORA
    "Wawancara khusus dengan Kepala Kantor Imigrasi Kelas I TPI Manado tentang pengawasan orang asing. Menurut dia, "
    "rapat Timpora perlu lebih sering disertai operasi gabungan di lapangan.",
    "",
])
def test_other(text):
    assert classify(text)[0] == "other"


def test_operation_referring_to_a_past_meeting_is_an_operation():
    text = ("Tim Pengawasan Orang Asing melakukan operasi gabungan di Kuta. Operasi ini merupakan tindak lanjut "
            "dari rapat koordinasi Timpora pekan lalu. Petugas gabungan mendatangi lima vila dan mengamankan satu WNA.")
    assert classify(text)[0] == "operation"


def test_spans_labelled_with_final_kind(nlp):
    doc = nlp("Imigrasi Sikka menggelar rapat TIMPORA bertempat di Aula Hotel Permata.")
    assert doc.spans["kind"] and {s.label_ for s in doc.spans["kind"]} == {"meeting"}
    assert doc.spans["venue"][0].label_ == "Aula Hotel Permata"


def test_operation_has_no_venue(nlp):
    doc = nlp("Tim gabungan Timpora menggelar operasi gabungan yang dilaksanakan di Hotel Sinar Jaya dan "
              "menemukan dua WNA. Razia berlanjut ke perusahaan.")
    assert doc.spans["kind"][0].label_ == "operation"
    assert len(doc.spans["venue"]) == 0


def test_other_is_flagged(nlp):
    doc = nlp("Kantor Imigrasi mendeportasi tiga WNA sepanjang tahun 2023.")
    assert len(doc.spans["kind"]) == 0 or doc.spans["kind"][0].label_ == "other"
    assert any(f["kind"] == FLAG_NOT_A_REPORT for f in doc.user_data.get("timpora.flags", []))


@settings(max_examples=60, deadline=None)
@given(st.text())
def test_never_raises(text):
    assert classify(text)[0] in ("meeting", "operation", "mixed", "other")


def test_court_news_about_an_earlier_operation_is_other():
    text = ("Pengadilan Negeri Kupang menjatuhkan vonis 1 tahun penjara kepada WNA asal Timor Leste yang "
            "terbukti memalsukan dokumen keimigrasian. Kasus ini terungkap dari operasi Timpora pada Januari lalu.")
    assert classify(text)[0] == "other"


@pytest.mark.parametrize("text", [
    # a meeting, then the field the next day
    "Hari pertama diisi rapat koordinasi Timpora di Gedung Mahligai Sanggam. Rapat dipimpin Kepala Kantor "
    "Imigrasi dan dihadiri Polres. Keesokan harinya tim Timpora turun ke lapangan. Sasaran pertama adalah "
    "perkebunan sawit. Di sana petugas mendapati tiga orang asing asal Malaysia.",
    # "usai rapat" with a clock time in between
    "Kantor Imigrasi menggelar rapat Timpora di Hotel Fitra, dibuka oleh Staf Ahli Bupati. Usai rapat, sekitar "
    "pukul 13.00 WIB, tim langsung bergerak melakukan pengawasan lapangan ke PT Sinar Sepatu. Di sana petugas "
    "memeriksa 14 TKA.",
])
def test_mixed_over_two_parts_of_a_day_or_two_days(text):
    assert classify(text)[0] == "mixed"


def test_a_meeting_agreeing_on_a_later_raid_is_a_meeting():
    text = ("Kantor Imigrasi menggelar rapat Timpora di Aula Kantor Bupati. Rapat dibuka oleh Sekda dan dihadiri "
            "Polres. Rapat kemudian menyepakati razia gabungan bulan depan.")
    assert classify(text)[0] == "meeting"


def test_a_detention_centre_sending_detainees_home_is_other():
    text = ("Rumah Detensi Imigrasi (Rudenim) Balikpapan memulangkan dua belas deteni ke negara asalnya melalui "
            "Bandara Sepinggan. Beberapa di antaranya terjaring dalam operasi Timpora di wilayah pertambangan pada "
            "akhir 2023. Rata-rata mereka melanggar izin tinggal.")
    assert classify(text)[0] == "other"


def test_inspecting_ships_is_an_operation_and_a_target_is_a_plan():
    text = ("Petugas Kantor Imigrasi Sorong bersama Timpora melakukan pemeriksaan terhadap kapal-kapal berbendera asing "
            "yang sandar di Pelabuhan Laut Sorong. Petugas mencocokkan daftar kru dengan paspor ABK. Tahun depan "
            "pihaknya menargetkan pembentukan Timpora di tingkat distrik.")
    assert classify(text)[0] == "operation"


@pytest.mark.parametrize("text,expected", [
    # agreeing on an operation schedule after the meeting is still a meeting
    ("Kantor Imigrasi menggelar rapat Timpora di Aula Balai Kota, dibuka oleh Wakil Wali Kota dan dihadiri Polresta. "
     "Usai rapat, peserta menyepakati jadwal operasi gabungan bulan depan.", "meeting"),
    # offering a patrol "bila diperlukan" is no operation
    ("Bertempat di Aula Kantor Bupati, Kantor Imigrasi menyelenggarakan rapat Tim Pengawasan Orang Asing. Rapat dibuka "
     "Staf Ahli Bupati. Perwakilan Lanal menyampaikan kesiapan mendukung patroli laut bila diperlukan dalam kegiatan "
     "operasi gabungan. Kanim menargetkan rapat di seluruh kabupaten disertai operasi gabungan.", "meeting"),
    # leaving by boat after the meeting ("menggunakan" is no "akan")
    ("Kantor Imigrasi menggelar rapat Timpora di Ruang Rapat Kantor Bupati, dibuka Bupati. Usai rapat, tim gabungan "
     "bertolak menggunakan kapal patroli menuju Pulau Macan. Di sana petugas mendapati enam wisatawan asing.", "mixed"),
])
def test_plans_after_a_meeting(text, expected):
    assert classify(text)[0] == expected


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["rapat", "rakortek", "operasi", "gabungan", "tim", "pora", "(pora)", "timpora",
                                 "beroperasi", "pengawasan", "dilakukan", "usai", "razia", "desa", "binaan",
                                 "akan", "untuk", "İ", "ı", "K", "_", "-", ".", ",", "\n", " ", "  ", "x9",
                                 "Rapat", "OPERASI", "wawancara", "dilanjutkan", "dengan"]), max_size=40))
def test_the_shared_scan_finds_what_each_pattern_finds(words):
    """``score`` finds the cues' matches from one scan: the same as each pattern's own ``finditer``."""
    from extractors.common import _matches_at
    from extractors.kind import _config, _scan_plan, _starts

    cues, _, relevance = _config()
    text = "".join(words).lower()
    plan = _scan_plan()
    rxs = [c.pattern for c in cues] + [rx for _, rx in relevance]
    starts = _starts(plan, text, len(rxs))
    for i, rx in enumerate(rxs):
        if plan.scanned[i]:
            assert [m.span() for m in _matches_at(rx.match, text, starts[i])] == [m.span() for m in rx.finditer(text)]
