"""``timpora read``: print a report's canonical text, or JSON with text, blocks and provenance."""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional

import typer


def register(app: typer.Typer) -> None:
    @app.command("read", epilog="Example:  timpora read samples/tts-2019.pdf --json")
    def read_cmd(
        file: Path = typer.Argument(..., help="A report (.txt, .docx, .pdf) or a .zip archive of reports."),
        as_json: bool = typer.Option(False, "--json", help="Print JSON: text, blocks (source map) and provenance."),
        max_bytes: Optional[int] = typer.Option(None, "--max-bytes", min=1,
                                                help="Refuse files larger than this (default: env "
                                                     "TIMPORA_MAX_BYTES or 50 MB)."),
    ) -> None:
        """Read one report and print the canonical text every extracted offset refers to.

        A .zip archive prints each member in turn (JSON: a list of documents).

        A file that cannot be read gives one line `timpora: error: NAME: REASON` and exit status 1.
        """
        from pipeline.read import ReadError, iter_sources, read_source

        refs = list(iter_sources([file]))       # a missing path raises ReadError -> one line, exit 1
        if len(refs) == 1 and refs[0].member is None:
            src = read_source(refs[0], max_bytes=max_bytes)
            _emit(src.to_json() if as_json else src.text, as_json)
            return
        failures = 0
        docs = []
        for ref in refs:
            try:
                src = read_source(ref, max_bytes=max_bytes)
            except ReadError as exc:
                print(f"timpora: error: {exc}", file=sys.stderr)
                failures += 1
                continue
            if as_json:
                docs.append(src.to_json())
            else:
                sys.stdout.write(f"==> {src.name} <==\n{src.text}\n\n")
        if as_json:
            _emit(docs, True)
        sys.stdout.flush()
        if failures or not refs:
            if not refs:
                print(f"timpora: error: {file}: no reports in the archive", file=sys.stderr)
            raise typer.Exit(1)


def _emit(data, as_json: bool) -> None:
    if as_json:
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    else:
        sys.stdout.write(data + "\n")
    sys.stdout.flush()
