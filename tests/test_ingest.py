"""Bulk ingest functions (``pipeline.ingest``), without Prefect: discovery, de-duplication by
content, failure isolation, re-runs, reprocessing, the drop-folder helpers."""
from __future__ import annotations

import io
import json
import os
import time
import zipfile

import pytest
from sqlalchemy import func, select

from models.orm import Correction, FlagRow, RecordRow, Report
from pipeline import ingest

# Short reports written for these tests (not taken from any corpus).
RAPAT = ("Kantor Imigrasi Kelas II TPI Sampit menggelar rapat koordinasi Tim Pengawasan Orang Asing "
         "(TIMPORA) pada Rabu (6/3/2024) di Aula Hotel Aquarius, Kabupaten Kotawaringin Timur. "
         "Rapat dipimpin oleh Kepala Kantor Imigrasi, Budi Santoso, dan dihadiri Polres, Kodim serta "
         "Dinas Tenaga Kerja.")
OPERASI = ("Tim gabungan TIMPORA Kabupaten Sikka melaksanakan operasi pengawasan orang asing pada "
           "Kamis, 14 November 2024 di sejumlah hotel di Maumere. Petugas memeriksa dokumen "
           "tujuh warga negara asing dan tidak menemukan pelanggaran.")
BERITA = ("Jumlah paspor yang diterbitkan Kantor Imigrasi Kelas I Malang meningkat pada bulan Juli "
          "2023 dibanding bulan sebelumnya, kata kepala seksi lalu lintas keimigrasian.")


def _count(engine, model, *where) -> int:
    from pipeline.db import session_scope

    with session_scope(engine) as s:
        return s.scalar(select(func.count()).select_from(model).where(*where))


def _docx_bytes(text: str) -> bytes:
    import docx

    d = docx.Document()
    for para in text.split(". "):
        d.add_paragraph(para)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def _write(tmp_path, name: str, data: bytes | str) -> str:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return str(path)


def _encrypted_member_zip(path, member: str, data: bytes) -> None:
    """A zip whose member is marked encrypted (general-purpose flag bit 0), as a password tool leaves it."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr(member, data)
    raw = bytearray(buf.getvalue())
    for sig, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = raw.find(sig)
        raw[at + offset] |= 0x1
    path.write_bytes(bytes(raw))


# --------------------------------------------------------------------------- discovery

def test_discover_expands_folders_and_zip_members(tmp_path):
    _write(tmp_path, "in/a.txt", RAPAT)
    with zipfile.ZipFile(tmp_path / "in" / "arsip.zip", "w") as zf:
        zf.writestr("2024/b.txt", OPERASI)
        zf.writestr("2024/c.docx", _docx_bytes(BERITA))
    jobs = ingest.discover([tmp_path / "in"])
    assert sorted(j.id for j in jobs) == ["a", "b", "c"]
    members = {j.id: j.member for j in jobs}
    assert members["a"] is None and members["b"] == "2024/b.txt"
    assert all(j.problem is None for j in jobs)


def test_discover_missing_manifest_file_is_a_failed_job(tmp_path):
    _write(tmp_path, "docs/ada.txt", RAPAT)
    manifest = tmp_path / "manifest.jsonl"
    manifest.write_text(
        json.dumps({"id": "r1", "file": "docs/ada.txt", "published": "2024-03-07"}) + "\n"
        + json.dumps({"id": "r2", "file": "docs/hilang.txt", "published": "2024-03-08"}) + "\n",
        encoding="utf-8")
    jobs = {j.id: j for j in ingest.discover([], manifest)}
    assert jobs["r1"].problem is None and jobs["r1"].published == "2024-03-07"
    assert jobs["r2"].problem == ingest.MISSING_FROM_MANIFEST


def test_discover_bad_manifest_line_is_a_failed_job(tmp_path):
    manifest = tmp_path / "m.jsonl"
    manifest.write_text("{bukan json\n", encoding="utf-8")
    (job,) = ingest.discover([], manifest)
    assert job.problem and "manifest line 1" in job.problem


def test_discover_missing_path_is_a_failed_job(tmp_path):
    (job,) = ingest.discover([tmp_path / "tidak-ada.txt"])
    assert job.problem == "no such file or directory"


def test_job_round_trips_through_a_dict():
    job = ingest.Job(id="x", name="a.zip!x.txt", path="/d/a.zip", member="x.txt", published="2024-01-02")
    assert ingest.Job.from_dict(job.to_dict()) == job


@pytest.mark.parametrize("n, size, expected", [(0, 3, []), (5, 2, [2, 2, 1]), (4, 4, [4]), (3, 0, [3])])
def test_batches(n, size, expected):
    jobs = [ingest.Job(id=str(i), name=str(i), path=str(i)) for i in range(n)]
    assert [len(b) for b in ingest.batches(jobs, size)] == expected


# --------------------------------------------------------------------------- process_batch

def test_duplicate_content_under_two_names_is_stored_once(engine, tmp_path):
    _write(tmp_path, "in/satu.txt", RAPAT)
    _write(tmp_path, "in/sub/salinan.txt", RAPAT)
    res = ingest.process_batch(str(engine.url.render_as_string(hide_password=False)),
                               ingest.discover([tmp_path / "in"]))
    assert (res.stored, res.duplicates, res.failed) == (1, 1, 0)
    assert _count(engine, Report) == 1


def test_content_stored_by_an_earlier_batch_is_a_duplicate(engine, tmp_path):
    url = engine.url.render_as_string(hide_password=False)
    _write(tmp_path, "a/laporan.txt", OPERASI)
    _write(tmp_path, "b/nama-lain.txt", OPERASI)
    assert ingest.process_batch(url, ingest.discover([tmp_path / "a"])).stored == 1
    res = ingest.process_batch(url, ingest.discover([tmp_path / "b"]))
    assert (res.stored, res.duplicates) == (0, 1)
    assert _count(engine, Report) == 1


def test_rerun_changes_nothing(engine, tmp_path):
    url = engine.url.render_as_string(hide_password=False)
    _write(tmp_path, "in/a.txt", RAPAT)
    _write(tmp_path, "in/b.txt", OPERASI)
    _write(tmp_path, "in/kosong.txt", "")
    first = ingest.process_batch(url, ingest.discover([tmp_path / "in"]))
    tables = (Report, RecordRow, FlagRow)
    before = [_count(engine, t) for t in tables]
    second = ingest.process_batch(url, ingest.discover([tmp_path / "in"]))
    assert (first.stored, first.failed) == (2, 1)
    assert (second.stored, second.duplicates, second.failed) == (0, 2, 1)
    assert [_count(engine, t) for t in tables] == before


def test_zip_with_a_bad_member(engine, tmp_path):
    url = engine.url.render_as_string(hide_password=False)
    with zipfile.ZipFile(tmp_path / "kiriman.zip", "w") as zf:
        zf.writestr("baik.docx", _docx_bytes(RAPAT))
        zf.writestr("rusak.docx", b"PK\x03\x04 ini bukan dokumen word")
    res = ingest.process_batch(url, ingest.discover([tmp_path / "kiriman.zip"]))
    assert (res.stored, res.failed) == (1, 1)
    (failure,) = res.failures
    assert failure["name"].endswith("kiriman.zip!rusak.docx")
    assert _count(engine, Report, Report.status == "failed") == 1


def test_manifest_published_and_missing_file_are_stored(engine, tmp_path):
    url = engine.url.render_as_string(hide_password=False)
    _write(tmp_path, "docs/ada.txt", RAPAT)
    manifest = tmp_path / "manifest.jsonl"
    manifest.write_text(
        json.dumps({"id": "r1", "file": "docs/ada.txt", "published": "2024-03-07",
                    "source_url": "https://contoh.go.id/berita/1"}) + "\n"
        + json.dumps({"id": "r2", "file": "docs/hilang.txt"}) + "\n", encoding="utf-8")
    res = ingest.process_batch(url, ingest.discover([], manifest))
    assert (res.stored, res.failed) == (1, 1)
    assert res.failures[0]["reason"] == ingest.MISSING_FROM_MANIFEST
    from pipeline.db import session_scope

    with session_scope(engine) as s:
        stored = s.execute(select(Report.doc_id, Report.published, Report.source_url)
                           .where(Report.status == "stored")).one()
        failed_reason = s.scalar(select(Report.failure_reason).where(Report.status == "failed"))
    assert stored.doc_id == "r1" and stored.published.isoformat() == "2024-03-07"
    assert stored.source_url == "https://contoh.go.id/berita/1"
    assert failed_reason == ingest.MISSING_FROM_MANIFEST


BAD_FILES = [
    ("kosong.txt", b""),
    ("rusak.pdf", b"%PDF-1.4\n1 0 obj << /Type /Catalog >>\ngarbage"),
    ("rusak.docx", b"PK\x03\x04\x14\x00 bukan docx"),
    ("biner.txt", bytes(range(256)) * 40),
    ("salah-ekstensi.pdf", RAPAT.encode("utf-8")),
    ("catatan.odt", b"bentuk berkas yang tidak didukung"),
]


@pytest.mark.parametrize("name, data", BAD_FILES, ids=[n for n, _ in BAD_FILES])
def test_bad_file_fails_with_a_reason_and_the_run_goes_on(engine, tmp_path, name, data):
    url = engine.url.render_as_string(hide_password=False)
    _write(tmp_path, f"in/{name}", data)
    _write(tmp_path, "in/zz-baik.txt", OPERASI)
    res = ingest.process_batch(url, ingest.discover([tmp_path / "in"]))
    assert (res.stored, res.failed) == (1, 1)
    assert res.failures[0]["name"].endswith(name) and res.failures[0]["reason"]


def test_encrypted_zip_member_fails(engine, tmp_path):
    url = engine.url.render_as_string(hide_password=False)
    _encrypted_member_zip(tmp_path / "rahasia.zip", "laporan.txt", RAPAT.encode())
    res = ingest.process_batch(url, ingest.discover([tmp_path / "rahasia.zip"]))
    assert res.failed == 1 and "encrypt" in res.failures[0]["reason"]


def test_known_content_is_skipped_before_extraction(engine, tmp_path, monkeypatch):
    import pipeline.extract as extract_mod

    url = engine.url.render_as_string(hide_password=False)
    _write(tmp_path, "in/a.txt", RAPAT)
    _write(tmp_path, "in/b.txt", BERITA)
    ingest.process_batch(url, ingest.discover([tmp_path / "in"]))
    _write(tmp_path, "in/c.txt", OPERASI)
    seen: list[str] = []
    real = extract_mod.extract_many

    def counting(items, *a, **kw):
        items = list(items)
        seen.extend(i[0] for i in items)
        return real(items, *a, **kw)

    monkeypatch.setattr(extract_mod, "extract_many", counting)
    res = ingest.process_batch(url, ingest.discover([tmp_path / "in"]))
    assert seen == ["c"]
    assert (res.stored, res.duplicates) == (1, 2)


def test_an_extraction_crash_fails_only_that_report(engine, tmp_path, monkeypatch):
    import pipeline.extract as extract_mod

    url = engine.url.render_as_string(hide_password=False)
    _write(tmp_path, "in/a.txt", RAPAT)
    _write(tmp_path, "in/b.txt", OPERASI)
    real_extract = extract_mod.extract

    def broken_many(items, *a, **kw):
        raise RuntimeError("komponen rusak")
        yield  # pragma: no cover

    def picky(text, **kw):
        if "Sikka" in text:
            raise ValueError("teks ini memicu bug")
        return real_extract(text, **kw)

    monkeypatch.setattr(extract_mod, "extract_many", broken_many)
    monkeypatch.setattr(extract_mod, "extract", picky)
    res = ingest.process_batch(url, ingest.discover([tmp_path / "in"]))
    assert (res.stored, res.failed) == (1, 1)
    assert res.failures[0]["reason"] == "extraction failed (ValueError)"


def test_a_failed_read_is_replaced_when_the_same_bytes_read_later(engine, tmp_path, monkeypatch):
    import pipeline.read as read_mod

    url = engine.url.render_as_string(hide_password=False)
    _write(tmp_path, "in/a.txt", RAPAT)
    real = read_mod.read_source

    def failing(ref, **kw):
        raise read_mod.ReadError(ref.name, "sementara tidak terbaca")

    monkeypatch.setattr(read_mod, "read_source", failing)
    assert ingest.process_batch(url, ingest.discover([tmp_path / "in"])).failed == 1
    monkeypatch.setattr(read_mod, "read_source", real)
    assert ingest.process_batch(url, ingest.discover([tmp_path / "in"])).stored == 1
    assert _count(engine, Report) == 1 and _count(engine, Report, Report.status == "stored") == 1


def test_flagged_reports_are_counted(engine, tmp_path):
    url = engine.url.render_as_string(hide_password=False)
    _write(tmp_path, "in/a.txt", RAPAT)
    _write(tmp_path, "in/b.txt", OPERASI)
    res = ingest.process_batch(url, ingest.discover([tmp_path / "in"]))
    assert res.flagged == len(res.flagged_reports) == _count(
        engine, Report, Report.id.in_(select(FlagRow.report_id)))
    assert all(f["flags"] for f in res.flagged_reports)


def test_batch_result_merge_adds_counts():
    a = ingest.BatchResult(found=2, stored=1, failed=1, failures=[{"name": "x", "reason": "y"}])
    b = ingest.BatchResult(found=3, stored=2, duplicates=1)
    assert a.merge(b).counts() == {"found": 5, "stored": 3, "duplicates": 1, "failed": 1, "flagged": 0}
    assert len(a.failures) == 1


# --------------------------------------------------------------------------- reprocess

def _reprocess_setup(engine, tmp_path):
    url = engine.url.render_as_string(hide_password=False)
    _write(tmp_path, "in/a.txt", RAPAT)
    _write(tmp_path, "in/b.txt", BERITA)
    ingest.process_batch(url, ingest.discover([tmp_path / "in"]))
    from pipeline.db import session_scope

    with session_scope(engine) as s:
        ids = dict(s.execute(select(Report.doc_id, Report.id)).all())
    return url, ids


def test_reprocess_keeps_corrections_and_reraises_flags(engine, tmp_path):
    from sqlalchemy import update

    from pipeline.db import session_scope
    from pipeline.store import add_correction, effective_record

    url, ids = _reprocess_setup(engine, tmp_path)
    rid = ids["a"]
    with session_scope(engine) as s:
        add_correction(s, rid, "venue", "Ruang Rapat Kantor Bupati", reviewer="tester")
        s.execute(update(Report).where(Report.id == rid).values(pipeline_version="0.0.1"))
        flags_before = sorted((f.field, f.kind) for f in s.scalars(select(FlagRow).where(FlagRow.report_id == rid)))
    res = ingest.reprocess_batch(url, [rid])
    assert (res.reprocessed, res.failed) == (1, 0)
    with session_scope(engine) as s:
        eff = effective_record(s, rid)
        version = s.scalar(select(Report.pipeline_version).where(Report.id == rid))
        flags_after = sorted((f.field, f.kind) for f in s.scalars(select(FlagRow).where(FlagRow.report_id == rid)))
        n_corr = s.scalar(select(func.count()).select_from(Correction).where(Correction.report_id == rid))
    from pipeline.extract import PIPELINE_VERSION

    assert eff["venue"] == "Ruang Rapat Kantor Bupati"
    assert version == PIPELINE_VERSION and n_corr == 1
    assert flags_after == flags_before


def test_reprocess_unknown_id_is_a_failure(engine, tmp_path):
    url, ids = _reprocess_setup(engine, tmp_path)
    res = ingest.reprocess_batch(url, [max(ids.values()) + 1000])
    assert (res.reprocessed, res.failed) == (0, 1)


def test_select_reports_by_version_and_kind(engine, tmp_path):
    from sqlalchemy import update

    from pipeline.db import session_scope

    url, ids = _reprocess_setup(engine, tmp_path)
    with session_scope(engine) as s:
        s.execute(update(Report).where(Report.id == ids["a"]).values(pipeline_version="0.0.9"))
        kind_b = s.scalar(select(RecordRow.kind).where(RecordRow.report_id == ids["b"]))
    assert ingest.select_reports(url, older_than_version="0.0.10") == [ids["a"]]
    assert sorted(ingest.select_reports(url)) == sorted(ids.values())
    assert ids["b"] in ingest.select_reports(url, kind=kind_b)
    assert ingest.select_reports(url, report_ids=[ids["b"]]) == [ids["b"]]


@pytest.mark.parametrize("older, newer", [("0.1.0", "0.1.1"), ("0.9", "0.10"), ("", "0.0.1"),
                                          (None, "1"), ("1.2", "1.2.1"), ("0.1.0rc1", "0.1.1")])
def test_version_key_orders_versions(older, newer):
    assert ingest.version_key(older) < ingest.version_key(newer)


def test_locator_from_blocks_finds_overlapping_blocks():
    locate = ingest.locator_from_blocks([{"start": 0, "end": 10, "kind": "line", "index": 0, "page": 1},
                                         {"start": 11, "end": 20, "kind": "line", "index": 1, "page": 2}])
    assert [b.index for b in locate(12, 14)] == [1]
    assert [b.page for b in locate(5, 15)] == [1, 2]
    assert ingest.locator_from_blocks([]) is None


# --------------------------------------------------------------------------- drop folder

def test_ready_files_waits_for_files_to_settle(tmp_path):
    old = _write(tmp_path, "drop/lama.txt", RAPAT)
    new = _write(tmp_path, "drop/baru.txt", OPERASI)
    _write(tmp_path, "drop/.tersembunyi.txt", BERITA)
    _write(tmp_path, "drop/unduhan.pdf.part", b"%PDF-")
    now = time.time()
    os.utime(old, (now - 60, now - 60))
    os.utime(new, (now, now))
    assert ingest.ready_files(tmp_path / "drop", settle_seconds=5, now=now) == [old]


def test_archive_done_moves_only_stored_content(engine, tmp_path):
    url = engine.url.render_as_string(hide_password=False)
    a = _write(tmp_path, "drop/x/a.txt", RAPAT)
    b = _write(tmp_path, "drop/b.txt", OPERASI)
    ingest.process_batch(url, ingest.discover([a]))
    moved = ingest.archive_done(url, [a, b], tmp_path / "drop", tmp_path / "done")
    assert moved == [str(tmp_path / "done" / "x" / "a.txt")]
    assert not os.path.exists(a) and os.path.exists(b)
