"""The Prefect flows (``flows/``) and the ``timpora ingest`` / ``reprocess`` commands, run for real
against a temporary Prefect server (``prefect_test_harness``, started once for this module)."""
from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")

from flows import env as _env  # noqa: E402

_env.configure()

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
VENV_BIN = Path(sys.executable).parent

# Written for these tests (not taken from any corpus).
TEMPLATE = ("Kantor Imigrasi Kelas I TPI Pontianak bersama Tim PORA Kabupaten Kubu Raya melaksanakan "
            "operasi gabungan pengawasan orang asing pada Selasa, {day} Mei 2024 di beberapa perusahaan "
            "perkebunan. Sebanyak {n} warga negara asing diperiksa dokumennya. Nomor arsip: {serial}.")


@pytest.fixture(scope="module")
def prefect_api():
    """A temporary Prefect server for the whole module; yields its API URL."""
    from prefect.settings import PREFECT_API_URL
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=None):
        yield PREFECT_API_URL.value()


def _sqlite(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'timpora.sqlite'}"


def _reports(db_file: Path, where: str = "1=1") -> int:
    with sqlite3.connect(db_file) as conn:
        return conn.execute(f"SELECT count(*) FROM reports WHERE {where}").fetchone()[0]


def _generate(folder: Path, n: int, *, duplicates: int = 0) -> int:
    """``n`` distinct reports (+ ``duplicates`` byte-identical copies under other names); returns n."""
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        text = TEMPLATE.format(day=1 + i % 28, n=1 + i % 9, serial=f"UJI-{i:05d}")
        (folder / f"laporan-{i:05d}.txt").write_text(text, encoding="utf-8")
    for i in range(duplicates):
        src = folder / f"laporan-{i:05d}.txt"
        (folder / f"salinan-{i:05d}.txt").write_bytes(src.read_bytes())
    return n


def _artifact(key: str) -> dict:
    """The latest artifact with ``key`` (raw API call: Prefect 3.8's client sends explicit nulls
    that this FastAPI version rejects)."""
    import httpx
    from prefect.settings import PREFECT_API_URL

    resp = httpx.post(f"{PREFECT_API_URL.value()}/artifacts/filter", timeout=30,
                      json={"artifacts": {"key": {"any_": [key]}}, "sort": "CREATED_DESC", "limit": 1,
                            "offset": 0})
    resp.raise_for_status()
    found = resp.json()
    assert found, f"no artifact {key!r}"
    return found[0]


# --------------------------------------------------------------------------- ingest flow

def test_ingest_flow_over_samples_end_to_end(prefect_api, tmp_path):
    from flows.ingest import ARTIFACT_KEY, run_ingest
    from pipeline.read import iter_sources

    expected = len(list(iter_sources([SAMPLES])))
    assert expected > 0
    db = _sqlite(tmp_path)
    first = run_ingest([str(SAMPLES)], db_url=db, batch_size=4)
    c = first["counts"]
    assert c["found"] == expected
    assert c["stored"] + c["duplicates"] + c["failed"] == expected
    assert c["stored"] >= 1 and c["failed"] == len(first["failures"])
    assert _reports(tmp_path / "timpora.sqlite", "status = 'stored'") == c["stored"]
    assert f"{c['stored']} stored" in _artifact(ARTIFACT_KEY)["description"]

    again = run_ingest([str(SAMPLES)], db_url=db, batch_size=4)["counts"]
    assert again["stored"] == 0 and again["duplicates"] == c["stored"] + c["duplicates"]
    assert _reports(tmp_path / "timpora.sqlite", "status = 'stored'") == c["stored"]


def test_artifact_lists_failures_and_flagged(prefect_api, tmp_path):
    from flows.ingest import ARTIFACT_KEY, run_ingest

    _generate(tmp_path / "in", 2)
    (tmp_path / "in" / "rusak.pdf").write_bytes(b"%PDF-1.7 rusak")
    summary = run_ingest([str(tmp_path / "in")], db_url=_sqlite(tmp_path))
    data = _artifact(ARTIFACT_KEY)["data"]
    rows = data if isinstance(data, list) else json.loads(data)
    failed = [r for r in rows if r["section"] == "failed"]
    assert [r["name"] for r in failed] == [f["name"] for f in summary["failures"]]
    assert failed[0]["name"].endswith("rusak.pdf") and failed[0]["detail"]
    assert len([r for r in rows if r["section"] == "flagged"]) == summary["counts"]["flagged"]


def test_transient_database_error_is_retried(prefect_api, tmp_path, monkeypatch):
    from sqlalchemy.exc import OperationalError

    from flows.ingest import run_ingest
    from pipeline import ingest

    real = ingest.process_batch
    calls = []

    def flaky(db_url, jobs):
        calls.append(len(jobs))
        if len(calls) == 1:
            raise OperationalError("INSERT", {}, Exception("database is locked"))
        return real(db_url, jobs)

    monkeypatch.setattr(ingest, "process_batch", flaky)
    _generate(tmp_path / "in", 3)
    summary = run_ingest([str(tmp_path / "in")], db_url=_sqlite(tmp_path))
    assert len(calls) == 2 and summary["counts"]["stored"] == 3


def test_other_errors_are_not_retried_and_the_run_says_so(prefect_api, tmp_path, monkeypatch):
    from flows.ingest import IngestIncomplete, run_ingest
    from pipeline import ingest

    calls = []

    def broken(db_url, jobs):
        calls.append(1)
        raise KeyError("bug")

    monkeypatch.setattr(ingest, "process_batch", broken)
    _generate(tmp_path / "in", 2)
    with pytest.raises(IngestIncomplete):
        run_ingest([str(tmp_path / "in")], db_url=_sqlite(tmp_path))
    assert len(calls) == 1


@pytest.mark.parametrize("exc, expected", [
    ("operational", True), ("oserror", True), ("integrity", False), ("value", False), ("read", False)])
def test_is_transient(exc, expected):
    from sqlalchemy.exc import IntegrityError, OperationalError

    from flows.ingest import is_transient
    from pipeline.read import ReadError

    made = {"operational": OperationalError("SELECT 1", {}, Exception("server closed the connection")),
            "oserror": OSError(5, "Input/output error"),
            "integrity": IntegrityError("INSERT", {}, Exception("UNIQUE constraint failed")),
            "value": ValueError("x"), "read": ReadError("a.pdf", "corrupt")}[exc]
    assert is_transient(made) is expected


# --------------------------------------------------------------------------- dask

@pytest.mark.postgres
def test_dask_local_cluster_against_postgresql(prefect_api, tmp_path, _pg_schema_url):
    from distributed import LocalCluster
    from sqlalchemy import create_engine, text

    from flows.ingest import run_ingest
    from models.orm import Report
    from pipeline.db import upgrade

    upgrade(_pg_schema_url)  # the session's schema: migrated, emptied of other tests' reports
    eng = create_engine(_pg_schema_url)
    with eng.begin() as conn:
        conn.execute(Report.__table__.delete())
    eng.dispose()
    n = _generate(tmp_path / "in", 24, duplicates=6)
    with LocalCluster(n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None) as cluster:
        summary = run_ingest([str(tmp_path / "in")], db_url=_pg_schema_url, batch_size=5,
                             dask_address=cluster.scheduler_address)
    c = summary["counts"]
    assert (c["found"], c["stored"], c["duplicates"], c["failed"]) == (30, n, 6, 0)
    eng = create_engine(_pg_schema_url)
    with eng.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM reports")).scalar() == n
        assert conn.execute(text("SELECT count(*) FROM records")).scalar() == n
    eng.dispose()


# --------------------------------------------------------------------------- CLI

def test_cli_ingest_prints_summary_with_failures(prefect_api, tmp_path, monkeypatch):
    from typer.testing import CliRunner

    monkeypatch.setenv("COLUMNS", "400")  # no wrapping of the long temporary paths

    from pipeline.cli import app

    _generate(tmp_path / "in", 2)
    (tmp_path / "in" / "kosong.docx").write_bytes(b"")
    result = CliRunner().invoke(app, ["ingest", str(tmp_path / "in"), "--db", _sqlite(tmp_path), "-q"])
    assert result.exit_code == 0, result.output
    assert "kosong.docx" in result.output and "empty file" in result.output
    assert _reports(tmp_path / "timpora.sqlite") == 3


def test_cli_ingest_exits_1_and_still_summarises_when_a_batch_cannot_be_stored(prefect_api, tmp_path,
                                                                                monkeypatch):
    from sqlalchemy.exc import OperationalError
    from typer.testing import CliRunner

    from pipeline import ingest
    from pipeline.cli import app

    def locked(db_url, jobs):
        raise OperationalError("INSERT", {}, Exception("database is locked"))

    monkeypatch.setenv("COLUMNS", "400")
    monkeypatch.setattr(ingest, "process_batch", locked)
    monkeypatch.setattr("flows.ingest.process_batch.retry_delay_seconds", [0, 0])
    _generate(tmp_path / "in", 2)
    result = CliRunner().invoke(app, ["ingest", str(tmp_path / "in"), "--db", _sqlite(tmp_path), "-q"])
    assert result.exit_code == 1
    assert "laporan-00001.txt" in result.output and "database is locked" in result.output


def test_cli_ingest_without_inputs_is_a_usage_error():
    from pipeline.cli import main

    with pytest.raises(SystemExit) as exc:
        main(["ingest"])
    assert exc.value.code == 2


def test_kill_and_rerun_stores_each_report_once(prefect_api, tmp_path):
    n = _generate(tmp_path / "in", 200, duplicates=10)
    db_file = tmp_path / "timpora.sqlite"
    env = {**os.environ, "PREFECT_API_URL": prefect_api, "TIMPORA_DB": str(db_file)}
    cmd = [str(VENV_BIN / "timpora"), "ingest", str(tmp_path / "in"), "--batch-size", "10", "-q"]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        deadline = time.monotonic() + 240
        stored = 0
        while time.monotonic() < deadline and proc.poll() is None:
            if db_file.exists():
                try:
                    stored = _reports(db_file)
                except sqlite3.OperationalError:  # not migrated yet
                    stored = 0
                if stored > 0:
                    break
            time.sleep(0.05)
        assert proc.poll() is None and 0 < stored < n, "the first run should be killed half-way"
        os.killpg(proc.pid, signal.SIGKILL)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    rerun = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    assert _reports(db_file) == n
    with sqlite3.connect(db_file) as conn:
        assert conn.execute("SELECT count(*) FROM records").fetchone()[0] == n
        orphans = conn.execute("SELECT count(*) FROM evidence WHERE report_id NOT IN "
                               "(SELECT report_id FROM records)").fetchone()[0]
    assert orphans == 0


# --------------------------------------------------------------------------- reprocess, watch

def test_reprocess_flow_keeps_corrections(prefect_api, tmp_path):
    from flows.ingest import run_ingest
    from flows.reprocess import ARTIFACT_KEY, run_reprocess
    from pipeline.db import make_engine, session_scope
    from pipeline.store import add_correction, effective_record

    _generate(tmp_path / "in", 3)
    db = _sqlite(tmp_path)
    run_ingest([str(tmp_path / "in")], db_url=db)
    engine = make_engine(db)
    with session_scope(engine) as s:
        add_correction(s, 1, "office", "Kantor Imigrasi Kelas II TPI Singkawang", reviewer="uji")
    summary = run_reprocess(db_url=db, report_ids=[1, 2])
    assert summary["counts"]["reprocessed"] == 2
    with session_scope(engine) as s:
        assert effective_record(s, 1)["office"] == "Kantor Imigrasi Kelas II TPI Singkawang"
    engine.dispose()
    assert "2 re-extracted" in _artifact(ARTIFACT_KEY)["description"]


def test_cli_reprocess_needs_a_selection():
    from pipeline.cli import main

    with pytest.raises(SystemExit) as exc:
        main(["reprocess"])
    assert exc.value.code == 2


def test_watch_flow_ingests_settled_files_and_moves_them(prefect_api, tmp_path):
    from flows.watch import watch_flow

    drop, done = tmp_path / "drop", tmp_path / "done"
    _generate(drop, 3)
    past = time.time() - 120
    for f in drop.iterdir():
        os.utime(f, (past, past))
    (drop / "baru-masuk.txt").write_text(TEMPLATE.format(day=9, n=2, serial="BARU"), encoding="utf-8")
    result = watch_flow(folder=str(drop), db_url=_sqlite(tmp_path), done_dir=str(done), settle_seconds=30)
    assert result["counts"]["stored"] == 3 and result["moved"] == 3
    assert sorted(p.name for p in drop.iterdir()) == ["baru-masuk.txt"]
    assert len(list(done.iterdir())) == 3
