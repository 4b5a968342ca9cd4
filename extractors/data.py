"""The one place extractor data files are loaded from.

Every pattern and every piece of language data lives under ``extractors/data/`` as
JSONL (one pattern per line, each with an ``id``), TSV (header line first) or a plain
list (one entry per line, ``#`` comments). Files are found relative to this module,
never the working directory, and cached: each is parsed once per process.
"""
from __future__ import annotations

import csv
import json
from functools import lru_cache
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent / "data"


class DataError(ValueError):
    """A data file is malformed (bad JSON, missing id, duplicate id, wrong column count)."""


def path(name: str) -> Path:
    return DATA_DIR / name


@lru_cache(maxsize=None)
def load_jsonl(name: str) -> tuple[dict[str, Any], ...]:
    """Rows of a JSONL pattern file; every row must carry a unique ``id``."""
    rows: list[dict[str, Any]] = []
    seen: set[str] = set()
    with path(name).open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            line = line.strip()
            if not line or line.startswith("//"):
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise DataError(f"{name}:{n}: not JSON: {exc}") from None
            if not isinstance(row, dict) or not row.get("id"):
                raise DataError(f"{name}:{n}: a pattern needs an 'id'")
            if row["id"] in seen:
                raise DataError(f"{name}:{n}: duplicate id {row['id']!r}")
            seen.add(row["id"])
            rows.append(row)
    return tuple(rows)


@lru_cache(maxsize=None)
def load_tsv(name: str) -> tuple[dict[str, str], ...]:
    """Rows of a TSV file as dicts keyed by its header; ``#`` lines are comments."""
    with path(name).open(encoding="utf-8", newline="") as fh:
        lines = [ln for ln in fh if ln.strip() and not ln.startswith("#")]
    reader = csv.reader(lines, delimiter="\t", quoting=csv.QUOTE_NONE)
    header = next(reader, None)
    if not header:
        raise DataError(f"{name}: empty")
    rows = []
    for n, cols in enumerate(reader, 2):
        if len(cols) != len(header):
            raise DataError(f"{name}: row {n} has {len(cols)} columns, header has {len(header)}: {cols!r}")
        rows.append({h: c.strip() for h, c in zip(header, cols)})
    return tuple(rows)


@lru_cache(maxsize=None)
def load_list(name: str) -> tuple[str, ...]:
    """Entries of a plain list file: one per line, blank lines and ``#`` comments skipped."""
    with path(name).open(encoding="utf-8") as fh:
        return tuple(ln.strip() for ln in fh if ln.strip() and not ln.lstrip().startswith("#"))
