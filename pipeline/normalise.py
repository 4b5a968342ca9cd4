"""Text normalisation shared by every reader: one canonical form for .txt, .docx and .pdf.

The canonical text is built from *pieces* (a line of a text file, a DOCX paragraph, a
table cell, a line of a PDF page), each normalised on its own by :func:`clean_line`, then
joined: ``"\\n"`` between lines of one paragraph, ``"\\n\\n"`` between paragraphs. Because
no normalisation step works across a join, every piece's offsets in the canonical text
are known exactly (that is what ``SourceDocument.locate`` maps back to the source).

Rules of :func:`clean_line`:

* Unicode NFC;
* no-break and other Unicode spaces, tabs and stray line/paragraph separators -> one space,
  runs of spaces collapsed, leading and trailing spaces removed;
* zero-width characters, soft hyphens, BOMs, direction marks and other format (``Cf``)
  and control (``Cc``) characters removed;
* Latin presentation ligatures (``ﬁ``, ``ﬂ`` ... as PDFs often give them) spelled out.
"""
from __future__ import annotations

import re
import unicodedata

#: Any run of horizontal white space (ASCII and Unicode spaces, tabs, odd separators).
_SPACES = re.compile(r"[ \t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000\u2028\u2029\x0b\x0c\x1c-\x1f\x85]+")
_LIGATURES = {"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl",
              "\ufb05": "st", "\ufb06": "st"}
_LIGATURE_RE = re.compile("[\ufb00-\ufb06]")
#: Characters that are neither text nor layout: removed outright (the spaces above are handled first).
_INVISIBLE_RE = re.compile(r"[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f\u00ad\u034f\u061c\u115f\u1160\u17b4"
                           r"\u17b5\u180b-\u180e\u200b-\u200f\u202a-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f"
                           r"\ufeff\uffa0\ufff0-\ufff8]")
_ASCII_PLAIN = re.compile(r"[\x20-\x7e]*")

PARAGRAPH_SEP = "\n\n"
LINE_SEP = "\n"


def clean_line(text: str) -> str:
    """One line (or one-line cell) of source text in canonical form; may return ``""``."""
    if not text:
        return ""
    if _ASCII_PLAIN.fullmatch(text):          # fast path: plain ASCII needs only space folding
        if "  " in text or text[:1] == " " or text[-1:] == " ":
            return _SPACES.sub(" ", text).strip(" ")
        return text
    text = _SPACES.sub(" ", text)
    text = _INVISIBLE_RE.sub("", text)
    if not text.isprintable():
        text = "".join(ch for ch in text if not _is_other_invisible(ch))
    text = _LIGATURE_RE.sub(lambda m: _LIGATURES[m.group()], text)
    text = unicodedata.normalize("NFC", text)
    if "  " in text or text[:1] == " " or text[-1:] == " ":
        text = _SPACES.sub(" ", text).strip(" ")
    return text


def _is_other_invisible(ch: str) -> bool:
    """Control and format characters not covered by the fast regexes (``\\n`` never reaches here)."""
    if ch < "\u00a0" or ch.isprintable():
        return False
    return unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn") and ch != "\n"


def squash_whitespace(text: str) -> str:
    """``text`` with every whitespace run made one space: how the three forms of a report compare."""
    return re.sub(r"\s+", " ", text).strip()


class TextBuilder:
    """Assembles the canonical text from cleaned pieces and remembers where each piece went.

    ``add(piece, sep)`` appends ``piece`` after separator ``sep`` (``LINE_SEP``,
    ``PARAGRAPH_SEP``, ``" "`` or ``""``; ignored for the first piece) and returns the
    piece's ``(start, end)`` in the final text. Empty pieces are not added (returns None).
    """

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._length = 0

    def __len__(self) -> int:
        return self._length

    def add(self, piece: str, sep: str) -> tuple[int, int] | None:
        if not piece:
            return None
        if self._length:
            self._parts.append(sep)
            self._length += len(sep)
        start = self._length
        self._parts.append(piece)
        self._length += len(piece)
        return start, self._length

    def text(self) -> str:
        return "".join(self._parts)
