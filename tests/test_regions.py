"""The region gazetteer (extractors.regions): lookups by code, written names, aliases, search."""
from __future__ import annotations

import pytest

from extractors import data, regions
from extractors.regions import find_region, get_region, region_name, search_regions


@pytest.mark.parametrize("written, name", [
    ("Muko-Muko", "Kabupaten Mukomuko"),
    ("Muko Muko", "Kabupaten Mukomuko"),
    ("Kabupaten Mukomuko", "Kabupaten Mukomuko"),
    ("Kabupaten TTS", "Kabupaten Timor Tengah Selatan"),
    ("TTU", "Kabupaten Timor Tengah Utara"),
    ("Kota Kupang", "Kota Kupang"),
    ("Kab. Kupang", "Kabupaten Kupang"),
    ("Mamasa", "Kabupaten Mamasa"),
    ("Lubuklinggau", "Kota Lubuk Linggau"),
    ("Kota Lubuk Linggau", "Kota Lubuk Linggau"),
    ("Pangkalpinang", "Kota Pangkal Pinang"),
    ("Bau-Bau", "Kota Bau Bau"),
    ("Baubau", "Kota Bau Bau"),
    ("Palangka Raya", "Kota Palangkaraya"),
    ("Kab. Kep. Meranti", "Kabupaten Kepulauan Meranti"),
    ("Jakarta Selatan", "Kota Administrasi Jakarta Selatan"),
    ("NTT", "Nusa Tenggara Timur"),
    ("Provinsi NTB", "Nusa Tenggara Barat"),
    ("Sulbar", "Sulawesi Barat"),
    ("Kepri", "Kepulauan Riau"),
    ("Maluku Tenggara Barat", "Kabupaten Kepulauan Tanimbar"),
    ("Toli-Toli", "Kabupaten Toli-Toli"),
    ("Tolitoli", "Kabupaten Toli-Toli"),
])
def test_find_region_written_names(written, name):
    region = find_region(written)
    assert region is not None and region.name == name


@pytest.mark.parametrize("written", ["", "   ", "Kabupaten", "rapat koordinasi", "Timur Tengah Selatan",
                                     "Kabupaten Antah Berantah", "\x00\u202e", "Kecamatan"])
def test_find_region_no_match_and_never_fuzzy(written):
    assert find_region(written) is None


def test_bare_name_prefers_kabupaten_over_kecamatan():
    region = find_region("Mamasa")
    assert region.level == "kabupaten" and region.code == "76.03"


def test_kota_word_keeps_the_kota_apart_from_the_kabupaten():
    assert find_region("Kota Kediri").level == "kota"
    assert find_region("Kabupaten Kediri").level == "kabupaten"
    assert find_region("Kota Kediri").code != find_region("Kabupaten Kediri").code


def test_levels_filter():
    assert find_region("Bengkulu").level == "provinsi"
    assert find_region("Bengkulu", levels=("kabupaten", "kota")).name == "Kota Bengkulu"


def test_kecamatan_with_its_cue_maps_to_its_kabupaten():
    region = find_region("Kecamatan Entikong")
    assert region.level == "kecamatan"
    assert get_region(region.parent_code).name == "Kabupaten Sanggau"
    assert region.regency_code == "61.03"


def test_get_region_and_name():
    region = get_region("17.06")
    assert region.name == "Kabupaten Mukomuko" and region.level == "kabupaten"
    assert region.parent_code == "17" and region.province_code == "17"
    assert get_region("1706") == region
    assert get_region("17").level == "provinsi" and get_region("17").parent_code is None
    assert region_name("53.71") == "Kota Kupang"
    assert region_name("99.99") == "99.99"
    assert get_region("") is None and get_region("xx") is None


def test_regions_lists_levels():
    admin = regions.regions()
    assert {r.level for r in admin} == {"provinsi", "kabupaten", "kota"}
    assert len([r for r in admin if r.level == "provinsi"]) == 38
    assert 500 <= len(admin) - 38 <= 530
    assert len(regions.regions(("kecamatan",))) > 7000


@pytest.mark.parametrize("query, code", [
    ("NTT", "53"),
    ("ntt", "53"),
    ("Timur Tengah Selatan", "53.02"),
    ("timor tengah selatan", "53.02"),
    ("Lubuk Lingau", "16.73"),
    ("Mukomuko", "17.06"),
    ("Kota Kupang", "53.71"),
])
def test_search_regions_first_hit(query, code):
    assert search_regions(query)[0].code == code


def test_search_bengkulu_gives_province_and_city():
    codes = [r.code for r in search_regions("Bengkulu")]
    assert codes[0] == "17" and "17.71" in codes and "17.01" in codes


def test_search_kupang_gives_both_kabupaten_and_kota():
    assert {"53.01", "53.71"} <= {r.code for r in search_regions("kupang")}


@pytest.mark.parametrize("query", ["", "x", "zzzzzzzz", "\u0000", "a" * 10000])
def test_search_regions_nonsense_is_empty(query):
    assert search_regions(query) == []


def test_every_alias_points_at_an_existing_region_with_that_name():
    rows = data.load_tsv("place_aliases.tsv")
    assert rows
    for row in rows:
        region = get_region(row["code"])
        assert region is not None, row
        assert region.name == row["name"], row
        assert region.level in ("provinsi", "kabupaten", "kota"), row
        assert row["type"] in ("abbrev", "short", "old_name", "town", "spelling"), row


def test_aliases_are_unambiguous():
    seen: dict[str, str] = {}
    for alias, code in regions.aliases():
        key = regions.name_key(alias)
        assert seen.setdefault(key, code) == code, alias


def test_region_index_is_consistent():
    rows = data.load_tsv("regions.tsv")
    codes = {r["code"] for r in rows}
    assert len(codes) == len(rows)
    for row in rows:
        if "." in row["code"]:
            assert row["code"].rsplit(".", 1)[0] in codes, row
