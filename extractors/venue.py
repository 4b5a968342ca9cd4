"""Where the meeting took place (``doc.spans["venue"]``), as written, room to building.

A venue phrase starts after a cue of ``data/venue.jsonl`` (``bertempat di``, ``berlangsung
di``, ``rapat ... di``, ``di Aula/Hotel/Ruang ...``) and runs over capitalised words and
venue nouns (``ruang rapat``, ``hotel``) until punctuation, a date word, ``pada`` or a
region word (``Kota``, ``Kabupaten``) that does not belong to an institution's name
(``Kantor Kesbangpol Kabupaten X`` keeps it). ``salah satu ruang pertemuan Hotel X`` keeps
the named part. Online meetings give ``daring``. The kind component empties the group
for operations (an assembly point is not a venue).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Optional

from spacy.language import Language
from spacy.tokens import Doc

from extractors.common import char_span, doc_text, finditer, haystack, prefixes
from extractors.windows import finditer_from
from extractors.regions import find_region
from extractors.data import load_jsonl

GROUP = "venue"
DARING = "daring"
_TOKEN = re.compile(r"[^\s]+")
_BLANK = re.compile(r"[^\S\r\n]*")   # every blank but a line break (no-break space too)
_CORE = re.compile(r"[A-Za-z0-9\u00C0-\u024F&][A-Za-z0-9\u00C0-\u024F'’\-&]*")
MAX_WORDS = 12
SINGLE_WORD_PENALTY = 2.5
MIN_SCORE = 1.0
#: a phrase with a venue noun (aula, hotel, ruang ...) beats a bare name found by an equal cue
HEAD_BONUS = 1.5
#: a venue in a sentence about a meeting's outcome or a plan ranks below any venue told plainly
OUTCOME_PENALTY = 4.0
MAX_CUE_HITS = 40          # per cue: bounds the work on huge texts
MAX_LINE_CHARS = 120       # a form line's venue ("Tempat : ...") is at most this long


@dataclass
class Candidate:
    start: int
    end: int
    score: float
    rule: str
    label: str = ""


@lru_cache(maxsize=1)
def _config():
    cues, daring, line_cues = [], [], set()
    words: dict[str, frozenset] = {}
    for row in load_jsonl("venue.jsonl"):
        kind = row.get("kind")
        if kind in ("cue", "line_cue"):
            cues.append((row["id"], float(row["weight"]), re.compile(row["pattern"], re.I)))
            if kind == "line_cue":
                line_cues.add(row["id"])
        elif kind == "daring":
            daring.append((row["id"], re.compile(row["pattern"], re.I)))
        elif "words" in row:
            words[kind] = frozenset(w.lower() for w in row["words"])
    words["line_cues"] = frozenset(line_cues)
    return cues, daring, words


def _line_words(text: str, pos: int, limit: int):
    for _ in range(limit):
        pos = _BLANK.match(text, pos).end()
        if pos >= len(text) or text[pos] in "\r\n":
            return
        m = _TOKEN.match(text, pos)
        yield m.start(), m.group()
        pos = m.end()


def parse_phrase(text: str, pos: int) -> Optional[tuple[int, int]]:
    """The venue phrase starting at ``pos`` as a character range, or None."""
    _, _, words = _config()
    heads, conns, stops = words["head_nouns"], words["connectors"], words["stop"]
    regions, institutions = words["region_words"], words["institution_words"]
    taken: list[tuple[int, int, str]] = []      # (start, end, lowercase word)
    for ws, raw in _line_words(text, pos, MAX_WORDS + 2):
        m = _CORE.match(raw)
        if not m:
            break
        word = m.group()
        low = word.lower()
        if low in heads:
            ok = True
        elif low in stops:
            break
        elif word[0].isupper() or (word[0].isdigit() and taken):
            ok = True
        elif low in conns and taken:
            ok = True
        elif low in ("salah", "satu") and len(taken) < 2 and all(t[2] in ("salah", "satu") for t in taken):
            ok = True
        elif low == "di" and any(t[2] in heads for t in taken):
            ok = True
        else:
            break
        if not ok:
            break
        taken.append((ws, ws + len(word), low))
        if len(word) < len(raw) or len(taken) >= MAX_WORDS:
            break   # punctuation ends the phrase
    # a region word ends the venue unless it names an institution's area
    for i, (_, _, low) in enumerate(taken):
        if low.rstrip(".") in regions:
            if i == 0 or (i == 2 and taken[0][2] == "salah"):
                return None
            if not any(t[2] in institutions for t in taken[:i]):
                taken = taken[:i]
                break
    while taken and (taken[-1][2] in conns or taken[-1][2] in ("di", "salah", "satu")):
        taken.pop()
    if taken and taken[0][2] == "salah" and len(taken) > 2:
        named = [t for t in taken[2:] if text[t[0]].isupper()]
        if named and not any(t[2] == "di" for t in taken):
            taken = taken[2:]
    if not taken or (taken[0][2] in ("salah", "satu") and len(taken) <= 2):
        return None
    if not any(text[s].isupper() for s, _, _ in taken) and not any(t[2] == "di" for t in taken):
        return None     # "di ruang rapat" alone says nothing
    return taken[0][0], taken[-1][1]


_COMMA_BUILDING = re.compile(r",[ \t]*(?=[A-Z])")


def _building_after_comma(text: str, rng: tuple[int, int]) -> tuple[int, int]:
    """``Ruang Komodo, Hotel X``: a room followed by its building after a comma is one venue."""
    m = _COMMA_BUILDING.match(text, rng[1])
    if not m:
        return rng
    _, _, words = _config()
    first = text[rng[0]:rng[1]].split(None, 1)[0].lower()
    nxt = _CORE.match(text, m.end())
    if first not in words["room_nouns"] or not nxt or nxt.group().lower() not in words["building_nouns"]:
        return rng
    more = parse_phrase(text, m.end())
    return (rng[0], more[1]) if more else rng


def line_phrase(text: str, pos: int) -> Optional[tuple[int, int]]:
    """The rest of a form line (``Tempat : Ruang Rapat Setda X, Kota Y``) as a venue, or None."""
    end = text.find("\n", pos, pos + MAX_LINE_CHARS + 1)
    if end == -1:
        end = min(len(text), pos + MAX_LINE_CHARS)
    start = _BLANK.match(text, pos).end()
    while end > start and text[end - 1] in " \t\r.;,":
        end -= 1
    if end <= start or not text[start].isupper():
        return None
    return start, end


@lru_cache(maxsize=1)
def _outcome() -> Optional[re.Pattern]:
    """The words of a meeting's outcome or a plan (``kind=outcome`` in venue.jsonl)."""
    rows = [r["pattern"] for r in load_jsonl("venue.jsonl") if r.get("kind") == "outcome"]
    return re.compile("|".join(f"(?:{p})" for p in rows), re.I) if rows else None


def _sentence_start(text: str, pos: int, reach: int = 300) -> int:
    """Where the sentence holding ``pos`` starts (after the last ". " or line break)."""
    lo = max(0, pos - reach)
    return max(text.rfind(". ", lo, pos) + 2, text.rfind("\n", lo, pos) + 1, lo)


def candidates(text: str) -> list[Candidate]:
    cues, daring, words = _config()
    heads = words["head_nouns"]
    outcome = _outcome()
    out: list[Candidate] = []
    seen: set[tuple[int, int]] = set()
    hay = haystack(text)
    for rule, weight, rx in cues:
        if not hay.may_scan(rx):
            continue
        # a cue without literal prefixes ("\\bdi\\s+(?=Aula|...)") is tried where its anchors lie
        for n, m in enumerate(finditer(rx, hay) if prefixes(rx) is not None else finditer_from(rx, hay)):
            if n >= MAX_CUE_HITS:
                break
            if rule in words["line_cues"]:
                rng = line_phrase(text, m.end())
            else:
                rng = parse_phrase(text, m.end())
                if rng is not None:
                    rng = _building_after_comma(text, rng)
            if rng is None or rng in seen:
                continue
            seen.add(rng)
            phrase = text[rng[0]:rng[1]].lower().split()
            has_head = any(w in heads for w in phrase)
            bonus = HEAD_BONUS if has_head else 0.0
            if not has_head and (len(phrase) == 1 or find_region(text[rng[0]:rng[1]]) is not None):
                bonus -= SINGLE_WORD_PENALTY     # a bare town or region name is not a venue
            if outcome is not None and outcome.search(text, _sentence_start(text, m.start()), m.start()):
                bonus -= OUTCOME_PENALTY         # a recommendation's or a plan's place
            out.append(Candidate(rng[0], rng[1], weight + bonus, rule))
    for rule, rx in daring:
        if not hay.may_scan(rx):
            continue
        for m in finditer(rx, hay):
            out.append(Candidate(m.start(), m.end(), 2.5, rule, DARING))
    out = [c for c in out if c.score >= MIN_SCORE]
    out.sort(key=lambda c: (-c.score, c.start))
    return out


class VenueExtractor:
    def __init__(self, nlp: Language, name: str = "timpora_venue"):
        self.name = name

    def __call__(self, doc: Doc) -> Doc:
        spans = []
        text = doc_text(doc)
        for cand in candidates(text) if text else []:
            label = cand.label or re.sub(r"\s+", " ", text[cand.start:cand.end]).strip()
            span = char_span(doc, cand.start, cand.end, label=label, rule=cand.rule)
            if span is not None:
                spans.append(span)
            if len(spans) >= 3:
                break
        doc.spans[GROUP] = spans
        return doc


@Language.factory("timpora_venue")
def make_venue(nlp: Language, name: str):
    return VenueExtractor(nlp, name)
