"""`timpora load / search / show / export / db` end to end over samples/ on SQLite and PostgreSQL.

Assertions on extraction are limited to what the extractor is expected to get right for the
original samples (agencies, places, dates of mukomuko-2017 and tts-2019).
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.cli import app

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
runner = CliRunner()


def _run(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def loaded(db_url, tmp_path_factory):
    """samples/ plus one unreadable file, loaded once per database."""
    from sqlalchemy import delete

    from models.orm import Report
    from pipeline.db import open_engine

    with open_engine(db_url).begin() as conn:
        conn.execute(delete(Report))
    folder = tmp_path_factory.mktemp("inbox")
    shutil.copytree(SAMPLES, folder / "samples")
    (folder / "samples" / "rusak.pdf").write_bytes(b"bukan pdf sama sekali")
    result = _run("load", str(folder / "samples"), "--db", db_url)
    return db_url, folder, result


def _ids(db_url: str, *args: str) -> set[str]:
    res = _run("search", *args, "--db", db_url, "--format", "json")
    assert res.exit_code == 0, res.output
    return {row["id"] for row in json.loads(res.stdout)["rows"]}


def test_load_stores_samples_and_reports_the_bad_file(loaded):
    db_url, _, result = loaded
    n_samples = sum(1 for p in SAMPLES.iterdir() if p.suffix in (".txt", ".docx", ".pdf"))
    assert result.exit_code == 1                       # a failure is reported ...
    assert f"loaded: {n_samples} stored, 0 already stored, 1 failed" in result.stdout   # ... the rest go on
    assert "rusak.pdf" in result.stderr


def test_second_load_stores_nothing_new(loaded):
    db_url, folder, _ = loaded
    again = _run("load", str(folder / "samples" / "tts-2019.txt"), "--db", db_url, "--quiet")
    assert again.exit_code == 0 and "0 stored, 1 already stored, 0 failed" in again.stdout


@pytest.mark.parametrize("args, included, excluded", [
    (("--agency", "Polres Muko-Muko"), {"mukomuko-2017"}, {"tts-2019"}),
    (("--agency", "DISNAKER"), {"mukomuko-2017"}, {"tts-2019"}),
    (("--place", "Timur Tengah Selatan"), {"tts-2019"}, {"mukomuko-2017"}),
    (("--place", "Bengkulu"), {"mukomuko-2017"}, {"tts-2019"}),
    (("--place", "NTT"), {"tts-2019"}, {"mukomuko-2017"}),
    (("--from", "2019-01-01"), {"tts-2019"}, {"mukomuko-2017"}),
])
def test_search_finds_the_right_samples(loaded, args, included, excluded):
    found = _ids(loaded[0], *args)
    assert included <= found and not (excluded & found)


def test_search_table_shows_rows_and_facets(loaded):
    res = _run("search", "--place", "NTT", "--db", loaded[0])
    assert res.exit_code == 0
    assert "2019-11-29" in res.stdout and "Kupang" in res.stdout
    assert "province:" in res.stdout and "Nusa Tenggara Timur" in res.stdout


def test_show_prints_effective_record_with_evidence(loaded):
    res = _run("show", "tts-2019", "--json", "--db", loaded[0])
    assert res.exit_code == 0
    records = json.loads(res.stdout)
    records = records if isinstance(records, list) else [records]
    assert {r["name"].rsplit(".", 1)[1] for r in records} == {"txt", "docx", "pdf"}
    assert all(r["date"] == "2019-11-29" and r["evidence"] for r in records)


def test_show_unknown_report_is_a_one_line_error(loaded):
    from pipeline.store import ReportNotFound

    with pytest.raises(ReportNotFound):
        _run("show", "tidak-ada", "--db", loaded[0])


def test_export_jsonl_uses_document_ids(loaded, tmp_path):
    out = tmp_path / "pred.jsonl"
    res = _run("export", "--format", "jsonl", "-o", str(out), "--db", loaded[0])
    assert res.exit_code == 0
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    stems = {p.stem for p in SAMPLES.iterdir() if p.suffix in (".txt", ".docx", ".pdf")}
    assert {r["id"] for r in rows} == stems
    assert list(rows[0])[:3] == ["id", "kind", "office"]


def test_export_csv_has_one_row_per_record(loaded):
    res = _run("export", "--format", "csv", "--db", loaded[0])
    lines = res.stdout.strip().splitlines()
    assert lines[0].startswith("report_id,id,kind,office,date")
    assert len(lines) - 1 == sum(1 for p in SAMPLES.iterdir() if p.suffix in (".txt", ".docx", ".pdf"))


def test_db_info_prints_url_and_default_path(loaded):
    res = _run("db", "info", "--db", loaded[0])
    assert res.exit_code == 0
    assert "default SQLite:" in res.stdout and "timpora.sqlite" in res.stdout
    assert "reports:" in res.stdout and "1 failed" in res.stdout
