"""Agencies: every institution a report states to take part in the activity.

Mentions are found with two PhraseMatchers over the gazetteer's aliases
(``extractors/data/agencies.tsv``: LOWER for most, ORTH for the few case-sensitive
acronyms) plus the regexes of ``extractors/data/agencies_patterns.jsonl`` (a Kanim named by
its town, collective names such as Forkopimda, organisation-like names that match nothing).
A mention followed by a region name (``Polres Mamasa``, ``Kodim 0423 Bengkulu Utara``)
carries that region as its jurisdiction, which may also change its code
(``Kemenkumham Jawa Tengah`` -> the Kanwil).

Each mention is then judged by its context (RECORD.md: institutions only *mentioned* do
not count). Always excluded: teaser lines of other articles, issuers of documents and
orders, places to report to, targets of a request, territories (``wilayah kerja X``), a
parent acting ``melalui`` its unit, and ``harus melibatkan ...`` hypotheticals. Excluded
unless the same sentence states participation (``dihadiri``, ``diikuti``, ``melibatkan``...,
and no plan or need): mentions inside quotation marks, given as examples (``seperti``),
in reported speech (after ``bahwa``) or as a setting (``di lingkungan``).

Output: ``doc.spans["agencies"]``, one span per accepted mention: ``label_`` = agency code
(or ``UNKNOWN`` for an unrecognised organisation), ``kb_id_`` = jurisdiction region code,
``id_`` = the alias / pattern id.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Optional

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from extractors import data, gazetteer
from extractors.common import char_span, doc_text, finditer, guard, haystack, search
from extractors.gates import Caseless, LiteralGate

GROUP = "agencies"
UNKNOWN = "UNKNOWN"
ADMIN_LEVELS = ("provinsi", "kabupaten", "kota")
LOCAL_LEVELS = ("provinsi", "kabupaten", "kota", "kecamatan")
#: the levels above without "provinsi" (a kota tried before a province of the same name)
_BELOW_PROVINCE = {lv: tuple(x for x in lv if x != "provinsi") for lv in (ADMIN_LEVELS, LOCAL_LEVELS)}

_WORD = r"[A-Z][A-Za-z'\u2019]*(?:-[A-Za-z]+)*"
_SP = r"[^\S\n]+"
#: what may follow an agency name: an abbreviation in brackets, a unit number, a Kanim's
#: class words, then a region name (optionally with its level word)
_TAIL = re.compile(
    rf"(?P<abbr>[^\S\n]*\([^()\n]{{1,30}}\))?"
    rf"(?P<num>{_SP}(?:\d{{2,4}}(?:/[A-Za-z0-9.-]+)?|[IVX]{{1,5}}(?![\w-])))?"
    rf"(?P<cls>(?:{_SP}(?:Kelas|Klas|Kls\.?|TPI|Non|Non-TPI|Khusus|I|II|III|IV|1|2|3|A|B)(?![\w-]))*)"
    rf"(?P<place>(?:{_SP}(?:Kabupaten|Kab\.?|Kota|Provinsi|Prov\.?|Propinsi|Kecamatan|Kec\.))?"
    rf"(?:{_SP}{_WORD}){{1,4}})?")
_UNIT_PLACE = re.compile(r"/([A-Za-z][A-Za-z-]{2,})$")
_CLASS = re.compile(r"\b(?:Kelas|Klas|Kls|TPI)\b")
_PLACE_WORD = re.compile(rf"(?:Kabupaten|Kab\.?|Kota|Provinsi|Prov\.?|Propinsi|Kecamatan|Kec\.)|{_WORD}")
#: between an official's title and the institution it belongs to
_TITLE_GAP = re.compile(r"^\s*(?:\([^()\n]{1,25}\)\s*)?(?:(?:pada|di|dari|di\s+lingkungan|dalam\s+lingkungan)\s+)?$", re.I)
#: between two names of one chain ("Surat Kepala Divisi Keimigrasian Kantor Wilayah ...")
_CHAIN_GAP = re.compile(r"^[^\S\n]*(?:(?:[A-Z][\w.'-]*|\(|\)|pada|di|dari)[^\S\n]*){0,3}$")
#: a bracket right after a name: what follows explains that name ("Korem 142 (Pabung ...)")
_APPOSITION = re.compile(r"^[^\S\n]*(?:[A-Z][\w'-]*[^\S\n]*){0,3}\($")
_SENT_END = re.compile(r"[.!?]+[\"\u201d\u2019]?(?=\s)")
_LAST_WORD = re.compile(r"([\w.]+)$")
_BODY_LINE = re.compile(r"^[^\S\n]*(?:\S+[^\S\n]+){7,}\S+", re.M)
_NAV_PUNCT = re.compile(r"[.!?,;:\"\u201c\u201d()]")

#: only the first this many characters are read (a report is a few thousand)
MAX_CHARS = 200_000
#: how far back a sentence is read, and the window of the rules that end at the mention
MAX_SENTENCE = 400
NEAR = 120

#: the context rules read on the words right before a mention, in the order they are tried
NEAR_RULES = ("ctx:issuer", "ctx:report-to", "ctx:request", "ctx:territory", "ctx:target",
              "ctx:custody", "ctx:building")
#: those read on the sentence before it
SENTENCE_RULES = ("ctx:hypothetical", "ctx:examples", "ctx:speech-content", "ctx:surroundings",
                  "ctx:future", "ctx:positive")

STRONG = ("ctx:issuer", "ctx:report-to", "ctx:request", "ctx:territory", "ctx:via",
          "ctx:hypothetical", "ctx:target", "ctx:custody", "ctx:building", "line")


@dataclass
class Mention:
    start: int
    end: int                     # end of the name (before any region tail)
    code: str
    rule: str
    title: bool = False
    weak: bool = False
    expand: Optional[dict] = None
    span_end: int = 0            # end including the region tail
    region: Optional[str] = None
    region_level: Optional[str] = None
    excluded: Optional[str] = None
    chain_prev: Optional["Mention"] = field(default=None, repr=False)


class AgencyRecognizer:
    """Finds agency mentions and keeps those stated to take part."""

    def __init__(self, nlp: Language, name: str = "timpora_agencies"):
        self.name = name
        self.lower = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.orth = PhraseMatcher(nlp.vocab, attr="ORTH")
        self.keys: dict[str, tuple[str, bool, bool]] = {}   # matcher key -> (code, title, weak)
        by_key: dict[tuple[str, bool], list[str]] = {}
        for alias in gazetteer.alias_table():
            key = f"{alias.code}{'~' if alias.title else ''}{'?' if alias.weak else ''}"
            self.keys[key] = (alias.code, alias.title, alias.weak)
            by_key.setdefault((key, alias.case_sensitive), []).append(alias.text)
        for (key, case), texts in by_key.items():
            matcher = self.orth if case else self.lower
            matcher.add(key, [nlp.make_doc(t) for t in dict.fromkeys(texts)])
        self.patterns = data.load_jsonl(gazetteer.PATTERNS)
        self.expansions = {}
        for row in self.patterns:
            if row.get("kind") == "expand":
                key = "EXPAND:" + row["id"]
                self.expansions[key] = row
                self.lower.add(key, [nlp.make_doc(p) for p in row["phrases"]])
        #: matcher key (its hash, as the matchers give it) -> (expand row or None, code, title, weak)
        self._by_hash = {nlp.vocab.strings.add(key): (None, *value) for key, value in self.keys.items()}
        self._by_hash.update((nlp.vocab.strings.add(key), (row, "", False, False))
                             for key, row in self.expansions.items())
        #: (pattern row, regex, not_after, not_before) of the regex-found mentions
        self.regexes = [(row, re.compile(row["regex"], _flags(row.get("flags", ""))),
                         Caseless(re.compile(row["not_after"], re.I)) if row.get("not_after") else None,
                         re.compile(row["not_before"]) if row.get("not_before") else None)
                        for row in self.patterns if row.get("kind") == "mention"]
        self.unknown = [re.compile(r["regex"], _flags(r.get("flags", "")))
                        for r in self.patterns if r.get("kind") == "unknown"]
        self.level = [re.compile(r["regex"], _flags(r.get("flags", "i")))
                      for r in self.patterns if r.get("kind") == "level"]
        # context rules marked "i" are applied to lower-cased text (much faster than re.I)
        self.ctx = {r["id"]: re.compile(r["regex"]) for r in self.patterns if r.get("kind") == "context"}
        # which of the window rules can match before a mention, told by one pass over the
        # window for their literal words (``gates``): the others' searches would find nothing
        self._window_rules = NEAR_RULES + SENTENCE_RULES
        self._gate = LiteralGate(self.ctx[rule] for rule in self._window_rules)
        self._bit = {rule: 1 << i for i, rule in enumerate(self._window_rules)}
        #: words one of which a "melalui" tail contains (None: always tried)
        via_words = guard(self.ctx["ctx:via"], window=True)
        self._via_words = (None if via_words is None or any(ci for _, ci in via_words)
                           else tuple(w for w, _ in via_words))
        self._via_keeps = frozenset(next(r for r in self.patterns if r["id"] == "ctx:via").get("keep_codes", ()))
        self.service = {c for r in self.patterns if r.get("kind") == "service" for c in r["codes"]}
        self.parents = {(child, parent) for r in self.patterns if r.get("kind") == "hierarchy"
                        for child in r["child"] for parent in r["parents"]}
        self.levels = {a.code: a.level for a in gazetteer.agencies()}
        self.abbrevs = {w.lower() for r in self.patterns if r.get("kind") == "abbreviations"
                        for w in r["words"]}

    # ------------------------------------------------------------------ main

    def __call__(self, doc: Doc) -> Doc:
        try:
            spans = self._spans(doc)
        except Exception:  # never let one odd text stop the pipeline
            spans = []
        doc.spans[GROUP] = spans
        return doc

    def _spans(self, doc: Doc) -> list:
        text = doc_text(doc)[:MAX_CHARS]
        if not text.strip():
            return []
        mentions = self._find(doc, text)
        raw_ranges = [(m.start, m.end) for m in mentions]
        mentions = _longest(mentions)
        self._drop_titles(mentions, text)
        for m in mentions:
            self._tail(m, text)
        ctx = _Context(text, self.abbrevs)
        self._judge(mentions, text, ctx)
        kept = [m for m in mentions if m.excluded is None]
        if any(m.code in self.service and not m.weak for m in kept):
            kept = [m for m in kept if not (m.weak and m.code in self.service)]
        hay = haystack(text)
        province_level = any(hay.may_scan(p) and search(p, hay) is not None for p in self.level)
        out = []
        for m in kept:
            if m.expand is not None:
                if m.expand.get("unless_before") and re.match(m.expand["unless_before"], text[m.span_end:], re.I):
                    continue
                prov = m.region_level == "provinsi" or (m.region_level is None and province_level)
                codes = m.expand.get("codes_provinsi") if prov and m.expand.get("codes_provinsi") else m.expand["codes"]
                for code in codes:
                    span = char_span(doc, m.start, m.span_end, label=code, rule=m.rule, kb_id=m.region or "")
                    if span is not None:
                        out.append(span)
                continue
            span = char_span(doc, m.start, m.span_end, label=m.code, rule=m.rule, kb_id=m.region or "")
            if span is not None:
                out.append(span)
        out.extend(self._unknown(doc, text, raw_ranges, ctx))
        out.sort(key=lambda s: (s.start_char, s.end_char))
        return out

    # ------------------------------------------------------------------ finding

    def _find(self, doc: Doc, text: str) -> list[Mention]:
        found: list[Mention] = []
        by_hash = self._by_hash
        for matcher in (self.lower, self.orth):
            for key_id, start, end in matcher(doc):
                last = doc[end - 1]
                s, e = doc[start].idx, last.idx + len(last)
                if e > len(text):       # beyond MAX_CHARS
                    continue
                expand, code, title, weak = by_hash[key_id]
                if expand is not None:
                    found.append(Mention(s, e, "", expand["id"], expand=expand))
                    continue
                found.append(Mention(s, e, code, f"gaz:{code}", title=title, weak=weak))
        hay = haystack(text)
        for row, rx, not_after, not_before in self.regexes:
            if not hay.may_scan(rx):
                continue
            group = int(row.get("group", 0))
            for m in finditer(rx, hay):
                s, e = m.span(group)
                if s < 0:
                    continue
                if not_after is not None and not_after.search(text[max(0, s - 40):s]):
                    continue
                if not_before is not None and not_before.match(text[e:e + 40]):
                    continue
                found.append(Mention(s, e, row["code"], row["id"]))
        return found

    def _drop_titles(self, mentions: list[Mention], text: str) -> None:
        """An official's title followed by the institution's name yields to that name."""
        for i, m in enumerate(mentions):
            if m.title and i + 1 < len(mentions):
                nxt = mentions[i + 1]
                if nxt.expand is None and _TITLE_GAP.match(text[m.end:nxt.start]):
                    m.excluded = "title-of-next"

    def _tail(self, m: Mention, text: str) -> None:
        m.span_end = m.end
        tail = _TAIL.match(text[m.end:m.end + 160])
        if not tail:
            return
        num, cls, place = tail.group("num", "cls", "place")   # "num" is None or not empty
        if num or cls:
            m.span_end = m.end + tail.end("cls")
        if num and not place:   # "Kodim 1428/Mamasa"
            unit = _UNIT_PLACE.search(num.rstrip("."))
            if unit:
                region = find_region(unit.group(1), ADMIN_LEVELS)
                if region is not None:
                    m.region, m.region_level = region.code, region.level
        if m.expand is None and cls and _CLASS.search(cls):
            m.code = gazetteer.recode_for_region(m.code, "class")
        if not place:
            return
        level = self.levels.get(m.code, "")
        levels = LOCAL_LEVELS if _local(level) else ADMIN_LEVELS
        words = [(w.group(0), w.end()) for w in _PLACE_WORD.finditer(place)]
        names = [w for w, _ in words]
        base = m.end + tail.start("place")
        local_first = "provinsi" not in level and ("kabupaten" in level or "kota" in level)
        below_province = _BELOW_PROVINCE[levels]
        for k in range(len(words), 0, -1):
            if k > 1 and names[k - 1] == "Kota":   # "Polresta Kupang Kota": Kota Kupang
                name = "Kota " + " ".join(names[:k - 1])
            else:
                name = " ".join(names[:k])
            region = None
            if local_first:   # "Polres Bengkulu", "Kantor Imigrasi Kelas I Bengkulu": the kota
                region = find_region(name, below_province)
            if region is None:
                region = find_region(name, levels)
            if region is not None:
                m.region, m.region_level = region.code, region.level
                m.span_end = base + words[k - 1][1]
                if m.expand is None:
                    recoded = gazetteer.recode_for_region(m.code, region.level)
                    if recoded != m.code:
                        m.code, m.weak = recoded, False
                break

    # ------------------------------------------------------------------ judging

    def _judge(self, mentions: list[Mention], text: str, ctx: "_Context") -> None:
        prev: Optional[Mention] = None
        for m in mentions:
            if m.excluded is not None:
                prev = m
                continue
            chained = (prev is not None and prev.span_end <= m.start
                       and _CHAIN_GAP.match(text[prev.span_end:m.start]) is not None)
            m.chain_prev = prev if chained else None
            if chained and prev.excluded in STRONG:
                m.excluded = prev.excluded
            elif (prev is not None and prev.span_end <= m.start and _APPOSITION.match(text[prev.span_end:m.start])
                  and text[m.span_end:m.span_end + 3].lstrip().startswith(")")):
                m.excluded = "apposition"   # "Korem 142 Tatag (Perwira Penghubung ...)"
            elif (chained and prev.excluded != "title-of-next" and (prev.code, m.code) in self.parents
                  and not text[prev.span_end:m.start].strip()):
                m.excluded = "hierarchy"
            else:
                m.excluded = self._context(m.start, m.span_end, text, ctx)
            prev = m
        # a parent acting through its unit: the whole chain before "melalui"
        for m in reversed(mentions):
            if (m.excluded is None and m.code not in self._via_keeps
                    and self._may_via(text, m.span_end, m.span_end + 120)
                    and self.ctx["ctx:via"].match(text, m.span_end, m.span_end + 120)):
                node: Optional[Mention] = m
                while node is not None:
                    node.excluded = "ctx:via"
                    node = node.chain_prev

    def _context(self, start: int, end: int, text: str, ctx: "_Context") -> Optional[str]:
        """Why a mention at ``start`` does not count (a rule id), or None when it counts."""
        line_start, _ = ctx.line(start)
        if ctx.line_excluded(line_start, self._line_rule):
            return "line"
        sent_start = max(ctx.sentence_start(start, line_start), start - MAX_SENTENCE)
        before = text[sent_start:start].lower()
        near_from = max(0, len(before) - NEAR)
        near = before[near_from:]
        # a rule is searched only where its words occur (in ``near`` for the rules read there):
        # the others cannot match, so the first rule found is the one searching all would find
        may, may_near = self._gate.scan(before, near_from)
        bit = self._bit
        ctx_rx = self.ctx
        for rule in NEAR_RULES:
            if may_near & bit[rule] and ctx_rx[rule].search(near):
                return rule
        if may & bit["ctx:hypothetical"] and ctx_rx["ctx:hypothetical"].search(before):
            return "ctx:hypothetical"
        # weak contexts: count only after a participation cue
        weak: list[tuple[str, int]] = []
        quote = ctx.quote_start(start)
        if quote is not None:
            weak.append(("quote", max(quote, sent_start) - sent_start))
        if may & bit["ctx:examples"] and ctx_rx["ctx:examples"].search(before):
            weak.append(("ctx:examples", 0))
        speech = None
        if may & bit["ctx:speech-content"]:
            for speech in ctx_rx["ctx:speech-content"].finditer(before):
                pass
        if speech is not None:
            weak.append(("ctx:speech-content", speech.end()))
        if may_near & bit["ctx:surroundings"] and ctx_rx["ctx:surroundings"].search(near):
            weak.append(("ctx:surroundings", 0))
        if not weak:
            return None
        if may & bit["ctx:future"] and ctx_rx["ctx:future"].search(before):
            return weak[0][0]
        # (a cue's words anywhere in ``before`` is a superset of its words after ``from_``)
        positive = bool(may & bit["ctx:positive"])
        for reason, from_ in weak:
            if not (positive and ctx_rx["ctx:positive"].search(before, from_)):
                return reason
        return None

    def _may_via(self, text: str, start: int, end: int) -> bool:
        """False only when ``ctx:via`` cannot match in ``text[start:end]``: it has none of
        the pattern's words (which the match itself contains, not a look-behind)."""
        if self._via_words is None:
            return True
        return any(text.find(w, start, end) >= 0 for w in self._via_words)

    def _line_rule(self, line: str, in_header: bool = False) -> bool:
        low = line[:200].lower()
        return bool(self.ctx["ctx:teaser-line"].match(low) or (in_header and _nav_line(line))
                    or (len(line) <= MAX_SENTENCE and self.ctx["ctx:bracketed-line"].match(line)))

    def _unknown(self, doc: Doc, text: str, known: list[tuple[int, int]], ctx: "_Context") -> list:
        out = []
        covered = bytearray(len(text) + 1)
        for ks, ke in known:
            covered[ks:ke] = b"\x01" * (ke - ks)
        hay = haystack(text)
        for rx in self.unknown:
            if not hay.may_scan(rx):
                continue
            for m in finditer(rx, hay):
                s, e = m.span()
                hit = covered.find(1, s, e)
                if hit == s:
                    continue
                if hit > s:   # "Badan Urusan Sungai dan Polres Sikka": up to the known name
                    e = s + len(re.sub(r"(?:\s+(?:dan|&))?\s*$", "", text[s:hit]))
                    if len(text[s:e].split()) < 2:
                        continue
                if self._context(s, e, text, ctx) is not None:
                    continue
                span = char_span(doc, s, e, label=UNKNOWN, rule="unknown-org")
                if span is not None:
                    out.append(span)
        return out


# ---------------------------------------------------------------------- helpers


@lru_cache(maxsize=8192)
def find_region(name: str, levels: tuple[str, ...]):
    """``extractors.regions.find_region``, cached (the same names recur in every report)."""
    try:
        from extractors.regions import find_region as lookup
    except ImportError:  # no region gazetteer: mentions keep no jurisdiction
        return None
    return lookup(name, levels=levels)


def _flags(spec: str) -> int:
    return re.I if "i" in (spec or "") else 0


def _local(level: str) -> bool:
    return "kecamatan" in level or "desa" in level


def _longest(mentions: list[Mention]) -> list[Mention]:
    """Non-overlapping mentions, longest first (like ``spacy.util.filter_spans``)."""
    ordered = sorted(mentions, key=lambda m: (-(m.end - m.start), m.start))
    starts: list[int] = []
    ends: list[int] = []
    taken: list[Mention] = []
    for m in ordered:
        i = bisect.bisect_left(starts, m.start)
        if i < len(starts) and starts[i] < m.end:
            continue
        if i > 0 and ends[i - 1] > m.start:
            continue
        starts.insert(i, m.start)
        ends.insert(i, m.end)
        taken.insert(i, m)
    return taken


def _nav_line(line: str) -> bool:
    """A short line without sentence punctuation: site navigation, a menu, a tag."""
    words = line.split()
    return 0 < len(words) <= 4 and not _NAV_PUNCT.search(line)


class _Context:
    """Lines, sentence starts and quoted stretches of a text, computed once."""

    def __init__(self, text: str, abbrevs: frozenset[str] | set[str] = frozenset()):
        self.text = text
        self.abbrevs = abbrevs
        self.line_starts = [0] + [m.end() for m in re.finditer(r"\n", text)]
        self.quotes: list[tuple[int, int]] = []
        self._scan_quotes()
        self.quote_starts = [q[0] for q in self.quotes]
        self._sentence_cache: dict[int, list[int]] = {}
        self._line_cache: dict[int, bool] = {}
        # the page header (site navigation, menus) ends at the first line of running text
        body = _BODY_LINE.search(text)
        self.body_start = body.start() if body else len(text)

    def _scan_quotes(self) -> None:
        """Quoted stretches: \u201c...\u201d or "...", never across a line (an unclosed quote
        runs to the end of its paragraph, as news quotes do)."""
        open_at: Optional[int] = None
        straight = False
        for m in re.finditer(r'[\u201c\u201d"\n]', self.text):
            ch, i = m.group(0), m.start()
            if ch == "\n":
                if open_at is not None:
                    self.quotes.append((open_at, i))
                open_at = None
            elif open_at is None:
                if ch != "\u201d":
                    open_at, straight = i, ch == '"'
            elif (straight and ch == '"') or (not straight and ch == "\u201d"):
                self.quotes.append((open_at, i + 1))
                open_at = None
        if open_at is not None:
            self.quotes.append((open_at, len(self.text)))

    def line(self, pos: int) -> tuple[int, int]:
        i = bisect.bisect_right(self.line_starts, pos) - 1
        start = self.line_starts[max(i, 0)]
        end = self.line_starts[i + 1] - 1 if i + 1 < len(self.line_starts) else len(self.text)
        return start, end

    def line_excluded(self, line_start: int, rule) -> bool:
        value = self._line_cache.get(line_start)
        if value is None:
            s, e = self.line(line_start)
            value = self._line_cache[line_start] = bool(rule(self.text[s:e], s < self.body_start))
        return value

    def sentence_start(self, pos: int, line_start: int) -> int:
        starts = self._sentence_cache.get(line_start)
        if starts is None:
            _, line_end = self.line(line_start)
            starts = [line_start]
            for m in _SENT_END.finditer(self.text, line_start, line_end):
                word = _LAST_WORD.search(self.text, max(line_start, m.start() - 12), m.start())
                if word and (len(word.group(1)) == 1 or "." in word.group(1)
                             or word.group(1).lower() in self.abbrevs):
                    continue
                starts.append(m.end())
            self._sentence_cache[line_start] = starts
        return starts[bisect.bisect_right(starts, pos) - 1]

    def quote_start(self, pos: int) -> Optional[int]:
        i = bisect.bisect_right(self.quote_starts, pos) - 1
        if i >= 0 and self.quotes[i][0] <= pos < self.quotes[i][1]:
            return self.quotes[i][0]
        return None


@Language.factory("timpora_agencies")
def make_agencies(nlp: Language, name: str) -> AgencyRecognizer:
    return AgencyRecognizer(nlp, name)
