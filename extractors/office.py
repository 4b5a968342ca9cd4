"""The organising immigration office (``doc.spans["office"]``).

Every mention of a Kantor Imigrasi (Kanim, ``Imigrasi Kelas II TPI X``, a bare ``Imigrasi X``)
or a Kantor Wilayah (Kanwil Kemenkumham / Ditjen Imigrasi X) is parsed into its wording and
its place. Mentions of the same office (same type, place names that extend one another:
``Jakarta Selatan`` / ``Jakarta Selatan Cucu Koswala``) form one candidate; candidates are
scored with the cues of ``data/office.jsonl`` (organiser verbs after the mention, ``digelar``
/ ``Tim PORA`` before it, a Kanim prior, a province-level TIMPORA for the Kanwil, a penalty
for offices only listed among participants). The winner's FULLEST mention is the span,
cut after the office's place (a person's name that follows it is left out).
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Iterator, Optional

from spacy.language import Language
from spacy.tokens import Doc

from extractors.common import add_flag, char_span, doc_text, finditer, guard, haystack, may_search, prefixes, search
from extractors.windows import any_of, anchors, finditer_from, search_from, tails
from extractors.regions import find_region
from extractors.data import load_jsonl
from models.record import FLAG_CANDIDATES

GROUP = "office"
MAX_MENTIONS = 150         # bounds the pairwise grouping on huge texts
MAX_CHARS = 200_000        # only the first this many characters are read (a report is a few thousand)
_WORD = re.compile(r"[^\s]+")
_LETTERS = re.compile(r"[A-Za-z\u00C0-\u024F][A-Za-z\u00C0-\u024F'’\-]*")
_BLANK = re.compile(r"[ \t]*")
_SENT_END = re.compile(r"(?<![A-Z])[.!?](?=\s)|\n")
_MARK = re.compile(r"[.!?\n]")      # where ``_SENT_END`` can match
_PAREN = re.compile(r"[ \t]*\([^()\n]{1,40}\)")


@dataclass
class Mention:
    type: str                      # "kanim" | "kanwil"
    start: int                     # first character of the mention
    place_words: list[tuple[int, int]] = field(default_factory=list)  # char ranges
    rule: str = ""

    @property
    def end(self) -> int:
        return self.place_words[-1][1]

    def place(self, text: str, n: Optional[int] = None) -> str:
        words = self.place_words if n is None else self.place_words[:n]
        return " ".join(text[s:e] for s, e in words)


@lru_cache(maxsize=1)
def _config():
    rows = load_jsonl("office.jsonl")
    anchors, cues, priors = [], [], {}
    class_words: set[str] = set()
    stops: set[str] = set()
    ministry: list[re.Pattern] = []
    for row in rows:
        kind = row.get("kind")
        if kind == "anchor":
            anchors.append((row["id"], row["type"], re.compile(row["pattern"], re.I if not row.get("bare") else 0),
                            bool(row.get("bare")), frozenset(row.get("veto_before", ()))))
        elif kind == "class_words":
            class_words |= {w.lower() for w in row["words"]}
        elif kind == "place_stop":
            stops |= {w.lower() for w in row["words"]}
        elif kind == "ministry":
            ministry = [re.compile(r"[ \t]*(?:" + p + r")", re.I) for p in row["patterns"]]
        elif kind == "cue":
            rx = re.compile(row["pattern"], re.I)
            cues.append((row["id"], row["where"], row.get("type"), float(row["weight"]), rx, guard(rx)))
        elif kind == "prior":
            priors[row["type"]] = float(row["weight"])
    return anchors, class_words, stops, ministry, cues, priors


@lru_cache(maxsize=1)
def _fast():
    """What makes the cues of ``_config`` cheaper to try (``extractors.windows``), derived from
    the patterns: (the ministry patterns as one, per cue: (its endings, its anchors))."""
    _, _, _, ministry, cues, _ = _config()
    # ``match`` of an alternation tries its branches in order and nothing follows them: it
    # finds what the first of the patterns that matches finds
    one = any_of(ministry)
    shortcuts = []
    for _, where, _, _, rx, _ in cues:
        ends = tails(rx) if where in ("before", "list_before") else None
        # a ``before`` pattern without known endings is tried where its anchors lie
        starts = anchors(rx) if where == "list" or (where == "before" and ends is None) else None
        shortcuts.append((tuple(t for t, ci in ends if not ci) if ends else None,
                          tuple(t for t, ci in ends if ci) if ends else None,
                          tuple(t for t, ci in starts if not ci) if starts else None,
                          tuple(t for t, ci in starts if ci) if starts else None))
    return one, tuple(shortcuts)


def _words(text: str, pos: int, limit: int = 12) -> Iterator[tuple[int, int, str, bool]]:
    """Words after ``pos`` on the same line: (start, end, word, followed_by_a_break)."""
    n = 0
    while n < limit:
        m = _BLANK.match(text, pos)
        pos = m.end()
        if pos >= len(text) or text[pos] in "\r\n":
            return
        w = _WORD.match(text, pos)
        if not w:
            return
        raw = w.group()
        yield w.start(), w.end(), raw, False
        pos = w.end()
        n += 1


def _place_words(text: str, pos: int, stops: set[str], max_words: int = 4) -> list[tuple[int, int]]:
    """Capitalised place words starting at ``pos`` (same line), stopping at punctuation."""
    out: list[tuple[int, int]] = []
    for ws, we, raw, _ in _words(text, pos, limit=max_words + 1):
        lead = 1 if raw.startswith("(") else 0
        if lead and out:
            break
        m = _LETTERS.match(raw, lead)
        if not m:
            break
        word = m.group().rstrip("-'’")
        if not word or not (word[0].isupper()) or len(word) < 2:
            break
        if (word.lower() in stops or word.lower().rstrip(".") in stops) and not (
                out and _region(text[out[0][0]:ws + m.start() + len(word)]) is not None):
            break   # a stop word ends the place unless it completes a region's name ("Jakarta Pusat")
        out.append((ws + m.start(), ws + m.start() + len(word)))
        if m.start() + len(word) < len(raw) or len(out) >= max_words:
            break   # punctuation / underscore / digit glued to the word ends the place
    return out


def _skip_paren(text: str, pos: int) -> int:
    m = _PAREN.match(text, pos)
    return m.end() if m else pos


def find_mentions(text: str) -> list[Mention]:
    """Every immigration-office mention in ``text`` that names a place, in text order."""
    # the chair extractor asks again for the same text
    return list(haystack(text).remember(_MEMO_MENTIONS, _find_mentions))


_MEMO_MENTIONS = "office.mentions"


def _find_mentions(text: str) -> tuple[Mention, ...]:
    starts = _config()[0]
    hay = haystack(text)
    hits = []       # (start, anchor, match), anchor by anchor
    for i, anchor in enumerate(starts):
        if not hay.may_scan(anchor[2]):
            continue
        rx = anchor[2]
        for m in (finditer(rx, hay) if prefixes(rx) is not None else finditer_from(rx, hay)):
            hits.append((m.start(), i, m))
    if len(hits) > MAX_MENTIONS:
        # more than are kept: all are read, sorted and cut (a huge text)
        found = [x for x in (_read_mention(text, starts[i], m) for _, i, m in hits) if x is not None]
        found.sort(key=lambda x: (x.start, -x.end))
        del found[MAX_MENTIONS:]
        return _overlaps_dropped(found)
    # The mentions, in the order the sort above gives (by start, the longest first, then anchor
    # by anchor), are kept unless they start inside the last one kept. A mention is read only
    # when it may be kept: one that starts inside the last one kept is dropped whatever it reads,
    # unless it is a Kanim and that one a Kanwil ("Kantor Wilayah Imigrasi Kelas II TPI X").
    hits.sort(key=lambda h: (h[0], h[1]))
    out: list[Mention] = []
    k = 0
    while k < len(hits):
        start = hits[k][0]
        group = []
        while k < len(hits) and hits[k][0] == start:
            group.append(hits[k])
            k += 1
        inside = bool(out) and start < out[-1].end
        found = []
        for _, i, m in group:
            if inside and (out[-1].type == "kanim" or starts[i][1] != "kanim"):
                continue        # dropped below whatever it reads
            mention = _read_mention(text, starts[i], m)
            if mention is not None:
                found.append(mention)
        found.sort(key=lambda x: -x.end)
        _drop_overlaps(out, found)
    return tuple(out)


def _read_mention(text: str, anchor: tuple, m: "re.Match") -> Optional[Mention]:
    """The mention an anchor's match starts, None when no place follows it."""
    _, class_words, stops, ministry, _, _ = _config()
    rule, typ, rx, bare, veto = anchor
    if bare:
        before = text[max(0, m.start() - 30):m.start()].split()
        if before and before[-1].lower().strip(",.()") in veto:
            return None
    pos = _skip_paren(text, m.end())
    if typ == "kanim":
        for ws, we, raw, _ in _words(text, pos, limit=8):
            if raw.lower().rstrip(",") in class_words and not raw.endswith(","):
                pos = we
                continue
            break
    else:
        one_ministry = _fast()[0]
        for _ in range(4):
            if one_ministry is not None:
                mm = one_ministry.match(text, pos)
            else:
                mm = next((p.match(text, pos) for p in ministry if p.match(text, pos)), None)
            if not mm:
                break
            pos = mm.end()
    places = _place_words(text, pos, stops)
    return Mention(typ, m.start(), places, rule) if places else None


def _drop_overlaps(out: list[Mention], found: list[Mention]) -> None:
    """Adds the sorted mentions ``found`` to ``out`` but those inside the last one kept."""
    for mention in found:
        if out and mention.start < out[-1].end:
            if mention.type == "kanim" and out[-1].type == "kanwil" and mention.end > out[-1].end:
                out[-1] = mention   # "Kantor Wilayah Imigrasi Kelas II TPI X" is a Kanim
            continue
        out.append(mention)


def _overlaps_dropped(found: list[Mention]) -> tuple[Mention, ...]:
    out: list[Mention] = []
    _drop_overlaps(out, found)
    return tuple(out)


@lru_cache(maxsize=4096)
def _region(place: str) -> Optional[str]:
    """The region code a place name denotes ("Sumbar" and "Sumatera Barat" are one place)."""
    region = find_region(place)
    return region.code if region is not None else None


def _same_place(a: str, b: str) -> bool:
    """``a`` is ``b`` written out further ("Jakarta Barat Andi" after "Jakarta Barat"), or both
    name one region ("Sumbar", "Sumatera Barat")."""
    region = _region(a)
    return _key(a).startswith(_key(b)) or (region is not None and region == _region(b))


@lru_cache(maxsize=4096)
def _key(place: str) -> str:
    key = re.sub(r"[^0-9a-z]+", "", place.lower())
    for prefix in ("kabupaten", "kota", "provinsi"):
        if key.startswith(prefix) and len(key) > len(prefix) + 2:
            key = key[len(prefix):]
    return key


@dataclass
class Candidate:
    type: str
    mentions: list[Mention]
    score: float = 0.0
    rules: list[str] = field(default_factory=list)


def _group(text: str, mentions: list[Mention]) -> list[Candidate]:
    parent = list(range(len(mentions)))

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    names = [m.place(text) for m in mentions]
    keys = [_key(n) for n in names]
    for i in range(len(mentions)):
        for j in range(i):
            if mentions[i].type == mentions[j].type and keys[i] and keys[j] and (
                    keys[j].startswith(keys[i]) or _same_place(names[i], names[j])):
                parent[find(i)] = find(j)
    groups: dict[int, Candidate] = {}
    for i, m in enumerate(mentions):
        root = find(i)
        if root not in groups:
            groups[root] = Candidate(m.type, [])
        groups[root].mentions.append(m)
    return list(groups.values())


def _sentence(text: str, start: int, end: int, marks: Optional[list[int]] = None) -> str:
    """The sentence around ``text[start:end]``; ``marks``: ``_sentence_marks(text)``."""
    lo = max(0, start - 400)
    if marks is None:
        left = max((m.end() for m in _SENT_END.finditer(text, lo, start)), default=lo)
        right = _SENT_END.search(text, end)
        return text[left:right.start() if right else min(len(text), end + 400)]
    # the last mark that ``_SENT_END.finditer(text, lo, start)`` finds: a mark is one character;
    # searched up to ``start``, a ".", "!" or "?" right before it has no blank after it
    left = lo
    i = bisect.bisect_left(marks, start) - 1
    while i >= 0 and marks[i] >= lo:
        p = marks[i]
        if p < start - 1 or text[p] == "\n":
            left = p + 1
            break
        i -= 1
    j = bisect.bisect_left(marks, end)      # the first mark ``_SENT_END.search(text, end)`` finds
    return text[left:marks[j] if j < len(marks) else min(len(text), end + 400)]


def _sentence_marks(text: str) -> list[int]:
    """Where ``_SENT_END`` matches in the whole text (once per text: see ``_score``): at a line
    break, and at a ".", "!" or "?" with a blank after it and no capital A-Z before it (read
    here in Python: the look-behind first keeps ``re`` from skipping ahead to a mark)."""
    out = []
    n = len(text)
    for m in _MARK.finditer(text):
        p = m.start()
        if text[p] == "\n" or (p + 1 < n and text[p + 1].isspace() and not (p and "A" <= text[p - 1] <= "Z")):
            out.append(p)
    return out


_MEMO_MARKS = "office.sentence_marks"


def _score(text: str, cand: Candidate) -> None:
    _, _, _, _, cues, priors = _config()
    shortcuts = _fast()[1]
    hay = haystack(text)
    # the lower-cased copy of a part of the text is one for one and only an ASCII letter's case
    # equals an ASCII letter (else the endings and anchors below are not used)
    lowered = not hay.exotic and len(hay.low) == len(text)
    cand.score = priors.get(cand.type, 0.0)
    best: dict[str, float] = {}
    listed: set[int] = set()
    list_rules: set[str] = set()
    for m in cand.mentions:
        before = text[max(0, m.start - 50):m.start]
        low = before.lower()
        before_end = low_end = None     # ``before`` and ``low`` without blanks at the end
        after = text[m.end:m.end + 120]
        sentence = sentence_low = None
        for (rule, where, typ, weight, rx, found), (ends, ends_low, at, at_low) in zip(cues, shortcuts):
            if typ and typ != cand.type:
                continue
            if where in ("before", "list_before") and ends is not None and (lowered or not ends_low):
                # the pattern ends with ``$``: ``before`` (blanks at the end left out) ends with
                # one of the texts a match can end with, else it cannot match
                if before_end is None:
                    before_end, low_end = before.rstrip(), low.rstrip()
                if not (before_end.endswith(ends) or low_end.endswith(ends_low)):
                    continue
            if where == "before":
                if may_search(found, before, low) and (
                        search_from(rx, before, at, 0, len(before)) or search_from(rx, low, at_low, 0, len(before), before)
                        if at is not None and lowered else rx.search(before)):
                    best[rule] = max(best.get(rule, weight), weight) if weight > 0 else min(best.get(rule, weight), weight)
            elif where == "after":
                if rx.search(after):
                    best[rule] = max(best.get(rule, weight), weight)
            elif where in ("list", "list_before"):
                if sentence is None:
                    marks = hay.remember(_MEMO_MARKS, _sentence_marks) if hay.text is text else None
                    sentence = _sentence(text, m.start, m.end, marks)
                if sentence.count(",") >= 2:
                    if where == "list":
                        if sentence_low is None:
                            sentence_low = sentence.lower()
                        hit = may_search(found, sentence, sentence_low) and (
                            search_from(rx, sentence, at, 0, len(sentence)) or
                            search_from(rx, sentence_low, at_low, 0, len(sentence), sentence)
                            if at is not None and lowered else rx.search(sentence))
                    else:
                        hit = may_search(found, before, low) and rx.search(before)
                    if hit:
                        listed.add(id(m))
                        list_rules.add(rule)
    if list_rules and len(listed) == len(cand.mentions):
        best["listed"] = min(w for r, _, _, w, _, _ in cues if r in list_rules)
    for rule, where, typ, weight, rx, _ in cues:
        if where == "text" and (not typ or typ == cand.type) and haystack(text).may_scan(rx) \
                and search(rx, haystack(text)):
            best[rule] = weight
    cand.score += sum(best.values())
    cand.rules = sorted(best)


def canonical(text: str, cand: Candidate) -> tuple[Mention, int]:
    """The fullest mention of the candidate and how many of its place words to keep."""
    places = {}
    for m in cand.mentions:
        places.setdefault(m.place(text), m)
    keys = {p: _key(p) for p in places}
    written = [m.place(text) for m in cand.mentions]
    support = {p: sum(1 for w in written if _same_place(w, p)) for p in places}
    ordered = sorted(places, key=lambda p: (-len(keys[p]), p))
    chosen = next((p for p in ordered if support[p] >= 2), min(places, key=lambda p: (len(keys[p]), p)))
    n_words = len(chosen.split())
    best, best_len = None, -1
    for m in cand.mentions:
        if not _same_place(m.place(text), chosen) or len(m.place_words) < n_words:
            continue
        length = m.place_words[n_words - 1][1] - m.start
        if length > best_len:
            best, best_len = m, length
    return best or cand.mentions[0], n_words


def choose(text: str) -> Optional[tuple[Candidate, Mention, int, bool]]:
    """(candidate, fullest mention, place words kept, tie?) for the organising office."""
    mentions = find_mentions(text)
    if not mentions:
        return None
    cands = _group(text, mentions)
    for c in cands:
        _score(text, c)
    cands.sort(key=lambda c: (-c.score, c.mentions[0].start))
    tie = len(cands) > 1 and cands[1].score == cands[0].score
    mention, n = canonical(text, cands[0])
    return cands[0], mention, n, tie


def office_places(text: str) -> list[str]:
    """The canonical place of every office mentioned (used by the chair extractor).

    An office mentioned once may have a person's name glued to its place: only the
    place's first word is trusted then."""
    out = []
    text = text[:MAX_CHARS]
    for cand in _group(text, find_mentions(text)):
        mention, n = canonical(text, cand)
        out.append(mention.place(text, n if len(cand.mentions) > 1 else 1))
    return out


class OfficeExtractor:
    def __init__(self, nlp: Language, name: str = "timpora_office"):
        self.name = name

    def __call__(self, doc: Doc) -> Doc:
        text = doc_text(doc)
        result = choose(text[:MAX_CHARS]) if text else None
        spans = []
        if result is not None:
            cand, mention, n, tie = result
            end = mention.place_words[n - 1][1]
            label = re.sub(r"\s+", " ", text[mention.start:end]).strip(" ,.;:(")
            rule = mention.rule + ("+" + "+".join(cand.rules) if cand.rules else "")
            span = char_span(doc, mention.start, end, label=label, rule=rule)
            if span is not None:
                spans.append(span)
                if tie:
                    add_flag(doc, "office", FLAG_CANDIDATES,
                             "several immigration offices are equally likely organisers", span)
        doc.spans[GROUP] = spans
        return doc


@Language.factory("timpora_office")
def make_office(nlp: Language, name: str):
    return OfficeExtractor(nlp, name)
