"""Reading reports: .txt / .docx / .pdf files and .zip archives -> one canonical text.

``read(path)``, ``read_bytes(data, name)`` and ``read_source(ref)`` return a
:class:`SourceDocument`: the canonical text (see ``pipeline.normalise``) that every later
offset refers to, its provenance (format, size, SHA-256 of the bytes, encoding, page
count, document properties) and a list of :class:`Block` s mapping character ranges back
to the source: line of a text file, DOCX paragraph / table cell / header / footer, page
and line of a PDF. Bad input of any kind raises :class:`ReadError`, never anything else.

Layout of the canonical text, the same for the three formats: paragraphs separated by a
blank line (``"\\n\\n"``), lines inside a paragraph by ``"\\n"`` (TXT lines, DOCX line
breaks, PDF lines that end short of the margin or precede a list item) or joined with a
space (PDF lines of running text; a word hyphenated at a line end is joined back when the
next line starts lower-case). DOCX table rows become lines whose cells are joined with
``" | "``; DOCX headers and footers, and PDF page headers/footers repeated on several
pages, come once after the body. Bare PDF page numbers are dropped (with a warning).

``Block.index`` is: TXT the 0-based line number in the file; DOCX the 0-based index of
the paragraph in ``Document.paragraphs`` (cells: the table's index; headers / footers:
the paragraph's index inside that part); PDF the 0-based number of the kept line in the
document. ``Block.line`` is 1-based (line in the file / on the PDF page).
"""
from __future__ import annotations

import bisect
import codecs
import hashlib
import io
import logging
import os
import re
import statistics
import zipfile
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from pathlib import Path, PurePosixPath
from typing import Iterable, Iterator, Optional, Union

from pipeline.errors import TimporaError
from pipeline.normalise import LINE_SEP, PARAGRAPH_SEP, TextBuilder, clean_line

#: Largest file (or archive member) read, in bytes; env ``TIMPORA_MAX_BYTES`` overrides it.
DEFAULT_MAX_BYTES = 50 * 1024 * 1024
#: Archive members whose uncompressed/compressed ratio exceeds this (and that are over
#: ``BOMB_MIN_BYTES`` uncompressed) are refused as likely zip bombs.
MAX_COMPRESSION_RATIO = 100
BOMB_MIN_BYTES = 1024 * 1024
MAX_ARCHIVE_MEMBERS = 10_000

FORMATS = {".txt": "txt", ".docx": "docx", ".pdf": "pdf"}
ARCHIVE_SUFFIXES = (".zip",)
SUPPORTED_TEXT = ".txt, .docx, .pdf, .zip"
_HINTS = {".doc": "legacy Word .doc; save it as .docx", ".rtf": "save it as .docx or .txt",
          ".odt": "save it as .docx", ".rar": "repack it as .zip", ".7z": "repack it as .zip"}
_MAGIC = ((b"%PDF-", "a PDF file"), (b"PK\x03\x04", "a ZIP/DOCX file"),
          (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an OLE file (legacy .doc?)"),
          (b"\x89PNG", "a PNG image"), (b"\xff\xd8\xff", "a JPEG image"), (b"GIF8", "a GIF image"),
          (b"\x7fELF", "an executable"), (b"MZ", "an executable"))


class ReadError(TimporaError):
    """A report that cannot be read: ``str(err) == f"{name}: {reason}"``."""

    def __init__(self, name: str, reason: str) -> None:
        self.name = str(name)
        self.reason = reason
        super().__init__(f"{self.name}: {reason}")

    def __str__(self) -> str:
        return f"{self.name}: {self.reason}"


@dataclass
class SourceRef:
    """One readable input: a file on disk, or a member of a .zip archive."""

    id: str                         # file name without extension
    name: str                       # display name: "samples/x.pdf", "reports.zip!2019/x.docx"
    path: Path                      # the file on disk (for a member: the archive)
    member: Optional[str] = None    # member name inside the archive


@dataclass
class Block:
    """A range ``start:end`` of the canonical text and where it came from."""

    start: int
    end: int
    kind: str                       # line | paragraph | cell | header | footer | page
    index: int
    page: Optional[int] = None
    line: Optional[int] = None
    cell: Optional[tuple[int, int, int]] = None

    def to_json(self) -> dict:
        data = asdict(self)
        if self.cell is not None:
            data["cell"] = list(self.cell)
        return data


@dataclass
class SourceDocument:
    text: str
    name: str
    id: str
    format: str                     # txt | docx | pdf
    size: int
    sha256: str
    encoding: Optional[str] = None
    page_count: Optional[int] = None
    pages_without_text: list[int] = field(default_factory=list)
    properties: dict = field(default_factory=dict)
    blocks: list[Block] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def locate(self, start: int, end: int) -> list[Block]:
        """The blocks overlapping characters ``start:end`` (an empty range: the block at ``start``)."""
        if end <= start:
            end = start + 1
        starts = self._starts()
        i = bisect.bisect_right(starts, start) - 1
        i = max(i, 0)
        found = []
        while i < len(self.blocks) and self.blocks[i].start < end:
            block = self.blocks[i]
            if block.end > start:
                found.append(block)
            i += 1
        return found

    def _starts(self) -> list[int]:
        cache = self.__dict__.get("_start_cache")
        if cache is None or len(cache) != len(self.blocks):
            cache = [b.start for b in self.blocks]
            self.__dict__["_start_cache"] = cache
        return cache

    def to_json(self) -> dict:
        return {"id": self.id, "name": self.name, "format": self.format, "size": self.size,
                "sha256": self.sha256, "encoding": self.encoding, "page_count": self.page_count,
                "pages_without_text": list(self.pages_without_text), "properties": dict(self.properties),
                "warnings": list(self.warnings), "text": self.text,
                "blocks": [b.to_json() for b in self.blocks]}


# --------------------------------------------------------------------------- sources


def iter_sources(paths: Iterable[Union[Path, str]]) -> Iterator[SourceRef]:
    """Every input under ``paths``: folders recursively (sorted), .zip archives as their members.

    Files of unsupported types are yielded too (reading them says so); hidden files,
    ``__MACOSX`` folders and Office lock files (``~$x.docx``) are skipped. A missing path
    raises ReadError.
    """
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            raise ReadError(str(raw), "no such file or directory")
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                rel = child.relative_to(path).parts
                if child.is_file() and not any(_is_junk(part) for part in rel):
                    yield from _expand(child, str(child))
        else:
            yield from _expand(path, str(raw))


def _is_junk(part: str) -> bool:
    if part in (".", ".."):         # not hidden: '..' in a member name is refused when read
        return False
    return part.startswith((".", "~$")) or part == "__MACOSX"


def _expand(path: Path, name: str) -> Iterator[SourceRef]:
    if path.suffix.lower() not in ARCHIVE_SUFFIXES:
        yield SourceRef(id=_stem(path.name), name=name, path=path)
        return
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
        # yielded as is: reading it reports the damage
        yield SourceRef(id=_stem(path.name), name=name, path=path)
        return
    if len(infos) > MAX_ARCHIVE_MEMBERS:
        raise ReadError(name, f"archive has {len(infos)} members (limit {MAX_ARCHIVE_MEMBERS}); refused")
    for info in infos:
        member = info.filename
        if info.is_dir() or any(_is_junk(p) for p in re.split(r"[/\\]", member) if p):
            continue
        yield SourceRef(id=_stem(member), name=f"{name}!{member}", path=path, member=member)


def _stem(name: str) -> str:
    base = re.split(r"[/\\]", name.rstrip("/\\"))[-1] or name
    stem = base.rsplit(".", 1)[0] if "." in base[1:] else base
    return stem or base


def _limit(max_bytes: Optional[int]) -> int:
    if max_bytes is not None:
        return int(max_bytes)
    env = os.environ.get("TIMPORA_MAX_BYTES", "").strip()
    if env:
        try:
            return int(float(env))
        except ValueError:
            pass
    return DEFAULT_MAX_BYTES


def _mb(n: int) -> str:
    return f"{n / 1_048_576:.1f} MB" if n >= 104_858 else f"{n} bytes"


def read_source(ref: SourceRef, *, max_bytes: Optional[int] = None) -> SourceDocument:
    """Read one :class:`SourceRef` (a file or an archive member)."""
    if ref.member is None:
        doc = read(ref.path, name=ref.name, max_bytes=max_bytes)
        doc.id = ref.id or doc.id
        return doc
    limit = _limit(max_bytes)
    data = _read_member(ref, limit)
    return read_bytes(data, ref.member, max_bytes=limit, display=ref.name, doc_id=ref.id)


def _unsafe_member(member: str) -> bool:
    parts = re.split(r"[/\\]", member)
    return (member.startswith(("/", "\\")) or bool(re.match(r"^[A-Za-z]:", member))
            or any(p == ".." for p in parts) or "\x00" in member)


def _read_member(ref: SourceRef, limit: int) -> bytes:
    name = ref.name
    if _unsafe_member(ref.member or ""):
        raise ReadError(name, "unsafe path in archive (absolute or '..' component); refused")
    try:
        with zipfile.ZipFile(ref.path) as zf:
            try:
                info = zf.getinfo(ref.member)
            except KeyError:
                raise ReadError(name, "no such member in the archive") from None
            if info.flag_bits & 0x1:
                raise ReadError(name, "encrypted archive member (password required)")
            if info.file_size > limit:
                raise ReadError(name, f"file too large ({_mb(info.file_size)}, limit {_mb(limit)}; "
                                      "set TIMPORA_MAX_BYTES)")
            ratio = info.file_size / max(info.compress_size, 1)
            if info.file_size > BOMB_MIN_BYTES and ratio > MAX_COMPRESSION_RATIO:
                raise ReadError(name, f"suspicious compression ratio {ratio:.0f}:1 (zip bomb?); refused")
            chunks, total = [], 0
            with zf.open(info) as fh:
                while True:
                    chunk = fh.read(1 << 20)
                    if not chunk:
                        break
                    total += len(chunk)
                    if total > limit or total > info.file_size:
                        raise ReadError(name, "member expands beyond its declared size (zip bomb?); refused")
                    chunks.append(chunk)
            return b"".join(chunks)
    except ReadError:
        raise
    except FileNotFoundError:
        raise ReadError(name, "no such file or directory") from None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError,
            NotImplementedError, RuntimeError) as exc:
        raise ReadError(name, f"corrupt archive member ({_why(exc)})") from None
    except Exception as exc:  # zlib.error and friends
        raise ReadError(name, f"corrupt archive member ({_why(exc)})") from None


def _why(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    text = text[:120]
    return f"{exc.__class__.__name__}: {text}" if text else exc.__class__.__name__


# --------------------------------------------------------------------------- entry points


def read(path: Union[Path, str], *, max_bytes: Optional[int] = None,
         name: Optional[str] = None) -> SourceDocument:
    """Read one report file from disk."""
    p = Path(path)
    display = name or str(path)
    limit = _limit(max_bytes)
    try:
        if not p.exists():
            raise ReadError(display, "no such file or directory")
        if p.is_dir():
            raise ReadError(display, "is a directory (give a file, or use timpora extract/ingest for folders)")
        suffix = p.suffix.lower()
        if suffix in ARCHIVE_SUFFIXES:
            raise ReadError(display, "is a .zip archive; read its members (iter_sources) instead")
        _format_of(p.name, display)
        size = p.stat().st_size
        if size > limit:
            raise ReadError(display, f"file too large ({_mb(size)}, limit {_mb(limit)}; set TIMPORA_MAX_BYTES)")
        data = p.read_bytes()
    except ReadError:
        raise
    except OSError as exc:
        raise ReadError(display, f"cannot open ({exc.strerror or exc.__class__.__name__})") from None
    return read_bytes(data, p.name, max_bytes=limit, display=display, doc_id=_stem(p.name))


def read_bytes(data: bytes, name: str, *, max_bytes: Optional[int] = None,
               display: Optional[str] = None, doc_id: Optional[str] = None) -> SourceDocument:
    """Read a report given as bytes; ``name`` (its file name) decides the format."""
    display = display or name
    limit = _limit(max_bytes)
    fmt = _format_of(name, display)
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise ReadError(display, "not bytes")
    data = bytes(data)
    if len(data) > limit:
        raise ReadError(display, f"file too large ({_mb(len(data))}, limit {_mb(limit)}; set TIMPORA_MAX_BYTES)")
    if not data.strip(b" \t\r\n\x00"):
        raise ReadError(display, "empty file")
    doc = SourceDocument(text="", name=display, id=doc_id or _stem(name), format=fmt, size=len(data),
                         sha256=hashlib.sha256(data).hexdigest())
    try:
        _READERS[fmt](data, doc, limit)
    except ReadError:
        raise
    except RecursionError:
        raise ReadError(display, f"cannot read {fmt.upper()} (nested too deeply)") from None
    except MemoryError:
        raise ReadError(display, f"cannot read {fmt.upper()} (out of memory)") from None
    except Exception as exc:  # a reader must never let a library error escape
        raise ReadError(display, f"corrupt or unreadable {fmt.upper()} ({_why(exc)})") from None
    if not doc.text.strip():
        raise ReadError(display, "no text in the document")
    return doc


def _format_of(name: str, display: str) -> str:
    suffix = PurePosixPath(name.replace("\\", "/")).suffix.lower()
    fmt = FORMATS.get(suffix)
    if fmt is not None:
        return fmt
    if suffix in ARCHIVE_SUFFIXES:
        raise ReadError(display, "nested archive; unpack it first")
    hint = _HINTS.get(suffix)
    shown = f"'{suffix}'" if suffix else "(no extension)"
    reason = f"unsupported file type {shown} (supported: {SUPPORTED_TEXT})"
    if hint:
        reason += f"; {hint}"
    raise ReadError(display, reason)


# --------------------------------------------------------------------------- TXT

_WESTERN = {"ascii", "latin_1", "iso8859_15", "iso8859_2", "iso8859_9", "iso8859_13", "iso8859_3",
            "iso8859_4", "iso8859_10", "iso8859_14", "iso8859_16", "cp1250", "cp1252", "cp1254",
            "cp1257", "cp1258", "mac_roman", "mac_latin2", "mac_iceland", "mac_turkish", "cp850",
            "cp437", "cp858", "cp852", "cp860", "cp863", "cp865", "hp_roman8"}
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def _decode(data: bytes, display: str) -> tuple[str, str]:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError:
                raise ReadError(display, f"text with a {encoding} byte-order mark does not decode") from None
    # UTF-16/32 text without a byte-order mark is at least a third NUL bytes; a stray NUL in
    # UTF-8 is UTF-8 (and then refused as binary), not a guess at another encoding
    if data.count(0) * 3 < len(data):
        try:
            return data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            pass
    for magic, what in _MAGIC:
        if data.startswith(magic):
            raise ReadError(display, f"binary data, not text (looks like {what})")
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise ReadError(display, "binary data, not text")
    encoding = best.encoding
    if encoding in _WESTERN:
        # Short Latin texts are often labelled cp1250 & co.; reports come from Windows machines.
        try:
            return data.decode("cp1252"), "cp1252"
        except UnicodeDecodeError:
            pass
    try:
        return str(best), encoding
    except Exception:
        raise ReadError(display, "binary data, not text") from None


_NOT_TEXT = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ufffd]")


def _looks_binary(text: str) -> bool:
    if "\x00" in text:
        return True
    sample = text[:65536]
    bad = len(_NOT_TEXT.findall(sample))
    return bad > max(2, len(sample) // 100)


def _read_txt(data: bytes, doc: SourceDocument, limit: int) -> None:
    text, encoding = _decode(data, doc.name)
    if _looks_binary(text):
        raise ReadError(doc.name, "binary data, not text")
    doc.encoding = encoding
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    builder = TextBuilder()
    blank = False
    for i, raw in enumerate(text.split("\n")):
        if "\x0c" in raw:          # form feed: a page break in text dumps
            blank = True
        piece = clean_line(raw)
        if not piece:
            blank = True
            continue
        span = builder.add(piece, PARAGRAPH_SEP if blank else LINE_SEP)
        blank = False
        doc.blocks.append(Block(span[0], span[1], "line", index=i, line=i + 1))
    doc.text = builder.text()


# --------------------------------------------------------------------------- DOCX

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
CELL_SEP = " | "


def _read_docx(data: bytes, doc: SourceDocument, limit: int) -> None:
    name = doc.name
    if data.startswith(_OLE):
        raise ReadError(name, "not a DOCX file: an OLE container (legacy .doc, or a password-protected DOCX)")
    if not data.startswith(b"PK"):
        raise ReadError(name, "not a DOCX file (no ZIP container; corrupt or wrong extension)")
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, EOFError, ValueError, OSError):
        raise ReadError(name, "corrupt or truncated DOCX (bad ZIP container)") from None
    expanded = sum(i.file_size for i in infos)
    if expanded > max(limit * 4, 200 * 1024 * 1024) or (
            expanded > BOMB_MIN_BYTES * 16 and expanded / max(len(data), 1) > MAX_COMPRESSION_RATIO):
        raise ReadError(name, f"DOCX expands to {_mb(expanded)} (zip bomb?); refused")
    names = {i.filename for i in infos}
    if "[Content_Types].xml" not in names:
        raise ReadError(name, "not a DOCX file (ZIP without [Content_Types].xml)")
    try:
        bad = zf.testzip()
    except Exception:
        bad = "?"
    if bad is not None:
        raise ReadError(name, "corrupt or truncated DOCX (damaged ZIP member)")

    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(io.BytesIO(data))
    except PackageNotFoundError:
        raise ReadError(name, "not a DOCX file (no Word document part)") from None
    except KeyError as exc:
        raise ReadError(name, f"corrupt DOCX (missing part {exc})") from None
    except ValueError as exc:
        msg = str(exc)
        if "content type" in msg:
            raise ReadError(name, "not a Word .docx document (other Office content type)") from None
        raise ReadError(name, f"corrupt DOCX ({_why(exc)})") from None

    builder = TextBuilder()
    blocks = doc.blocks
    para_index = table_index = 0
    numbering = _Numbering(document)
    for item in document.iter_inner_content():
        if isinstance(item, Paragraph):
            _add_paragraph(builder, blocks, numbering.prefix(item) + item.text, "paragraph", para_index)
            para_index += 1
        elif isinstance(item, Table):
            _add_table(builder, blocks, item, table_index, "cell")
            table_index += 1

    seen_parts: list = []
    seen_texts: set[str] = set()
    for kind in ("header", "footer"):
        for section in document.sections:
            for attr in (f"first_page_{kind}", kind, f"even_page_{kind}"):
                try:
                    part = getattr(section, attr)
                    if part.is_linked_to_previous:
                        continue
                    key = part.part
                    if any(key is seen for seen in seen_parts):
                        continue
                    seen_parts.append(key)
                    items = list(part.iter_inner_content())
                except Exception:
                    continue
                texts = "\n".join(getattr(x, "text", "") for x in items if isinstance(x, Paragraph))
                if not clean_line(texts.replace("\n", " ")) and not any(isinstance(x, Table) for x in items):
                    continue
                if texts in seen_texts and texts:
                    continue
                seen_texts.add(texts)
                p_index = t_index = 0
                for x in items:
                    if isinstance(x, Paragraph):
                        _add_paragraph(builder, blocks, x.text, kind, p_index)
                        p_index += 1
                    elif isinstance(x, Table):
                        _add_table(builder, blocks, x, t_index, kind)
                        t_index += 1
    doc.text = builder.text()
    if numbering.failed:
        doc.warnings.append(f"automatic list numbering of {numbering.failed} paragraph(s) could not be rendered")
    if "docProps/core.xml" in names:   # else python-docx would invent defaults
        doc.properties = _core_properties(document)


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


class _Numbering:
    """Renders Word's automatic list numbers ("1.", "a)", "•") that are not in ``Paragraph.text``.

    Supports the common formats (decimal, letters, roman numerals, bullets) and levels
    (``%1.%2.``); counters restart the deeper levels. Anything unusual is counted in
    ``failed`` (reported as a warning) rather than guessed.
    """

    def __init__(self, document) -> None:
        self.failed = 0
        self.counters: dict[str, list[int]] = {}
        self.nums: dict[str, object] = {}
        self.abstract: dict[str, object] = {}
        self.style_num: dict[str, Optional[tuple[str, int]]] = {}
        self.styles = None
        try:
            root = document.part.numbering_part.element
        except Exception:
            return
        for num in root.findall(f"{_W}num"):
            self.nums[num.get(f"{_W}numId")] = num
        for absn in root.findall(f"{_W}abstractNum"):
            self.abstract[absn.get(f"{_W}abstractNumId")] = absn
        try:
            self.styles = document.styles
        except Exception:
            self.styles = None

    def _num_pr(self, paragraph) -> Optional[tuple[str, int]]:
        ppr = paragraph._p.pPr
        numpr = ppr.find(f"{_W}numPr") if ppr is not None else None
        if numpr is not None:
            num_id = numpr.find(f"{_W}numId")
            ilvl = numpr.find(f"{_W}ilvl")
            if num_id is not None:
                return num_id.get(f"{_W}val"), int(ilvl.get(f"{_W}val")) if ilvl is not None else 0
        style = paragraph._p.style
        if style and self.styles is not None:
            if style not in self.style_num:
                self.style_num[style] = self._style_num_pr(style)
            return self.style_num[style]
        return None

    def _style_num_pr(self, style_id: str) -> Optional[tuple[str, int]]:
        seen = set()
        element = self.styles.element
        while style_id and style_id not in seen:
            seen.add(style_id)
            found = element.xpath(f'w:style[@w:styleId="{style_id}"]') if re.fullmatch(r"[\w .-]+", style_id) else []
            if not found:
                return None
            numpr = found[0].find(f"{_W}pPr/{_W}numPr")
            if numpr is not None and numpr.find(f"{_W}numId") is not None:
                ilvl = numpr.find(f"{_W}ilvl")
                return (numpr.find(f"{_W}numId").get(f"{_W}val"),
                        int(ilvl.get(f"{_W}val")) if ilvl is not None else 0)
            based = found[0].find(f"{_W}basedOn")
            style_id = based.get(f"{_W}val") if based is not None else None
        return None

    def prefix(self, paragraph) -> str:
        if not self.nums:
            return ""
        try:
            found = self._num_pr(paragraph)
            if found is None or found[0] in (None, "0"):
                return ""
            num_id, level = found
            num = self.nums.get(num_id)
            if num is None:
                return ""
            abs_id = num.find(f"{_W}abstractNumId").get(f"{_W}val")
            absn = self.abstract[abs_id]
            levels = {int(lv.get(f"{_W}ilvl")): lv for lv in absn.findall(f"{_W}lvl")}
            counters = self.counters.setdefault(num_id, [0] * 10)
            counters[level] += 1
            for deeper in range(level + 1, 10):
                counters[deeper] = 0
            lvl = levels[level]
            fmt = lvl.find(f"{_W}numFmt")
            fmt = fmt.get(f"{_W}val") if fmt is not None else "decimal"
            text_el = lvl.find(f"{_W}lvlText")
            pattern = text_el.get(f"{_W}val") if text_el is not None else f"%{level + 1}."
            if fmt == "bullet":
                return "• "
            if fmt == "none":
                return ""

            def render(m) -> str:
                n = int(m.group(1)) - 1
                lv = levels.get(n)
                start_el = lv.find(f"{_W}start") if lv is not None else None
                start = int(start_el.get(f"{_W}val")) if start_el is not None else 1
                f_el = lv.find(f"{_W}numFmt") if lv is not None else None
                return _format_number(counters[n] + start - 1 if counters[n] else start,
                                      f_el.get(f"{_W}val") if f_el is not None else "decimal")

            rendered = re.sub(r"%([1-9])", render, pattern).strip()
            return f"{rendered} " if rendered else ""
        except Exception:
            self.failed += 1
            return ""


def _format_number(n: int, fmt: str) -> str:
    if fmt in ("lowerLetter", "upperLetter"):
        out = ""
        while n > 0:
            n, r = divmod(n - 1, 26)
            out = chr(ord("a") + r) + out
        return out.upper() if fmt == "upperLetter" else out
    if fmt in ("lowerRoman", "upperRoman"):
        out = ""
        for value, numeral in ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
                               (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")):
            while n >= value:
                out += numeral
                n -= value
        return out.upper() if fmt == "upperRoman" else out
    return str(n)


def _add_paragraph(builder: TextBuilder, blocks: list, text: str, kind: str, index: int) -> None:
    start = end = None
    sep = PARAGRAPH_SEP
    for raw in text.split("\n"):
        span = builder.add(clean_line(raw), sep)
        if span is None:
            continue
        sep = LINE_SEP
        if start is None:
            start = span[0]
        end = span[1]
    if start is not None:
        blocks.append(Block(start, end, kind, index=index))


def _add_table(builder: TextBuilder, blocks: list, table, t_index: int, kind: str) -> None:
    seen: set = set()           # the <w:tc> elements themselves (a merged cell recurs in row.cells)
    first_row = True
    for r, row in enumerate(table.rows):
        sep = PARAGRAPH_SEP if first_row else LINE_SEP
        wrote = False
        try:
            cells = row.cells
        except Exception:
            continue
        for c, cell in enumerate(cells):
            key = cell._tc
            if key in seen:
                continue
            seen.add(key)
            text = clean_line(" ".join(cell.text.split("\n")))
            span = builder.add(text, sep if not wrote else CELL_SEP)
            if span is None:
                continue
            wrote = True
            blocks.append(Block(span[0], span[1], "cell" if kind == "cell" else kind, index=t_index,
                                cell=(t_index, r, c)))
        if wrote:
            first_row = False


def _iso(value) -> Optional[str]:
    if value is None or value == "":
        return None
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return str(value)


def _core_properties(document) -> dict:
    props = {}
    try:
        cp = document.core_properties
    except Exception:
        return props
    for key in ("title", "subject", "author", "keywords", "category", "comments", "last_modified_by",
                "created", "modified", "last_printed", "revision", "language", "identifier",
                "content_status", "version"):
        try:
            value = _iso(getattr(cp, key))
        except Exception:
            value = None
        if value not in (None, "", "0"):
            props[key] = value
    return props


# --------------------------------------------------------------------------- PDF

_PAGE_NUMBER = re.compile(r"(?:(?:halaman|hal\.?|page)\s*)?[-\u2013\u2014]?\s*(\d{1,4})\s*[-\u2013\u2014]?"
                          r"(?:\s*(?:dari|of|/)\s*\d{1,4})?", re.I)
_LIST_START = re.compile(r"(?:\d{1,3}[.)]|[a-zA-Z][.)]|[ivxIVX]{1,5}[.)]|[-\u2022\u2013\u25cf\u25aa*\u00b7])\s")
_HYPHEN_END = re.compile(r"([^\W\d_]+)[-\u2010\u00ad]$")
_PDF_KEYS = {"Title": "title", "Author": "author", "Subject": "subject", "Keywords": "keywords",
             "Creator": "creator", "Producer": "producer", "CreationDate": "created", "ModDate": "modified"}


@dataclass
class _Line:
    text: str
    page: int       # 1-based
    line: int       # 1-based among the page's extracted lines
    x0: float
    x1: float
    top: float
    bottom: float
    soft_hyphen: bool = False   # the source line ended with a soft hyphen (removed by clean_line)


def _read_pdf(data: bytes, doc: SourceDocument, limit: int) -> None:
    name = doc.name
    head = data[:1024]
    if b"%PDF-" not in head:
        raise ReadError(name, "not a PDF file (no %PDF header; corrupt or wrong extension)")
    if b"%%EOF" not in data[-4096:]:
        doc.warnings.append("no %%EOF marker at the end: the PDF may be truncated")
    for logger in ("pdfminer", "pdfplumber"):
        logging.getLogger(logger).setLevel(logging.ERROR)

    import pdfplumber
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

    def unwrap(exc: BaseException) -> BaseException:
        inner = exc.args[0] if exc.args and isinstance(exc.args[0], BaseException) else None
        return inner or exc.__cause__ or exc.__context__ or exc

    try:
        pdf = pdfplumber.open(io.BytesIO(data))
    except Exception as exc:
        inner = unwrap(exc)
        if isinstance(exc, (PDFPasswordIncorrect, PDFEncryptionError)) or isinstance(
                inner, (PDFPasswordIncorrect, PDFEncryptionError)):
            raise ReadError(name, "encrypted PDF (password required); decrypt it first") from None
        raise ReadError(name, f"corrupt or truncated PDF ({_why(inner)})") from None

    lines: list[list[_Line]] = []
    failed: list[int] = []
    widths: list[float] = []
    try:
        with pdf:
            try:
                pages = pdf.pages
            except Exception as exc:
                inner = unwrap(exc)
                if isinstance(inner, (PDFPasswordIncorrect, PDFEncryptionError)):
                    raise ReadError(name, "encrypted PDF (password required); decrypt it first") from None
                raise ReadError(name, f"corrupt or truncated PDF ({_why(inner)})") from None
            doc.page_count = len(pages)
            try:
                widths.extend(float(p.width) for p in pages[:50])
            except Exception:
                pass
            if not pages:
                raise ReadError(name, "corrupt or truncated PDF (no pages)")
            for number, page in enumerate(pages, 1):
                try:
                    raw = page.extract_text_lines(strip=True, return_chars=False)
                except Exception:
                    failed.append(number)
                    raw = []
                finally:
                    try:
                        page.close()
                    except Exception:
                        pass
                page_lines = []
                for n, item in enumerate(raw, 1):
                    source = item.get("text") or ""
                    text = clean_line(source)
                    if text:
                        page_lines.append(_Line(text, number, n, float(item["x0"]), float(item["x1"]),
                                                float(item["top"]), float(item["bottom"]),
                                                source.rstrip().endswith("\u00ad")))
                lines.append(page_lines)
            doc.properties = _pdf_info(pdf)
    except ReadError:
        raise
    except Exception as exc:
        inner = unwrap(exc)
        if isinstance(inner, (PDFPasswordIncorrect, PDFEncryptionError)):
            raise ReadError(name, "encrypted PDF (password required); decrypt it first") from None
        raise ReadError(name, f"corrupt or truncated PDF ({_why(inner)})") from None

    empty = [i + 1 for i, page_lines in enumerate(lines) if not page_lines]
    doc.pages_without_text = empty
    if len(empty) == len(lines):
        if failed and len(failed) == len(lines):
            raise ReadError(name, "corrupt PDF (no page could be read)")
        where = f"page {empty[0]}" if len(empty) == 1 else f"pages {_ranges(empty)}"
        raise ReadError(name, f"scanned PDF without a text layer ({where}); OCR is out of scope")
    if failed:
        doc.warnings.append(f"could not read page(s) {_ranges(failed)}; their text is missing")
    missing = [p for p in empty if p not in failed]
    if missing:
        doc.warnings.append(f"no text layer on page(s) {_ranges(missing)} (scanned?); their text is missing")
    cids = sorted({ln.page for page_lines in lines for ln in page_lines if "(cid:" in ln.text})
    if cids:
        doc.warnings.append(f"unmapped glyphs '(cid:N)' on page(s) {_ranges(cids)}: text may be garbled")

    headers, footers = _strip_debris(lines, doc.warnings)
    _assemble_pdf(lines, headers, footers, doc, statistics.median(widths) if widths else 0.0)


def _ranges(numbers: list[int]) -> str:
    out, run = [], []
    for n in sorted(set(numbers)):
        if run and n == run[-1] + 1:
            run.append(n)
            continue
        if run:
            out.append(f"{run[0]}-{run[-1]}" if len(run) > 1 else str(run[0]))
        run = [n]
    if run:
        out.append(f"{run[0]}-{run[-1]}" if len(run) > 1 else str(run[0]))
    return ", ".join(out)


def _pdf_date(value: str) -> str:
    m = re.match(r"^(?:D:)?(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?\s*([Zz+\-])?(\d{2})?'?(\d{2})?", value)
    if not m:
        return value
    y, mo, d, h, mi, s, sign, tzh, tzm = m.groups()
    try:
        stamp = datetime(int(y), int(mo or 1), int(d or 1), int(h or 0), int(mi or 0), int(s or 0))
    except ValueError:
        return value
    iso = stamp.isoformat()
    if sign in ("Z", "z"):
        iso += "+00:00"
    elif sign in ("+", "-") and tzh:
        iso += f"{sign}{tzh}:{tzm or '00'}"
    return iso


def _pdf_info(pdf) -> dict:
    props = {}
    try:
        meta = pdf.metadata or {}
    except Exception:
        return props
    for key, out in _PDF_KEYS.items():
        value = meta.get(key)
        if value is None:
            continue
        if isinstance(value, bytes):
            value = value.decode("latin-1", "replace")
        value = clean_line(str(value))
        if not value:
            continue
        props[out] = _pdf_date(value) if out in ("created", "modified") else value
    return props


def _debris_key(text: str) -> str:
    return re.sub(r"\d+", "#", text.lower())


def _strip_debris(lines: list[list[_Line]], warnings: list[str]) -> tuple[list[_Line], list[_Line]]:
    """Drop bare page numbers; take page headers/footers repeated on several pages out of the body."""
    numbered = []
    for page_lines in lines:
        for pos in (-1, 0):
            if not page_lines:
                break
            cand = page_lines[pos]
            m = _PAGE_NUMBER.fullmatch(cand.text)
            if m and int(m.group(1)) == cand.page:
                page_lines.pop(pos)
                numbered.append(cand.page)
    if numbered:
        warnings.append(f"dropped page numbers on page(s) {_ranges(numbered)}")

    headers: list[_Line] = []
    footers: list[_Line] = []
    pages_with_text = [p for p in lines if p]
    if len(pages_with_text) < 2:
        return headers, footers
    need = max(2, (len(pages_with_text) + 1) // 2)
    for pos, out, label in ((0, headers, "header"), (-1, footers, "footer")):
        for _ in range(3):          # up to three lines deep
            counts: dict[str, int] = {}
            for page_lines in lines:
                if len(page_lines) > 1:
                    key = _debris_key(page_lines[pos].text)
                    counts[key] = counts.get(key, 0) + 1
            repeated = [k for k, n in counts.items() if n >= need]
            if not repeated:
                break
            key = repeated[0]
            taken = []
            for page_lines in lines:
                if len(page_lines) > 1 and _debris_key(page_lines[pos].text) == key:
                    taken.append(page_lines.pop(pos))
            if pos == 0:
                out.append(taken[0])
            else:
                out.insert(0, taken[0])
            warnings.append(f"repeated page {label} moved after the body: {taken[0].text!r} "
                            f"(pages {_ranges([t.page for t in taken])})")
    return headers, footers


def _assemble_pdf(lines: list[list[_Line]], headers: list[_Line], footers: list[_Line],
                  doc: SourceDocument, page_width: float) -> None:
    body = [ln for page_lines in lines for ln in page_lines]
    pitches, heights = [], []
    for page_lines in lines:
        for a, b in zip(page_lines, page_lines[1:]):
            pitches.append(b.top - a.top)
        heights.extend(ln.bottom - ln.top for ln in page_lines)
    height = statistics.median(heights) if heights else 10.0
    positive = sorted(p for p in pitches if p > 0.3 * height)
    # the usual distance between lines of a paragraph; too few lines to tell: assume single spacing
    base = positive[len(positive) // 4] if positive else height * 1.2
    if len(positive) < 4:
        base = min(base, height * 1.3)
    right = sorted(ln.x1 for ln in body)
    right_edge = right[int(len(right) * 0.9)] if right else 0.0
    lefts = sorted(ln.x0 for ln in body)
    left_edge = lefts[len(lefts) // 10] if lefts else 0.0
    if page_width and right_edge < 0.6 * page_width:
        right_edge = page_width        # no line reaches a margin: every line ends short
    full_width = left_edge + 0.82 * (right_edge - left_edge)
    threshold = base + max(0.45 * height, 3.0)

    def join(prev: _Line, cur: _Line) -> str:
        """Separator before ``cur``: PARAGRAPH_SEP, LINE_SEP, " " or "" (hyphenated word)."""
        if cur.page != prev.page:        # no gap to measure: a list item or a short last line decide
            if _LIST_START.match(cur.text):
                return LINE_SEP
            if prev.x1 < full_width:
                return PARAGRAPH_SEP
        else:
            pitch = cur.top - prev.top
            h_prev, h_cur = prev.bottom - prev.top, cur.bottom - cur.top
            if pitch > threshold or pitch < 0 or abs(h_cur - h_prev) > 0.25 * max(h_prev, h_cur, 1.0):
                return PARAGRAPH_SEP
        if (prev.soft_hyphen or _HYPHEN_END.search(prev.text)) and cur.text[:1].isalpha():
            return ""
        if prev.x1 < full_width or _LIST_START.match(cur.text):
            return LINE_SEP
        return " "

    builder = TextBuilder()
    pieces: list[list] = []   # [line, separator before it, text to add]
    for i, ln in enumerate(body):
        sep = PARAGRAPH_SEP if i == 0 else join(body[i - 1], ln)
        pieces.append([ln, sep, ln.text])
    # hyphenated line ends: drop the hyphen when the next line starts lower-case and does
    # not repeat the word (Indonesian reduplication "orang-\norang" keeps its hyphen)
    for i in range(len(pieces) - 1):
        nxt = pieces[i + 1]
        if nxt[1] != "":
            continue
        text = pieces[i][2]
        m = _HYPHEN_END.search(text)
        first = re.match(r"[^\W\d_]+", nxt[2])
        if m and nxt[2][:1].islower() and not (first and first.group().lower() == m.group(1).lower()):
            pieces[i][2] = text[:-1]
    index = 0
    for ln, sep, text in pieces:
        span = builder.add(text, sep)
        if span is None:
            continue
        doc.blocks.append(Block(span[0], span[1], "line", index=index, page=ln.page, line=ln.line))
        index += 1
    for kind, group in (("header", headers), ("footer", footers)):
        for j, ln in enumerate(group):
            span = builder.add(ln.text, PARAGRAPH_SEP if j == 0 else LINE_SEP)
            if span is not None:
                doc.blocks.append(Block(span[0], span[1], kind, index=j, page=ln.page, line=ln.line))
    doc.text = builder.text()


_READERS = {"txt": _read_txt, "docx": _read_docx, "pdf": _read_pdf}
