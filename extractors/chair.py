"""The person who led or opened the activity (``doc.spans["chair"]``, ``doc.spans["chair_role"]``).

Cues from ``data/chair.jsonl``: the person FOLLOWS ``dipimpin oleh``, ``dibuka (secara
resmi) oleh``, ``dilepas oleh`` and PRECEDES ``memimpin rapat``, ``membuka acara``,
``selaku Ketua Panitia``, ``melepas tim``. Leading beats opening; the earliest cue of the
best priority wins. Around a cue the person and the role come in several orders:
``oleh ROLE, NAME``, ``oleh NAME, ROLE``, ``oleh NAME selaku ROLE``, ``oleh ROLE NAME dan ...``,
``ROLE, NAME, membuka ...``; ``Bupati X yang diwakili Y`` gives Y. Names are found without
NER: capitalised words, honorific and degree lists (``data/lang/honorifics.txt``), role
words and the offices' places (so ``Kepala Kantor Imigrasi TPI Bagan Siapiapi Agus S`` splits
after the place). A cue inside a quotation or a sentence where someone reads another's
speech is ignored. Only a role named: only ``chair_role`` (its holder's name is looked up
elsewhere in the text: ``Gubernur ... membuka`` + ``Gubernur Kaltara Zainal A Paliwang``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Optional

from spacy.language import Language
from spacy.tokens import Doc

from extractors.common import char_span, doc_text, finditer, haystack
from extractors.data import load_jsonl, load_list

_TOKEN = re.compile(r"[^\s,;:]+")
_NORM = re.compile(r"[^a-z0-9]+")
MAX_NAME_WORDS = 5
MAX_CUE_HITS = 20          # per cue: bounds the work on huge texts
PLACE_WORDS = ("kabupaten", "kota", "provinsi", "kecamatan", "kab.", "kec.", "prov.")

Tok = tuple[int, int, str]          # start, end, text


@dataclass
class Cue:
    id: str
    side: str
    priority: int
    pattern: re.Pattern


@dataclass
class Found:
    name: Optional[tuple[int, int]]
    role: Optional[tuple[int, int]]
    rule: str
    priority: int
    pos: int


#: degrees written after a name (S.H., M.Si., A.Md., Ph.D, MBA): everything else honorific opens one
_SUFFIX_DEGREE = re.compile(r"(?i)^(?:[SMAB]\.|S\d|Ph\.?D|MBA|LL\.?M|Amd|ANT-)")


def norm(word: str) -> str:
    return _NORM.sub("", word.lower())


@lru_cache(maxsize=1)
def _config():
    cues, excludes, represented = [], [], []
    words: dict[str, frozenset] = {}
    for row in load_jsonl("chair.jsonl"):
        kind = row.get("kind")
        if kind == "cue":
            cues.append(Cue(row["id"], row["side"], int(row["priority"]), re.compile(row["pattern"], re.I)))
        elif kind == "exclude":
            excludes.append(re.compile(row["pattern"], re.I))
        elif kind == "represented":
            represented.append(re.compile(row["pattern"], re.I))
        elif "words" in row:
            words[kind] = frozenset(w.lower() for w in row["words"])
    return cues, excludes, represented, words


@lru_cache(maxsize=1)
def honorifics() -> frozenset[str]:
    out = set()
    for entry in load_list("lang/honorifics.txt"):
        for part in entry.split():
            if norm(part):
                out.add(norm(part))
    return frozenset(out)


def is_honorific(word: str) -> bool:
    return bool(norm(word)) and norm(word) in honorifics()


def clean_name(name: str) -> str:
    """A person's name without honorifics, degrees and ranks (``AKBP Drs. H. Ahmad, S.H.`` -> ``Ahmad``)."""
    words = [w for w in re.split(r"[\s,]+", name or "") if w]
    kept = [w for w in words if not is_honorific(w)]
    return " ".join(kept).strip(" .,;:")


def _tokens(text: str, start: int, end: int) -> list[Tok]:
    return [(m.start() + start, m.end() + start, m.group()) for m in _TOKEN.finditer(text[start:end])]


def _parts(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Comma-separated parts of ``text[start:end]`` as trimmed character ranges."""
    out, pos = [], start
    for m in re.finditer(r"[,;]", text[start:end]):
        out.append((pos, start + m.start()))
        pos = start + m.end()
    out.append((pos, end))
    trimmed = []
    for s, e in out:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1] in " \t.":
            e -= 1
        trimmed.append((s, e))
    return trimmed


def _sentence_end(text: str, pos: int, limit: int = 320) -> int:
    stop = min(len(text), pos + limit)
    nl = text.find("\n", pos, stop)
    if nl != -1:
        stop = nl
    for m in re.finditer(r"\.(?=\s+[A-Z\"“(])", text[pos:stop]):
        before = text[pos:pos + m.start()].split()
        last = before[-1] if before else ""
        if len(last) <= 3 or is_honorific(last):
            continue       # "H. Mustofa", "Moh. Muldani", "dr. X"
        return pos + m.start()
    return stop


def _sentence_start(text: str, pos: int, limit: int = 320) -> int:
    lo = max(0, pos - limit)
    best = lo
    for m in re.finditer(r"(?:\.\s+(?=[A-Z\"“])|\n|[“\"](?=[A-Z]))", text[lo:pos]):
        before = text[lo:lo + m.start()].split()
        last = before[-1] if before else ""
        if m.group().startswith(".") and (len(last) <= 3 or is_honorific(last)):
            continue
        best = lo + m.end()
    return best


def _in_quote(text: str, pos: int) -> bool:
    para_start = text.rfind("\n", max(0, pos - 2000), pos) + 1
    chunk = text[para_start:pos]
    return chunk.count("“") > chunk.count("”") or chunk.count('"') % 2 == 1


class _Parser:
    def __init__(self, text: str, places: set[str]):
        self.text = text
        self.places = places
        _, _, _, words = _config()
        self.heads = words["role_heads"]
        self.role_words = words["role_words"]
        self.stops = words["name_stop"]
        self.groups = words["group_words"]

    # -- classification -------------------------------------------------------------
    def name_run(self, toks: list[Tok]) -> Optional[tuple[int, int]]:
        """The leading run of name tokens (honorifics allowed), or None."""
        words, start, end = 0, None, None
        for i, (s, e, w) in enumerate(toks):
            low = w.lower().strip("().")
            if is_honorific(w):
                if start is None:
                    start = s
                continue
            if low in self.stops or not w[0].isupper():
                break
            if len(norm(w)) > 1 and (low in self.role_words or low in self.heads
                                     or (norm(w) in self.places and not words)):
                return None             # a place word may go on a name ("I Gusti Ngurah ..."), not open it
            if w.startswith("("):
                break
            if re.search(r"\.[a-z]", w) or "--" in w:
                return None
            start = s if start is None else start
            end = e
            words += 1
            if words > MAX_NAME_WORDS:
                return None
        if not words:
            return None
        return start, end

    def whole_name(self, toks: list[Tok]) -> Optional[tuple[int, int]]:
        """A name that makes up the whole part (trailing degrees allowed)."""
        name = self.name_run(toks)
        if name and all(is_honorific(w) for st, _, w in toks if st >= name[1]):
            return name
        return None

    def is_role(self, toks: list[Tok]) -> bool:
        return bool(toks) and toks[0][2].lower().strip("().") in self.heads

    def role_continues(self, toks: list[Tok]) -> bool:
        """A comma part that only continues the role before it (``Hukum dan Politik``), not a new role or a name."""
        return bool(toks) and toks[0][2][0].isupper() and toks[0][2].lower().strip("().") not in self.heads \
            and all(w.lower().strip("().") in self.role_words for _, _, w in toks)

    def only_honorifics(self, toks: list[Tok]) -> bool:
        return bool(toks) and all(is_honorific(w) for _, _, w in toks)

    def role_name_split(self, toks: list[Tok]) -> tuple[Optional[tuple[int, int]], Optional[tuple[int, int]]]:
        """``ROLE NAME (dan ...)`` within one part -> (role range, name range)."""
        role, name, _ = self._split(toks)
        return role, name

    def _split(self, toks: list[Tok]):
        if not toks:
            return None, None, False
        # a name ends at the first lowercase word after a capitalised word that is not a role word
        cut = len(toks)
        for i, (_, _, w) in enumerate(toks):
            if i and not w[0].isupper() and not is_honorific(w):
                prev = toks[i - 1][2]
                if prev[0].isupper() and prev.lower().strip("().") not in self.role_words \
                        and norm(prev) not in self.places and not is_honorific(prev):
                    cut = i
                    break
        was_cut = cut < len(toks)
        toks = toks[:cut]
        # the name: trailing capitalised words that are neither role words nor place words
        j = len(toks)
        seen_name = False
        while j > 0:
            w = toks[j - 1][2]
            low = w.lower().strip("().")
            before = toks[j - 2][2].lower() if j >= 2 else ""
            if not (w[0].isupper() or is_honorific(w)) or (len(norm(w)) > 1 and low in self.role_words):
                break
            if seen_name and is_honorific(w) and not _SUFFIX_DEGREE.match(w):
                # "Kapolres Manggarai Barat AKBP Ari Satmoko": a rank or title opens the name
                k = j - 1
                while k > 0 and is_honorific(toks[k - 1][2]):
                    k -= 1
                if k == 0:
                    break
                return (toks[0][0], toks[k - 1][1]), (toks[j][0], toks[-1][1]), was_cut
            seen_name = seen_name or not is_honorific(w)
            if w.startswith("(") or w.endswith(")") or norm(w) in self.places or before in PLACE_WORDS:
                break
            j -= 1
        name_toks = [t for t in toks[j:] if not is_honorific(t[2])]
        whole = (toks[0][0], toks[-1][1]) if toks else None
        if not name_toks or len(name_toks) > MAX_NAME_WORDS or j == 0:
            return whole, None, was_cut
        prev = toks[j - 1][2]
        if not (prev[0].isupper() or prev.lower().strip("().") in self.role_words or prev.endswith(")")):
            return whole, None, was_cut      # "... rapat Pembentukan": not a role before a name
        return (toks[0][0], toks[j - 1][1]), (toks[j][0], toks[-1][1]), was_cut

    def selaku(self, s: int, e: int) -> Optional[tuple[tuple[int, int], tuple[int, int]]]:
        m = re.search(r"\s+selaku\s+", self.text[s:e], re.I)
        if not m:
            return None
        name = self.name_run(_tokens(self.text, s, s + m.start()))
        if name is None:
            return None
        rs = s + m.end()
        role_toks = _tokens(self.text, rs, e)
        k = len(role_toks)
        for i, (_, _, w) in enumerate(role_toks):
            if i and w.lower() in ("didampingi", "yang", "serta", "beserta", "bersama", "mewakili", "dalam", "saat",
                                   "di", "pada", "ketika", "untuk", "sekaligus"):
                k = i
                break
            if i and w.lower() == "dan" and i + 1 < len(role_toks) and role_toks[i + 1][2][0].islower():
                k = i
                break
        role = (role_toks[0][0], role_toks[k - 1][1]) if k else None
        return name, role

    # -- the two sides ----------------------------------------------------------------
    def after(self, pos: int) -> tuple[Optional[tuple[int, int]], Optional[tuple[int, int]]]:
        _, _, represented, _ = _config()
        end = _sentence_end(self.text, pos)
        for rx in represented:
            m = rx.search(self.text, pos, end)
            if m and "," not in self.text[pos:m.start()]:
                pos = m.end()
        parts = [p for p in _parts(self.text, pos, end) if p[0] < p[1]]
        if not parts:
            return None, None
        s0, e0 = parts[0]
        sel = self.selaku(s0, e0)
        if sel:
            return sel
        toks0 = _tokens(self.text, s0, e0)
        rest = [p for p in parts[1:] if not self.only_honorifics(_tokens(self.text, *p))]
        if self.is_role(toks0) and len(rest) > 1 and self.role_continues(_tokens(self.text, *rest[0])):
            while len(rest) > 1 and self.role_continues(_tokens(self.text, *rest[0])):
                e0, rest = rest[0][1], rest[1:]      # "Staf Ahli Bidang Pemerintahan, Hukum dan Politik, NAME"
            toks0 = _tokens(self.text, s0, e0)
        if self.is_role(toks0):
            role, name, was_cut = self._split(toks0)
            if name is not None and was_cut:
                return name, role
        if self.is_role(toks0) and rest:
            name = self.name_run(_tokens(self.text, *rest[0]))
            if name:
                return name, (s0, e0)
        name0 = self.name_run(toks0)
        if name0 and name0[1] >= e0 - 1 - 0:
            role = None
            if rest and self.is_role(_tokens(self.text, *rest[0])):
                role = rest[0]
            return name0, role
        if name0:          # "NAME dan dihadiri ..."
            return name0, None
        role, name = self.role_name_split(toks0)
        if role is not None and not self.is_role(_tokens(self.text, *role)):
            return None, None
        return name, role

    def before(self, cue_start: int) -> tuple[Optional[tuple[int, int]], Optional[tuple[int, int]]]:
        start = _sentence_start(self.text, cue_start)
        region = self.text[start:cue_start]
        m = re.search(r"(?:\s*\b(?:saat|ketika|sekaligus|yang|juga|secara|simbolis|resmi|langsung|turut|pun|"
                      r"sambil|kemudian|lalu|dan|untuk|akan|hadir|bertindak)\b)+\s*[,]?\s*$", region, re.I)
        end = start + (m.start() if m else len(region))
        parts = [p for p in _parts(self.text, start, end) if p[0] < p[1]]
        parts = [p for p in parts if not self.only_honorifics(_tokens(self.text, *p))]
        if not parts:
            return None, None
        last = parts[-1]
        prev = parts[-2] if len(parts) > 1 else None
        sel = self.selaku(*last)
        if sel:
            return sel
        tl = _tokens(self.text, *last)
        name = self.whole_name(tl)
        if name:
            role = self._role_from(prev) if prev else None
            return name, role
        role_toks = self._from_role_head(tl)
        if role_toks and prev:
            pname = self.whole_name(_tokens(self.text, *prev))
            if pname:
                return pname, (role_toks[0][0], role_toks[-1][1])
        if role_toks:
            if tl[0][0] < role_toks[0][0] and tl[len(tl) - len(role_toks) - 1][2].lower() in self.groups:
                return None, None       # "kepada masing-masing Camat selaku ketua tim": a group
            role, name = self.role_name_split(role_toks)
            return name, role
        return None, None

    def _from_role_head(self, toks: list[Tok]) -> list[Tok]:
        for i, (_, _, w) in enumerate(toks):
            if w.lower().strip("().") in self.heads and w[0].isupper():
                return toks[i:]
        return []

    def _role_from(self, rng: tuple[int, int]) -> Optional[tuple[int, int]]:
        toks = self._from_role_head(_tokens(self.text, *rng))
        return (toks[0][0], toks[-1][1]) if toks else None

    def holder(self, role: tuple[int, int]) -> Optional[tuple[int, int]]:
        """The name of a role's holder, from another mention ``ROLE NAME`` in the text."""
        role_text = self.text[role[0]:role[1]]
        if not role_text.strip():
            return None
        for n, m in enumerate(re.finditer(re.escape(role_text), self.text)):
            if n >= MAX_CUE_HITS:
                break
            if m.start() == role[0]:
                continue
            end = _sentence_end(self.text, m.end(), 160)
            parts = _parts(self.text, m.start(), end)
            if not parts:
                continue
            toks = _tokens(self.text, *parts[0])
            _, name = self.role_name_split(toks)
            if name is None and len(parts) > 1:
                name = self.name_run(_tokens(self.text, *parts[1]))
            if name:
                return name
        return None


@lru_cache(maxsize=1)
def region_abbreviations() -> frozenset[str]:
    """Region abbreviations (``Beltim``, ``Kaltara``): a place word in a role, never a name."""
    from extractors import regions as R
    return frozenset(norm(a) for a, _ in R.aliases() if " " not in a and R.alias_type(a) == "abbrev")


def find(text: str, places: Optional[set[str]] = None) -> Optional[Found]:
    """The chair (name range, role range) of ``text``, or None."""
    cues, excludes, _, _ = _config()
    if places is None:
        from extractors.office import office_places
        places = {norm(w) for p in office_places(text) for w in p.split()} | region_abbreviations()
    parser = _Parser(text, places)
    found: list[Found] = []
    hay = haystack(text)
    for cue in cues:
        if not hay.may_scan(cue.pattern):
            continue
        for n, m in enumerate(finditer(cue.pattern, hay)):
            if n >= MAX_CUE_HITS:
                break
            if _in_quote(text, m.start()):
                continue
            s, e = _sentence_start(text, m.start()), _sentence_end(text, m.end())
            if any(rx.search(text, s, e) for rx in excludes):
                continue
            name, role = parser.after(m.end()) if cue.side == "after" else parser.before(m.start())
            if name is None and role is None:
                continue
            if name is None and role is not None:
                name = parser.holder(role)
            if name is not None and not clean_name(text[name[0]:name[1]]):
                name = None
            if name is None and role is None:
                continue
            found.append(Found(name, role, cue.id, cue.priority, m.start()))
    if not found:
        return None
    found.sort(key=lambda f: (-f.priority, f.name is None, f.pos))
    return found[0]


class ChairExtractor:
    def __init__(self, nlp: Language, name: str = "timpora_chair"):
        self.name = name

    def __call__(self, doc: Doc) -> Doc:
        text = doc_text(doc)
        result = find(text) if text else None
        names, roles = [], []
        if result is not None:
            if result.name is not None:
                s, e = result.name
                span = char_span(doc, s, e, label=clean_name(text[s:e]), rule=result.rule)
                if span is not None:
                    names.append(span)
            if result.role is not None:
                s, e = result.role
                label = re.sub(r"\s+", " ", text[s:e]).strip(" ,.;:")
                span = char_span(doc, s, e, label=label, rule=result.rule)
                if span is not None:
                    roles.append(span)
        doc.spans["chair"] = names
        doc.spans["chair_role"] = roles
        return doc


@Language.factory("timpora_chair")
def make_chair(nlp: Language, name: str):
    return ChairExtractor(nlp, name)
