"""``timpora extract``: read reports and print their records (no database)."""
from __future__ import annotations

import json
import sys
from enum import Enum
from pathlib import Path
from typing import List, Optional

import typer


class Format(str, Enum):
    jsonl = "jsonl"
    json = "json"
    table = "table"


def register(app: typer.Typer) -> None:
    @app.command("extract")
    def extract_cmd(
        paths: Optional[List[Path]] = typer.Argument(None, help="Report files, folders or .zip archives."),
        manifest: Optional[Path] = typer.Option(None, "--manifest", "-m",
                                                help="JSONL manifest {id, file, published, source_url}."),
        fmt: Format = typer.Option(Format.jsonl, "--format", "-f", help="Output format."),
        evidence: bool = typer.Option(True, "--evidence/--no-evidence", help="Include evidence spans."),
    ) -> None:
        """Extract the record of every report and print it (nothing is stored).

        Example:  cd ../shared/corpus/dev && timpora extract --manifest manifest.jsonl --format jsonl > /tmp/p.jsonl
        """
        from pipeline.errors import UsageError
        from pipeline.extract import extract_many
        from pipeline.manifest import load_manifest
        from pipeline.read import ReadError, iter_sources, read_source

        if not paths and manifest is None:
            raise UsageError("give report paths or --manifest FILE (see timpora extract --help)")
        jobs = []  # (doc_id, ref-or-path, published)
        failures = 0
        if manifest is not None:
            entries, problems = load_manifest(manifest)
            for p in problems:
                print(f"timpora: {manifest}:{p.line}: {p.reason}", file=sys.stderr)
            failures += len(problems)
            for e in entries:
                jobs.append((e.id, [e.path], e.published))
        for path in paths or []:
            jobs.append((None, [path], None))

        def items():
            nonlocal failures
            for doc_id, where, published in jobs:
                try:
                    refs = list(iter_sources(where))
                except ReadError as exc:
                    print(f"timpora: {exc}", file=sys.stderr)
                    failures += 1
                    continue
                for ref in refs:
                    try:
                        src = read_source(ref)
                    except ReadError as exc:
                        print(f"timpora: {exc}", file=sys.stderr)
                        failures += 1
                        continue
                    rid = doc_id if doc_id and len(refs) == 1 else ref.id
                    yield rid, src.text, published, src.locate

        records = []
        for rec in extract_many(items()):
            data = rec.to_json(with_evidence=evidence)
            if fmt is Format.jsonl:
                sys.stdout.write(json.dumps(data, ensure_ascii=False) + "\n")
            else:
                records.append(data)
        if fmt is Format.json:
            sys.stdout.write(json.dumps(records, ensure_ascii=False, indent=2) + "\n")
        elif fmt is Format.table:
            _print_table(records)
        sys.stdout.flush()
        if failures:
            print(f"timpora: {failures} input(s) could not be read", file=sys.stderr)
            raise typer.Exit(1)


def _print_table(records: list[dict]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table("id", "kind", "date", "office", "places", "chair", "agencies", "flags")
    for r in records:
        table.add_row(r["id"], r["kind"], r["date"] or "", r["office"] or "",
                      ", ".join(p["name"] for p in r["places"]),
                      (r["chair"] or {}).get("name") or "",
                      " ".join(a["code"] for a in r["agencies"]),
                      str(len(r["flags"])))
    Console(width=200).print(table)
