"""pipeline.search on SQLite and PostgreSQL over hand-made records (independent of extraction)."""
from __future__ import annotations

import pytest
from sqlalchemy import Select

from models.record import Agency, Chair, Flag, Place, Record
from pipeline.db import session_scope
from pipeline.search import FACETS, SearchError, SearchQuery, build_select, facets_select, search
from pipeline.store import add_correction, save_report

# doc id -> (text, record fields)
DOCS = {
    "mukomuko-rapat": ("Rapat koordinasi Tim Pengawasan Orang Asing di Mukomuko bersama Polres Mukomuko.",
                       dict(kind="meeting", date="2017-05-09", office="Kantor Imigrasi Kelas II TPI Bengkulu",
                            chair=Chair("Hendra Wijaya", "Kepala Kantor"),
                            agencies=[Agency("KANIM", "Kantor Imigrasi Bengkulu"),
                                      Agency("POLRES", "Polres Mukomuko", "17.06"),
                                      Agency("DISNAKER", "Dinas Tenaga Kerja")],
                            places=[Place("Kabupaten Mukomuko", "17.06")])),
    "bengkulu-operasi": ("Operasi gabungan ke perkebunan sawit, dua warga negara Tiongkok diamankan.",
                         dict(kind="operation", date="2019-08-20", office="Kantor Imigrasi Kelas II TPI Bengkulu",
                              agencies=[Agency("KANIM", "Imigrasi Bengkulu"), Agency("POLRES", "Polres Bengkulu Utara", "17.03")],
                              places=[Place("Kabupaten Bengkulu Utara", "17.03")], violations=True,
                              foreigners_found=2, flags=[Flag("venue", "missing", "tidak ada tempat")])),
    "tts-rapat": ("Pembentukan TIMPORA Kabupaten Timor Tengah Selatan di Soe, dihadiri Kodim 1621.",
                  dict(kind="meeting", date="2019-02-14", office="Kantor Imigrasi Kelas I TPI Kupang",
                       agencies=[Agency("KANIM", "Kanim Kupang"), Agency("KODIM", "Kodim 1621/TTS", "53.02"),
                                 Agency("POLRES", "Polres TTS", "53.02")],
                       places=[Place("Kabupaten Timor Tengah Selatan", "53.02")], violations=False,
                       flags=[Flag("date", "year_inferred", "tahun dari terbit")])),
    "kupang-pengawasan": ("Pengawasan orang asing di hotel Kota Kupang, tidak ditemukan pelanggaran keimigrasian.",
                          dict(kind="operation", date="2021-11-03", office="Kantor Imigrasi Kelas I TPI Kupang",
                               agencies=[Agency("KANIM", "Imigrasi Kupang"), Agency("POLDA", "Polda NTT", "53")],
                               places=[Place("Kota Kupang", "53.71")], violations=False, sites=["Hotel Sasando"])),
    "berita-deportasi": ("Seorang WNA dideportasi melalui Bandara Soekarno-Hatta.",
                         dict(kind="other")),
}


@pytest.fixture()
def store(engine, make_source):
    ids = {}
    with session_scope(engine) as s:
        for doc_id, (text, fields) in DOCS.items():
            ids[doc_id], _ = save_report(s, make_source(text, f"{doc_id}.txt"), Record(id=doc_id, **fields))
    return engine, ids


def _ids(engine, **kw) -> set[str]:
    with session_scope(engine) as s:
        return {r["id"] for r in search(s, SearchQuery(**kw), facets=False).rows}


@pytest.mark.parametrize("query, expected", [
    (dict(agency="POLRES"), {"mukomuko-rapat", "bengkulu-operasi", "tts-rapat"}),
    (dict(agency="Polres Muko-Muko"), {"mukomuko-rapat"}),
    (dict(agency="DISNAKER"), {"mukomuko-rapat"}),
    (dict(agency="Dinas Tenaga Kerja"), {"mukomuko-rapat"}),
    (dict(agency="Kapolda"), {"kupang-pengawasan"}),
    (dict(place="Timur Tengah Selatan"), {"tts-rapat"}),
    (dict(place="TTS"), {"tts-rapat"}),
    (dict(place="Muko-Muko"), {"mukomuko-rapat"}),
    (dict(place="Bengkulu"), {"mukomuko-rapat", "bengkulu-operasi"}),
    (dict(place="NTT"), {"tts-rapat", "kupang-pengawasan"}),
    (dict(place="Nusa Tenggara Timur"), {"tts-rapat", "kupang-pengawasan"}),
    (dict(place="Kupang"), {"kupang-pengawasan"}),
    (dict(date_from="2019-01-01"), {"bengkulu-operasi", "tts-rapat", "kupang-pengawasan"}),
    (dict(date_from="2019", date_to="2019"), {"bengkulu-operasi", "tts-rapat"}),
    (dict(date_to="2019-02"), {"mukomuko-rapat", "tts-rapat"}),
    (dict(kind="meeting"), {"mukomuko-rapat", "tts-rapat"}),
    (dict(kind="operation,other"), {"bengkulu-operasi", "kupang-pengawasan", "berita-deportasi"}),
    (dict(office="kupang"), {"tts-rapat", "kupang-pengawasan"}),
    (dict(has_violations=True), {"bengkulu-operasi"}),
    (dict(has_violations=False), {"mukomuko-rapat", "tts-rapat", "kupang-pengawasan", "berita-deportasi"}),
    (dict(flagged=True), {"bengkulu-operasi", "tts-rapat"}),
    (dict(flag_kind="year_inferred"), {"tts-rapat"}),
    (dict(flagged=True, field="venue"), {"bengkulu-operasi"}),
    (dict(text="sawit"), {"bengkulu-operasi"}),
    (dict(text="Tiongkok diamankan"), {"bengkulu-operasi"}),
    (dict(text="Sasando"), {"kupang-pengawasan"}),                  # a site name
    (dict(text="hendra"), {"mukomuko-rapat"}),                      # the chair, any case
    (dict(text="keimigrasian", place="Kupang"), {"kupang-pengawasan"}),
    (dict(agency="POLRES", place="NTT", date_from="2019-01-01"), {"tts-rapat"}),
])
def test_filters(store, query, expected):
    engine, _ = store
    assert _ids(engine, **query) == expected


@pytest.mark.parametrize("hostile", ["'; DROP TABLE reports; --", "\"unclosed", "100% _x_ \\", "NEAR(a b)", "qq OR NOT zz"])
def test_hostile_input_is_bound_not_executed(store, hostile):
    engine, _ = store
    for key in ("text", "office", "agency", "place"):
        assert _ids(engine, **{key: hostile}) == set()
    assert len(_ids(engine)) == len(DOCS)


def test_facets_count_the_filtered_records(store):
    engine, _ = store
    with session_scope(engine) as s:
        res = search(s, SearchQuery(place="NTT"))
    assert res.total == 2
    facets = {name: {v: c for v, _, c in items} for name, items in res.facets.items()}
    assert set(res.facets) == set(FACETS)
    assert facets["agency"] == {"KANIM": 2, "KODIM": 1, "POLRES": 1, "POLDA": 1}
    assert facets["place"] == {"53.02": 1, "53.71": 1}
    assert facets["province"] == {"53": 2}
    assert facets["year"] == {2019: 1, 2021: 1}
    assert facets["kind"] == {"meeting": 1, "operation": 1}
    assert facets["flag"] == {"year_inferred": 1}
    labels = {v: label for v, label, _ in res.facets["place"]}
    assert labels["53.02"] == "Kabupaten Timor Tengah Selatan"


def test_rows_are_newest_first_and_paged(store):
    engine, _ = store
    with session_scope(engine) as s:
        first = search(s, SearchQuery(limit=2), facets=False)
        second = search(s, SearchQuery(limit=2, offset=2), facets=False)
    assert first.total == second.total == len(DOCS)
    assert [r["id"] for r in first.rows] == ["kupang-pengawasan", "bengkulu-operasi"]
    assert [r["id"] for r in second.rows] == ["tts-rapat", "mukomuko-rapat"]
    row = first.rows[1]
    assert row["agencies"] == ["KANIM", "POLRES"] and row["places"][0]["code"] == "17.03"
    assert row["violations"] is True and row["open_flags"] == 1


def test_search_sees_corrections(store):
    engine, ids = store
    with session_scope(engine) as s:
        add_correction(s, ids["berita-deportasi"], "kind", "operation", reviewer="dewi")
        add_correction(s, ids["berita-deportasi"], "places", ["Kota Tangerang"], reviewer="dewi")
        add_correction(s, ids["tts-rapat"], "date", None, reviewer="dewi", action="accept")
    assert "berita-deportasi" in _ids(engine, kind="operation")
    assert _ids(engine, place="Banten") == {"berita-deportasi"}
    assert _ids(engine, flag_kind="year_inferred") == set()
    assert _ids(engine, unreviewed=False) == {"berita-deportasi", "tts-rapat"}
    assert "tts-rapat" not in _ids(engine, unreviewed=True)


def test_build_select_only_builds(store):
    stmt = build_select(SearchQuery(agency="POLRES", place="Bengkulu", text="sawit"))
    assert isinstance(stmt, Select)
    assert "sawit" not in str(stmt)  # values travel as bound parameters
    assert isinstance(facets_select(SearchQuery(kind="meeting"), "agency"), Select)


@pytest.mark.parametrize("query", [dict(kind="rapat"), dict(date_from="kemarin"), dict(field="tanggal"),
                                   dict(date_to="2019-13")])
def test_bad_query_is_a_user_error(query):
    with pytest.raises(SearchError):
        build_select(SearchQuery(**query))


def test_unknown_facet_is_a_user_error():
    with pytest.raises(SearchError):
        facets_select(SearchQuery(), "colour")


@pytest.mark.parametrize("walk", [True, False], ids=["newest-first-tests", "from-the-id-set"])
@pytest.mark.parametrize("query", [dict(agency="KANIM"), dict(place="Bengkulu"), dict(text="Kupang"),
                                   dict(agency="Kapolres"), dict(place="Hotel")])
def test_both_page_strategies_give_the_same_page(store, monkeypatch, walk, query):
    import pipeline.search as search_mod

    engine, _ = store
    monkeypatch.setattr(search_mod, "_walk_in_date_order", lambda total, wanted, span: walk)
    with session_scope(engine) as s:
        first = search(s, SearchQuery(limit=2, **query), facets=False)
        rest = search(s, SearchQuery(limit=10, offset=2, **query), facets=False)
    monkeypatch.undo()
    with session_scope(engine) as s:
        expected = search(s, SearchQuery(limit=50, **query), facets=False)
    assert first.total == rest.total == expected.total
    assert [r["id"] for r in first.rows + rest.rows] == [r["id"] for r in expected.rows]


def test_facets_select_matches_the_combined_facets(store):
    engine, _ = store
    with session_scope(engine) as s:
        res = search(s, SearchQuery(agency="KANIM"))
        for name in FACETS:
            alone = [(v, str(l), int(c)) for v, l, c in s.execute(facets_select(SearchQuery(agency="KANIM"), name))]
            assert res.facets[name] == alone, name


def test_facets_follow_corrections(store):
    engine, ids = store
    with session_scope(engine) as s:
        add_correction(s, ids["kupang-pengawasan"], "agencies", ["KANIM", "KODIM", "KODIM"], reviewer="dewi")
        add_correction(s, ids["kupang-pengawasan"], "places", ["Kabupaten Timor Tengah Selatan"], reviewer="dewi")
        res = search(s, SearchQuery(place="NTT"))
    facets = {name: {v: c for v, _, c in items} for name, items in res.facets.items()}
    assert facets["agency"] == {"KANIM": 2, "KODIM": 2, "POLRES": 1}
    assert facets["place"] == {"53.02": 2}
    assert facets["province"] == {"53": 2}


@pytest.mark.parametrize("text, expected", [
    ("Hendro Wijaya", {"mukomuko-rapat"}),      # a typo in the chair's name
    ("Sasandu", {"kupang-pengawasan"}),          # a wrong vowel in a site name
    ("Tiongkok zzqqxx", set()),                  # one word with no similar name word: no fallback hit
])
def test_typo_fallback_on_postgresql_matches_similar_name_words(store, text, expected):
    engine, _ = store
    if engine.dialect.name != "postgresql":
        pytest.skip("the trigram typo fallback is PostgreSQL's (SQLite FTS5 matches words exactly)")
    with session_scope(engine) as s:
        res = search(s, SearchQuery(text=text), facets=False)
    assert {r["id"] for r in res.rows} == expected and res.total == len(expected)


@pytest.mark.parametrize("text, expected", [
    ("Kantor Imigrasi kantor", ["kantor", "imigrasi"]),
    ("Café Soekarno-Hatta", ["cafe", "soekarno", "hatta"]),
    ("Kodim 1621/TTS", ["kodim", "1621", "tts"]),
    ("x" * 300 + " sawit", ["sawit"]),
])
def test_text_words_are_distinct_folded_words(text, expected):
    from pipeline.store import text_words

    assert text_words(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("KOPI cafe", {"kupang-pengawasan"}),      # accents folded on both sides (the site "Kopi Café")
    ("hotel", {"kupang-pengawasan"}),
])
def test_free_text_folds_case_and_accents(engine, make_source, text, expected):
    with session_scope(engine) as s:
        save_report(s, make_source("Pengawasan orang asing di hotel Kota Kupang.", "kupang-pengawasan.txt"),
                    Record(id="kupang-pengawasan", kind="operation", sites=["Kopi Café"]))
    assert _ids(engine, text=text) == expected


def test_bulk_save_in_sub_batches_keeps_order_and_facets(engine, make_source, monkeypatch):
    import pipeline.store as store_mod

    monkeypatch.setattr(store_mod, "_PG_SUB_BATCH", 2)  # PostgreSQL: the 5 reports in 3 sub-batches
    items = [(make_source(text, f"{doc_id}.txt"), Record(id=doc_id, **fields))
             for doc_id, (text, fields) in DOCS.items()]
    with session_scope(engine) as s:
        ids = store_mod.save_many(s, items)
    with session_scope(engine) as s:
        res = search(s, SearchQuery(place="NTT"))
        by_id = {r["report_id"]: r["id"] for r in search(s, SearchQuery(limit=10), facets=False).rows}
    assert [by_id[i] for i in ids] == list(DOCS)
    assert {v: c for v, _, c in res.facets["agency"]} == {"KANIM": 2, "KODIM": 1, "POLRES": 1, "POLDA": 1}
    assert {v: c for v, _, c in res.facets["flag"]} == {"year_inferred": 1}


def _facet_counts_by_hand(records: list[dict]) -> dict[str, dict]:
    """Each facet's counts over ``records`` (effective JSON), one record at a time."""
    from collections import Counter

    out = {name: Counter() for name in FACETS}
    for r in records:
        out["agency"].update({a["code"] for a in r["agencies"]})
        codes = [p["code"] for p in r["places"]]
        out["place"].update({c[:5] for c in codes if len(c) >= 5})
        out["province"].update({c[:2] for c in codes if len(c) >= 2})
        if r["date"]:
            out["year"][int(r["date"][:4])] += 1
        out["kind"][r["kind"]] += 1
        out["flag"].update({f["kind"] for f in r["flags"] if f["status"] == "open"})
    return {name: dict(c) for name, c in out.items()}


@pytest.mark.parametrize("query", [dict(), dict(place="NTT"), dict(place="Bengkulu"), dict(agency="POLRES"),
                                   dict(kind="operation"), dict(text="rapat"), dict(date_from="2019"),
                                   dict(agency="KODIM", place="Jawa Timur")])
def test_facets_equal_counting_record_by_record(engine, make_source, query):
    """Records with several places (in one or two provinces), no date, corrections and flags:
    every facet count is the number of matching records having that value."""
    import random

    from pipeline.store import iter_effective, save_many

    rnd = random.Random(5)
    regencies = ["17.06", "17.03", "17.71", "53.02", "53.71", "53.01", "35.78", "35.07"]
    codes = ["KANIM", "POLRES", "KODIM", "PEMDA", "DISNAKER", "BIN"]
    items = []
    for i in range(60):
        places = [Place(f"Tempat {c}", c) for c in rnd.sample(regencies, rnd.choice((1, 1, 2, 3)))]
        date = None if i % 7 == 0 else f"{rnd.randint(2016, 2022)}-0{rnd.randint(1, 9)}-1{rnd.randint(0, 9)}"
        flags = [Flag("date", "year_inferred", "x")] if i % 5 == 0 else []
        if i % 9 == 0:
            flags += [Flag("venue", "missing", "a"), Flag("office", "missing", "b")]
        rec = Record(id=f"r{i}", kind=rnd.choice(("meeting", "operation", "mixed", "other")), date=date,
                     agencies=[Agency(c, c.title()) for c in rnd.sample(codes, rnd.randint(0, 4))],
                     places=places, flags=flags)
        items.append((make_source(f"{'Rapat' if i % 3 else 'Operasi'} nomor {i}.", f"r{i}.txt"), rec))
    with session_scope(engine) as s:
        ids = save_many(s, items)
        add_correction(s, ids[1], "places", ["Kabupaten Timor Tengah Selatan", "Kota Kupang"], reviewer="dewi")
        add_correction(s, ids[2], "date", None, reviewer="dewi")
        add_correction(s, ids[3], "agencies", ["KODIM", "BIN"], reviewer="dewi")
        add_correction(s, ids[5], "date", None, reviewer="dewi", action="accept")  # resolves its date flag
    with session_scope(engine) as s:
        res = search(s, SearchQuery(limit=1000, **query))
        matched = [r["report_id"] for r in res.rows]
        expected = _facet_counts_by_hand(list(iter_effective(s, matched)))
    assert res.total == len(matched) > 0
    assert {name: {v: c for v, _, c in items} for name, items in res.facets.items()} == expected
