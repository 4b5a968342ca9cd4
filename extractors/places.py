"""Places: the kabupaten/kota where the activity took place (``doc.spans["places"]``).

How it works (patterns and weights in ``data/places.jsonl``, names from ``extractors.regions``):

1. *Mentions.* The text is split into words once; every capitalised word that can start a
   region name is tried as the longest run of words that is a province / kabupaten / kota
   name or alias (``Muko-Muko``, ``TTS``, ``Soe``). A level word before it (``Kabupaten``,
   ``Kab.``, ``Kota``, ``Provinsi``, ``Kecamatan``, ``Desa`` ...) makes the mention
   *explicit* and fixes the level; after ``Kabupaten``/``Kota`` a misspelt name is matched
   fuzzily (flagged). Kecamatan and villages need their level word and are mapped up to
   their kabupaten/kota only when it is consistent with the rest of the report.
2. *Context.* Each mention gets a base weight plus the strongest context bonus
   (``TIMPORA Tingkat Kabupaten X``, ``di wilayah X``, a dateline ``X, site.com -``); it is
   dropped when it is part of an office name (``Kantor Imigrasi Kelas I TPI Kupang``), an
   origin (``asal X``, ``dari X``), an earlier event (``beberapa waktu lalu di X``) or a
   longer proper noun (``Samuel Toba``).
3. *Choice.* Weights are summed per region; the kabupaten/kota with enough weight are the
   places. The province is only given when no kabupaten/kota can be told.

Span ``label_`` = region code, ``kb_id_`` = official name, ``id_`` = the deciding pattern.
"""
from __future__ import annotations

import bisect
import re
import threading
from dataclasses import dataclass, field
from typing import Optional

from spacy.language import Language
from spacy.tokens import Doc

from extractors import data
from extractors import regions as R
from extractors.common import add_flag, char_span, doc_text, guard, haystack, search
from extractors.windows import any_of, anchors, search_from, tails
from extractors.regions import region_name  # noqa: F401  (re-exported: pipeline.extract uses it)
from models.record import FLAG_AMBIGUOUS_PLACE, FLAG_FUZZY_PLACE

GROUP = "places"
PATTERNS = "places.jsonl"
STOPWORDS = "place_stopwords.txt"

#: a region is a place when its summed weight reaches this ...
SELECT_WEIGHT = 3.0
#: ... and is at least this share of the best region's weight
RELATIVE_WEIGHT = 0.2
#: when no region reaches SELECT_WEIGHT, the best kabupaten/kota still counts from this weight
FALLBACK_WEIGHT = 1.0
MAX_WORDS = 5
#: only the first this many characters are read (a report is a few thousand)
MAX_CHARS = 300_000
#: a report names a few dozen regions; beyond this many mentions the rest of a text is skipped
MAX_MENTIONS = 400
#: fuzzy look-ups per text (each compares with every kabupaten/kota name)
MAX_FUZZY = 12
#: context rules that name the TIMPORA's own level (a province named so is a place by itself)
LEVEL_RULES = ("timpora_level", "level_named")
#: context rules that tell the town an activity was held in (a dateline, "bertempat di")
TOWN_RULES = ("dateline_after", "dateline_before", "venue_at", "office_venue")
#: context rules that a list item only has because of the item before it ("di A, B")
LIST_RULES = ("located_in", "explicit", "bare", "subdistrict", "fuzzy", "desa")
#: the rule groups, tried in this order
_VENUE, _EXCLUDE, _CONTEXT = "venue", "exclude", "context"

_WORD = re.compile(r"[^\W_][\w'’]*(?:-[^\W_][\w'’]*)*")
_GAP_IN_NAME = re.compile(r"[ \t\u00a0]{1,3}|\s*-\s*")
_GAP_AFTER_ABBREV = re.compile(r"\.?[ \t\u00a0]{0,3}")
_LIST_GAP = re.compile(r"\s*(?:\)\s*)?(?:,|/|&|;)?\s*(?:dan|serta|atau|maupun|hingga|sampai)?\s*(?:\(\s*)?$")
_SENTENCE_END = re.compile(r"[.!?]\s|\n")
_BOTH_AFTER = re.compile(r"[ \t]+(?i:kota|kabupaten|kab\.?)[ \t]*(?:/|dan|&|maupun)[ \t]*(?i:kota|kabupaten|kab\.?)(?!\w)")
_BOTH_BEFORE = re.compile(r"(?<!\w)(?i:kota|kabupaten|kab\.?)[ \t]*(?:/|dan|&|maupun)[ \t]*(?i:kota|kabupaten|kab\.?)[ \t]+$")
_KOTA_AFTER = re.compile(r"[ \t]+(?:Kota|KOTA)(?![\w/'’-])")
_LOWER_NEXT = re.compile(r"[ \t]+([a-z][a-z'’-]*)(?:[ \t]+([a-z][a-z'’-]*))?")
_ABBREVIATIONS = {"kab", "kec", "kep", "prov", "kel", "adm", "kab.", "kec."}
#: ``R.name_key`` of the words read so far (a report repeats its names; cleared when large)
_KEYS: dict[str, str] = {}
_MAX_KEYS = 50_000
_ADMIN_WORDS = {"administrasi", "adm"}
#: a capitalised word of ``_word_re`` (without its look-behind), its first character
_CAPS = re.compile(r"[A-Z0-9\u00c0-\u00de][\w'’]*(?:-[^\W_][\w'’]*)*")
_CAPS_FIRST = re.compile(r"[A-Z0-9\u00c0-\u00de]").match
#: what may lie between a word and the next one joined to it
_GAP_CHARS = re.compile(r"[\s.-]*")


def _wordish(c: str) -> bool:
    """Whether ``c`` is one of ``[\\w'’-]`` (what the word patterns' look-behind rejects)."""
    return c.isalnum() or c in "_'’-"



@dataclass(slots=True)
class _Word:
    start: int
    end: int
    text: str
    key: str
    cap: bool


@dataclass(slots=True)
class _Mention:
    start: int
    end: int
    codes: list[str]          # candidate regions (several for Kupang = kabupaten or kota)
    kind: str                 # explicit | bare | subdistrict | fuzzy | desa
    cue_start: int            # start of the level word, = start without one
    weight: float = 0.0
    rule: str = ""
    excluded: bool = False
    bonus: float = 0.0
    ambiguous: bool = False
    fuzzy_score: float = 0.0
    code: Optional[str] = None   # the resolved region
    name_key: str = ""


@dataclass
class _Rule:
    id: str
    weight: float
    before: Optional[re.Pattern] = None
    after: Optional[re.Pattern] = None
    sentence: Optional[re.Pattern] = None
    after_required: Optional[re.Pattern] = None
    line_start: bool = False
    bare_only: bool = False
    window: int = 70


@dataclass
class _Names:
    """The name index the scanner needs, built once from the region gazetteer."""

    admin: dict[str, list[str]] = field(default_factory=dict)       # key -> provinsi/kab/kota codes
    kecamatan: dict[str, list[str]] = field(default_factory=dict)   # key -> kecamatan codes
    first: set[str] = field(default_factory=set)                    # first-word keys of names
    tails: set[str] = field(default_factory=set)                    # 3-letter starts of later words
    stop: set[str] = field(default_factory=set)


_NAMES: Optional[_Names] = None


def _names() -> _Names:
    global _NAMES
    if _NAMES is None:
        idx = R._index()
        names = _Names()
        level = idx.level
        for key, codes in idx.by_key.items():
            admin = [c for c in codes if level[c] in R.ADMIN_LEVELS]
            kec = [c for c in codes if level[c] == "kecamatan"]
            if admin:
                names.admin.setdefault(key, []).extend(admin)
            if kec:
                names.kecamatan[key] = kec
        for alias, code, _ in idx.alias_rows:
            codes = names.admin.setdefault(R.name_key(alias), [])
            if code not in codes:
                codes.append(code)
        written = [R._bare(name) for code, (name, lv) in idx.by_code.rows.items() if lv in R.ADMIN_LEVELS]
        written += [alias for alias, _, _ in idx.alias_rows]
        for name in written:
            words = _WORD.findall(name)
            if words:
                names.first.add(R.name_key(words[0]))
                names.tails.update(R.name_key(w)[:3] for w in words[1:])
        names.first.update(names.admin)     # names written as one word: Deliserdang, Tanjungbalai
        names.stop = {R.name_key(w) for w in data.load_list(STOPWORDS)}
        _NAMES = names
    return _NAMES


class PlacesComponent:
    """Finds region mentions, weighs their context and keeps the places of the activity."""

    def __init__(self, nlp: Language, name: str = "timpora_places", patterns: str = PATTERNS):
        self.name = name
        self.cues: dict[str, tuple[str, str]] = {}     # word -> (level, rule id)
        self.base: dict[str, float] = {"explicit": 1.5, "bare": 0.5, "subdistrict": 1.0, "fuzzy": 1.0}
        self.excludes: list[_Rule] = []
        self.venues: list[_Rule] = []
        self.named_sites: list[_Rule] = []
        self.online: Optional[re.Pattern] = None
        self._state = threading.local()    # per-call budget of fuzzy look-ups
        self._checks_made: Optional[tuple] = None    # see ``_checks``
        #: ``_token_info`` of the blank-separated tokens read so far (one word each)
        self._tokens: dict[str, tuple] = {}
        self._any_sentence: Optional[re.Pattern] = None   # matches where any rule's ``sentence`` does
        self.contexts: list[_Rule] = []
        for row in data.load_jsonl(patterns):
            kind = row.get("type")
            if kind == "cue":
                for word in row["words"]:
                    self.cues[word.lower()] = (row["level"], row["id"])
            elif kind == "base":
                self.base[row["id"]] = float(row["weight"])
            elif kind == "online":
                self.online = re.compile(row["pattern"], re.IGNORECASE)
            elif kind in ("exclude", "context", "venue", "named_site"):
                rule = _Rule(
                    id=row["id"], weight=float(row.get("weight", 0)),
                    before=re.compile(row["before"]) if row.get("before") else None,
                    after=re.compile(row["after"]) if row.get("after") else None,
                    sentence=re.compile(row["sentence"]) if row.get("sentence") else None,
                    after_required=re.compile(row["after_required"]) if row.get("after_required") else None,
                    line_start=bool(row.get("line_start")), bare_only=bool(row.get("bare_only")),
                    window=int(row.get("window", 70)))
                {"exclude": self.excludes, "context": self.contexts, "venue": self.venues,
                 "named_site": self.named_sites}[kind].append(rule)
        keep = sorted(set(self.cues) | _ADMIN_WORDS | {"dan"}, key=len, reverse=True)
        word = r"(?:[A-Z0-9\u00c0-\u00de][\w'’]*(?:-[^\W_][\w'’]*)*|(?i:%s)(?![\w'’-]))" % "|".join(
            re.escape(k) for k in keep)
        self._word_re = re.compile(r"(?<![\w'’-])" + word)
        # the same, also after "se-" ("TIMPORA se-Kalimantan Barat"); used only when the text has one
        self._word_re_se = re.compile(r"(?:(?<![\w'’-])|(?<=(?<![\w'’-])[sS]e-))" + word)
        # the level words alone (a candidate's look-behind is checked before), and the
        # shortest of them, which every level word starts with
        cues = sorted(self.cues, key=len, reverse=True)
        self._cue_re = re.compile(r"(?i:%s)(?![\w'’-])" % "|".join(re.escape(k) for k in cues))
        self._cue_heads = sorted({c for c in self.cues if not any(c != o and c.startswith(o) for o in self.cues)})
        _names()
        self._checks()      # the rules' shortcuts are derived at build, not on the first report

    # ------------------------------------------------------------------ entry point
    def __call__(self, doc: Doc) -> Doc:
        try:
            chosen = self.find(doc_text(doc))
        except Exception:  # never let one odd text stop the pipeline
            chosen = []
        spans = []
        for mention, code, name in chosen:
            span = char_span(doc, mention.start, mention.end, label=code, rule=mention.rule, kb_id=name)
            if span is not None:
                spans.append(span)
                if mention.kind == "fuzzy":
                    add_flag(doc, GROUP, FLAG_FUZZY_PLACE,
                             f"{span.text!r} read as {name} (similarity {mention.fuzzy_score:.0f})", span)
                elif mention.ambiguous:
                    add_flag(doc, GROUP, FLAG_AMBIGUOUS_PLACE,
                             f"{span.text!r} may be the kabupaten or the kota; took {name}", span)
        doc.spans[GROUP] = spans
        return doc

    def find(self, text: str) -> list[tuple[_Mention, str, str]]:
        """(mention, region code, official name) for every mention of a chosen place,
        best place first."""
        if not text or not text.strip():
            return []
        text = text[:MAX_CHARS]
        mentions = self._mentions_fast(text)
        if not mentions:
            return []
        hay = haystack(text)
        # the lower-cased text, position for position (None: the rules' literals are not used)
        low = hay.low if not hay.exotic and len(hay.low) == len(text) else None
        checks = self._checks()[0 if low is not None else 1]
        ends = [sm.end() for sm in _SENTENCE_END.finditer(text)]
        for m in mentions:
            self._weigh(text, m, checks, ends, low)
        self._propagate(text, mentions)
        self._resolve(mentions)
        def online() -> bool:
            return self.online is not None and hay.may_scan(self.online) and search(self.online, hay) is not None

        return self._choose(mentions, online) or self._from_named_sites(text, mentions)

    # ------------------------------------------------------------------ 1. mentions
    def _words(self, text: str) -> list[_Word]:
        """Capitalised words, numbers, level words and ``dan``: all a name can be made of."""
        out: list[_Word] = []
        append = out.append
        keys = _KEYS
        if len(keys) > _MAX_KEYS:
            keys.clear()
        key = R.name_key
        word = _Word
        word_re = self._word_re_se if ("se-" in text or "Se-" in text) else self._word_re
        for m in word_re.finditer(text):
            w = m.group()
            s, e = m.span()
            c = w[0]
            if c.isupper():
                k = keys.get(w)
                if k is None:
                    k = keys[w] = key(w)
                append(word(s, e, w, k, True))
            elif c.isdigit():
                k = keys.get(w)
                if k is None:
                    k = keys[w] = key(w)
                append(word(s, e, w, k, False))
            else:
                append(word(s, e, w, w.lower(), False))
        return out

    # ------------------------------------------------------------------ 1b. candidate words
    #
    # The words above are every capitalised word of the text; a mention can only start at
    # a level word or at a capitalised word that starts a region name (a few per report).
    # Those are found with a plain scan of capitalised words (its look-behind checked in
    # Python) and ``str.find`` of the level words; the words after a candidate are read one
    # at a time: the next word of the full scan starts at the next match of ``_word_re``
    # from the end of a word, and a word joined to the one before starts right after the
    # blanks, hyphens and dots that follow it.

    def _word_at(self, m: "re.Match") -> _Word:
        """The ``_Word`` that ``_words`` makes of a match of the word pattern."""
        w = m.group()
        s, e = m.span()
        c = w[0]
        if c.isupper() or c.isdigit():
            keys = _KEYS
            k = keys.get(w)
            if k is None:
                if len(keys) > _MAX_KEYS:
                    keys.clear()
                k = keys[w] = R.name_key(w)
            return _Word(s, e, w, k, c.isupper())
        return _Word(s, e, w, w.lower(), False)

    def _starts_name(self, w: str) -> bool:
        """Whether the capitalised word ``w`` is a level word or can start a region name."""
        k = _KEYS.get(w)
        if k is None:
            k = _KEYS[w] = R.name_key(w)
        return (k in _names().first and w[0].isupper()) or w.lower() in self.cues

    def _token_info(self, tok: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """(the capitalised words in the token that can start a name, the level-word heads in
        its lower case)."""
        low = tok.lower()
        return (tuple(w for w in set(_CAPS.findall(tok)) if self._starts_name(w)),
                tuple(h for h in self._cue_heads if h in low))

    def _candidates(self, text: str, word_re: "re.Pattern") -> Optional[list[_Word]]:
        """The words of ``_words`` a mention can start at (level words, capitalised first
        words of names), in order; None when the text needs the full scan."""
        hay = haystack(text)
        if hay.exotic or "\u00d7" in text or len(hay.low) != len(text):
            return None
        keys = _KEYS
        if len(keys) > _MAX_KEYS:
            keys.clear()
        # Capitalised words and level words are made of ``[\w'’-]``: each lies inside one of the
        # blank-separated tokens of the text. Per distinct token (cached: a token is one word),
        # the capitalised words ``_CAPS`` finds in it (as it does in the text: its matches never
        # cross a blank) that can start a name, and the level-word heads its lower case contains.
        # An occurrence of such a word at s is the match ``finditer`` finds there when the word
        # is the whole (greedy) match from s and s passes the look-behind below: a match is made
        # of ``[\w'’-]`` only, so one that began earlier would have to cover ``text[s - 1]`` (or
        # the "se-" before s, which a capitalised word cannot start).
        infos = self._tokens
        if len(infos) > _MAX_KEYS:
            infos.clear()
        words: set[str] = set()
        heads: set[str] = set()
        for tok in set(text.split()):
            info = infos.get(tok)
            if info is None:
                info = infos[tok] = self._token_info(tok)
            if info[0]:
                words.update(info[0])
            if info[1]:
                heads.update(info[1])
        found: list[tuple[int, int, str]] = []
        match = _CAPS.match
        for w in words:
            n = len(w)
            s = text.find(w)
            while s >= 0:
                if not (s and _wordish(text[s - 1]) and not (
                        text[s - 3:s] == "se-" and (s == 3 or not _wordish(text[s - 4])))) \
                        and match(text, s).end() == s + n:
                    found.append((s, s + n, w))
                s = text.find(w, s + 1)
        found.sort()
        caps = len(found)
        match = self._cue_re.match
        for head in heads:      # the others do not occur in the text
            for p in hay.positions(head, True):
                if _CAPS_FIRST(text[p]):
                    continue            # a capitalised word: found above
                if p and _wordish(text[p - 1]) and not (
                        text[p - 3:p] == "se-" and (p == 3 or not _wordish(text[p - 4]))):
                    continue
                m = match(text, p)
                if m is not None:
                    found.append((p, m.end(), m.group()))
        if len(found) > caps:
            found.sort()
        out: list[_Word] = []
        end = 0
        for s, e, w in found:
            if s < end:                 # inside a longer level word ("kota Adm")
                continue
            end = e
            c = w[0]
            if c.isupper():
                k = keys.get(w)
                if k is None:
                    k = keys[w] = R.name_key(w)
                out.append(_Word(s, e, w, k, True))
            else:
                out.append(_Word(s, e, w, w.lower(), False))
        return out

    def _next(self, text: str, w: _Word, word_re: "re.Pattern") -> Optional[_Word]:
        """The word of ``_words`` after ``w``."""
        m = word_re.search(text, w.end)
        return None if m is None else self._word_at(m)

    def _chain(self, text: str, w: _Word, word_re: "re.Pattern", size: int) -> list[_Word]:
        """``w`` and the up to ``size - 1`` words of ``_words`` after it, each joined to the one before."""
        out = [w]
        while len(out) < size:
            q = _GAP_CHARS.match(text, w.end).end()
            m = word_re.match(text, q)
            if m is None:
                break
            nxt = self._word_at(m)
            if not self._joined(text, w, nxt):
                break
            out.append(nxt)
            w = nxt
        return out

    def _mentions_fast(self, text: str) -> list[_Mention]:
        """``_mentions(text, _words(text))``, reading only the words around candidates."""
        word_re = self._word_re_se if ("se-" in text or "Se-" in text) else self._word_re
        cands = self._candidates(text, word_re)
        if cands is None:
            words = self._words(text)
            names = _names()
            cands = [w for w in words if w.text.lower() in self.cues or (w.cap and w.key in names.first)]
        names = _names()
        out: list[_Mention] = []
        self._state.fuzzy_left = MAX_FUZZY
        first_start: Optional[int] = None
        pos = 0
        for w in cands:
            if len(out) >= MAX_MENTIONS:
                break
            if w.start < pos:
                continue
            pos = w.end
            cue = self.cues.get(w.text.lower())
            if cue is not None:
                chain = self._chain(text, w, word_re, 2)
                if len(chain) > 1:
                    nxt = chain[1]
                    if nxt.text.lower() in _ADMIN_WORDS:
                        after = self._next(text, nxt, word_re)
                        if after is not None:
                            nxt = after
                    local = [w] + self._chain(text, nxt, word_re, MAX_WORDS + 1)
                    found = self._explicit(text, local, 0, 1, cue[0])
                    if found is not None:
                        out.append(found)
                        pos = found.end
                        continue
            if w.cap and w.key in names.first:
                words = self._chain(text, w, word_re, MAX_WORDS)
                hit = self._longest(text, words, 0, names.admin, explicit=False)
                if hit is not None:
                    last, codes = hit
                    key = "".join(x.key for x in words[:last + 1])
                    both = _BOTH_AFTER.match(text, words[last].end)
                    if both is None:
                        if first_start is None:
                            m = word_re.search(text)
                            first_start = m.start() if m is not None else len(text)
                        if first_start < w.start:
                            both = _BOTH_BEFORE.search(text, max(0, w.start - 30), w.start)
                    if both is not None:      # "Kediri Kota/Kabupaten", "Kabupaten/Kota Kediri"
                        start, end = min(w.start, both.start()), max(words[last].end, both.end())
                        for level in ("kabupaten", "kota"):
                            same = [c for c in codes if R._index().level[c] == level]
                            if same:
                                out.append(_Mention(start, end, same, "explicit", start, name_key=key))
                        pos = max(end, words[last].end)
                        continue
                    kota = _KOTA_AFTER.match(text, words[last].end)
                    if kota is not None:              # "Polres Kupang Kota", "Kediri Kota"
                        same = [c for c in codes if R._index().level[c] == "kota"]
                        if same:
                            out.append(_Mention(w.start, kota.end(), same, "explicit", w.start, name_key=key))
                            pos = kota.end()
                            continue
                    if key not in names.stop:
                        out.append(_Mention(w.start, words[last].end, list(codes), "bare", w.start,
                                            name_key=key))
                    pos = words[last].end
                    continue
        return out

    @staticmethod
    def _joined(text: str, a: _Word, b: _Word) -> bool:
        gap = text[a.end:b.start]
        if _GAP_IN_NAME.fullmatch(gap):
            return True
        return a.text.lower() in _ABBREVIATIONS and bool(_GAP_AFTER_ABBREV.fullmatch(gap))

    def _longest(self, text: str, words: list[_Word], i: int, index: dict[str, list[str]],
                 explicit: bool) -> Optional[tuple[int, list[str]]]:
        """(index of the last word, codes) of the longest name starting at word i."""
        key = ""
        best = None
        for j in range(i, min(len(words), i + MAX_WORDS)):
            w = words[j]
            if j > i and not self._joined(text, words[j - 1], w):
                break
            if not explicit and not w.cap and w.text not in ("dan",):
                break
            key += w.key if w.cap or w.text.lower() in _ABBREVIATIONS else R.name_key(w.text)
            codes = index.get(key)
            if codes and (explicit or w.cap):
                best = (j, codes)
        return best

    def _mentions(self, text: str, words: list[_Word]) -> list[_Mention]:
        names = _names()
        out: list[_Mention] = []
        self._state.fuzzy_left = MAX_FUZZY
        i, n = 0, len(words)
        while i < n and len(out) < MAX_MENTIONS:
            w = words[i]
            low = w.text.lower()
            cue = self.cues.get(low)
            if cue is not None and i + 1 < n and self._joined(text, w, words[i + 1]):
                j = i + 1
                if words[j].text.lower() in _ADMIN_WORDS and j + 1 < n:
                    j += 1
                found = self._explicit(text, words, i, j, cue[0])
                if found is not None:
                    out.append(found)
                    i = found_end_index(words, found.end, i)
                    continue
            if w.cap and w.key in names.first:
                hit = self._longest(text, words, i, names.admin, explicit=False)
                if hit is not None:
                    last, codes = hit
                    key = "".join(x.key for x in words[i:last + 1])
                    both = _BOTH_AFTER.match(text, words[last].end)
                    if both is None and i >= 1:
                        both = _BOTH_BEFORE.search(text, max(0, w.start - 30), w.start)
                    if both is not None:      # "Kediri Kota/Kabupaten", "Kabupaten/Kota Kediri"
                        start, end = min(w.start, both.start()), max(words[last].end, both.end())
                        for level in ("kabupaten", "kota"):
                            same = [c for c in codes if R._index().level[c] == level]
                            if same:
                                out.append(_Mention(start, end, same, "explicit", start, name_key=key))
                        i = found_end_index(words, end, last)
                        continue
                    kota = _KOTA_AFTER.match(text, words[last].end)
                    if kota is not None:              # "Polres Kupang Kota", "Kediri Kota"
                        same = [c for c in codes if R._index().level[c] == "kota"]
                        if same:
                            out.append(_Mention(w.start, kota.end(), same, "explicit", w.start, name_key=key))
                            i = found_end_index(words, kota.end(), last)
                            continue
                    if key not in names.stop:
                        out.append(_Mention(w.start, words[last].end, list(codes), "bare", w.start,
                                            name_key=key))
                    i = last + 1
                    continue
            i += 1
        return out

    def _explicit(self, text: str, words: list[_Word], cue_i: int, j: int, level: str) -> Optional[_Mention]:
        names = _names()
        if not (words[j].cap or words[j].text[0].isdigit()):
            return None
        cue_start = words[cue_i].start
        if level in ("kabupaten", "kota", "provinsi"):
            hit = self._longest(text, words, j, names.admin, explicit=True)
            if hit is not None:
                last, codes = hit
                key = "".join(x.key for x in words[j:last + 1])
                end = words[last].end
                more = _LOWER_NEXT.match(text, end)     # "Kabupaten Minahasa selatan"
                if more is not None:
                    for group in (2, 1):
                        if more.group(group) and key + R.name_key(more.group(0)[:more.end(group) - end]) \
                                in names.admin:
                            key += R.name_key(more.group(0)[:more.end(group) - end])
                            codes, end = names.admin[key], more.end(group)
                            break
                same = [c for c in codes if R._index().level[c] == level]
                if same and level != "provinsi" and last + 1 < len(words) and words[last + 1].cap \
                        and words[last + 1].key[:3] in names.tails \
                        and self._joined(text, words[last], words[last + 1]):
                    # "Kabupaten Manggarai Barta": a longer misspelt name beats the exact shorter one
                    longer = self._fuzzy(text, words, cue_start, j, level, min_words=last - j + 2)
                    if longer is not None and longer.codes[0] not in same:
                        return longer
                if same:
                    return _Mention(cue_start, end, same, "explicit", cue_start, name_key=key)
            if level in ("kabupaten", "kota"):
                return self._fuzzy(text, words, cue_start, j, level)
            return None
        if level == "kecamatan":
            hit = self._longest(text, words, j, names.kecamatan, explicit=True)
            if hit is not None:
                last, codes = hit
                key = "".join(x.key for x in words[j:last + 1])
                return _Mention(cue_start, words[last].end, list(codes), "subdistrict", cue_start, name_key=key)
            hit = self._longest(text, words, j, names.admin, explicit=True)
            if hit is not None:   # "Tingkat Kecamatan Bandar Lampung": the kota's kecamatan
                last, codes = hit
                codes = [c for c in codes if R._index().level[c] in ("kabupaten", "kota")]
                if codes:
                    return _Mention(cue_start, words[last].end, codes, "subdistrict", cue_start,
                                    name_key="".join(x.key for x in words[j:last + 1]))
            return None
        if level == "desa":
            last = j
            while last + 1 < len(words) and last - j < 3 and words[last + 1].cap and \
                    self._joined(text, words[last], words[last + 1]):
                last += 1
            key = "".join(x.key for x in words[j:last + 1])
            if key in names.stop or words[j].key in names.stop:
                return None
            return _Mention(cue_start, words[last].end, [], "desa", cue_start, name_key=key)
        return None

    def _fuzzy(self, text: str, words: list[_Word], cue_start: int, j: int, level: str,
               min_words: int = 1) -> Optional[_Mention]:
        if getattr(self._state, "fuzzy_left", 0) <= 0 or words[j].text.lower() in self.cues:
            return None
        self._state.fuzzy_left -= 1
        last = j
        while last + 1 < len(words) and last - j < 3 and words[last + 1].cap and \
                self._joined(text, words[last], words[last + 1]):
            last += 1
        # the longest run of capitalised words first, then shorter ones
        for end in range(last, j + min_words - 2, -1):
            written = text[words[j].start:words[end].end]
            if len(R.name_key(written)) < 5 or R.name_key(written) in _names().stop:
                continue
            hit = R.fuzzy_region(written, level=level, cutoff=88)
            if hit is not None:
                region, score = hit
                m = _Mention(cue_start, words[end].end, [region.code], "fuzzy", cue_start,
                             name_key=R.name_key(written))
                m.fuzzy_score = score
                return m
        return None

    # ------------------------------------------------------------------ 2. context
    #
    # Every venue, exclude and context rule is tried on every mention, in that order. What makes
    # it cheap (``extractors.windows``; all derived from the patterns, never from a text):
    # * a ``before`` pattern ends with ``$``: its window, blanks at the end left out, must end
    #   with one of the texts a match can end with (one ``str.endswith`` per rule);
    # * one of the literals every match contains must lie in the window (``str.find``);
    # * the pattern is then tried only where one of the literals every match starts with lies;
    # * the sentence patterns are first searched together: most sentences match none.
    # Each is a necessary condition of the match, so a rule applies exactly when it did when
    # its pattern was searched in the whole window.

    def _checks(self) -> tuple[tuple, tuple]:
        """Per rule, in the order they are tried: (group, rule, its ``before`` pattern, window,
        bare only?, endings of the text, endings of the lower-cased text, literals, anchors,
        whether ``_applies`` has more to check); literals and anchors each None or (those of
        the text, those of the lower-cased text), endings None when unknown. First for texts
        whose lower-cased copy can be used, then for the others (only the patterns)."""
        if self._checks_made is None:
            def split(found):
                if found is None:
                    return None
                return tuple(lit for lit, ci in found if not ci), tuple(lit for lit, ci in found if ci)
            usable, plain = [], []
            for group, rules in ((_VENUE, self.venues), (_EXCLUDE, self.excludes), (_CONTEXT, self.contexts)):
                for r in rules:
                    head = (group, r, r.before, r.window, group is _EXCLUDE and r.bare_only)
                    rest = bool(r.line_start or r.after is not None or r.after_required is not None
                                or r.sentence is not None)
                    ends = split(tails(r.before)) if r.before is not None else None
                    if r.before is None:
                        usable.append(head + (None, None, None, None, rest))
                    else:
                        usable.append(head + (ends[0] if ends else None, ends[1] if ends else None,
                                              split(guard(r.before, True)), split(anchors(r.before)), rest))
                    plain.append(head + (None, None, None, None, rest))
            self._any_sentence = any_of(r.sentence for rules in (self.venues, self.excludes, self.contexts)
                                        for r in rules if r.sentence is not None)
            self._checks_made = (tuple(usable), tuple(plain))
        return self._checks_made

    def _weigh(self, text: str, m: _Mention, checks: Optional[tuple] = None,
               ends: Optional[list[int]] = None, low: Optional[str] = None) -> None:
        """``checks``: ``_checks()`` for the text, ``low``: its lower-cased copy when usable."""
        if checks is None:
            checks = self._checks()[1]
        cue = m.cue_start
        m.weight = self.base.get(m.kind, self.base["bare"])
        m.rule = m.kind
        first = max(0, cue - 400)
        newline = text.rfind("\n", first, cue)
        line_start = newline + 1 if newline >= 0 or first == 0 else -1   # -1: far from any line start
        stripped = cue           # the end of the text before the mention, blanks left out
        while stripped > 0 and text[stripped - 1].isspace():
            stripped -= 1
        bare = m.kind == "bare"
        # the text after the mention and the sentence before it, made when a rule reads them:
        # [after, sentence, whether any rule's sentence pattern matches it]
        seen = [None, None, None]
        before_match = self._before
        for group, rule, before, window, bare_only, ends_text, ends_low, lits, at, rest in checks:
            if group is _CONTEXT:
                if rule.weight <= m.bonus:
                    continue
            elif bare_only and not bare:
                continue
            if before is not None:
                lo = max(line_start, cue - window, 0)
                if ends_text is not None and not (text.endswith(ends_text, lo, stripped) or
                                                  (ends_low and low.endswith(ends_low, lo, stripped))):
                    continue
                if not before_match(before, lits, at, text, low, lo, cue):
                    continue
            if rest and not self._applies(rule, text, m, line_start, seen, ends):
                continue
            if group is _VENUE:
                m.bonus, m.rule = rule.weight, rule.id
                return
            if group is _EXCLUDE:
                m.excluded, m.rule = True, rule.id
                return
            m.bonus, m.rule = rule.weight, rule.id

    @staticmethod
    def _before(rx: re.Pattern, lits, at, text: str, low: Optional[str], lo: int, cue: int) -> bool:
        """``rx.search(text, lo, cue) is not None``, ``lits`` and ``at`` as in ``_checks``."""
        if lits is not None:
            for lit in lits[0]:     # a loop, not any(...): no generator per window
                if text.find(lit, lo, cue) >= 0:
                    break
            else:
                for lit in lits[1]:
                    if low.find(lit, lo, cue) >= 0:
                        break
                else:
                    return False
        if at is None:
            return rx.search(text, lo, cue) is not None
        return search_from(rx, text, at[0], lo, cue) or (bool(at[1]) and search_from(rx, low, at[1], lo, cue, text))

    def _applies(self, rule: _Rule, text: str, m: _Mention, line_start: int, seen: list,
                 ends: Optional[list[int]]) -> bool:
        """Whether the rest of ``rule`` (but its ``before`` pattern) holds for ``m``; ``seen``:
        the strings read for it so far."""
        if rule.line_start and (line_start < 0 or text[line_start:m.cue_start].strip(" \t\"'“”‘’*#>|-–—•")):
            return False
        if rule.after is not None or rule.after_required is not None:
            after = seen[0]
            if after is None:
                after = seen[0] = text[m.end:m.end + 80]
            if rule.after is not None and not rule.after.search(after):
                return False
            if rule.after_required is not None and not rule.after_required.search(after):
                return False
        if rule.sentence is not None:
            sentence = seen[1]
            if sentence is None:
                cue = m.cue_start
                start = _last_sentence_end(text, max(0, cue - 300), cue, ends)
                sentence = seen[1] = text[max(start, cue - 300):cue]
            if self._any_sentence is not None:
                # none of the sentence patterns matches (most mentions): neither does this one
                if seen[2] is None:
                    seen[2] = self._any_sentence.search(sentence) is not None
                if not seen[2]:
                    return False
            if not rule.sentence.search(sentence):
                return False
        return True

    @staticmethod
    def _propagate(text: str, mentions: list[_Mention]) -> None:
        """A list (``di Kabupaten A, B dan Kota C``; ``Kecamatan X, Kabupaten Y``) shares the
        context of its first item."""
        for prev, cur in zip(mentions, mentions[1:]):
            if not _LIST_GAP.match(text[prev.end:cur.cue_start]) or cur.cue_start - prev.end > 12:
                continue
            if cur.excluded and cur.rule != "origin":
                continue
            if any(p.startswith(c + ".") for p in prev.codes for c in cur.codes):
                continue  # "Pulau Bintan, Kepulauan Riau": the region the item lies in, no list item
            own = 0.0 if cur.rule in LIST_RULES else cur.bonus
            if prev.excluded and own == 0:
                cur.excluded, cur.bonus, cur.rule = True, 0.0, prev.rule
            elif not prev.excluded and (prev.bonus >= own or cur.excluded):
                cur.excluded, cur.bonus, cur.rule = False, max(prev.bonus, own), \
                    (prev.rule if prev.bonus >= own else cur.rule)

    # ------------------------------------------------------------------ 3. choice
    def _resolve(self, mentions: list[_Mention]) -> None:
        """Give every mention one region: kabupaten or kota of a shared name by what the text
        says elsewhere, kecamatan by the kabupaten/kota and provinces of the report."""
        idx = R._index()
        explicit: dict[str, float] = {}
        provinces: set[str] = set()
        regencies: set[str] = set()
        for m in mentions:
            for c in m.codes:
                region = idx.by_code[c]
                if m.kind in ("explicit", "bare") and len(m.codes) == 1 or m.kind == "explicit":
                    provinces.add(region.province_code)
                    if region.level in ("kabupaten", "kota") and len(m.codes) == 1:
                        regencies.add(c)
            if m.kind == "explicit" and not m.excluded:
                for c in m.codes:
                    explicit[c] = explicit.get(c, 0) + 1
        for m in mentions:
            if m.kind in ("explicit", "bare", "fuzzy"):
                if len(m.codes) == 1:
                    m.code = m.codes[0]
                    continue
                told = [c for c in m.codes if c in explicit]
                if told:
                    m.code = max(told, key=lambda c: explicit[c])
                    continue
                admin = [c for c in m.codes if idx.level[c] in ("kabupaten", "kota")]
                if len(admin) == 1:
                    m.code = admin[0]
                elif admin:
                    kota = [c for c in admin if idx.level[c] == "kota"]
                    m.code = (kota or admin)[0]
                    m.ambiguous = True
                else:
                    m.code = m.codes[0]
            elif m.kind == "subdistrict":
                parents = {idx.by_code[c].regency_code or c for c in m.codes}
                parents = {p for p in parents if p}
                fitting = [p for p in parents if p in regencies]
                if not fitting:
                    fitting = [p for p in parents if p.split(".")[0] in provinces]
                if len(fitting) == 1 or len(parents) == 1 and (fitting or provinces == set()):
                    m.code = (fitting or sorted(parents))[0]
                    if m.code not in idx.by_code:
                        m.code = None

    def _choose(self, mentions: list[_Mention], online=lambda: False) -> list[tuple[_Mention, str, str]]:
        """``online()``: whether the report is of an online meeting (a provincial one has no town)."""
        idx = R._index()
        scores: dict[str, float] = {}
        for m in mentions:
            if m.code is None or m.excluded or m.kind == "desa":
                continue
            scores[m.code] = scores.get(m.code, 0.0) + m.weight + m.bonus
        regency = {c: s for c, s in scores.items() if idx.level[c] in ("kabupaten", "kota")}
        province = {c: s for c, s in scores.items() if idx.level[c] == "provinsi"}
        level_named = {m.code for m in mentions if m.rule in LEVEL_RULES and not m.excluded}
        chosen: list[str] = []
        if regency:
            top = max(regency.values())
            chosen = [c for c, s in regency.items() if s >= SELECT_WEIGHT and s >= RELATIVE_WEIGHT * top]
        if not chosen and province:
            # a TIMPORA of the province level ("Tim PORA Tingkat Provinsi Kaltara")
            named = [c for c in province if c in level_named and province[c] >= SELECT_WEIGHT]
            if named:
                chosen = [max(named, key=province.get)]
                # ... held in one of its towns, as a dateline or the venue tells: that town
                towns = {m.code: regency[m.code] for m in mentions
                         if m.rule in TOWN_RULES and not m.excluded and m.code in regency
                         and m.code.startswith(chosen[0] + ".")}
                if towns and not online():
                    chosen = [max(towns, key=towns.get)]
        if not chosen and regency:
            best = max(regency, key=regency.get)
            if regency[best] >= FALLBACK_WEIGHT:
                chosen = [best]
        if not chosen:
            chosen = self._from_villages(mentions, scores)
        if not chosen and province:
            best = max(province, key=province.get)
            if province[best] >= FALLBACK_WEIGHT:
                chosen = [best]
        chosen.sort(key=lambda c: -scores.get(c, 0.0))
        out = []
        for code in chosen:
            name = idx.by_code[code].name
            for m in mentions:
                if m.code == code and not m.excluded:
                    out.append((m, code, name))
        return out

    def _from_named_sites(self, text: str, mentions: list[_Mention]) -> list[tuple[_Mention, str, str]]:
        """Last resort: the kabupaten/kota that closes the proper name of a hotel, port or hall
        (``Hotel Aston Karimun``), set aside as part of a longer name, when no place was told."""
        idx = R._index()
        scores: dict[str, float] = {}
        found: dict[str, list[_Mention]] = {}
        for m in mentions:
            if not (m.excluded and m.rule == "proper_noun" and m.code is not None
                    and idx.level[m.code] in ("kabupaten", "kota")):
                continue
            for rule in self.named_sites:
                if rule.before.search(text, max(0, m.cue_start - rule.window), m.cue_start):
                    scores[m.code] = scores.get(m.code, 0.0) + rule.weight
                    found.setdefault(m.code, []).append(m)
                    m.rule = rule.id
                    break
        if not scores:
            return []
        best = max(scores, key=scores.get)
        return [(m, best, idx.by_code[best].name) for m in found[best]]

    def _from_villages(self, mentions: list[_Mention], scores: dict[str, float]) -> list[str]:
        """Last resort: ``Desa X`` named where no kabupaten/kota was found, mapped up when the
        village name is unique within the provinces the report names."""
        desa = [m for m in mentions if m.kind == "desa" and not m.excluded]
        if not desa:
            return []
        provinces = {c.split(".")[0] for c in scores}
        if not provinces:
            return []
        index, _ = R._index().desa()
        found: dict[str, float] = {}
        for m in desa:
            parents = {".".join(c.split(".")[:2]) for c in index.get(m.name_key, [])
                       if c.split(".")[0] in provinces}
            if len(parents) == 1:
                m.code = parents.pop()
                m.rule = "village"
                found[m.code] = found.get(m.code, 0.0) + m.weight + m.bonus
                scores[m.code] = found[m.code]
        if not found:
            return []
        return [max(found, key=found.get)]


def _last_sentence_end(text: str, lo: int, hi: int, ends: Optional[list[int]]) -> int:
    """End of the last ``_SENTENCE_END`` match inside ``text[lo:hi]``, 0 when none; ``ends``
    are the match ends over the whole text (a match is one or two characters long, and two
    matches that overlap end together: the last end <= hi counts when its match fits)."""
    if ends is None:
        last = 0
        for sm in _SENTENCE_END.finditer(text, lo, hi):
            last = sm.end()
        return last
    i = bisect.bisect_right(ends, hi) - 1
    if i < 0:
        return 0
    e = ends[i]
    if e >= lo + 2 or (e == lo + 1 and text[lo] == "\n"):
        return e
    return 0


def found_end_index(words: list[_Word], end: int, i: int) -> int:
    """The index of the first word at or after character ``end``."""
    k = i + 1
    while k < len(words) and words[k].start < end:
        k += 1
    return k


@Language.factory("timpora_places")
def make_places(nlp: Language, name: str) -> PlacesComponent:
    return PlacesComponent(nlp, name)
