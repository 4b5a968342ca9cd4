"""Reading .txt reports: encodings, binary detection, canonical text and line map."""
from __future__ import annotations

import codecs

import pytest

from pipeline.normalise import clean_line
from pipeline.read import ReadError, read_bytes

PEBRUARI = "Rapat TIMPORA tanggal 12 Pebruari 2019 membahas “pengawasan” orang asing – tim’s laporan."


@pytest.mark.parametrize("data, encoding", [
    (PEBRUARI.encode("utf-8"), "utf-8"),
    (codecs.BOM_UTF8 + PEBRUARI.encode("utf-8"), "utf-8-sig"),
    (PEBRUARI.encode("utf-16"), "utf-16"),                              # BOM + native order
    (codecs.BOM_UTF16_BE + PEBRUARI.encode("utf-16-be"), "utf-16"),
    (codecs.BOM_UTF16_LE + PEBRUARI.encode("utf-16-le"), "utf-16"),
    (PEBRUARI.encode("cp1252"), "cp1252"),
], ids=["utf8", "utf8-bom", "utf16", "utf16-be", "utf16-le", "cp1252"])
def test_common_encodings_decode_to_the_same_text(data, encoding):
    doc = read_bytes(data, "laporan.txt")
    assert doc.text == PEBRUARI
    assert doc.encoding == encoding


@pytest.mark.parametrize("text", [
    "Kegiatan di Café Ubud dilaksanakan pada Senin, 3 Pebruari 2020.",
    "Operasi gabungan ke Hotel Señorita, “Desa Wisata” – tanpa temuan.",
])
def test_single_byte_western_text_is_read_as_cp1252(text):
    doc = read_bytes(text.encode("cp1252"), "x.txt")
    assert doc.text == text


@pytest.mark.parametrize("data", [
    bytes(range(256)) * 8,
    b"\x00\x01\x02\x03\xff\xfe\x00\x00" * 64,
    b"\x89PNG\r\n\x1a\n" + bytes(range(200)),
    b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\n" + bytes(range(128, 256)),
    b"Rapat TIMPORA\x00\x00\x00\x00\x01\x02\x03\x04\x05\x06\x07\x08" * 20,
], ids=["all-bytes", "nul-heavy", "png", "pdf-named-txt", "text-with-nuls"])
def test_binary_data_named_txt_is_refused(data):
    with pytest.raises(ReadError) as err:
        read_bytes(data, "laporan.txt")
    assert err.value.reason.startswith("binary data, not text")
    assert str(err.value) == f"laporan.txt: {err.value.reason}"


@pytest.mark.parametrize("raw, canonical", [
    ("Kantor\u00a0Imigrasi", "Kantor Imigrasi"),                       # NBSP
    ("Tim\u200bPORA", "TimPORA"),                                      # zero-width space
    ("penga\u00adwasan", "pengawasan"),                                # soft hyphen
    ("Kodim\u2009 0423", "Kodim 0423"),                                # thin space
    ("Cafe\u0301", "Caf\u00e9"),                                       # NFD -> NFC
    ("  rapat   koordinasi\t\tTIMPORA  ", "rapat koordinasi TIMPORA"),
    ("\ufeffDasar", "Dasar"),                                          # stray BOM
    ("identi\ufb01kasi", "identifikasi"),                              # ligature from a PDF
    ("", ""),
])
def test_clean_line(raw, canonical):
    assert clean_line(raw) == canonical


@pytest.mark.parametrize("source, canonical", [
    ("Dasar\r\n1. UU 6/2011\r\n2. Permenkumham 50/2016\r\n", "Dasar\n1. UU 6/2011\n2. Permenkumham 50/2016"),
    ("Paragraf satu.\n\n\n\nParagraf dua.", "Paragraf satu.\n\nParagraf dua."),
    ("Satu.\n   \t \nDua.", "Satu.\n\nDua."),                            # blank-looking line = break
    ("\n\n  Judul  \n\nIsi laporan.\n\n", "Judul\n\nIsi laporan."),
    ("Baris lama\rbaris Mac", "Baris lama\nbaris Mac"),
    ("Halaman satu\n\x0cHalaman dua", "Halaman satu\n\nHalaman dua"),  # form feed = page break
])
def test_txt_layout_becomes_canonical(source, canonical):
    assert read_bytes(source.encode("utf-8"), "x.txt").text == canonical


def test_txt_blocks_point_at_file_lines():
    source = "Judul laporan\n\nDipimpin oleh  Bapak Ahmad\nbertempat di Aula\n"
    doc = read_bytes(source.encode(), "x.txt")
    lines = source.split("\n")
    for block in doc.blocks:
        assert block.kind == "line" and block.line == block.index + 1
        assert doc.text[block.start:block.end] == clean_line(lines[block.index])
    [where] = doc.locate(doc.text.index("Ahmad"), doc.text.index("Ahmad") + 5)
    assert where.line == 3


@pytest.mark.parametrize("data", [b"", b"   \n\n\t  ", b"\xef\xbb\xbf", " \u00a0\u200b\n".encode("utf-8")])
def test_empty_text_is_refused(data):
    with pytest.raises(ReadError) as err:
        read_bytes(data, "kosong.txt")
    assert err.value.reason in ("empty file", "no text in the document")


from hypothesis import given, settings, strategies as st


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=400))
def test_any_text_reads_or_fails_cleanly_and_maps_back(text):
    try:
        doc = read_bytes(text.encode("utf-8"), "acak.txt")
    except ReadError as err:
        assert err.reason and "\n" not in err.reason
        return
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for block in doc.blocks:
        assert doc.text[block.start:block.end] == clean_line(lines[block.index])
        assert doc.locate(block.start, block.end)[0] is block


@pytest.mark.parametrize("data", [b"04\x000", b"Rapat Timpora\x00 digelar di Kupang."])
def test_a_stray_nul_in_utf8_is_binary_not_another_encoding(data):
    with pytest.raises(ReadError) as err:
        read_bytes(data, "rusak.txt")
    assert "binary" in err.value.reason
