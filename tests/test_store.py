"""pipeline.store on SQLite and PostgreSQL: saving, de-duplication, failures, corrections."""
from __future__ import annotations

import pytest

from models.record import Agency, Chair, Evidence, Flag, Place, Record
from pipeline.db import session_scope
from pipeline.store import (StoreError, add_correction, effective_record, known_hashes, normalise_value,
                            reextract, report_text, save_failure, save_report)


def _record(doc_id="rapat-a", **kw) -> Record:
    base = dict(id=doc_id, kind="meeting", office="Kantor Imigrasi Kelas II TPI Bengkulu", date="2019-03-12",
                chair=Chair("Andi Saputra", "Kepala Kantor"),
                agencies=[Agency("POLRES", "Polres Mukomuko", "17.06"), Agency("KANIM", "Kanim Bengkulu")],
                places=[Place("Kabupaten Mukomuko", "17.06")], sites=["PT Sawit Jaya"],
                findings=["tidak ditemukan pelanggaran"], foreigners_found=3, violations=False,
                flags=[Flag("date", "year_inferred", "tahun dari tanggal terbit")],
                evidence={"office": [Evidence(10, 30, "Kantor Imigrasi", "office_rule")]})
    base.update(kw)
    return Record(**base)


TEXT = "Rapat TIMPORA di Kabupaten Mukomuko, Selasa 12 Maret 2019, dibuka Kepala Kantor Imigrasi Bengkulu."


def test_save_report_stores_record_once_per_content(engine, make_source):
    src = make_source(TEXT, "laporan/rapat-a.txt")
    with session_scope(engine) as s:
        rid, created = save_report(s, src, _record(), published="2019-03-14")
        again, created_again = save_report(s, make_source(TEXT, "copy/other-name.txt"), _record("other"))
    assert created and not created_again and again == rid
    with session_scope(engine) as s:
        rec = effective_record(s, rid)
        assert known_hashes(s, [src.sha256, "0" * 64]) == {src.sha256}
    assert rec["id"] == "rapat-a" and rec["published"] == "2019-03-14"
    assert rec["agencies"][0] == {"code": "POLRES", "name": "Polres Mukomuko", "jurisdiction": "17.06"}
    assert rec["places"] == [{"name": "Kabupaten Mukomuko", "code": "17.06"}]
    assert rec["chair"] == {"name": "Andi Saputra", "role": "Kepala Kantor"}
    assert rec["sites"] == [{"name": "PT Sawit Jaya"}] and rec["violations"] is False
    assert rec["evidence"]["office"][0]["rule"] == "office_rule"
    assert rec["flags"][0]["status"] == "open"


def test_report_text_returns_canonical_text_and_blocks(engine, make_source):
    src = make_source("Baris satu.\nBaris dua.", "dua-baris.txt")
    with session_scope(engine) as s:
        rid, _ = save_report(s, src, _record("dua-baris"))
        text, blocks = report_text(s, rid)
    assert text == "Baris satu.\nBaris dua."
    assert [(b["start"], b["end"]) for b in blocks] == [(0, 11), (12, 22)]


def test_failure_is_replaced_by_a_later_successful_read(engine, make_source):
    src = make_source(TEXT, "rusak.txt")
    with session_scope(engine) as s:
        fid = save_failure(s, name="rusak.txt", sha256=src.sha256, size=src.size, fmt="txt",
                           reason="encoding tidak dikenal")
        assert known_hashes(s, [src.sha256]) == set()
        rid, created = save_report(s, src, _record("rusak"))
        rec = effective_record(s, rid)
    assert rid == fid and created
    assert rec["status"] == "stored" and rec["failure_reason"] is None and rec["kind"] == "meeting"


def test_failure_without_hash_is_stored_once_per_name(engine):
    with session_scope(engine) as s:
        a = save_failure(s, name="hilang.pdf", sha256=None, size=None, fmt="pdf", reason="file not found")
        b = save_failure(s, name="hilang.pdf", sha256=None, size=None, fmt="pdf", reason="still not found")
        rec = effective_record(s, a)
    assert a == b and rec["status"] == "failed" and rec["failure_reason"] == "still not found"


def test_correction_survives_reextraction(engine, make_source):
    with session_scope(engine) as s:
        rid, _ = save_report(s, make_source(TEXT, "koreksi.txt"), _record("koreksi"))
        add_correction(s, rid, "date", "2019-03-13", reviewer="sari", note="tanggal di judul")
        add_correction(s, rid, "agencies", ["POLRES", {"code": "kodim", "name": "Kodim 0428"}], reviewer="sari")
    new = _record("koreksi", date="2019-03-11", office="Kantor Imigrasi Bengkulu", agencies=[],
                  flags=[Flag("date", "year_inferred", "tahun dari tanggal terbit"),
                         Flag("office", "several_candidates", "dua kantor")])
    with session_scope(engine) as s:
        reextract(s, rid, new)
        rec = effective_record(s, rid)
    assert rec["date"] == "2019-03-13"
    assert [a["code"] for a in rec["agencies"]] == ["POLRES", "KODIM"]
    assert rec["office"] == "Kantor Imigrasi Bengkulu"       # not corrected: the new extraction
    assert [c["field"] for c in rec["corrections"]] == ["date", "agencies"]
    status = {(f["field"], f["kind"]): f["status"] for f in rec["flags"]}
    assert status == {("date", "year_inferred"): "resolved", ("office", "several_candidates"): "open"}


def test_latest_correction_wins_and_keeps_history(engine, make_source):
    with session_scope(engine) as s:
        rid, _ = save_report(s, make_source(TEXT, "dua-koreksi.txt"), _record("dua-koreksi"))
        add_correction(s, rid, "kind", "operation", reviewer="a")
        add_correction(s, rid, "kind", "mixed", reviewer="b")
        rec = effective_record(s, rid)
    assert rec["kind"] == "mixed"
    assert [(c["old_value"], c["new_value"]) for c in rec["corrections"]] == [("meeting", "operation"),
                                                                              ("operation", "mixed")]


@pytest.mark.parametrize("action, expected", [("accept", "2019-03-12"), ("not_applicable", None)])
def test_accept_and_not_applicable_resolve_flags(engine, make_source, action, expected):
    with session_scope(engine) as s:
        rid, _ = save_report(s, make_source(TEXT + action, f"{action}.txt"), _record(action))
        add_correction(s, rid, "date", None, reviewer="rina", action=action)
        rec = effective_record(s, rid)
    assert rec["date"] == expected
    assert [f["status"] for f in rec["flags"]] == ["resolved"]


@pytest.mark.parametrize("field, value, expected", [
    ("date", "2024-02-29", "2024-02-29"),
    ("time", "9.30", "09:30"),
    ("time", "14:05", "14:05"),
    ("chair", "Budi Santoso", {"name": "Budi Santoso", "role": None}),
    ("chair", {"name": None, "role": "Kepala Divisi Keimigrasian"}, {"name": None, "role": "Kepala Divisi Keimigrasian"}),
    ("foreigners_found", "12", 12),
    ("violations", "tidak", False),
    ("violations", "ya", True),
    ("sites", ["Hotel Sahid", {"name": "Pelabuhan Tenau"}], [{"name": "Hotel Sahid"}, {"name": "Pelabuhan Tenau"}]),
    ("findings", "dua WNA diamankan", [{"text": "dua WNA diamankan"}]),
    ("agencies", ["polres", "POLRES", "kodim"], [{"code": "POLRES", "name": "polres"}, {"code": "KODIM", "name": "kodim"}]),
    ("places", ["Kabupaten Timor Tengah Selatan"], [{"name": "Kabupaten Timor Tengah Selatan", "code": "53.02",
                                                     "mention": "Kabupaten Timor Tengah Selatan"}]),
    ("places", [{"code": "17.06"}], [{"name": "Kabupaten Mukomuko", "code": "17.06"}]),
])
def test_normalise_value_accepts_reviewer_input(field, value, expected):
    assert normalise_value(field, value) == expected


@pytest.mark.parametrize("field, value", [
    ("date", "12 Maret 2019"), ("date", "2019-02-30"), ("time", "25:00"), ("kind", "rapat"),
    ("foreigners_found", "-3"), ("foreigners_found", "tiga"), ("violations", "mungkin"),
    ("places", ["Negeri Antah Berantah"]), ("agencies", [{"name": "tanpa kode"}]), ("tanggal", "2019-01-01"),
])
def test_normalise_value_rejects_bad_input(field, value):
    with pytest.raises(StoreError):
        normalise_value(field, value)


def test_correction_needs_reviewer_and_known_report(engine, make_source):
    with session_scope(engine) as s:
        rid, _ = save_report(s, make_source(TEXT + " x", "r.txt"), _record("r"))
        with pytest.raises(StoreError):
            add_correction(s, rid, "date", "2019-01-01", reviewer=" ")
        with pytest.raises(StoreError):
            add_correction(s, rid + 999, "date", "2019-01-01", reviewer="sari")
        with pytest.raises(StoreError):
            add_correction(s, rid, "date", "2019-01-01", reviewer="sari", action="delete")


def _strip_ids(rec: dict) -> dict:
    out = {k: v for k, v in rec.items() if k not in ("report_id", "id", "name", "sha256", "size")}
    return out


def test_save_many_stores_what_save_report_stores(engine, make_source):
    one, many = make_source(TEXT, "satu-satu.txt"), make_source(TEXT + " Bulk.", "sekaligus.txt")
    from pipeline.store import save_many

    with session_scope(engine) as s:
        rid, _ = save_report(s, one, _record("satu-satu"), published="2019-03-14")
        one.published = many.published = "2019-03-14"
        [bid] = save_many(s, [(many, _record("sekaligus"))])
        single, bulk = effective_record(s, rid), effective_record(s, bid)
    assert bulk["id"] == "sekaligus" and bulk["sha256"] == many.sha256
    assert _strip_ids(bulk) == _strip_ids(single)
    with session_scope(engine) as s:
        assert report_text(s, bid)[0] == TEXT + " Bulk."


def test_save_many_returns_ids_in_order_and_skips_known_bytes(engine, make_source):
    from pipeline.search import SearchQuery, search
    from pipeline.store import save_many

    srcs = [make_source(f"Rapat TIMPORA nomor {n} di Kabupaten Mukomuko.", f"massal-{n}.txt") for n in range(5)]
    with session_scope(engine) as s:
        first = save_many(s, [(src, _record(f"massal-{n}")) for n, src in enumerate(srcs[:3])])
        second = save_many(s, [(src, _record(f"massal-{n}")) for n, src in enumerate(srcs)]
                           + [(srcs[4], _record("massal-4-lagi"))])
    assert len(first) == 3 and len(second) == 2 and len(set(first + second)) == 5
    with session_scope(engine) as s:
        assert [effective_record(s, i)["id"] for i in first + second] == [f"massal-{n}" for n in range(5)]
        hits = search(s, SearchQuery(text="nomor 3"), facets=False)
    assert [r["id"] for r in hits.rows] == ["massal-3"]


def test_save_many_duplicate_bytes_raise_integrity_error(engine, make_source, monkeypatch):
    from sqlalchemy.exc import IntegrityError

    import pipeline.store as store

    src = make_source(TEXT + " ganda", "ganda.txt")
    with session_scope(engine) as s:
        save_report(s, src, _record("ganda"))
    # a concurrent writer stored the bytes between the known-hash check and the insert
    monkeypatch.setattr(store, "known_hashes", lambda session, hashes: set())
    with pytest.raises(IntegrityError):
        with session_scope(engine) as s:
            store.save_many(s, [(src, _record("ganda-2"))])


def test_extraction_is_kept_apart_from_the_record_row(engine, make_source):
    from sqlalchemy import select

    from models.orm import RecordExtraction, RecordRow

    with session_scope(engine) as s:
        rid, _ = save_report(s, make_source(TEXT + " terpisah", "terpisah.txt"), _record("terpisah"))
        add_correction(s, rid, "venue", "Aula Kantor", reviewer="dewi")
    with session_scope(engine) as s:
        stored = s.scalar(select(RecordExtraction.json).where(RecordExtraction.report_id == rid))
        assert s.scalar(select(RecordRow.extracted).where(RecordRow.report_id == rid)) == stored
        assert "extracted" not in RecordRow.__table__.c
        eff = effective_record(s, rid)
    assert stored["venue"] is None and stored["office"] == "Kantor Imigrasi Kelas II TPI Bengkulu"
    assert eff["venue"] == "Aula Kantor"


def test_bulk_insert_indexes_the_batch_for_free_text(engine, make_source):
    from pipeline.search import SearchQuery, search
    from pipeline.store import save_many

    srcs = [make_source(f"Operasi pengawasan ke perkebunan {w} di Mukomuko.", f"kebun-{w}.txt")
            for w in ("sawit", "karet", "kopi")]
    with session_scope(engine) as s:
        save_many(s, [(src, _record(f"kebun-{n}", sites=[f"PT Kebun {n}"])) for n, src in enumerate(srcs)])
    with session_scope(engine) as s:
        assert [r["id"] for r in search(s, SearchQuery(text="karet"), facets=False).rows] == ["kebun-1"]
        assert search(s, SearchQuery(text="perkebunan Mukomuko"), facets=False).total == 3
        assert [r["id"] for r in search(s, SearchQuery(text="Kebun 2"), facets=False).rows] == ["kebun-2"]


@pytest.mark.parametrize("values", [[], ["KANIM"], ["KANIM", "POLRES", "SATPOL_PP"], ["17.06", "53.71"],
                                    ['a "quoted" code', "back\\slash"], ["Café", "tab\there"], ["x~y !#[]"]])
def test_code_lists_are_the_json_of_the_codes(values):
    import json

    from pipeline.store import _json_strings

    assert _json_strings(values) == json.dumps(values)


@pytest.mark.parametrize("body, names", [("Rapat di Kota Kupang", "Kota Kupang\nHendra"), ("", "Kodim 1621/TTS"),
                                         (None, None), ("Café Soekarno", "CAFE Σίσυφος"), ("x" * 300, "sawit")])
def test_bulk_words_are_the_tsv_and_name_words(body, names):
    from pipeline.store import _tsv_and_name_words, name_words, tsv_literal

    assert _tsv_and_name_words(body, names) == (tsv_literal(body, names), name_words(names))


def test_known_hashes_over_many_hashes(engine, make_source, monkeypatch):
    import pipeline.store as store

    monkeypatch.setattr(store, "_HASH_CHUNK", 3)  # several statements
    srcs = [make_source(f"Laporan nomor {i}.", f"l{i}.txt") for i in range(5)]
    with session_scope(engine) as s:
        for i, src in enumerate(srcs[:4]):
            save_report(s, src, _record(f"l{i}"))
        save_failure(s, name="rusak.txt", sha256="f" * 64, size=1, fmt="txt", reason="unreadable")
    with session_scope(engine) as s:
        asked = [src.sha256 for src in srcs] + ["f" * 64, "0" * 64, '"; DROP TABLE reports; --']
        assert known_hashes(s, asked) == {src.sha256 for src in srcs[:4]}
