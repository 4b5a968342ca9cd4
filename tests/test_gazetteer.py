"""The agency gazetteer data file and ``resolve_agency`` (what a user types in search)."""
from __future__ import annotations

import re

import pytest

from extractors import data, gazetteer
from extractors.gazetteer import resolve_agency


def spec_codes() -> list[str]:
    """The code list of shared/spec/agencies.tsv, copied into the data file's header."""
    with data.path(gazetteer.GAZETTEER).open(encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("# spec codes:"):
                return line.split(":", 1)[1].split()
    raise AssertionError("agencies.tsv lost its '# spec codes:' header line")


def test_one_row_per_spec_code():
    assert [a.code for a in gazetteer.agencies()] == spec_codes()


def test_every_agency_has_a_name_level_and_aliases():
    for info in gazetteer.agencies():
        assert info.name and info.level and info.aliases, info.code


def test_no_alias_names_two_agencies():
    seen: dict[str, str] = {}
    for alias in gazetteer.alias_table():
        key = alias.text.lower()
        assert seen.setdefault(key, alias.code) == alias.code, f"{alias.text!r}: {seen[key]} and {alias.code}"


def test_region_overrides_name_known_codes():
    known = set(spec_codes())
    for info in gazetteer.agencies():
        for level, code in info.by_region:
            assert level in ("provinsi", "kabupaten", "kota", "class"), (info.code, level)
            assert code in known, (info.code, code)


def test_patterns_name_known_codes_and_compile():
    known = set(spec_codes())
    rows = data.load_jsonl(gazetteer.PATTERNS)
    assert rows
    for row in rows:
        for key in ("code",):
            if key in row:
                assert row[key] in known, row["id"]
        for key in ("codes", "codes_provinsi"):
            assert set(row.get(key, [])) <= known, row["id"]
        for key in ("regex", "not_after", "not_before", "unless_before"):
            if key in row:
                re.compile(row[key])


@pytest.mark.parametrize("query,codes", [
    ("POLRES", ["POLRES"]),
    ("polres", ["POLRES"]),
    ("Kapolres", ["POLRES"]),
    ("DISNAKER", ["DISNAKER"]),
    ("Dinas Tenaga Kerja", ["DISNAKER"]),
    ("dinas tenaga kerja", ["DISNAKER"]),
    ("Disnakertrans", ["DISNAKER"]),
    ("kanwil_imigrasi", ["KANWIL_IMIGRASI"]),
    ("Badan Kesatuan Bangsa dan Politik", ["KESBANGPOL"]),
    ("TNI/Polri", ["TNI", "POLRI"]),
    ("Forkopimda", ["PEMDA", "POLRES", "KODIM", "KEJARI"]),
    ("polers", ["POLRES"]),
])
def test_resolve_agency_codes(query, codes):
    found, region = resolve_agency(query)
    assert found == codes
    assert region is None


@pytest.mark.parametrize("query,code,place", [
    ("Polres Muko-Muko", "POLRES", "Mukomuko"),
    ("Muko-Muko Polres", "POLRES", "Mukomuko"),
    ("Kejari Manggarai Barat", "KEJARI", "Manggarai Barat"),
    ("Kemenkumham Jawa Tengah", "KANWIL_IMIGRASI", "Jawa Tengah"),
])
def test_resolve_agency_with_jurisdiction(query, code, place):
    regions = pytest.importorskip("extractors.regions")
    found, region = resolve_agency(query)
    assert found == [code]
    assert region == regions.find_region(place).code


def test_a_word_of_several_aliases_gives_all_their_codes():
    found, _ = resolve_agency("imigrasi")
    assert {"KANIM", "KANWIL_IMIGRASI", "DITJEN_IMIGRASI", "RUDENIM"} <= set(found)


@pytest.mark.parametrize("query", ["", "   ", "xyzzy", None, "12345", "\u0000\uffff"])
def test_resolve_agency_unknown_is_empty(query):
    assert resolve_agency(query) == ([], None)
