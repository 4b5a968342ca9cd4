"""Activity date, last day of a range and start time: ``doc.spans["date"|"date_end"|"time"]``.

Works on ``doc.text`` with regexes (``Kupang_Jumat (29/11/2019)`` is one token), all of them in
``data/dates.jsonl``; month and weekday names come from ``data/lang/months.tsv`` and
``data/lang/weekdays.tsv``. Steps:

1. find every written date (numeric ``Selasa (7/3/2023)``, ``13-03-2019``, ISO, textual
   ``Rabu, 13 Maret 2019``, ranges ``2-3/5/2024``, ``7 s.d. 9 Oktober 2024``), then weekday-only
   mentions (``Kamis kemarin``) and ``kemarin``;
2. classify each by its context: a stamp line (dateline), a photo caption, a letter or decree
   date, a validity or birth date, a plan, a later statement (``kata X, Jumat (23/8)``), an
   activity (an activity verb or ``pada`` in the clause before it), or neutral;
3. complete missing years from the text's clues (other full dates, ``Tahun 2025``, ``TA 2022``),
   the publication date (never after it) and, failing both, an era clue (``pandemi Covid-19``),
   always agreeing with a written weekday; check written weekdays against dates;
4. join two adjacent dates into a range (``Rabu (21/8/2024) dan Kamis (22/8/2024)``) and pick
   the first date of the best class; the time is the first start time (``pukul 09.00 WIB``) in
   that date's sentence, else in a clause about the activity, else the first one.
"""
from __future__ import annotations

import re
from bisect import bisect_left, insort
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Optional

from spacy.language import Language
from spacy.tokens import Doc

from extractors import data
from extractors.common import add_flag, char_span, doc_text, finditer, haystack, published, search
from extractors.gates import LiteralGate
from models.record import FLAG_CANDIDATES, FLAG_WEEKDAY_MISMATCH, FLAG_YEAR_INFERRED

PATTERNS_FILE = "dates.jsonl"
MONTHS_FILE = "lang/months.tsv"
WEEKDAYS_FILE = "lang/weekdays.tsv"

#: candidate classes, best first; the activity date is the first candidate of the best class
RANK_ACTIVITY, RANK_ACTIVITY_WEEKDAY, RANK_NEUTRAL, RANK_CAPTION, RANK_WEEKDAY, RANK_BACKGROUND = range(6)
#: contexts that never give the activity date
EXCLUDED = ("dateline", "letter", "validity", "birth", "future", "statement")
#: how far back a clause may reach, and how far a time may sit from its date
CLAUSE_WINDOW = 320
ABBREVIATION_MAX = 3
LINE_WINDOW = 200
MAX_RANGE_DAYS = 31
#: a report has a handful of dates; past this many (a huge or odd text) the rest are ignored
MAX_CANDIDATES = 300
#: only this much of a text is read (a prefix, so offsets hold): bounds the time a huge input takes
MAX_TEXT = 200_000
MAX_DAN_RANGE_DAYS = 3
MONTH_TYPO_DAYS = 7

_WORD_BEFORE = re.compile(r"([^\W\d_]+)$")
_UPPER_ESCAPE = re.compile(r"\\[WSDBAZ]")
_SENTENCE_END = re.compile(r"[.!?][\"”’')\]]*\s+")
#: the dash after a dateline's weekday: "DOBO, Selasa – Kantor Imigrasi ..."
_DATELINE_DASH = re.compile(r"[^\S\n]*[-–—][^\S\n]")


@dataclass
class Candidate:
    start: int
    end: int
    rule: str
    kind: str = "explicit"            # explicit | weekday | relative
    day: Optional[int] = None
    month: Optional[int] = None
    year: Optional[int] = None
    weekday: Optional[int] = None
    day2: Optional[int] = None
    month2: Optional[int] = None
    year2: Optional[int] = None
    weekday2: Optional[int] = None
    conn: str = ""
    offset: int = 0                   # relative: days from publication
    stamp: bool = False
    context: str = "neutral"
    rank: int = RANK_NEUTRAL
    value: Optional[date] = None
    end_value: Optional[date] = None
    end_rule: str = ""
    end_at: Optional[int] = None      # end offset of the text giving the range's last day
    year_inferred: bool = False
    mismatch: str = ""


@dataclass
class TimeFound:
    start: int
    end: int
    rule: str
    value: str                        # HH:MM


@dataclass
class Found:
    best: Optional[Candidate] = None
    rivals: list[Candidate] = field(default_factory=list)
    time: Optional[TimeFound] = None


@dataclass
class _Context:
    text: str
    ref: Optional[date]               # publication date (manifest, else a dateline)
    full_years: list[tuple[int, int]] = field(default_factory=list)   # (offset, year) of dates in the text
    weak_years: list[int] = field(default_factory=list)               # of letter / validity dates
    clue_years: list[int] = field(default_factory=list)               # by frequency
    era: Optional[tuple[int, int]] = None


class _Spans:
    """Non-overlapping character ranges with a logarithmic overlap test."""

    def __init__(self, spans=()):
        self._spans: list[tuple[int, int]] = []
        for a, b in spans:
            self.add(a, b)

    def overlaps(self, a: int, b: int) -> bool:
        i = bisect_left(self._spans, (b,))
        return any(self._spans[j][1] > a for j in range(max(0, i - 2), i))

    def add(self, a: int, b: int) -> None:
        insort(self._spans, (a, b))


def _alternation(names) -> str:
    return "(?:" + "|".join(re.escape(n) for n in sorted(set(names), key=len, reverse=True)) + ")"


class DateExtractor:
    """Finds dates and times in ``doc.text`` and writes the chosen ones to span groups."""

    def __init__(self, nlp: Optional[Language] = None, name: str = "timpora_dates",
                 patterns_file: str = PATTERNS_FILE):
        self.name = name
        self.months: dict[str, int] = {r["name"].lower(): int(r["month"]) for r in data.load_tsv(MONTHS_FILE)}
        self.weekdays: dict[str, int] = {r["name"].lower(): int(r["weekday"])
                                         for r in data.load_tsv(WEEKDAYS_FILE)}
        self.weekday_names: dict[int, str] = {}
        for r in data.load_tsv(WEEKDAYS_FILE):
            self.weekday_names.setdefault(int(r["weekday"]), r["name"])
        rows = data.load_jsonl(patterns_file)
        fills = {"WD": _alternation(r["name"] for r in data.load_tsv(WEEKDAYS_FILE)),
                 "MON": _alternation(r["name"] for r in data.load_tsv(MONTHS_FILE))}
        for row in rows:
            if row.get("kind") == "fragment":
                fills[row["name"]] = row["pattern"]

        def compile_(row, flags=0):
            pattern = row["pattern"]
            for key, value in fills.items():
                pattern = pattern.replace("{" + key + "}", value)
            return re.compile(pattern, flags)

        wd_names = {v for r in data.load_tsv(WEEKDAYS_FILE)
                    for v in (r["name"], r["name"].lower(), r["name"].upper())}
        #: anchor name -> (finder, shortest, longest match kept)
        self.anchors: dict[str, tuple[re.Pattern, int, int]] = {
            "weekday": (re.compile(_alternation(wd_names)), 0, 1 << 30)}
        for row in rows:
            if row.get("kind") == "anchor":
                self.anchors[row["name"]] = (re.compile(row["pattern"]), int(row.get("min_len", 0)),
                                             int(row.get("max_len", 1 << 30)))
        by_kind: dict[str, list] = {}
        for row in rows:
            kind = row.get("kind")
            if kind in ("fragment", "anchor"):
                continue
            flags = re.IGNORECASE if kind in ("date", "weekday", "relative", "range_tail", "range_join") else 0
            by_kind.setdefault(kind, []).append((row, compile_(row, flags)))

        def anchored(kind):
            return [(r["id"], rx, tuple(r.get("anchor", "").split())) for r, rx in by_kind.get(kind, [])]

        self.date_patterns = anchored("date")
        self.weekday_patterns = anchored("weekday")
        self.relative_patterns = [(r["id"], rx, tuple(r.get("anchor", "").split()), int(r.get("offset", 0)))
                                  for r, rx in by_kind.get("relative", [])]
        self.range_tails = [(r["id"], rx) for r, rx in by_kind.get("range_tail", [])]
        self.range_joins = [(r["id"], rx) for r, rx in by_kind.get("range_join", [])]
        # cues written in lower case with '(?i)' run case-sensitively on lower-cased windows
        # (much faster in ``re`` than IGNORECASE alternations); the others keep their flags
        self.cues: dict[tuple[str, str], list[tuple[re.Pattern, bool]]] = {}
        for r, rx in by_kind.get("cue", []):
            body = r["pattern"][4:] if r["pattern"].startswith("(?i)") else None
            lowered = body is not None and body == body.lower() and not _UPPER_ESCAPE.search(body)
            if lowered:
                rx = re.compile(body)
            self.cues.setdefault((r["group"], r.get("where", "clause")), []).append((rx, lowered))
        # which lowered cues can match in a window, told by one pass over it for their words
        # (``gates``): a cue without any of its words in the window finds nothing there
        lowered_cues = [rx for cues in self.cues.values() for rx, lowered in cues if lowered]
        self._cue_gate = LiteralGate(lowered_cues)
        self._cue_bit = {id(rx): 1 << i for i, rx in enumerate(lowered_cues)}
        self.year_patterns = anchored("year")
        self.year_vetoes = [rx for _, rx in by_kind.get("year_veto", [])]
        self.eras = [(rx, int(r["from"]), int(r["to"])) for r, rx in by_kind.get("era", [])]
        self.time_patterns = anchored("time")
        self.time_vetoes = [rx for _, rx in by_kind.get("time_veto", [])]
        self.leads = [rx for _, rx in by_kind.get("lead", [])]

    # ------------------------------------------------------------------ spaCy entry point
    def __call__(self, doc: Doc) -> Doc:
        found = self.analyse(doc_text(doc), published(doc))
        dates, ends, times = [], [], []
        best = found.best
        if best is not None:
            span = char_span(doc, best.start, best.end, label=best.value.isoformat(), rule=best.rule)
            if span is not None:
                dates.append(span)
                if best.end_value is not None:
                    end = char_span(doc, best.start, best.end_at or best.end,
                                    label=best.end_value.isoformat(), rule=best.end_rule or best.rule)
                    if end is not None:
                        ends.append(end)
                if best.year_inferred:
                    add_flag(doc, "date", FLAG_YEAR_INFERRED,
                             f"year of {span.text!r} inferred: {best.value.isoformat()}", span)
                if best.mismatch:
                    add_flag(doc, "date", FLAG_WEEKDAY_MISMATCH, best.mismatch, span)
                if found.rivals:
                    others = ", ".join(sorted({c.value.isoformat() for c in found.rivals}))
                    add_flag(doc, "date", FLAG_CANDIDATES, f"other possible activity dates: {others}", span)
                for c in found.rivals:
                    rival = char_span(doc, c.start, c.end, label=c.value.isoformat(), rule=c.rule)
                    if rival is not None:
                        dates.append(rival)
        if found.time is not None:
            span = char_span(doc, found.time.start, found.time.end, label=found.time.value,
                             rule=found.time.rule)
            if span is not None:
                times.append(span)
        doc.spans["date"] = dates
        doc.spans["date_end"] = ends
        doc.spans["time"] = times
        return doc

    def analyse(self, text: str, pub: Optional[date]) -> "Found":
        """The activity date (with its range end), competing dates and the start time."""
        found = Found()
        if not text or not text.strip():
            return found
        text = text[:MAX_TEXT]
        cache: dict = {}
        cands = self._explicit(text, cache)
        for c in cands:
            self._classify(text, c)
        ref = pub or self._dateline_ref(cands)
        ctx = _Context(text=text, ref=ref)
        self._year_clues(ctx, cands, cache)
        for c in cands:
            self._resolve(ctx, c)
        cands = self._join_ranges(text, cands)
        if ref is not None:
            cands += self._implicit(text, cands, ref, cache)
        usable = [c for c in cands if c.value is not None and c.context not in EXCLUDED]
        usable.sort(key=lambda c: (c.rank, c.start))
        if usable:
            best = found.best = usable[0]
            last = best.end_value or best.value
            found.rivals = [c for c in usable[1:] if c.rank == best.rank and not best.value <= c.value <= last]
        found.time = self._time(text, found.best, cache)
        return found

    # ------------------------------------------------------------------ scanning
    def _scan(self, text: str, rx: re.Pattern, names: tuple[str, ...], cache: dict):
        """Non-overlapping matches of ``rx`` starting where one of the named anchors starts.

        Unanchored ``finditer`` with case-insensitive alternations and leading look-behinds is
        slow in ``re``; the anchors are plain case-sensitive finders, and ``rx.match`` at a few
        positions is cheap. A pattern without anchors is searched over the whole text."""
        if not names:
            yield from rx.finditer(text)
            return
        positions = cache.get(names)
        if positions is None:
            found: set[int] = set()
            for name in names:
                if name not in cache:
                    cache[name] = self._anchor(text, name, cache)
                found.update(cache[name])
            positions = cache[names] = sorted(found)
        last_end = -1
        for pos in positions:
            if pos < last_end:
                continue
            m = rx.match(text, pos)
            if m is not None and m.end() > m.start():
                last_end = m.end()
                yield m

    def _anchor(self, text: str, name: str, cache: dict) -> list[int]:
        if name not in self.anchors:
            return []
        finder, shortest, longest = self.anchors[name]
        spans = cache.get(finder.pattern)
        if spans is None:               # 'day' and 'year' share one scan for digit runs
            spans = cache[finder.pattern] = [m.span() for m in finditer(finder, haystack(text))]
        return [a for a, b in spans if shortest <= b - a <= longest]

    # ------------------------------------------------------------------ candidates
    def _explicit(self, text: str, cache: dict) -> list[Candidate]:
        taken = _Spans()
        out: list[Candidate] = []
        for rule, rx, names in self.date_patterns:
            for m in self._scan(text, rx, names, cache):
                if taken.overlaps(m.start(), m.end()):
                    continue
                c = self._from_match(rule, m)
                if c is None:
                    continue
                taken.add(m.start(), m.end())
                out.append(c)
        out.sort(key=lambda c: c.start)
        return out[:MAX_CANDIDATES]

    def _wd(self, name: Optional[str]) -> Optional[int]:
        if not name:
            return None
        return self.weekdays.get(name.lower().replace("’", "'"))

    def _month(self, value: Optional[str]) -> Optional[int]:
        if not value:
            return None
        if value.isdigit():
            n = int(value)
            return n if 1 <= n <= 12 else None
        return self.months.get(value.lower().rstrip("."))

    def _from_match(self, rule: str, m: re.Match) -> Optional[Candidate]:
        g = m.groupdict()
        day = int(g["d"]) if g.get("d") else None
        month = self._month(g.get("m") or g.get("mon") or g.get("mon2"))
        if day is None or month is None or not 1 <= day <= 31:
            return None
        year = self._year(g.get("y"))
        weekday = self._wd(g.get("wd"))
        if year is None and weekday is None and not g.get("mon") and not g.get("y2"):
            return None          # '(21/5)' alone: too weak (scores, codes, '24/7')
        if g.get("y") and year is None:
            return None
        c = Candidate(m.start(), m.end(), rule, day=day, month=month, year=year, weekday=weekday,
                      stamp=bool(g.get("stamp")))
        if g.get("d2"):
            c.day2 = int(g["d2"])
            c.month2 = self._month(g.get("mon2")) or month
            c.year2 = self._year(g.get("y2")) if g.get("y2") else year
            c.weekday2 = self._wd(g.get("wd2") or g.get("wdb"))
            c.conn = (g.get("conn") or "").strip().lower()
            if g.get("mon2") and not g.get("mon"):
                c.month = c.month2
            if c.year is None and c.year2 is not None:
                c.year = c.year2 - 1 if (c.month, c.day) > (c.month2, c.day2) else c.year2
            if not 1 <= c.day2 <= 31:
                return None
        return c

    @staticmethod
    def _year(value: Optional[str]) -> Optional[int]:
        if not value:
            return None
        n = int(value)
        if len(value) == 2:
            n += 2000
        return n if 1990 <= n <= 2099 else None

    def _implicit(self, text: str, cands: list[Candidate], ref: date, cache: dict) -> list[Candidate]:
        """Weekday-only mentions and 'kemarin', resolved against the publication date."""
        taken = _Spans((c.start, c.end_at or c.end) for c in cands)
        out: list[Candidate] = []
        for rule, rx, names in self.weekday_patterns:
            for m in self._scan(text, rx, names, cache):
                if len(out) >= MAX_CANDIDATES:
                    break
                s, e = m.start("wd"), m.end()
                if taken.overlaps(s, e) or (s > 0 and text[s - 1].isalpha()):
                    continue
                word = m.group("wd")
                if self._any("weekday_routine", "tail", text[max(0, s - 20):s]):
                    continue
                intro = self._intro(text[max(0, s - 16):s])
                pre, post = intro, (m.group("post") or "").strip()
                if not word[0].isupper() and "hari" not in pre.lower():
                    continue               # 'minggu lalu' = last week
                if not pre.strip() and not post:
                    nxt = text[e:e + 2]
                    prv = text[max(0, s - 2):s]
                    if not (nxt[:1] in (",", ".", ")") and prv.endswith((", ", "(", ","))) \
                            and not (prv == ", " and _DATELINE_DASH.match(text, e)):
                        continue           # a weekday in a name ('Jumat Curhat'), not 'DOBO, Selasa –'
                wd = self._wd(word)
                if wd is None:
                    continue
                c = Candidate(s - len(intro), e, rule, kind="weekday", weekday=wd)
                c.value = ref - timedelta(days=(ref.isoweekday() - wd) % 7)
                c.year_inferred = True
                self._classify(text, c)
                c.rank = RANK_ACTIVITY_WEEKDAY if c.rank == RANK_ACTIVITY else max(c.rank, RANK_WEEKDAY)
                taken.add(c.start, c.end)
                out.append(c)
        for rule, rx, names, offset in self.relative_patterns:
            for m in self._scan(text, rx, names, cache):
                if len(out) >= MAX_CANDIDATES:
                    break
                if taken.overlaps(m.start(), m.end()):
                    continue
                c = Candidate(m.start(), m.end(), rule, kind="relative", offset=offset)
                c.value = ref + timedelta(days=offset)
                c.year_inferred = True
                self._classify(text, c)
                if c.rank != RANK_ACTIVITY:
                    continue               # 'kemarin' alone counts only beside an activity
                c.rank = RANK_ACTIVITY_WEEKDAY
                out.append(c)
        return out

    def _intro(self, before: str) -> str:
        for rx, lowered in self.cues.get(("weekday_intro", "tail"), ()):
            m = rx.search(before.lower() if lowered else before)
            if m is not None and len(before.lower()) == len(before):
                return before[m.start():m.end()]
        return ""

    # ------------------------------------------------------------------ context
    def _clause_start(self, text: str, pos: int) -> int:
        lo = max(0, pos - CLAUSE_WINDOW)
        nl = text.rfind("\n", lo, pos)
        lo = nl + 1 if nl >= 0 else lo
        start = lo
        for m in _SENTENCE_END.finditer(text, lo, pos):
            before = text[max(lo, m.start() - 12):m.start()]
            w = _WORD_BEFORE.search(before)
            if w and len(w.group(1)) <= ABBREVIATION_MAX and text[m.start()] == ".":
                continue                   # Kec. / Kab. / s.d. / No.
            start = m.end()
        return start

    def _sentence_end(self, text: str, pos: int) -> int:
        nl = text.find("\n", pos)
        hi = nl if nl >= 0 else len(text)
        for m in _SENTENCE_END.finditer(text, pos, hi):
            w = _WORD_BEFORE.search(text[max(pos, m.start() - 12):m.start()])
            if w and len(w.group(1)) <= ABBREVIATION_MAX and text[m.start()] == ".":
                continue
            return m.start() + 1
        return hi

    @staticmethod
    def _line(text: str, start: int, end: int) -> tuple[str, str, str]:
        """The rest of the line before and after ``start:end``, at most LINE_WINDOW characters
        each way (a longer line is marked with a leading/trailing ellipsis: never a stamp line)."""
        lo = max(0, start - LINE_WINDOW)
        a = text.rfind("\n", lo, start) + 1
        before = text[a:start] if a > 0 or lo == 0 else "…" + text[lo:start]
        hi = min(len(text), end + LINE_WINDOW)
        b = text.find("\n", end, hi)
        after = text[end:b] if b >= 0 else (text[end:hi] + ("…" if hi < len(text) else ""))
        return before, text[start:end], after

    def _may(self, low: str, memo: Optional[dict]) -> int:
        """Bit mask of the lowered cues that may match in ``low`` (kept in ``memo``, a dict
        of the caller's, for the windows it asks about several times)."""
        if memo is None:
            return self._cue_gate.scan(low)[0]
        mask = memo.get(low)
        if mask is None:
            mask = memo[low] = self._cue_gate.scan(low)[0]
        return mask

    def _any(self, group: str, where: str, s: str, memo: Optional[dict] = None) -> bool:
        low = None
        may = 0
        bit = self._cue_bit
        for rx, lowered in self.cues.get((group, where), ()):
            if lowered:
                if low is None:
                    low = s.lower()
                    may = self._may(low, memo)
                if may & bit[id(rx)] and rx.search(low):
                    return True
            elif rx.search(s):
                return True
        return False

    def _last(self, group: str, s: str, memo: Optional[dict] = None) -> int:
        """End of the last ``group`` cue in ``s`` (offsets in ``s.lower()``), or -1."""
        best = -1
        low = s.lower()
        may = None
        bit = self._cue_bit
        for rx, lowered in self.cues.get((group, "clause"), ()):
            if lowered:
                if may is None:
                    may = self._may(low, memo)
                if not may & bit[id(rx)]:
                    continue
            for m in rx.finditer(low if lowered else s):
                best = max(best, m.end())
        return best

    def _letter(self, tail: str, memo: Optional[dict] = None) -> bool:
        """'Nomor ... tanggal <date>' with no activity verb between the number and the date."""
        for rx, lowered in self.cues.get(("letter", "tail"), ()):
            hay = tail.lower() if lowered else tail
            m = rx.search(hay)
            while m is not None:            # the letter word closest to 'tanggal'
                closer = rx.search(hay, m.start() + 1)
                if closer is None:
                    break
                m = closer
            if m is not None:
                between = m.groupdict().get("between") or ""
                if self._last("activity", between, memo) < 0:
                    return True
        return False

    def _classify(self, text: str, c: Candidate) -> None:
        memo: dict = {}                    # cue masks of the windows read below
        before_line, _, after_line = self._line(text, c.start, c.end)
        clause = text[self._clause_start(text, c.start):c.start]
        after = text[c.end:c.end + 40]
        tail = text[max(0, c.start - 160):c.start]
        for rx in self.leads:              # 'Nomor ... Tanggal 5 Agustus 2024': the span starts at 'Tanggal'
            lead = rx.match(text, c.start, c.end)
            if lead:
                tail += lead.group(0)
                break
        if c.stamp or self._any("dateline", "line_before", before_line, memo) or (
                c.kind == "explicit" and self._any("dateline_rest", "line_rest", before_line)
                and self._any("dateline_rest", "line_rest", after_line)):
            c.context = "dateline"
        elif self._letter(tail, memo) or self._any("letter", "after", after, memo):
            c.context = "letter"
        elif self._any("validity", "tail", clause, memo):
            c.context = "validity"
        elif self._any("birth", "tail", clause, memo):
            c.context = "birth"
        elif self._any("future", "tail", clause, memo) or self._any("future", "after", after, memo):
            c.context = "future"
        else:
            act = max(self._last("activity", clause, memo),
                      len(clause.lower()) if self._any("activity", "tail", clause, memo)
                      or self._any("activity", "after", after, memo) else -1)
            said = self._last("statement", clause, memo)
            if self._any("statement", "after", after, memo) or said > act:
                c.context = "statement"
            elif self._any("caption", "line", before_line + text[c.start:c.end] + after_line):
                c.context, c.rank = "caption", RANK_CAPTION
            elif self._last("background", clause, memo) >= 0:
                c.context, c.rank = "background", RANK_BACKGROUND
            elif act >= 0:
                c.context, c.rank = "activity", RANK_ACTIVITY
            else:
                c.context, c.rank = "neutral", RANK_NEUTRAL

    @staticmethod
    def _dateline_ref(cands: list[Candidate]) -> Optional[date]:
        for c in cands:
            if c.context == "dateline" and c.year is not None:
                try:
                    return date(c.year, c.month, c.day)
                except (ValueError, TypeError):
                    continue
        return None

    # ------------------------------------------------------------------ years
    def _year_clues(self, ctx: _Context, cands: list[Candidate], cache: dict) -> None:
        text = ctx.text
        for c in cands:
            if c.year is None or c.context == "birth":
                continue
            if c.context in ("letter", "validity"):
                ctx.weak_years.append(c.year)
            else:
                ctx.full_years.append((c.start, c.year))
        counts: dict[int, int] = {}
        for _, rx, names in self.year_patterns:
            for m in self._scan(text, rx, names, cache):
                if any(v.search(text, max(0, m.start() - 30), m.start()) for v in self.year_vetoes):
                    continue
                y = int(m.group("y"))
                counts[y] = counts.get(y, 0) + 1
        ctx.clue_years = sorted(counts, key=lambda y: -counts[y])
        hay = haystack(text)
        for rx, lo, hi in self.eras:
            if hay.may_scan(rx) and search(rx, hay) is not None:
                ctx.era = (lo, hi) if ctx.era is None else (max(ctx.era[0], lo), min(ctx.era[1], hi))

    def _infer_year(self, ctx: _Context, c: Candidate) -> Optional[int]:
        """The year of a date written without one: the first of the text's other full dates
        (nearest first), the publication year or the one before, ``Tahun``/``TA`` clues, letter
        dates, that is not after publication and fits the written weekday; failing that an era
        window with exactly one fitting year; failing that (with a publication date or without a
        weekday) the first year not after publication, the weekday then being contradicted."""
        ref = ctx.ref
        order: list[int] = [y for _, y in sorted(ctx.full_years, key=lambda p: abs(p[0] - c.start))]
        if ref is not None:
            order += [ref.year, ref.year - 1]
        order += ctx.clue_years + ctx.weak_years
        seen: list[int] = []
        for y in order:
            if y not in seen:
                seen.append(y)
        fallback = None
        for y in seen:
            d = _mkdate(y, c.month, c.day)
            if d is None or (ref is not None and d > ref):
                continue
            if c.weekday is None or d.isoweekday() == c.weekday:
                return y
            if fallback is None:
                fallback = y
        if c.weekday is not None and ctx.era is not None and ref is None:
            fits = [y for y in range(ctx.era[0], ctx.era[1] + 1)
                    if (d := _mkdate(y, c.month, c.day)) is not None and d.isoweekday() == c.weekday]
            if len(fits) == 1:
                return fits[0]
        if fallback is not None and (ref is not None or c.weekday is None):
            return fallback
        return None

    def _resolve(self, ctx: _Context, c: Candidate) -> None:
        ref = ctx.ref
        if c.year is None:
            year = self._infer_year(ctx, c)
            if year is None:
                return
            c.year, c.year_inferred = year, True
            if c.year2 is None and c.day2 is not None:
                c.year2 = year + 1 if (c.month2, c.day2) < (c.month, c.day) else year
        value = _mkdate(c.year, c.month, c.day)
        if value is None:
            return
        if c.weekday is not None and value.isoweekday() != c.weekday:
            written = value
            if ref is not None:
                resolved = ref - timedelta(days=(ref.isoweekday() - c.weekday) % 7)
                if written > ref or (resolved.day == written.day and resolved != written
                                     and (ref - resolved).days <= MONTH_TYPO_DAYS):
                    value = resolved
            c.mismatch = (f"weekday {self.weekday_names.get(c.weekday, c.weekday)} contradicts {written.isoformat()}"
                          + (f"; taken as {value.isoformat()}" if value != written else ""))
        c.value = value
        if c.day2 is not None:
            end = _mkdate(c.year2 if c.year2 is not None else c.year, c.month2 or c.month, c.day2)
            if end is not None and value < end and (end - value).days <= MAX_RANGE_DAYS:
                if c.conn != "dan" or (end - value).days <= MAX_DAN_RANGE_DAYS:
                    c.end_value, c.end_rule = end, c.rule

    def _join_ranges(self, text: str, cands: list[Candidate]) -> list[Candidate]:
        out: list[Candidate] = []
        i = 0
        while i < len(cands):
            c = cands[i]
            if c.value is not None and c.end_value is None:
                nxt = cands[i + 1] if i + 1 < len(cands) else None
                if nxt is not None and nxt.value is not None and nxt.end_value is None:
                    gap = text[c.end:nxt.start]
                    for rule, rx in self.range_joins:
                        m = rx.match(gap)
                        if m is None:
                            continue
                        days = (nxt.value - c.value).days
                        limit = MAX_DAN_RANGE_DAYS if m.group("conn").lower() == "dan" else MAX_RANGE_DAYS
                        if 0 < days <= limit:
                            c.end_value, c.end_rule, c.end_at = nxt.value, rule, nxt.end
                            c.mismatch = c.mismatch or nxt.mismatch
                            i += 1
                        break
                if c.end_value is None:
                    for rule, rx in self.range_tails:
                        m = rx.match(text, c.end, min(len(text), c.end + 60))
                        if m is None:
                            continue
                        wd = self._wd(m.group("wd"))
                        if wd is not None:
                            days = (wd - c.value.isoweekday()) % 7
                            if days:
                                c.end_value, c.end_rule, c.end_at = c.value + timedelta(days=days), rule, m.end()
                        break
            out.append(c)
            i += 1
        return out

    # ------------------------------------------------------------------ time
    def _time(self, text: str, best: Optional[Candidate], cache: dict) -> Optional[TimeFound]:
        found = []
        seen = _Spans()                       # every time expression, kept or vetoed
        for rule, rx, names in self.time_patterns:
            for m in self._scan(text, rx, names, cache):
                if len(found) >= MAX_CANDIDATES:
                    break
                if seen.overlaps(m.start(), m.end()):
                    continue
                seen.add(m.start(), m.end())
                g = m.groupdict()
                if not (g.get("mi") or g.get("tz") or g.get("pod")):
                    continue
                h, mi = int(g["h"]), int(g.get("mi") or 0)
                if h > 24 or mi > 59:
                    continue
                if any(v.search(text, max(0, m.start() - 25), m.start()) for v in self.time_vetoes):
                    continue
                before_line, _, after_line = self._line(text, m.start(), m.end())
                if self._any("dateline", "line_before", before_line) or (
                        self._any("dateline_rest", "line_rest", after_line)
                        and _is_stamp_prefix(before_line, self)):
                    continue
                pod = (g.get("pod") or "").lower()
                if pod == "siang" and h <= 4 or pod in ("sore", "malam") and 3 <= h < 12:
                    h += 12
                if h == 24:
                    h = 0
                found.append(TimeFound(m.start(), m.end(), rule, f"{h:02d}:{mi:02d}"))
        if not found:
            return None
        found.sort(key=lambda f: f.start)
        if best is not None:
            lo = self._clause_start(text, best.start)
            hi = self._sentence_end(text, best.end_at or best.end)
            near = [f for f in found if lo <= f.start < hi]
            if near:
                return near[0]
        for f in found:
            clause = text[self._clause_start(text, f.start):f.start]
            if self._last("activity", clause) >= 0 or self._any("activity", "tail", clause):
                return f
        return found[0]


def _is_stamp_prefix(before_line: str, ex: DateExtractor) -> bool:
    """A time on a stamp line: what precedes it on the line is a date and separators only."""
    rest = before_line
    for _, rx, _names in ex.date_patterns:
        rest = rx.sub(" ", rest)
    return bool(rest.strip()) is False or ex._any("dateline_rest", "line_rest", rest)


def _mkdate(y: Optional[int], m: Optional[int], d: Optional[int]) -> Optional[date]:
    if y is None or m is None or d is None:
        return None
    try:
        return date(y, m, d)
    except ValueError:
        return None


@Language.factory("timpora_dates", default_config={"patterns_file": PATTERNS_FILE})
def make_dates(nlp: Language, name: str, patterns_file: str) -> DateExtractor:
    return DateExtractor(nlp, name, patterns_file=patterns_file)
