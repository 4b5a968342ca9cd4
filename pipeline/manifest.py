"""Manifests: JSONL lines ``{"id", "file", "published", "source_url"}``, ``file`` relative to the manifest."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Optional

from pipeline.errors import TimporaError


@dataclass(frozen=True)
class ManifestEntry:
    id: str
    path: Path                    # absolute path of the listed file
    published: Optional[str]      # ISO date or None
    source_url: Optional[str]
    line: int


@dataclass(frozen=True)
class ManifestProblem:
    line: int
    reason: str


def load_manifest(manifest: Path) -> tuple[list[ManifestEntry], list[ManifestProblem]]:
    """Entries of a manifest, plus one problem per unusable line (the rest still load).

    Raises ``TimporaError`` only when the manifest itself cannot be read.
    """
    manifest = Path(manifest)
    try:
        lines = manifest.read_text(encoding="utf-8-sig").splitlines()
    except FileNotFoundError:
        raise TimporaError(f"{manifest}: manifest not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise TimporaError(f"{manifest}: cannot read manifest ({exc.__class__.__name__})") from None
    base = manifest.resolve().parent
    entries: list[ManifestEntry] = []
    problems: list[ManifestProblem] = []
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(ManifestProblem(n, f"not JSON ({exc.msg})"))
            continue
        if not isinstance(row, dict) or not row.get("file"):
            problems.append(ManifestProblem(n, "no 'file' key"))
            continue
        published = row.get("published")
        if published:
            try:
                published = date.fromisoformat(str(published)[:10]).isoformat()
            except ValueError:
                problems.append(ManifestProblem(n, f"'published' is not an ISO date: {published!r}"))
                published = None
        path = (base / str(row["file"])).resolve()
        doc_id = str(row.get("id") or Path(str(row["file"])).stem)
        entries.append(ManifestEntry(doc_id, path, published or None, row.get("source_url"), n))
    return entries, problems
