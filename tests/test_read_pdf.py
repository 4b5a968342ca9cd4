"""PDF layout: lines joined into paragraphs, hyphenation, pages without text, encryption."""
from __future__ import annotations

import pytest

from pipeline.read import ReadError, read_bytes

pytest.importorskip("reportlab")


def make_pdf(pages, *, encrypt=None, font_size=11, pitch=14):
    """A PDF whose pages hold the given lines at fixed positions; ``""`` leaves an extra gap.

    ``pages`` is a list of pages; a page is a list of lines, or None for a page with only
    a drawing (no text layer).
    """
    import io

    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, encrypt=encrypt, invariant=1)
    for lines in pages:
        if lines is None:
            c.rect(100, 400, 300, 200, fill=1)
        else:
            c.setFont("Helvetica", font_size)
            y = A4[1] - 80
            for line in lines:
                if line:
                    c.drawString(72, y, line)
                y -= pitch
        c.showPage()
    c.save()
    return buf.getvalue()


FULL = "kata " * 17          # a line that reaches the right margin


@pytest.mark.parametrize("lines, expected", [
    ([FULL + "pengawas-", "an orang asing"], "pengawasan orang asing"),          # hyphenated word
    ([FULL + "Muko-", "Muko dan Bengkulu"], "Muko-Muko dan Bengkulu"),          # upper case: a real hyphen
    ([FULL + "orang-", "orang asing"], "orang-orang asing"),                     # reduplication kept
    ([FULL + "tahun 2019 -", "kemarin"], "tahun 2019 - kemarin"),                # a dash, not a hyphen
    ([FULL + "rapat", "koordinasi"], "rapat koordinasi"),                        # running text: a space
])
def test_line_ends_are_joined(lines, expected):
    text = read_bytes(make_pdf([lines]), "x.pdf").text
    assert text.endswith(expected)
    assert "\n" not in text


@pytest.mark.parametrize("lines, expected", [
    (["Paragraf pertama.", "", "Paragraf kedua."], "Paragraf pertama.\n\nParagraf kedua."),
    (["Peserta:", "1. Polres", "2. Kodim"], "Peserta:\n1. Polres\n2. Kodim"),
    ([FULL, "a. Dasar hukum"], FULL.strip() + "\na. Dasar hukum"),
])
def test_paragraphs_and_short_lines(lines, expected):
    assert read_bytes(make_pdf([lines]), "x.pdf").text == expected


def test_paragraph_continues_across_a_page_break():
    doc = read_bytes(make_pdf([[FULL + "dihadiri"], ["oleh Polres dan Kodim."]]), "x.pdf")
    assert doc.text.endswith("dihadiri oleh Polres dan Kodim.")
    assert [b.page for b in doc.blocks] == [1, 2]


def test_pages_without_text_are_listed():
    doc = read_bytes(make_pdf([["Halaman berisi teks."], None, ["Teks lagi."]]), "x.pdf")
    assert doc.pages_without_text == [2]
    assert doc.page_count == 3
    assert any("no text layer on page(s) 2" in w for w in doc.warnings)


@pytest.mark.parametrize("pages, where", [([None], "page 1"), ([None, None, None], "pages 1-3")])
def test_scanned_pdf_is_refused(pages, where):
    with pytest.raises(ReadError) as err:
        read_bytes(make_pdf(pages), "scan.pdf")
    assert err.value.reason == f"scanned PDF without a text layer ({where}); OCR is out of scope"


def test_encrypted_pdf_is_refused():
    with pytest.raises(ReadError) as err:
        read_bytes(make_pdf([["Rahasia."]], encrypt="pw"), "kunci.pdf")
    assert err.value.reason.startswith("encrypted PDF")


@pytest.mark.parametrize("pages, kept, dropped", [
    ([["Isi satu.", "1"], ["Isi dua.", "2"]], "Isi satu.\n\nIsi dua.", "dropped page numbers on page(s) 1-2"),
    ([["Isi satu.", "- 1 -"]], "Isi satu.", "dropped page numbers on page(s) 1"),
    ([["Jumlah peserta:", "7"]], "Jumlah peserta:\n7", None),                     # 7 is not page 1's number
])
def test_page_numbers(pages, kept, dropped):
    doc = read_bytes(make_pdf(pages), "x.pdf")
    assert doc.text.replace("\n\n", "\n") == kept.replace("\n\n", "\n")
    assert (dropped in doc.warnings) if dropped else not doc.warnings


def test_pdf_blocks_carry_page_and_line():
    doc = read_bytes(make_pdf([["Judul", "", "Isi pertama."], ["Isi kedua."]]), "x.pdf")
    where = doc.locate(doc.text.index("kedua"), doc.text.index("kedua") + 5)
    assert [(b.kind, b.page, b.line) for b in where] == [("line", 2, 1)]
    assert [(b.page, b.line) for b in doc.blocks] == [(1, 1), (1, 2), (2, 1)]
