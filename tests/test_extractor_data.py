"""Every extractor data file parses, and the loader rejects malformed files."""
from __future__ import annotations

import pytest

from extractors import data

JSONL = sorted(p.relative_to(data.DATA_DIR).as_posix() for p in data.DATA_DIR.rglob("*.jsonl"))
TSV = sorted(p.relative_to(data.DATA_DIR).as_posix() for p in data.DATA_DIR.rglob("*.tsv"))


def test_there_is_data():
    assert JSONL and TSV


@pytest.mark.parametrize("name", JSONL)
def test_jsonl_patterns_have_unique_ids(name):
    rows = data.load_jsonl(name)
    assert rows, f"{name} is empty"
    assert len({r["id"] for r in rows}) == len(rows)


@pytest.mark.parametrize("name", TSV)
def test_tsv_rows_match_header(name):
    rows = data.load_tsv(name)
    assert rows, f"{name} is empty"
    for row in rows:
        assert all(v is not None for v in row.values())


def test_loader_rejects_duplicate_ids(tmp_path, monkeypatch):
    (tmp_path / "x.jsonl").write_text('{"id": "a"}\n{"id": "a"}\n', encoding="utf-8")
    monkeypatch.setattr(data, "DATA_DIR", tmp_path)
    data.load_jsonl.cache_clear()
    with pytest.raises(data.DataError, match="duplicate id"):
        data.load_jsonl("x.jsonl")
    data.load_jsonl.cache_clear()


def test_loader_rejects_pattern_without_id(tmp_path, monkeypatch):
    (tmp_path / "y.jsonl").write_text('{"pattern": "x"}\n', encoding="utf-8")
    monkeypatch.setattr(data, "DATA_DIR", tmp_path)
    data.load_jsonl.cache_clear()
    with pytest.raises(data.DataError, match="needs an 'id'"):
        data.load_jsonl("y.jsonl")
    data.load_jsonl.cache_clear()


def test_loader_rejects_ragged_tsv(tmp_path, monkeypatch):
    (tmp_path / "z.tsv").write_text("a\tb\n1\t2\t3\n", encoding="utf-8")
    monkeypatch.setattr(data, "DATA_DIR", tmp_path)
    data.load_tsv.cache_clear()
    with pytest.raises(data.DataError, match="columns"):
        data.load_tsv("z.tsv")
    data.load_tsv.cache_clear()


def test_months_cover_the_year():
    months = {int(r[k]) for r in data.load_tsv("lang/months.tsv") for k in r if k in ("month", "number")}
    assert months == set(range(1, 13))


def test_weekdays_cover_the_week():
    days = {int(r[k]) for r in data.load_tsv("lang/weekdays.tsv") for k in r if k in ("weekday", "iso", "number")}
    assert days == set(range(1, 8))
