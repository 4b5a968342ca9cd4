"""violations: true when a violation was found, false when none, no span when the text says neither."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extractors import build_nlp


@pytest.fixture(scope="module")
def nlp():
    return build_nlp(["timpora_sites", "timpora_findings", "timpora_foreigners", "timpora_violations"])


def verdict(nlp, text):
    doc = nlp(text)
    spans = doc.spans["violations"]
    return spans[0].label_ if spans else None


@pytest.mark.parametrize("text", [
    "Dalam operasi itu petugas menemukan seorang WNA yang izin tinggalnya sudah habis (overstay).",
    "Saat sidak, tiga TKA tidak dapat menunjukkan paspor maupun izin tinggal.",
    "Operasi gabungan mengamankan dua WNA asal Tiongkok yang bekerja tanpa dokumen.",
    "Dari hasil razia, seorang warga Rusia dideportasi karena menyalahgunakan izin tinggal kunjungan.",
    "Dalam patroli itu ditemukan pelanggaran izin tinggal oleh empat orang asing.",
])
def test_violation_found(nlp, text):
    assert verdict(nlp, text) == "true"


@pytest.mark.parametrize("text", [
    "Dalam operasi itu petugas tidak menemukan pelanggaran keimigrasian.",
    "Hasil sidak ke perusahaan tersebut, tidak ditemukan adanya pelanggaran.",
    "Seluruh TKA yang diperiksa dalam operasi dinyatakan memenuhi ketentuan keimigrasian.",
    "Operasi ke lokasi tambang itu tidak menemukan orang asing.",
])
def test_no_violation(nlp, text):
    assert verdict(nlp, text) == "false"


def test_a_violation_anywhere_wins_over_none_elsewhere(nlp):
    text = ("Operasi menyisir dua pelabuhan. Di pelabuhan pertama ditemukan dugaan pelanggaran izin tinggal. "
            "Di pelabuhan kedua tidak ditemukan pelanggaran keimigrasian.")
    assert verdict(nlp, text) == "true"


@pytest.mark.parametrize("text", [
    "Dalam operasi itu tim mendapati 3 TKA pemegang KITAS yang masih berlaku.",
    "Rapat koordinasi membahas pelanggaran keimigrasian yang sering terjadi di wilayah perbatasan.",
    "Jika ditemukan pelanggaran, WNA tersebut akan dideportasi, kata Kepala Kantor Imigrasi.",
])
def test_neither(nlp, text):
    assert verdict(nlp, text) is None


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=300))
def test_never_raises(nlp, text):
    assert len(nlp(text).spans["violations"]) <= 1


# --- round 2 ------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "Dalam operasi itu dua WNA diketahui bekerja padahal hanya mengantongi visa kunjungan.",
    "Saat razia ditemukan seorang WNA yang tinggal melebihi izin tinggalnya.",
    "Dalam sidak itu seorang TKA bekerja tidak sesuai dengan jabatan dalam izin tinggalnya.",
])
def test_more_violation_phrasings(nlp, text):
    assert verdict(nlp, text) == "true"


@pytest.mark.parametrize("text", [
    "Dalam operasi itu petugas memeriksa 5 TKA. Seluruhnya memegang ITAS yang masih berlaku.",
    "Operasi gabungan ke tiga hotel selesai sore. Hasilnya nihil.",
])
def test_valid_documents_or_nothing_found_is_false(nlp, text):
    assert verdict(nlp, text) == "false"


# ----------------------------------------------------------------- round 3: general phrasings

@pytest.mark.parametrize("text", [
    "Dalam sidak itu, seorang WN Ukraina diketahui bekerja sebagai pemandu selam dengan visa kunjungan.",
    "Saat operasi di bandara, dua WNA kedapatan memakai paspor milik orang lain.",
    "Dalam razia itu petugas mendapati WNA yang izin tinggalnya telah habis sejak Mei.",
    "Dalam operasi gabungan, terhadap WNA tersebut dikenakan TAK berupa deportasi.",
    # an overstay told as going beyond the permitted stay
    "Saat razia di vila itu, petugas mendapati WNA asal Rusia yang tinggal melampaui batas izin tinggalnya.",
    "Dalam sidak, dua WNA asal Italia dinyatakan telah melampaui masa tinggal yang diizinkan, sementara tiga lainnya memegang izin tinggal yang sah.",
])
def test_violation_phrasings(nlp, text):
    assert verdict(nlp, text) == "true"


@pytest.mark.parametrize("text", [
    # a degree written after a name (S.STP.) is not a passport seizure (STP)
    "Operasi gabungan dipimpin oleh Camat Lembah Hijau, Andi Saputra, S.STP. Hasilnya, tidak ditemukan "
    "pelanggaran keimigrasian.",
    "Dalam patroli, petugas memeriksa dokumen dua TKA. Dokumen keduanya kami periksa dan masih berlaku.",
])
def test_no_violation_phrasings(nlp, text):
    assert verdict(nlp, text) == "false"


def test_a_threat_of_deportation_is_no_violation(nlp):
    text = ("Dalam operasi gabungan itu tidak ditemukan pelanggaran. Kepala kantor mengingatkan WNA "
            "yang melanggar terancam dideportasi.")
    assert verdict(nlp, text) == "false"


def test_papers_in_order_and_a_sweep_to_make_sure_is_no_violation(nlp):
    text = ("Operasi gabungan digelar di Pelabuhan Tanjungwangi. Seluruh 23 ABK asing itu memiliki dokumen pelaut "
            "yang sesuai. Tim juga menyisir dermaga untuk memastikan tidak ada awak kapal asing yang berkeliaran "
            "tanpa izin.")
    assert verdict(nlp, text) == "false"


def test_none_broke_the_rules(nlp):
    text = ('Operasi gabungan digelar di PPS Belawan. Petugas mendata sembilan ABK. "Hasilnya tidak ada yang '
            'menyalahi aturan, semua dokumennya masih berlaku," kata Ridwan.')
    assert verdict(nlp, text) == "false"


def test_none_found_by_us(nlp):
    text = 'Operasi gabungan digelar di hotel. "Alhamdulillah tidak kami temukan pelanggaran keimigrasian," ujarnya.'
    assert verdict(nlp, text) == "false"


def test_working_against_the_permit(nlp):
    text = ("Operasi gabungan digelar di pabrik. Dua TKA asal Tiongkok ditemukan bekerja di bagian produksi padahal "
            "izin tinggalnya sebagai konsultan.")
    assert verdict(nlp, text) == "true"
