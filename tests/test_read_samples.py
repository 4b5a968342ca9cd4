"""The committed samples: the three forms of a report agree, and ``locate`` maps back to the source."""
from __future__ import annotations

import hashlib
import random
import re
from pathlib import Path

import pytest

from pipeline.normalise import squash_whitespace
from pipeline.read import read

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
ORIGINALS = ("mukomuko-2017", "tts-2019")
ALL_FILES = sorted(p.name for p in SAMPLES.iterdir() if p.suffix in (".txt", ".docx", ".pdf"))


@pytest.fixture(scope="module")
def docs():
    return {name: read(SAMPLES / name) for name in ALL_FILES}


@pytest.mark.parametrize("stem", ORIGINALS)
@pytest.mark.parametrize("fmt", ["docx", "pdf"])
def test_three_forms_give_the_same_text(docs, stem, fmt):
    assert squash_whitespace(docs[f"{stem}.{fmt}"].text) == squash_whitespace(docs[f"{stem}.txt"].text)


@pytest.mark.parametrize("name", ALL_FILES)
def test_provenance(docs, name):
    doc = docs[name]
    data = (SAMPLES / name).read_bytes()
    assert doc.sha256 == hashlib.sha256(data).hexdigest()
    assert doc.size == len(data)
    assert doc.format == name.rsplit(".", 1)[1]
    assert doc.id == name.rsplit(".", 1)[0]
    assert (doc.page_count is not None) == (doc.format == "pdf")
    assert (doc.encoding is not None) == (doc.format == "txt")


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _source_units(path: Path, fmt: str):
    """block -> the source text that block came from (line, paragraph, cell, header, page)."""
    if fmt == "txt":
        lines = path.read_text(encoding="utf-8").split("\n")
        return lambda b: lines[b.index]
    if fmt == "docx":
        import docx

        d = docx.Document(str(path))
        sec = d.sections[0]

        def unit(b):
            if b.kind == "paragraph":
                return d.paragraphs[b.index].text
            if b.kind == "cell":
                t, r, c = b.cell
                return d.tables[t].rows[r].cells[c].text
            part = sec.header if b.kind == "header" else sec.footer
            return part.paragraphs[b.index].text
        return unit
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        pages = [p.extract_text() for p in pdf.pages]
    return lambda b: pages[b.page - 1]


@pytest.mark.parametrize("name", ALL_FILES)
def test_locate_points_at_the_source_of_random_ranges(docs, name):
    doc = docs[name]
    unit = _source_units(SAMPLES / name, doc.format)
    rng = random.Random(name)
    for _ in range(60):
        start = rng.randrange(len(doc.text))
        end = min(len(doc.text), start + rng.randint(1, 80))
        blocks = doc.locate(start, end)
        covered = set()
        for b in blocks:
            assert b.start < end and b.end > start
            part = doc.text[max(start, b.start):min(end, b.end)]
            assert _squash(part) in _squash(unit(b)), (b, part)
            covered.update(range(max(start, b.start), min(end, b.end)))
        # every visible character of the range belongs to a located block
        assert all(i in covered for i in range(start, end) if not doc.text[i].isspace()
                   and doc.text[i] != "|")


@pytest.mark.parametrize("name", ALL_FILES)
def test_blocks_are_ordered_and_disjoint(docs, name):
    blocks = docs[name].blocks
    assert blocks
    for a, b in zip(blocks, blocks[1:]):
        assert a.end <= b.start


def test_docx_table_cells_and_headers_are_mapped(docs):
    doc = docs["karimun-2023.docx"]
    at = doc.text.index("Polres Karimun")
    [cell] = doc.locate(at, at + len("Polres Karimun"))
    assert cell.kind == "cell" and cell.cell == (0, 2, 2)
    assert "2 | AKP Darmawan Siregar | Polres Karimun | Kasat Intelkam" in doc.text
    kinds = [b.kind for b in doc.blocks]
    first_header = kinds.index("header")
    assert set(kinds[first_header:]) == {"header", "footer"}          # after the body
    assert doc.text.endswith("Laporan Kegiatan Rapat Koordinasi TIMPORA Kabupaten Karimun Tahun 2023")
    assert doc.properties["created"].startswith("2023-03-08")


def test_pdf_page_debris_is_handled_and_recorded(docs):
    doc = docs["lombok-utara-2024.pdf"]
    assert doc.page_count == 2 and doc.pages_without_text == []
    assert "Halaman 1 dari 2" not in doc.text
    header = "Kantor Imigrasi Kelas I TPI Mataram - Laporan Operasi Gabungan TIMPORA Kabupaten Lombok Utara"
    assert doc.text.count(header) == 1 and doc.text.endswith(header)
    assert doc.blocks[-1].kind == "header"
    assert any(w.startswith("dropped page numbers on page(s) 1-2") for w in doc.warnings)
    assert any("repeated page header moved after the body" in w for w in doc.warnings)
    assert {b.page for b in doc.blocks} == {1, 2}
    assert doc.properties["created"].startswith("2024-08-19")


def test_pdf_list_items_keep_their_own_lines(docs):
    text = docs["lombok-utara-2024.pdf"].text
    assert "(12 orang);\n2. Polres Lombok Utara (6 orang);\n3. Kodim" in text


@pytest.mark.parametrize("style, first, second", [
    ("List Number", "1. Polres Kupang", "2. Kodim 1604/Kupang"),
    ("List Bullet", "\u2022 Polres Kupang", "\u2022 Kodim 1604/Kupang"),
])
def test_docx_automatic_list_numbers_are_written_out(tmp_path, style, first, second):
    import docx

    d = docx.Document()
    d.add_paragraph("Peserta rapat:")
    for name in ("Polres Kupang", "Kodim 1604/Kupang"):
        d.add_paragraph(name, style=style)
    d.save(tmp_path / "daftar.docx")
    doc = read(tmp_path / "daftar.docx")
    assert doc.text == f"Peserta rapat:\n\n{first}\n\n{second}"
    assert doc.warnings == []
