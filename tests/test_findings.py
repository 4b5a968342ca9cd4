"""findings: clauses reporting what an operation found or did; nothing from meetings."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extractors import build_nlp
from extractors.findings import has_operation, is_headline, sentences


@pytest.fixture(scope="module")
def nlp():
    return build_nlp(["timpora_sites", "timpora_findings", "timpora_foreigners", "timpora_violations"])


def findings(nlp, text):
    doc = nlp(text)
    return [s.label_ for s in doc.spans["findings"]]


@pytest.mark.parametrize("text,expected", [
    ("Operasi gabungan digelar Rabu. Di lokasi, petugas menemukan 4 WNA asal Korea Selatan.",
     "petugas menemukan 4 WNA asal Korea Selatan"),
    ("Dalam sidak itu seorang WNA asal Rusia diamankan karena izin tinggalnya sudah habis.",
     "Dalam sidak itu seorang WNA asal Rusia diamankan karena izin tinggalnya sudah habis"),
    ("Razia berlangsung tertib. Hasilnya, tidak ditemukan pelanggaran keimigrasian.",
     "tidak ditemukan pelanggaran keimigrasian"),
    ("Operasi itu berakhir sore. Terhadap keduanya dilakukan penahanan sementara (STP Paspor).",
     "Terhadap keduanya dilakukan penahanan sementara (STP Paspor)"),
    ("Dalam operasi, Kepala Seksi Inteldakim menjelaskan bahwa seluruh TKA memiliki izin tinggal yang masih berlaku.",
     "seluruh TKA memiliki izin tinggal yang masih berlaku"),
    ("Pada patroli tersebut, WNA itu diberikan teguran karena tidak membawa paspor.",
     "Pada patroli tersebut, WNA itu diberikan teguran karena tidak membawa paspor"),
])
def test_finding_clause(nlp, text, expected):
    assert findings(nlp, text) == [expected]


def test_each_sentence_with_a_finding_is_one_finding(nlp):
    text = ("Tim operasi mendatangi dua hotel. Di hotel pertama tim mendapati 3 orang asing. "
            "Di hotel kedua tidak ada tamu orang asing.")
    assert findings(nlp, text) == ["Di hotel pertama tim mendapati 3 orang asing",
                                   "Di hotel kedua tidak ada tamu orang asing"]


def test_quote_attribution_is_left_out(nlp):
    text = '"Kami amankan 5 WNA dalam operasi itu," kata Kepala Kantor Imigrasi kepada wartawan.'
    assert findings(nlp, text) == ["Kami amankan 5 WNA dalam operasi itu"]


@pytest.mark.parametrize("text", [
    # conditions, wishes, purposes and statistics are not findings
    "Dalam operasi nanti, jika ditemukan pelanggaran maka WNA akan dideportasi.",
    "Operasi ini bertujuan agar tidak ada orang asing yang menyalahgunakan izin tinggal.",
    "Sebelum operasi, tercatat 120 WNA pemegang ITAS di wilayah tersebut.",
])
def test_not_findings(nlp, text):
    assert findings(nlp, text) == []


def test_meeting_statistics_yield_nothing(nlp):
    text = ("Kantor Imigrasi menggelar Rapat Koordinasi TIMPORA di Aula Kantor Bupati. Dalam paparannya, "
            "Kepala Seksi menyebutkan ada 45 WNA yang dideportasi karena overstay. Ke depan, tim "
            "diharapkan dapat melaksanakan operasi gabungan.")
    assert findings(nlp, text) == []


@pytest.mark.parametrize("text,expected", [
    ("Petugas melaksanakan operasi gabungan ke sejumlah hotel.", True),
    ("Tim mendatangi PT Sejahtera untuk memeriksa dokumen TKA.", True),
    ("Rapat koordinasi membahas rencana kerja tahun depan.", False),
    ("Ke depan TIMPORA diharapkan dapat menggelar operasi gabungan.", False),
])
def test_operation_context(text, expected):
    assert has_operation(text) is expected


def test_sentences_do_not_break_after_abbreviations():
    text = "Tim menuju PT. Maju Jaya di Kec. Baamang. Di sana tim mendapati 2 TKA."
    assert [text[a:b] for a, b in sentences(text)] == ["Tim menuju PT. Maju Jaya di Kec. Baamang.",
                                                        "Di sana tim mendapati 2 TKA."]


@pytest.mark.parametrize("line,expected", [
    ("Timpora Gelar Operasi Gabungan di Kawasan Industri", True),
    ("12 WNA Terjaring Razia...", True),
    ("Petugas mendapati dua TKA di lokasi.", False),
])
def test_headlines(line, expected):
    assert is_headline(line) is expected


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=300))
def test_never_raises(nlp, text):
    doc = nlp("Operasi gabungan. " + text)
    assert all(s.label_ for s in doc.spans["findings"])


# --- round 2 ------------------------------------------------------------------------------

@pytest.mark.parametrize("text,expected", [
    ("Operasi gabungan digelar Senin. Petugas memeriksa paspor dan visa empat WNA asal Italia.",
     "Petugas memeriksa paspor dan visa empat WNA asal Italia"),
    ("Operasi gabungan digelar Senin. Dokumen perjalanan keduanya dinyatakan lengkap.",
     "Dokumen perjalanan keduanya dinyatakan lengkap"),
    ("Operasi gabungan digelar Senin. Seluruhnya memegang ITAS yang masih berlaku.",
     "Seluruhnya memegang ITAS yang masih berlaku"),
    ("Operasi gabungan digelar Senin. Tiga TKA yang didata tercatat sebagai teknisi mesin.",
     "Tiga TKA yang didata tercatat sebagai teknisi mesin"),
])
def test_checks_and_valid_documents_are_findings(nlp, text, expected):
    assert findings(nlp, text) == [expected]


@pytest.mark.parametrize("text", [
    "Operasi gabungan digelar Senin. Berdasarkan data Disnaker, terdapat 300 TKA di kabupaten itu.",
    "Operasi gabungan digelar Senin. Setiap orang asing wajib memiliki izin tinggal yang sah.",
    "Operasi gabungan digelar Senin. Nelayan sering kali melaporkan pelanggaran oleh kapal asing.",
])
def test_statistics_rules_and_habits_are_not_findings(nlp, text):
    assert findings(nlp, text) == []


def test_supervision_at_a_named_place_is_an_operation():
    assert has_operation("Timpora Kota Dumai melakukan pengawasan di Pelabuhan Sri Junjungan, Jumat.")


@pytest.mark.parametrize("text", [
    "Timpora dibentuk agar semua instansi bersama-sama melakukan pengawasan.",
    "Rapat merekomendasikan operasi gabungan di kawasan pelabuhan tahun depan.",
])
def test_supervision_in_general_or_recommended_is_not_an_operation(text):
    assert not has_operation(text)


# ----------------------------------------------------------------- round 3: general phrasings

@pytest.mark.parametrize("text", [
    "Dalam operasi itu, petugas memeriksa dokumen WNA. Kalau terbukti bekerja, kami usulkan deportasi.",
    "Dalam sidak tersebut, penyalahgunaan izin tinggal akan kami tindak tegas.",
    "Operasi gabungan digelar Selasa. Per Januari 2024 ada sekitar 200 TKA di kabupaten itu.",
    "Operasi gabungan digelar Selasa.\nFoto: Petugas memeriksa paspor WNA di sebuah hotel.",
])
def test_round3_not_findings(nlp, text):
    assert findings(nlp, text) == []


def test_contrast_and_semicolon_separate_findings(nlp):
    text = ("Dalam patroli itu tim memeriksa tiga TKA; seluruhnya memiliki ITAS yang masih berlaku. Di "
            "penginapan tidak ada tamu asing, namun pengelola belum melaporkan tamu melalui aplikasi.")
    assert findings(nlp, text) == ["Dalam patroli itu tim memeriksa tiga TKA",
                                   "seluruhnya memiliki ITAS yang masih berlaku",
                                   "Di penginapan tidak ada tamu asing",
                                   "pengelola belum melaporkan tamu melalui aplikasi"]


def test_moving_to_a_site_is_an_operation():
    assert has_operation("Usai rapat, tim bergerak ke PT Hijau Lestari di Kecamatan Baru.") is True


@pytest.mark.parametrize("text,expected", [
    # supervision "terhadap" a group of places is an operation, so its results are findings
    ("Tim gabungan melakukan pengawasan terhadap sejumlah vila dan penginapan di Gili Trawangan. "
     "Dari hasil pengawasan, petugas memeriksa 27 WNA.",
     ["petugas memeriksa 27 WNA"]),
    ("Petugas melaksanakan pemeriksaan dokumen terhadap tamu hotel. Hasil pemeriksaan tidak ditemukan adanya orang asing.",
     ["tidak ditemukan adanya orang asing"]),
])
def test_supervision_terhadap_reports_an_operation(nlp, text, expected):
    assert findings(nlp, text) == expected


@pytest.mark.parametrize("text,expected", [
    # "dari hasil pengawasan ..." without a comma: only the lead is dropped, up to the finding verb
    ("Operasi gabungan digelar Rabu. Dari hasil pengawasan dua hari ini tidak ditemukan adanya orang asing.",
     "tidak ditemukan adanya orang asing"),
    ("Razia digelar di Kuta. Hasil razia tersebut petugas mendapati 2 WNA tanpa paspor.",
     "petugas mendapati 2 WNA tanpa paspor"),
    # with a comma the whole lead up to the comma goes, as before
    ("Operasi gabungan digelar Rabu. Dari hasil operasi di tiga hotel, tim menemukan 3 WNA asal China.",
     "tim menemukan 3 WNA asal China"),
])
def test_result_lead_is_dropped_up_to_the_finding(nlp, text, expected):
    assert findings(nlp, text) == [expected]


def test_total_checked_by_us_is_a_finding(nlp):
    text = ('Operasi gabungan digelar di Pulau Derawan. "Total dua belas orang asing kami periksa. '
            'Seluruhnya menggunakan visa yang masih berlaku," ujar Harris.')
    assert findings(nlp, text)[0] == "Total dua belas orang asing kami periksa"


def test_what_will_be_looked_into_is_no_finding(nlp):
    text = 'Operasi gabungan digelar di smelter. "Kami akan dalami apakah mereka overstay," kata Made.'
    assert findings(nlp, text) == []


@pytest.mark.parametrize("text,expected", [
    ("Sasaran utama adalah proyek smelter. Dalam kesempatan itu tim memeriksa belasan tenaga kerja asing yang "
     "bertugas. Dokumen sebagian TKA masih didalami oleh petugas.",
     ["Dalam kesempatan itu tim memeriksa belasan tenaga kerja asing yang bertugas",
      "Dokumen sebagian TKA masih didalami oleh petugas"]),
])
def test_vague_counts_checked_and_documents_under_scrutiny(nlp, text, expected):
    assert findings(nlp, ("Operasi gabungan digelar di Gresik. " + text)) == expected


@pytest.mark.parametrize("text", [
    'Operasi gabungan digelar di Manyar. "Kami belum bisa menyimpulkan ada atau tidaknya pelanggaran," ujar Anggoro.',
    "Operasi gabungan digelar di Kuta. Petugas masih mendalami apakah WNA itu menyalahgunakan izin tinggal.",
    "Operasi gabungan digelar di Morowali. Ia menjelaskan, pemeriksaan lanjutan terhadap dua TKA akan menentukan sanksi yang dijatuhkan.",
    "Operasi gabungan digelar di Badung. Jenis tindakan administratif bagi WNA tersebut masih akan ditentukan.",
    # what a violation could cause, in general
    'Operasi gabungan digelar di Konawe. "Satu pelanggaran yang tidak tertangani bisa memicu gesekan sosial," ujarnya.',
])
def test_undecided_is_no_finding(nlp, text):
    assert findings(nlp, text) == []


def test_sweeping_to_make_sure_is_no_finding(nlp):
    text = ("Operasi gabungan digelar di Pelabuhan Tanjungwangi. Seluruh 23 ABK asing itu memiliki dokumen pelaut "
            "yang sesuai. Setelah itu tim menyisir dermaga untuk memastikan tidak ada awak kapal asing yang "
            "berkeliaran tanpa izin.")
    assert findings(nlp, text) == ["Seluruh 23 ABK asing itu memiliki dokumen pelaut yang sesuai"]


def test_a_report_that_reads_as_an_operation_has_findings(nlp):
    # no clause says "operasi" or "razia", but the report as a whole is a field supervision
    text = ("Dua warga negara Malaysia diamankan petugas gabungan saat pengawasan orang asing di kawasan perbatasan "
            "Entikong. Pengawasan tersebut digelar Kantor Imigrasi Entikong. Di pasar, petugas memeriksa lima "
            "pedagang asal Sarawak.")
    assert "Di pasar, petugas memeriksa lima pedagang asal Sarawak" in findings(nlp, text)


@pytest.mark.parametrize("text,expected", [
    ("Operasi gabungan digelar di proyek. Di lokasi ini petugas mendapati sembilan TKA asal Tiongkok.",
     "petugas mendapati sembilan TKA asal Tiongkok"),
    ("Operasi gabungan digelar di tambang. Di lokasi tambang kami mendata empat pekerja asing.",
     "Di lokasi tambang kami mendata empat pekerja asing"),
])
def test_di_lokasi_lead_is_dropped_only_before_the_finding(nlp, text, expected):
    assert findings(nlp, text) == [expected]


@pytest.mark.parametrize("text,expected", [
    ('Operasi gabungan digelar di hotel. "Alhamdulillah tidak kami temukan pelanggaran keimigrasian," ujarnya.',
     ["Alhamdulillah tidak kami temukan pelanggaran keimigrasian"]),
    # what was found about Indonesian citizens only is no finding of foreigners
    ("Operasi gabungan digelar di pelabuhan. Petugas memberikan pembinaan kepada 11 calon penumpang WNI yang hendak "
     "berangkat tanpa dokumen yang lengkap.", []),
    # a speaker introduced with commas is a lead
    ("Operasi gabungan digelar di pabrik. Kepala Seksi Inteldakim Kanim Surakarta, Bagus Triantoro, mengatakan RKS "
     "dibawa ke Kantor Imigrasi Surakarta untuk pemeriksaan.",
     ["RKS dibawa ke Kantor Imigrasi Surakarta untuk pemeriksaan"]),
])
def test_round6_clauses(nlp, text, expected):
    assert findings(nlp, text) == expected


@pytest.mark.parametrize("text", [
    "Operasi gabungan digelar di smelter. Pihaknya akan memanggil manajemen perusahaan untuk dimintai keterangan.",
    "Operasi gabungan digelar di spa. Pengelola spa akan dipanggil untuk dimintai keterangan sebagai penjamin.",
])
def test_summons_to_come_are_no_findings(nlp, text):
    assert findings(nlp, text) == []


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(["tiga", "3", "WNA", "warga negara asing", "diperiksa", "tim", "kami", "tidak",
                                 "ditemukan", "dibawa", "ke", "kantor", "izin tinggal", "berlaku", " ", ", ", ".",
                                 "İ", "K", "agar", "akan", "seorang", "asal", "Tiongkok", "didata", "memeriksa"]),
                max_size=30))
def test_first_match_is_the_combined_patterns_leftmost_match(words):
    """``first_match`` leaves out alternatives a text cannot match (by each part's words): it
    still finds what the patterns' one alternation finds."""
    from extractors.findings import FINDINGS_FILE, FOREIGNERS_FILE, combined, first_match

    text = " ".join(words)
    for name, kind in ((FINDINGS_FILE, "cue"), (FINDINGS_FILE, "block"), (FOREIGNERS_FILE, "verb")):
        rx, ids = combined(name, kind)
        m = rx.search(text)
        got = first_match(name, kind, text)
        assert (got and (got[0], got[1].span())) == (m and (ids[int(m.lastgroup[1:])], m.span()))


@pytest.mark.parametrize("text", [
    # figures over a period or from a register, and a share of them in the next sentence
    "Operasi gabungan digelar Senin. Sepanjang periode yang sama, imigrasi telah mendeportasi 41 orang asing.",
    "Operasi gabungan digelar Senin. Selama periode Januari hingga Juni, 12 WNA diamankan karena overstay.",
    "Operasi gabungan digelar Senin. Ia memaparkan bahwa saat ini terdapat 64 orang asing pemegang izin tinggal.",
    "Rapat dilanjutkan dengan operasi gabungan. Kakanim dalam paparannya menyebutkan terdapat 43 orang asing "
    "pemegang izin tinggal terbatas di kabupaten itu.",
    "Operasi gabungan digelar Senin. Sepanjang tahun 2024 kantornya mencatat 74 orang asing. "
    "Dua orang di antaranya dikenakan tindakan administratif karena izin tinggalnya habis.",
    "Operasi gabungan digelar Senin. Tercatat 30 TKA bekerja di kabupaten itu. "
    "Sebagian besar di antaranya ditemukan bekerja tanpa izin.",
])
def test_statistics_and_their_shares_are_not_findings(nlp, text):
    assert findings(nlp, text) == []


@pytest.mark.parametrize("text,expected", [
    # a share of what the operation itself checked stays a finding
    ("Operasi gabungan digelar Senin. Petugas memeriksa 26 TKA. Dua di antaranya tidak memiliki izin tinggal.",
     ["Petugas memeriksa 26 TKA", "Dua di antaranya tidak memiliki izin tinggal"]),
    # the operation's own period is no statistics
    ("Razia digelar dua hari. Selama periode operasi, petugas menemukan 4 WNA tanpa paspor.",
     ["Selama periode operasi, petugas menemukan 4 WNA tanpa paspor"]),
])
def test_shares_of_checks_and_the_operation_period_stay_findings(nlp, text, expected):
    assert findings(nlp, text) == expected


def test_a_duration_counted_back_is_no_past_event(nlp):
    text = ("Operasi gabungan digelar di pesantren. Seorang santri asal Thailand diketahui izin tinggalnya telah habis "
            "sejak 19 hari sebelumnya atau overstay.")
    assert findings(nlp, text) == ["Seorang santri asal Thailand diketahui izin tinggalnya telah habis sejak 19 hari "
                                   "sebelumnya atau overstay"]

