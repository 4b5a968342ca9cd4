"""Sites: the places an operation inspected, as written.

A ``cue`` of ``data/sites.jsonl`` (``mendatangi``, ``menyasar``, ``sidak di``, ``menuju
ke``, ``sasaran operasi ... yakni`` ...) is followed by a list of site phrases: proper
names (``PT Agro Muko``, ``Hotel Red 9 Selatpanjang``) or generic places headed by one
of the ``heads`` words (``penginapan``, ``lokasi turbin``, ``sepuluh vila``). A vague
plural (``sejumlah lokasi``) is skipped unless a list follows (``seperti ...``).
Regions, the team's own offices, meeting rooms and the meeting venue are not sites.
Nothing is produced when the report has no operation at all.

Also: a sentence reporting a finding that opens with ``Di <Name>,`` (``Sementara di``,
``Adapun di``) names a site; a counted generic (``tiga lokasi, yakni ...``) is followed
by its list; a generic placed by a name keeps it (``sebuah rumah kos di Kelurahan X``,
``kapal ikan yang sandar di Pelabuhan Y``); cues in a title count only when the body
names no site; habitual cues (``kerap dikunjungi``), dates and counts of people are not
sites; where named sites exist, bare categories (``penginapan``), descriptions echoing a
name and the industrial estate holding the companies are dropped.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from functools import lru_cache
from typing import Optional

from spacy.language import Language
from spacy.tokens import Doc

from extractors.agencies import UNKNOWN as UNKNOWN_AGENCY
from extractors.common import char_span, finditer, finditer_at, haystack, prefixes
from extractors.data import load_jsonl
from extractors.findings import (doc_text, MAX_CHARS, _top_alternatives, clauses, combined, compiled, first_match, warm,
                                 is_headline, numbers, operation_context, sentence_list)

GROUP = "sites"
SITES_FILE = "sites.jsonl"
FINDINGS_FILE = "findings.jsonl"
#: longest site phrase, in words
MAX_WORDS = 9
#: generic phrases are shorter
MAX_GENERIC_WORDS = 6
#: how far after a cue the list may start / run (characters)
MAX_REACH = 400

_WORD = re.compile(r"\([^()\n]{1,40}\)|[^\s,;:()\"“”]+|[,;:]")
_VILLAGE = re.compile(r"^\s*(?:kelurahan|kel|desa|kampung|nagari|gampong)(?:\.|\s)", re.IGNORECASE)
_REGION_HEAD = re.compile(r"^(?:kota|kabupaten|kab\.?|provinsi|kecamatan|kec\.?|kelurahan|distrik)\s",
                          re.IGNORECASE)


@lru_cache(maxsize=None)
def _words(kind: str) -> frozenset[str]:
    out: set[str] = set()
    for row in load_jsonl(SITES_FILE):
        if row.get("type") == kind:
            out.update(w.lower() for w in row.get("words", []))
    return frozenset(out)


@lru_cache(maxsize=1)
def _heads() -> dict[str, tuple[tuple[str, ...], ...]]:
    """Generic head words, split, by their first word, longest first."""
    out: dict[str, list[tuple[str, ...]]] = {}
    for head in sorted((tuple(h.split()) for h in _words("heads")), key=len, reverse=True):
        out.setdefault(head[0], []).append(head)
    return {k: tuple(v) for k, v in out.items()}


@lru_cache(maxsize=1)
def _stops() -> frozenset[str]:
    return _words("stop")


@lru_cache(maxsize=1)
def _connectors() -> frozenset[str]:
    return _words("connectors")


def _is_name_word(word: str) -> bool:
    core = word.strip(".'’-")
    if not core:
        return False
    return core[0].isupper() or (core[0].isdigit() and len(core) <= 4)


def _region(text: str):
    """The region a written name denotes, if the regions module is available."""
    try:
        from extractors.regions import find_region  # provided by the places engineer
    except ImportError:
        return None
    try:
        return find_region(text)
    except Exception:  # a lookup problem must not break extraction
        return None


def _not_site(text: str, qualifier: str = "") -> bool:
    """Regions, offices, rooms and phrases made only of generic words are not sites.

    ``qualifier``: the region written right after the name (``Kota Bunga, Kabupaten
    Cianjur``); the name is then a place in that region, unless it is one of its own
    subdivisions (``Karossa, Kabupaten Mamuju Tengah`` is a kecamatan of it)."""
    lowered = text.strip().lower()
    words = re.findall(r"[^\W\d_]+", lowered)
    if words and all(w in _words("generic_words") for w in words):
        return True
    qualified = False
    if qualifier:
        outer, inner = _region(qualifier), _region(text)
        if inner is not None and outer is not None and (
                inner.code == outer.code or inner.code.startswith(outer.code + ".")):
            return True
        qualified = True
    if qualified and lowered.split()[0] == "kota":  # "Kota Bunga, Kabupaten Cianjur": a resort
        return False
    for _rid, rx in compiled(SITES_FILE, "not_site"):
        if rx.search(lowered):
            return True
    if qualified:
        return False
    if _VILLAGE.match(text):
        return False  # a village-level name is never an excluded region (and its table is big)
    region = _region(re.sub(r"\s*\([^()]*\)\s*$", "", text) or text)
    return region is not None and getattr(region, "level", "") in ("provinsi", "kabupaten", "kota",
                                                                   "kecamatan")


def _head_at(words: list[tuple[int, int, str]], i: int) -> int:
    """Number of words of a generic head starting at ``words[i]`` (0 if none)."""
    for head in _heads().get(words[i][2].lower().rstrip("."), ()):
        n = len(head)
        if i + n <= len(words) and tuple(w[2].lower().rstrip(".") for w in words[i:i + n]) == head:
            return n
    return 0


def _skip_quantifier(words, i: int) -> tuple[int, bool]:
    """Index after a leading quantifier and whether it was vague (``sejumlah``)."""
    if i >= len(words):
        return i, False
    low = words[i][2].lower()
    if low in ("beberapa", "sejumlah", "berbagai", "para", "puluhan", "ratusan", "banyak", "seluruh",
               "semua"):
        return i + 1, True
    if low in ("sebuah", "suatu"):
        return i + 1, False
    if low == "salah" and i + 1 < len(words) and words[i + 1][2].lower() == "satu":
        return i + 2, False
    nums = numbers()
    if low.isdigit() or (low in nums and nums[low] is not None and low not in ("satu",)):
        # "sepuluh vila", "3 hotel": keep the number in the phrase
        return i, False
    return i, False


def _name_run(words, i: int, start_i: int) -> int:
    """End index of a run of proper-name words starting at ``words[i]``."""
    from extractors.findings import _abbrevs

    j = i + 1
    if words[i][2].endswith(".") and words[i][2].rstrip(".").lower() not in _abbrevs():
        return j
    while j < len(words) and j - start_i < MAX_WORDS:
        w = words[j][2]
        nxt = words[j + 1][2] if j + 1 < len(words) else ""
        if _is_name_word(w):
            j += 1
            if w.endswith(".") and w.rstrip(".").lower() not in _abbrevs():
                break
        elif w.lower() in _connectors() and w.lower() != "dan" and _is_name_word(nxt):
            j += 1
        elif w.lower() == "di" and _is_name_word(nxt) and not _REGION_HEAD.match(nxt + " ") \
                and nxt.lower().rstrip(".") not in ("jalan", "jl", "jln"):
            j += 1
        elif w.startswith("("):
            j += 1
            break
        else:
            break
    return j


_NEAR = frozenset(("sekitar", "kawasan", "dekat", "area", "seputar", "seputaran", "lingkungan", "pinggir", "tepi"))
_BERTH = frozenset(("sandar", "bersandar", "berlabuh", "berada", "terletak", "beroperasi", "lego"))


def _place_tail(words, j: int) -> int:
    """End index of ``di <Name>`` / ``yang (ber)sandar di <Name>`` after a generic head, else ``j``."""
    k = j
    if words[k][2].lower() == "yang":
        if k + 1 >= len(words) or words[k + 1][2].lower() not in _BERTH:
            return j
        k += 2
        if k < len(words) and words[k][2].lower() == "jangkar":
            k += 1
    if k + 2 < len(words) and words[k][2].lower() == "di" and words[k + 1][2].lower() in _NEAR:
        # "di sekitar kampus di Bukit Besar", "di kawasan Jalan Nusantara"
        n = k + 2
        while n < len(words) and n < k + 5 and not _is_name_word(words[n][2]) and words[n][2].lower() != "di" \
                and words[n][2] not in (",", ";", ":"):
            n += 1
        if n < len(words) and words[n][2].lower() == "di":
            n += 1
        if n < len(words) and _is_name_word(words[n][2]):
            return _name_run(words, n, n)
        return j
    if k + 1 >= len(words) or words[k][2].lower() != "di" or not _is_name_word(words[k + 1][2]):
        return j
    first = words[k + 1][2].lower().rstrip(".")
    if first in ("jalan", "jl", "jln", "kabupaten", "kab", "kota", "provinsi", "kecamatan", "kec"):
        return j
    end = k + 1 + 1
    if _REGION_HEAD.match(words[k + 1][2] + " ") or first in ("desa", "kelurahan", "kampung", "dusun", "nagari"):
        end = k + 2
    end = _name_run(words, end - 1, end - 1)
    return end


def _phrase(words, i: int) -> tuple[int, Optional[tuple[int, int]]]:
    """Parse one site phrase at ``words[i]``: (next index, (start, end)) or (i, None)."""
    if i >= len(words):
        return i, None
    start_i = i
    nums = numbers()
    low = words[i][2].lower()
    if (low.isdigit() or nums.get(low)) and i + 1 < len(words) and _head_at(words, i + 1):
        i += 1  # "sepuluh vila dan tiga restoran"
    head_n = _head_at(words, i)
    if _is_name_word(words[i][2]) and low not in _stops():
        j = _name_run(words, i, start_i)
        return j, (words[start_i][0], words[j - 1][1])
    if head_n:
        j = i + head_n
        seen_name = False
        while j < len(words) and j - start_i < MAX_GENERIC_WORDS:
            w = words[j][2]
            if w.lower() == "milik" and j + 1 < len(words) and _is_name_word(words[j + 1][2]) \
                    and words[j + 1][2].lower() in _words("org_prefix"):
                j += 1   # "lokasi pembangunan pabrik milik PT X": the owner names the site
                w = words[j][2]
            if w.lower() in _words("org_prefix") and _is_name_word(w):
                # "lokasi pembuatan kapal PT Lamongan Marine": the name is the site
                k = _name_run(words, j, j)
                return k, (words[j][0], words[k - 1][1])
            if w.lower() in ("di", "yang") and seen_name is False:
                # "rumah kos di Kelurahan Hinekombe", "kapal ikan yang sandar di Pelabuhan X"
                k = _place_tail(words, j)
                if k > j:
                    return k, (words[start_i][0], words[k - 1][1])
            if w in (",", ";", ":") or w.lower().rstrip(".") in _stops():
                break
            if _is_name_word(w):
                seen_name = True
            elif seen_name and not w.startswith("("):
                break
            j += 1
            if w.endswith("."):
                break
        return j, (words[start_i][0], words[j - 1][1])
    return i, None


def _generic_only(text: str) -> bool:
    words = re.findall(r"[^\W\d_]+", text.lower())
    return bool(words) and all(w in _words("generic_words") for w in words)


def _intro_at(text: str, pos: int, end: int) -> Optional[int]:
    """Where a list starts when a list intro (``, yakni``) follows ``pos`` directly."""
    for _rid, rx in compiled(SITES_FILE, "list_intro"):
        m = rx.match(text, pos + len(text[pos:end]) - len(text[pos:end].lstrip(" ,:")), end)
        if m:
            return m.end()
    return None


def parse_sites(text: str, start: int, end: int) -> list[tuple[int, int, str]]:
    """Site phrases listed in ``text[start:end]`` (right after a cue), each with the
    qualifying region that follows it (``Puncak, Kabupaten Bogor``), else "".

    Categories followed by their named instances (``vila dan penginapan di kawasan X, di
    antaranya Villa A dan Hotel B``) give way to the names."""
    out = _parse_list(text, start, end)
    if out and not all(_names_site(text, s, e) for s, e, _ in out):
        # "dua kapal yang sedang bersandar, yaitu ...": a short relative clause may come between
        relative = _RELATIVE.match(text, out[-1][1], end)
        intro = _intro_at(text, relative.end() if relative else out[-1][1], end)
        if intro is not None:
            named = _parse_list(text, intro, end)
            if named and all(_names_site(text, s, e) for s, e, _ in named):
                out = [item for item in out if _names_site(text, item[0], item[1])] + named
    return out


_RELATIVE = re.compile(r"\s+yang(?:\s+[^\W\d_]+){1,5}(?=\s*,)")


def _names_site(text: str, start: int, end: int) -> bool:
    words = text[start:end].split()
    return bool(words) and _is_name_word(words[0])


#: words that open the name of a village-level place, and of any region
_VILLAGE_WORD = re.compile(r"^(?:desa|kelurahan|kel\.?|banjar|dusun|kampung|gampong|nagari|pekon)$", re.IGNORECASE)
_REGION_WORD = re.compile(r"^(?:kecamatan|kec\.?|kabupaten|kab\.?|kota|distrik)$", re.IGNORECASE)


def _location_tail(words, j: int, village_only: bool = False) -> Optional[int]:
    """After a site's location (``Vila A di Jalan B``) at ``words[j]``: the end of the place
    that continues it after a comma (``, Canggu``, ``, Desa C``), or None. A village word
    (``Desa``, ``Banjar`` ...) opens one; unless ``village_only``, so does a region word
    (``Kecamatan`` ...) or a name that ends the list and has no site head word (``Vila``,
    ``Hotel``) nor a company form (``PT``)."""
    if j + 1 >= len(words) or words[j][2] != "," or not _is_name_word(words[j + 1][2]):
        return None
    first = words[j + 1][2].rstrip(".")
    opens = _VILLAGE_WORD.match(first) or (not village_only and _REGION_WORD.match(first))
    if opens and j + 2 < len(words) and _is_name_word(words[j + 2][2]):
        return _name_run(words, j + 2, j + 2)
    if village_only or _head_at(words, j + 1) or first.upper() in ("PT", "CV", "UD", "KM", "MV"):
        return None
    k = _name_run(words, j + 1, j + 1)
    return k if k >= len(words) else None


def _parse_list(text: str, start: int, end: int) -> list[tuple[int, int, str]]:
    words = [(m.start() + start, m.end() + start, m.group()) for m in _WORD.finditer(text[start:end])]
    out: list[tuple[int, int, str]] = []
    i = 0
    while i < len(words) and words[i][2] in (",", ":"):
        i += 1  # "Lokasi terakhir, sebuah studio ..."
    for _guard in range(12):
        q_start = i
        i, vague = _skip_quantifier(words, i)
        if vague and i < len(words) and _head_at(words, i):
            # "sejumlah pangkalan speedboat di Desa X": a vague plural placed by a name
            j, span = _phrase(words, i)
            if span is not None and re.search(r"\sdi\s+\S", text[span[0]:span[1]]):
                tail = _location_tail(words, j, village_only=True)
                if tail is not None:    # "sebuah rumah kos di Banjar X, Desa Y": the place goes on
                    span, j = (span[0], words[tail - 1][1]), tail
                out.append((words[q_start][0], span[1], ""))
                i = j
                if i < len(words) and words[i][2] == ",":
                    i += 1
                if i < len(words) and words[i][2].lower() in ("dan", "serta", "hingga", "maupun", "atau"):
                    i += 1
                    continue
                return out
        if vague:
            intro = None
            for _rid, rx in compiled(SITES_FILE, "list_intro"):
                intro = rx.search(text, words[i - 1][1], end) if i - 1 < len(words) else None
                if intro:
                    break
            if not intro:
                return out
            words = [(m.start() + intro.end(), m.end() + intro.end(), m.group())
                     for m in _WORD.finditer(text[intro.end():end])]
            i = 0
            continue
        j, span = _phrase(words, i)
        if span is None:
            return out
        if out and q_start > 0 and words[q_start - 1][2] == "," and words[q_start][2].lower() in ("sebuah", "suatu") \
                and j < len(words) and words[j][2].lower() == "yang":
            return out  # "Pasar X, sebuah kawasan perdagangan yang ...": a description of X
        if _generic_only(text[span[0]:span[1]]) or not _is_name_word(text[span[0]:span[1]].split()[0]):
            # "tiga lokasi, yakni A, B dan C": the list follows
            intro = _intro_at(text, span[1], end)
            if intro is not None:
                words = [(m.start() + intro, m.end() + intro, m.group())
                         for m in _WORD.finditer(text[intro:end])]
                i = 0
                continue
        if q_start < i and not _is_name_word(words[i][2]):
            span = (words[q_start][0], span[1])  # "sebuah warung di Desa X" as written
        if re.search(r"\sdi\s+\S", text[span[0]:span[1]]):
            tail = _location_tail(words, j, village_only=True)
            if tail is not None:        # "rumah kos di Banjar X, Desa Y": the place goes on
                span, j = (span[0], words[tail - 1][1]), tail
        if out and _REGION_HEAD.match(text[span[0]:span[1]] + " ") and not out[-1][2]:
            # "Puncak, Kabupaten Bogor": a place named in the region that follows it
            out[-1] = (out[-1][0], out[-1][1], text[span[0]:span[1]])
        out.append((span[0], span[1], ""))
        if j + 1 < len(words) and words[j][2].lower() == "di" and _is_name_word(words[j + 1][2]):
            # "Apartemen X di Kecamatan Y, ...": the item's location, then the list goes on
            j = _name_run(words, j + 1, j + 1)
            tail = _location_tail(words, j)
            if tail is not None:        # "Vila A di Jalan B, Canggu": the location goes on
                j = tail
        # a separator must follow for the list to go on
        if j < len(words) and words[j][2] == ",":
            j += 1
        if j < len(words) and words[j][2].lower() in ("dan", "serta", "hingga", "maupun", "atau", "sampai") \
                or (j < len(words) and words[j][2].lower() == "termasuk" and words[j - 1][2] == ","):
            j += 1                 # "PT A serta PT B, termasuk mes TKA di Desa C"
        elif j > 0 and j <= len(words) and words[j - 1][2] != ",":
            return out
        i = j
        if i >= len(words):
            return out
    return out


def _clean(text: str) -> str:
    text = re.sub(r"\s+", " ", text).strip(" ,.;:-–")
    if text.count("(") > text.count(")"):
        text = text[:text.rfind("(")].strip()
    return text


def _key(text: str) -> tuple[str, ...]:
    return tuple(re.sub(r"[^0-9a-z]+", " ", text.lower()).replace(" pt ", " ").split())


@lru_cache(maxsize=None)
def _branch_prefixes(rx: re.Pattern) -> Optional[tuple[tuple[str, bool], ...]]:
    """The literals every match of ``rx`` starts with, found per top-level alternative.

    ``common.prefixes`` reads them only where a look-behind leads the whole pattern, not one
    alternative (``\\b(?:mendatangi|...)\\b|(?<!yang\\s)\\b(?:didatangi|...)``); compiled
    alone, each alternative gives its own. A match of ``rx`` is one of an alternative's
    starting at the same position, so it starts with one of them. None when one is unknown."""
    if prefixes(rx) is not None:
        return None
    found: set[tuple[str, bool]] = set()
    for body in _top_alternatives(rx.pattern):
        try:
            own = prefixes(re.compile(body, rx.flags))
        except re.error:
            return None
        if own is None:
            return None
        found.update(own)
    return tuple(sorted(found))


def _cue_matches(rx: re.Pattern, hay):
    """``finditer(rx, hay)`` (the matches of ``rx.finditer(hay.text)``), also trying ``rx``
    only where a literal it starts with occurs when those are known per alternative only:
    the same positions and conditions as ``common.finditer`` (no character whose case
    folding is unusual; offsets kept by lower-casing), ``rx.match`` at each in order."""
    found = finditer_at(rx, hay, _branch_prefixes(rx))
    if found is None:
        return finditer(rx, hay) if hay.may_scan(rx) else iter(())
    return found


def find_sites(text: str, venue: tuple[str, ...] = ()) -> list[tuple[int, int, str, str]]:
    """(start, end, name, rule id) of the sites of ``text`` (no operation check)."""
    text = text[:MAX_CHARS]
    found: list[tuple[int, int, str, str]] = []
    op_rx = combined(FINDINGS_FILE, "operation")[0]
    needs_op = {r["id"] for r in load_jsonl(SITES_FILE) if r.get("needs_op")}
    needs_find = _find_rules()
    strong = _strong_rules()
    plan = combined(SITES_FILE, "plan")[0]
    lists: dict[int, int] = {}
    befores = _befores()
    habitual = combined(SITES_FILE, "habitual")[0]
    headline: dict[int, bool] = {}
    from_headline: list[tuple[int, int, str, str]] = []
    has_find: dict[int, bool] = {}
    sents = sentence_list(text)
    starts = [a for a, _b in sents]
    near_op: list[bool] = []

    def is_near_op(k: int) -> bool:
        if not near_op:  # computed only when a cue needs it
            has_op = [False] * len(sents)
            for m in op_rx.finditer(text):
                i = bisect_right(starts, m.start()) - 1
                if i >= 0:
                    has_op[i] = True
            near_op.extend(has or (i > 0 and has_op[i - 1]) for i, has in enumerate(has_op))
        return near_op[k]
    bounds_cache: dict[int, list[tuple[int, int]]] = {}
    hay = haystack(text)
    for rid, rx in compiled(SITES_FILE, "cue"):
        for m in _cue_matches(rx, hay):
            k = bisect_right(starts, m.start()) - 1
            if k < 0:
                continue
            s_start, s_end = sents[k]
            if rid in needs_op and not is_near_op(k):
                continue
            if k not in headline:
                headline[k] = is_headline(text[s_start:s_end])
            if rid in befores and not befores[rid].search(text[max(s_start, m.start() - 20):m.start()]) \
                    and (m.start() - 20 > s_start or text[s_start:m.start()].strip()):
                continue
            if rid in needs_find:
                if k not in has_find:
                    has_find[k] = first_match(FINDINGS_FILE, "cue", text[s_start:s_end]) is not None
                if not has_find[k]:
                    continue
            if habitual is not None and habitual.search(text, max(s_start, m.start() - 30), m.start()):
                continue
            if plan is not None and plan.search(text, max(s_start, text.rfind(",", s_start, m.start()) + 1),
                                                m.start()):
                continue  # "menyepakati jadwal operasi ke ...": a planned visit
            if k not in bounds_cache:
                bounds_cache[k] = clauses(text, s_start, s_end)
            # the list runs to the end of its clause; a cue at the end of a sentence
            # ("sasaran ... . Yakni") takes the next sentence
            limit = next((ce for cs, ce in bounds_cache[k] if cs <= m.end() <= ce), s_end)
            if m.end() >= s_end or limit <= m.end():
                if k + 1 >= len(sents):
                    continue
                limit = sents[k + 1][1]
            for start, end, qualified in parse_sites(text, m.end(), min(limit, m.end() + MAX_REACH)):
                name = _clean(text[start:end])
                if len(name) < 3 or _not_site(name, qualified):
                    continue
                if rid not in needs_find and rid not in strong and any(_key(name) == _key(v) for v in venue):
                    continue
                item = (start, start + len(text[start:end].rstrip(" ,.;:")), name, rid)
                lists[start] = m.start()
                (from_headline if headline[k] else found).append(item)
    # a title names the site only when the body lists none
    if not found:
        found = from_headline
    # keep the longest of overlapping / contained mentions, in text order
    found.sort(key=lambda x: (x[0], -(x[1] - x[0])))
    out: list[tuple[int, int, str, str]] = []
    for item in found:
        key = _key(item[2])
        dup = False
        for k, other in enumerate(out):
            okey = _key(other[2])
            if key == okey or _contains(okey, key):
                dup = True
                break
            if _contains(key, okey):
                out[k] = item
                dup = True
                break
        if not dup:
            out.append(item)
    return _drop_areas(_drop_descriptions(out), lists)


_CONTENT = re.compile(r"[^\W\d_]{4,}")


def _drop_descriptions(found: list[tuple[int, int, str, str]]) -> list[tuple[int, int, str, str]]:
    """Where named sites exist, a bare category (``penginapan``), a description echoing a
    name (``perusahaan tambang granit`` beside ``PT Bahari Granit``) and an industrial estate
    holding the companies inspected are not sites of their own."""
    named = [f for f in found if _is_name_word(f[2].split()[0])]
    if not named:
        return found
    # the names' own words, not category nouns (``Hotel X`` does not describe ``hotel di Y``)
    categories = {w for head in _words("heads") for w in head.split()} | _words("generic_words")
    name_words = {w.lower() for f in named for w in _CONTENT.findall(f[2])} - categories
    companies = any(re.match(r"(?i)(?:pt|cv|ud)\b", f[2]) for f in named)
    kinds = {f[2].split()[0].lower().rstrip(".") for f in named}
    if companies:
        kinds |= _words("company_kinds")
    nums = numbers()
    out = []
    for f in found:
        first = f[2].split()[0]
        if not _is_name_word(first):
            words = f[2].split()
            if len(words) == 1:
                continue
            if {w.lower() for w in _CONTENT.findall(f[2].split(" di ")[0])} & name_words:
                continue
            counted = words[0].lower() in ("sejumlah", "beberapa", "berbagai", "sebuah", "suatu") \
                or words[0].isdigit() or bool(nums.get(words[0].lower()))
            if counted and words[1].lower() in kinds:
                continue  # "dua pabrik di ..." beside "PT A" and "PT B": their description
            if words[-1].lower() in ("tersebut", "itu"):
                continue  # "dua pelabuhan tersebut": the named ones again
        if companies and re.match(r"(?i)kawasan industri\b", f[2]):
            continue
        out.append(f)
    return out


def _is_area(name: str) -> bool:
    return name.split()[0].lower() in _words("area_heads")


def _drop_areas(found: list[tuple[int, int, str, str]], lists: dict[int, int]) -> list[tuple[int, int, str, str]]:
    """An area (``kawasan X``, ``Pantai Y``, a village) that an operation swept is not a site
    of its own when named places inside were inspected: it is dropped when its own list holds
    only areas and the report names a site that is not an area (``Hotel Z``). A bare category
    (``resor selancar``, no number, article or place) beside two or more named sites is their
    description."""
    named = [f for f in found if _is_name_word(f[2].split()[0]) and not _is_area(f[2])]
    if not named:
        return found
    out = []
    for f in found:
        if _is_area(f[2]):
            own = [g for g in found if lists.get(g[0]) == lists.get(f[0])]
            if all(_is_area(g[2]) for g in own):
                continue
        elif len(named) >= 2 and not _is_name_word(f[2].split()[0]) and _bare_category(f[2]):
            continue
        out.append(f)
    return out


def _bare_category(name: str) -> bool:
    words = name.split()
    nums = numbers()
    first = words[0].lower()
    if first in ("sebuah", "suatu", "salah", "sejumlah", "beberapa") or first.isdigit() or nums.get(first):
        return False
    return " di " not in f" {name} " and not any(_is_name_word(w) for w in words[1:])


def _contains(big: tuple[str, ...], small: tuple[str, ...]) -> bool:
    if not small or len(small) > len(big):
        return False
    return any(big[i:i + len(small)] == small for i in range(len(big) - len(small) + 1))


@lru_cache(maxsize=1)
def _find_rules() -> frozenset[str]:
    return frozenset(r["id"] for r in load_jsonl(SITES_FILE) if r.get("needs_find"))


@lru_cache(maxsize=1)
def _strong_rules() -> frozenset[str]:
    """Cues that only an operation's visit uses (``mendatangi``, ``menyasar``): their sites
    are kept even where the venue reader took the same name."""
    return frozenset(r["id"] for r in load_jsonl(SITES_FILE) if r.get("strong") or r.get("needs_find"))


@lru_cache(maxsize=1)
def _befores() -> dict[str, re.Pattern]:
    """Cue id -> what must stand right before the cue (``before`` of ``data/sites.jsonl``)."""
    return {r["id"]: re.compile(r["before"], re.IGNORECASE) for r in load_jsonl(SITES_FILE) if r.get("before")}


class SitesComponent:
    """Sets ``doc.spans["sites"]``: inspected sites as written (label = the cleaned name)."""

    def __init__(self, nlp: Language, name: str = "timpora_sites"):
        self.name = name
        warm(SITES_FILE)
        warm(FINDINGS_FILE)
        for name, kind in ((FINDINGS_FILE, "operation"), (SITES_FILE, "plan"), (SITES_FILE, "habitual")):
            combined(name, kind)     # the alternations ``find_sites`` scans with
        for _rid, rx in compiled(SITES_FILE, "cue"):
            _branch_prefixes(rx)

    def __call__(self, doc: Doc) -> Doc:
        spans = []
        text = doc_text(doc)
        if text.strip() and operation_context(doc, text):
            venue_spans = list(doc.spans["venue"]) if "venue" in doc.spans else []
            venue = tuple(s.label_ or s.text for s in venue_spans)
            # an institution taking part is no inspected site ("naik ke kapal personel Lantamal, KSOP ...")
            agencies = [(a.start_char, a.end_char) for a in doc.spans.get("agencies", [])
                        if a.label_ and a.label_ != UNKNOWN_AGENCY] if "agencies" in doc.spans else []
            for start, end, name, rule in find_sites(text, venue):
                if any(a < end and start < b for a, b in agencies):
                    continue
                # a place where something was found is a site even if read as a venue
                if rule not in _find_rules() and rule not in _strong_rules() and any(v.start_char <= start < v.end_char for v in venue_spans):
                    continue
                span = char_span(doc, start, end, rule=f"sites:{rule}")
                if span is None:
                    continue
                span.label_ = name
                spans.append(span)
        doc.spans[GROUP] = spans
        return doc


@Language.factory("timpora_sites")
def make_sites(nlp: Language, name: str):
    return SitesComponent(nlp, name)
