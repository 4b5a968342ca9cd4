"""Bad input never crashes: every class gives ReadError with a one-line reason, and
``timpora read`` prints ``timpora: error: NAME: REASON`` and exits 1."""
from __future__ import annotations

import io
import random
import zipfile
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.read import ReadError, SourceDocument, read, read_bytes

SAMPLES = Path(__file__).resolve().parents[1] / "samples"


def run(capsys, *args):
    with pytest.raises(SystemExit) as stop:
        main(["read", *map(str, args)])
    out = capsys.readouterr()
    return stop.value.code, out.out, out.err


def _docx_bytes(text="Rapat TIMPORA Kabupaten Karimun."):
    import docx

    d = docx.Document()
    d.add_paragraph(text)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def _pdf_bytes(encrypt=None):
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, encrypt=encrypt, invariant=1)
    c.drawString(72, 700, "Operasi gabungan TIMPORA di Kota Kupang.")
    c.showPage()
    c.save()
    return buf.getvalue()


def _zip_bytes(members):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members:
            zf.writestr(name, data)
    return buf.getvalue()


BAD_INPUTS = [
    # file name, bytes, start of the reason
    ("kosong.txt", lambda: b"", "empty file"),
    ("kosong.pdf", lambda: b"", "empty file"),
    ("rusak.pdf", lambda: b"%PDF-1.7\n" + bytes(random.Random(1).randrange(256) for _ in range(3000)),
     "corrupt or truncated PDF"),
    ("potong.pdf", lambda: _pdf_bytes()[:600], "corrupt or truncated PDF"),
    ("bukan.pdf", lambda: b"Ini bukan PDF, hanya teks biasa.", "not a PDF file"),
    ("kunci.pdf", lambda: _pdf_bytes(encrypt="rahasia"), "encrypted PDF (password required)"),
    ("rusak.docx", lambda: b"PK\x03\x04" + bytes(range(256)) * 4, "corrupt or truncated DOCX"),
    ("potong.docx", lambda: _docx_bytes()[:4000], "corrupt or truncated DOCX"),
    ("bukan.docx", lambda: b"Rapat koordinasi TIMPORA", "not a DOCX file"),
    ("lama.docx", lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), "not a DOCX file: an OLE container"),
    ("arsip.docx", lambda: _zip_bytes([("a.txt", "isi")]), "not a DOCX file"),
    ("gambar.txt", lambda: bytes(range(256)) * 4, "binary data, not text"),
    ("laporan.doc", lambda: b"anything", "unsupported file type '.doc'"),
    ("laporan.xlsx", lambda: b"anything", "unsupported file type '.xlsx'"),
    ("LAPORAN", lambda: b"Rapat TIMPORA", "unsupported file type (no extension)"),
]


@pytest.mark.parametrize("name, make, reason", BAD_INPUTS, ids=[b[0] for b in BAD_INPUTS])
def test_bad_file_is_one_line_error_and_exit_1(tmp_path, capsys, name, make, reason):
    path = tmp_path / name
    path.write_bytes(make())
    with pytest.raises(ReadError) as err:
        read(path)
    assert err.value.reason.startswith(reason)
    assert err.value.name == str(path)
    assert "\n" not in str(err.value)
    code, out, stderr = run(capsys, path)
    assert code == 1 and out == ""
    assert stderr == f"timpora: error: {path}: {err.value.reason}\n"


def test_missing_path(capsys, tmp_path):
    path = tmp_path / "tidak-ada.pdf"
    with pytest.raises(ReadError) as err:
        read(path)
    assert err.value.reason == "no such file or directory"
    code, _, stderr = run(capsys, path)
    assert code == 1 and stderr == f"timpora: error: {path}: no such file or directory\n"


@pytest.mark.parametrize("how", ["option", "env", "keyword"])
def test_file_over_the_size_limit(tmp_path, capsys, monkeypatch, how):
    path = tmp_path / "besar.txt"
    path.write_text("Rapat TIMPORA. " * 200, encoding="utf-8")
    if how == "keyword":
        with pytest.raises(ReadError) as err:
            read(path, max_bytes=1000)
        assert err.value.reason.startswith("file too large")
        return
    if how == "env":
        monkeypatch.setenv("TIMPORA_MAX_BYTES", "1000")
        args = [path]
    else:
        args = [path, "--max-bytes", "1000"]
    code, _, stderr = run(capsys, *args)
    assert code == 1 and stderr.startswith(f"timpora: error: {path}: file too large")


def test_directory_is_not_a_file(tmp_path):
    with pytest.raises(ReadError) as err:
        read(tmp_path)
    assert err.value.reason.startswith("is a directory")


def test_good_file_prints_text_and_json(capsys):
    code, out, _ = run(capsys, SAMPLES / "tts-2019.txt")
    assert code == 0 and out.startswith("Kanim Kupang Inisiasi Pembentukan Timpora")
    import json

    code, out, _ = run(capsys, SAMPLES / "tts-2019.pdf", "--json")
    data = json.loads(out)
    assert code == 0 and data["format"] == "pdf" and data["page_count"] >= 1
    assert {"text", "blocks", "sha256", "size", "properties", "warnings", "pages_without_text"} <= set(data)
    assert data["blocks"][0]["page"] == 1


def test_help_ends_with_a_runnable_example(capsys):
    code, out, _ = run(capsys, "--help")
    assert code == 0
    assert out.rstrip().splitlines()[-1].strip() == "Example:  timpora read samples/tts-2019.pdf --json"


@pytest.mark.parametrize("sample", ["karimun-2023.docx", "tts-2019.pdf", "mukomuko-2017.txt"])
def test_damaged_bytes_give_a_document_or_read_error(sample):
    """Flip, cut and splice bytes of real files: the reader returns or raises ReadError, nothing else."""
    original = (SAMPLES / sample).read_bytes()
    rng = random.Random(sample)
    for _ in range(12):
        data = bytearray(original)
        for _ in range(rng.randint(1, 40)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        if rng.random() < 0.3:
            data = data[:rng.randrange(1, len(data))]
        try:
            doc = read_bytes(bytes(data), sample)
        except ReadError as err:
            assert err.reason and "\n" not in err.reason
        else:
            assert isinstance(doc, SourceDocument)
