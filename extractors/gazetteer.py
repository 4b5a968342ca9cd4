"""The agency gazetteer: codes of ``shared/spec/agencies.tsv`` and the surface forms that name them.

Data: ``extractors/data/agencies.tsv`` (one row per code; its header comment explains the
alias markers ``=`` case-sensitive, ``~`` official's title, ``?`` bare parent ministry, and
the ``by_region`` column). Used by the agencies extractor (``extractors.agencies``) and by
search (``resolve_agency``: what a user types in a search box -> codes + jurisdiction).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Optional

from extractors import data

GAZETTEER = "agencies.tsv"
PATTERNS = "agencies_patterns.jsonl"

#: alias markers (see the header of agencies.tsv)
CASE_SENSITIVE = "="
TITLE = "~"
WEAK = "?"


@dataclass(frozen=True)
class AgencyInfo:
    code: str
    name: str
    level: str
    aliases: tuple[str, ...]          # as written in the data file, markers removed
    by_region: tuple[tuple[str, str], ...] = ()   # (region level, code) overrides


@dataclass(frozen=True)
class Alias:
    text: str            # surface form, markers removed
    code: str
    case_sensitive: bool = False
    title: bool = False
    weak: bool = False


def _parse_alias(raw: str, code: str) -> Optional[Alias]:
    raw = raw.strip()
    flags = set()
    while raw and raw[0] in (CASE_SENSITIVE, TITLE, WEAK):
        flags.add(raw[0])
        raw = raw[1:].strip()
    if not raw:
        return None
    return Alias(raw, code, CASE_SENSITIVE in flags, TITLE in flags, WEAK in flags)


@lru_cache(maxsize=1)
def _load() -> tuple[tuple[AgencyInfo, ...], tuple[Alias, ...]]:
    infos: list[AgencyInfo] = []
    aliases: list[Alias] = []
    for row in data.load_tsv(GAZETTEER):
        code = row["code"]
        parsed = [a for a in (_parse_alias(x, code) for x in row["aliases"].split(";")) if a]
        by_region = tuple(tuple(pair.split(":", 1)) for pair in row.get("by_region", "").split(";")
                          if ":" in pair)
        infos.append(AgencyInfo(code=code, name=row["name"], level=row["level"],
                                aliases=tuple(a.text for a in parsed), by_region=by_region))
        aliases.extend(parsed)
    return tuple(infos), tuple(aliases)


def agencies() -> list[AgencyInfo]:
    """Every agency code of the gazetteer with its name, level and aliases."""
    return list(_load()[0])


def alias_table() -> list[Alias]:
    """Every surface form with its code and markers."""
    return list(_load()[1])


@lru_cache(maxsize=1)
def _by_code() -> dict[str, AgencyInfo]:
    return {a.code: a for a in _load()[0]}


def get_agency(code: str) -> Optional[AgencyInfo]:
    return _by_code().get(str(code or "").strip().upper())


def codes() -> list[str]:
    return [a.code for a in _load()[0]]


def recode_for_region(code: str, region_level: Optional[str]) -> str:
    """The code a mention takes when it names a region of ``region_level``
    (``Kemenkumham Jawa Tengah`` -> KANWIL_IMIGRASI)."""
    info = _by_code().get(code)
    if info is None or not region_level:
        return code
    for level, other in info.by_region:
        if level == region_level:
            return other
    return code


@lru_cache(maxsize=1)
def expansions() -> tuple[dict, ...]:
    """Collective names that stand for several agencies (Forkopimda, Forkopimcam)."""
    return tuple(r for r in data.load_jsonl(PATTERNS) if r.get("kind") == "expand")


# --------------------------------------------------------------------------- search

def _key(text: str) -> str:
    text = unicodedata.normalize("NFKD", str(text or "")).lower()
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^0-9a-z]+", " ", text).split())


@lru_cache(maxsize=1)
def _search_index() -> dict[str, list[str]]:
    """normalised alias / code / name -> codes (several for Forkopimda and the like)."""
    index: dict[str, list[str]] = {}

    def add(key: str, code_list: list[str]) -> None:
        if not key:
            return
        slot = index.setdefault(key, [])
        for c in code_list:
            if c not in slot:
                slot.append(c)

    for info in _load()[0]:
        add(_key(info.code), [info.code])
        add(_key(info.code.replace("_", " ")), [info.code])
    for alias in _load()[1]:
        if not alias.weak:
            add(_key(alias.text), [alias.code])
    for info in _load()[0]:
        add(_key(info.name), [info.code])
    for row in expansions():
        for phrase in row.get("phrases", []):
            add(_key(phrase), list(row.get("codes", [])))
    # "TNI/Polri", "TNI-Polri"
    add(_key("TNI Polri"), ["TNI", "POLRI"])
    for alias in _load()[1]:
        if alias.weak:
            add(_key(alias.text), [alias.code])
    return index


def resolve_agency(query: str) -> tuple[list[str], Optional[str]]:
    """What a user typed -> (agency codes, jurisdiction region code or None).

    ``"POLRES"``, ``"polres"``, ``"Kapolres"`` -> (["POLRES"], None);
    ``"Polres Muko-Muko"`` -> (["POLRES"], "17.06"); ``"Dinas Tenaga Kerja"``, ``"DISNAKER"``
    -> (["DISNAKER"], None); ``"Forkopimda"`` -> its members. Close misspellings of an alias
    are accepted. ([], None) when nothing is recognised; never raises.
    """
    try:
        return _resolve(str(query or ""))
    except Exception:
        return [], None


def _resolve(query: str) -> tuple[list[str], Optional[str]]:
    words = _key(query).split()
    if not words:
        return [], None
    index = _search_index()
    # longest alias at the start, the rest may name the jurisdiction
    for n in range(len(words), 0, -1):
        found = index.get(" ".join(words[:n]))
        if not found:
            continue
        rest = " ".join(words[n:])
        region = _region(query, rest) if rest else None
        codes_ = list(found)
        if region is not None:
            codes_ = [recode_for_region(c, region.level) for c in codes_]
            codes_ = list(dict.fromkeys(codes_))
            return codes_, region.code
        return codes_, None
    # the place first ("Muko-Muko Polres"), or an alias inside a longer query
    for n in range(1, len(words)):
        found = index.get(" ".join(words[n:]))
        if found:
            region = _region(query, " ".join(words[:n]))
            return list(found), region.code if region else None
    # a misspelt alias
    from rapidfuzz import fuzz, process

    key = " ".join(words)
    if len(key) >= 5:
        hit = process.extractOne(key, list(index), scorer=fuzz.ratio, score_cutoff=80)
        if hit is not None:
            return list(index[hit[0]]), None
    # a word of several aliases ("imigrasi"): every code they name, most aliases first
    if len(key) >= 4:
        counts: dict[str, int] = {}
        for alias_key, found in index.items():
            if f" {key} " in f" {alias_key} ":
                for c in found:
                    counts[c] = counts.get(c, 0) + 1
        if counts:
            return sorted(counts, key=lambda c: -counts[c]), None
    return [], None


def _region(query: str, rest_key: str):
    try:
        from extractors.regions import find_region
    except ImportError:  # regions module not available
        return None
    # try the original spelling's tail first (keeps "Muko-Muko"), then the key
    for text in (_original_tail(query, rest_key), rest_key):
        if text:
            region = find_region(text, levels=("provinsi", "kabupaten", "kota"))
            if region is not None:
                return region
    return None


def _original_tail(query: str, rest_key: str) -> str:
    n = len(rest_key.split())
    parts = re.findall(r"[0-9A-Za-z\u00C0-\u024F][0-9A-Za-z\u00C0-\u024F'-]*", query)
    return " ".join(parts[-n:]) if n and len(parts) >= n else ""
