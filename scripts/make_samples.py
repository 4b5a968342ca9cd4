"""Developer tool: (re)build the sample reports in ``samples/`` (the binaries are committed).

    .venv/bin/python scripts/make_samples.py

* ``samples/mukomuko-2017.txt`` and ``samples/tts-2019.txt`` (copies of two dev reports)
  are rendered as ``.docx`` (python-docx, one paragraph per text line) and ``.pdf``
  (reportlab, 12 pt, 1.5 line spacing), so the three forms of each report can be compared.
* The reports written for the project live as readable text in
  ``scripts/sample_sources/*.txt`` and are rendered to the form given in ``OUTPUTS``.

Source markup (one instruction per line, everything else is report text): ``@header X`` /
``@footer X`` a page header / footer line, ``@pagenumbers Halaman {page} dari {pages}``
a page number footer (PDF), ``@title`` / ``@author`` / ``@date ISO`` document properties,
``| a | b |`` a table row (the first row is the table head), a blank line a paragraph break.
Needs reportlab (a test extra), never imported at run time by the package.
"""
from __future__ import annotations

import io
import os
import shutil
import sys
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
SOURCES = Path(__file__).resolve().parent / "sample_sources"
CORPUS_DOCS = ROOT.parent / "shared" / "corpus" / "dev" / "docs"
ORIGINALS = ("mukomuko-2017", "tts-2019")
#: own report -> the formats it is published in
OUTPUTS = {"karimun-2023": ("docx",), "lombok-utara-2024": ("pdf",), "pekanbaru-2022": ("txt",)}
FIXED_ZIP_TIME = (2024, 1, 1, 0, 0, 0)


@dataclass
class Source:
    headers: list[str] = field(default_factory=list)
    footers: list[str] = field(default_factory=list)
    page_numbers: str = ""
    title: str = ""
    author: str = ""
    date: str = ""
    blocks: list[tuple[str, list]] = field(default_factory=list)   # ("lines", [str]) | ("table", [[str]])
    plain: str = ""                                                  # the report text without markup


def parse(text: str) -> Source:
    src = Source()
    body: list[str] = []
    group: list[str] = []
    table: list[list[str]] = []

    def flush() -> None:
        nonlocal group, table
        if group:
            src.blocks.append(("lines", group))
        if table:
            src.blocks.append(("table", table))
        group, table = [], []

    for line in text.splitlines():
        if line.startswith("@"):
            key, _, value = line.partition(" ")
            target = {"@header": src.headers, "@footer": src.footers}.get(key)
            if target is not None:
                target.append(value.strip())
            elif key == "@pagenumbers":
                src.page_numbers = value.strip()
            elif key in ("@title", "@author", "@date"):
                setattr(src, key[1:], value.strip())
            else:
                raise SystemExit(f"unknown instruction {key!r}")
            continue
        body.append(line)
        if not line.strip():
            flush()
        elif line.lstrip().startswith("|"):
            if group:
                src.blocks.append(("lines", group))
                group = []
            table.append([c.strip() for c in line.strip().strip("|").split("|")])
        else:
            if table:
                src.blocks.append(("table", table))
                table = []
            group.append(line.strip())
    flush()
    src.plain = "\n".join(body).strip() + "\n"
    return src


def _is_heading(line: str) -> bool:
    letters = [c for c in line if c.isalpha()]
    return bool(letters) and (line.isupper() or (len(line) < 40 and line[:3].rstrip(". ").isupper()
                                                  and ". " in line[:5] and not line.endswith((".", ";"))))


# ----------------------------------------------------------------------------- DOCX

def write_docx(src: Source, path: Path) -> None:
    import docx
    from docx.shared import Pt

    document = docx.Document()
    style = document.styles["Normal"]
    style.font.name = "Arial"
    style.font.size = Pt(11)
    for kind, content in src.blocks:
        if kind == "lines":
            for line in content:
                para = document.add_paragraph()
                run = para.add_run(line)
                run.bold = _is_heading(line)
        else:
            table = document.add_table(rows=0, cols=len(content[0]))
            table.style = "Table Grid"
            for r, row in enumerate(content):
                cells = table.add_row().cells
                for c, value in enumerate(row):
                    cells[c].text = value
                    if r == 0:
                        for run in cells[c].paragraphs[0].runs:
                            run.bold = True
    section = document.sections[0]
    for lines, part in ((src.headers, section.header), (src.footers, section.footer)):
        if lines:
            part.is_linked_to_previous = False
            part.paragraphs[0].text = lines[0]
            for line in lines[1:]:
                part.add_paragraph(line)
    props = document.core_properties
    props.title = src.title
    props.comments = ""
    props.author = src.author
    props.last_modified_by = src.author
    if src.date:
        props.created = props.modified = datetime.fromisoformat(src.date)
    buf = io.BytesIO()
    document.save(buf)
    path.write_bytes(_fixed_zip(buf.getvalue()))


def _fixed_zip(data: bytes) -> bytes:
    """The same package with fixed member timestamps, so rebuilding gives identical bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            fixed = zipfile.ZipInfo(info.filename, FIXED_ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            zout.writestr(fixed, zin.read(info))
    return out.getvalue()


# ----------------------------------------------------------------------------- PDF

def write_pdf(src: Source, path: Path) -> None:
    from reportlab import rl_config
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import cm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    rl_config.invariant = 1          # reproducible bytes (no timestamps / random ids)
    if src.date:                     # reportlab stamps CreationDate / ModDate from this
        stamp = datetime.fromisoformat(src.date).replace(tzinfo=timezone.utc)
        os.environ["SOURCE_DATE_EPOCH"] = str(int(stamp.timestamp()))
    else:
        os.environ.pop("SOURCE_DATE_EPOCH", None)
    body = ParagraphStyle("body", fontName="Helvetica", fontSize=12, leading=18)
    first = ParagraphStyle("first", parent=body, spaceBefore=12)
    bold = ParagraphStyle("bold", parent=body, fontName="Helvetica-Bold")
    bold_first = ParagraphStyle("bold_first", parent=bold, spaceBefore=12)
    cell = ParagraphStyle("cell", fontName="Helvetica", fontSize=9, leading=11)

    story = []
    for kind, content in src.blocks:
        if kind == "lines":
            for i, line in enumerate(content):
                heading = _is_heading(line)
                style = (bold_first if heading else first) if i == 0 else (bold if heading else body)
                story.append(Paragraph(escape(line), style))
        else:
            story.append(Spacer(1, 12))
            rows = [[Paragraph(escape(v), cell) for v in row] for row in content]
            t = Table(rows, repeatRows=1)
            t.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, "black"),
                                   ("VALIGN", (0, 0), (-1, -1), "TOP")]))
            story.append(t)

    def decorate(canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 9)
        y = A4[1] - 1.5 * cm
        for line in src.headers:
            canvas.drawString(3 * cm, y, line)
            y -= 11
        y = 1.5 * cm
        for line in reversed(src.footers):
            canvas.drawString(3 * cm, y, line)
            y += 11
        if src.page_numbers:
            canvas.drawRightString(A4[0] - 3 * cm, 1.0 * cm,
                                   src.page_numbers.format(page=doc.page, pages=doc._timpora_pages))
        canvas.restoreState()

    def build(pages: int) -> tuple[bytes, int]:
        buf = io.BytesIO()
        doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=3 * cm, rightMargin=3 * cm,
                                topMargin=3 * cm, bottomMargin=3 * cm, title=src.title,
                                author=src.author, subject=src.title, creator="timpora scripts/make_samples.py")
        doc._timpora_pages = pages
        doc.build(list(story_copy()), onFirstPage=decorate, onLaterPages=decorate)
        return buf.getvalue(), doc.page

    def story_copy():
        import copy
        return copy.deepcopy(story)

    data, pages = build(0)
    data, _ = build(pages)        # second pass knows the page count ("Halaman 1 dari 2")
    path.write_bytes(data)


# ----------------------------------------------------------------------------- main

def main() -> int:
    SAMPLES.mkdir(exist_ok=True)
    for stem in ORIGINALS:
        txt = SAMPLES / f"{stem}.txt"
        if not txt.exists():
            original = CORPUS_DOCS / f"{stem}.txt"
            if not original.exists():
                print(f"missing {txt} and {original}", file=sys.stderr)
                return 1
            shutil.copyfile(original, txt)
        src = parse(txt.read_text(encoding="utf-8"))
        src.title = f"Sample report {stem}"
        write_docx(src, SAMPLES / f"{stem}.docx")
        write_pdf(src, SAMPLES / f"{stem}.pdf")
    for stem, formats in OUTPUTS.items():
        src = parse((SOURCES / f"{stem}.txt").read_text(encoding="utf-8"))
        for fmt in formats:
            out = SAMPLES / f"{stem}.{fmt}"
            if fmt == "txt":
                out.write_text(src.plain, encoding="utf-8")
            elif fmt == "docx":
                write_docx(src, out)
            else:
                write_pdf(src, out)
    for p in sorted(SAMPLES.iterdir()):
        print(f"{p.relative_to(ROOT)}  {p.stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
