"""``timpora search``, ``timpora show`` and ``timpora export``: reading the database."""
from __future__ import annotations

import csv
import json
import sys
from enum import Enum
from pathlib import Path
from typing import Optional

import typer

DB_HELP = "Database URL or SQLite file (default: $TIMPORA_DB, else the user data folder)."
CSV_COLUMNS = ("report_id", "id", "kind", "office", "date", "date_end", "time", "venue", "chair_name",
               "chair_role", "agencies", "places", "place_codes", "sites", "findings", "foreigners_found",
               "violations", "open_flags", "published", "source_url", "name")


class OutFormat(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"


class ExportFormat(str, Enum):
    jsonl = "jsonl"
    csv = "csv"


def register(app: typer.Typer) -> None:
    @app.command("search")
    def search_cmd(
        text: Optional[str] = typer.Argument(None, help="Free text (words of the report, names)."),
        agency: Optional[str] = typer.Option(None, "--agency", "-a", help="Agency code, alias or name "
                                             "('POLRES', 'Disnaker', 'Polres Muko-Muko')."),
        place: Optional[str] = typer.Option(None, "--place", "-p", help="Province, kabupaten/kota or alias "
                                            "('NTT', 'Timur Tengah Selatan')."),
        date_from: Optional[str] = typer.Option(None, "--from", help="Activity on or after (YYYY[-MM[-DD]])."),
        date_to: Optional[str] = typer.Option(None, "--to", help="Activity on or before (YYYY[-MM[-DD]])."),
        kind: Optional[str] = typer.Option(None, "--kind", "-k", help="meeting, operation, mixed, other "
                                           "(comma separated)."),
        office: Optional[str] = typer.Option(None, "--office", help="Office name contains this."),
        violations: Optional[bool] = typer.Option(None, "--violations/--no-violations",
                                                  help="Only records with / without violations found."),
        flagged: Optional[bool] = typer.Option(None, "--flagged/--not-flagged", help="Records with open flags."),
        flag_kind: Optional[str] = typer.Option(None, "--flag-kind", help="Records with an open flag of this kind."),
        unreviewed: Optional[bool] = typer.Option(None, "--unreviewed/--reviewed",
                                                  help="Records no reviewer has corrected or accepted yet."),
        fmt: OutFormat = typer.Option(OutFormat.table, "--format", "-f", help="Output format."),
        limit: int = typer.Option(50, "--limit", "-n", min=0, help="Rows to show."),
        offset: int = typer.Option(0, "--offset", min=0, help="Rows to skip."),
        db: Optional[str] = typer.Option(None, "--db", help=DB_HELP),
    ) -> None:
        """Search stored records by agency, place, date, kind, office and free text.

        Example:  timpora search --agency "Polres Muko-Muko" --from 2019-01-01
        """
        from pipeline.db import open_engine, session_scope
        from pipeline.search import SearchQuery, search

        q = SearchQuery(text=text, agency=agency, place=place, date_from=date_from, date_to=date_to, kind=kind,
                        office=office, has_violations=violations, flagged=flagged, flag_kind=flag_kind,
                        unreviewed=unreviewed, limit=limit, offset=offset)
        with session_scope(open_engine(db)) as session:
            result = search(session, q, facets=fmt is not OutFormat.csv)
        if fmt is OutFormat.json:
            sys.stdout.write(json.dumps(result.to_json(), ensure_ascii=False, indent=2) + "\n")
        elif fmt is OutFormat.csv:
            _write_csv(sys.stdout, [_csv_row(r) for r in result.rows])
        else:
            _print_result(result, q)

    @app.command("show")
    def show_cmd(
        report: str = typer.Argument(..., help="Report id (number), document id (file name without "
                                     "extension) or sha256 prefix."),
        as_json: bool = typer.Option(False, "--json", help="Print the effective record as JSON."),
        db: Optional[str] = typer.Option(None, "--db", help=DB_HELP),
    ) -> None:
        """Show a stored record with corrections applied, its evidence, flags and corrections.

        Example:  timpora show 1 --json
        """
        from pipeline.db import open_engine, session_scope
        from pipeline.store import ReportNotFound, effective_record, find_report_ids

        with session_scope(open_engine(db)) as session:
            ids = find_report_ids(session, report)
            if not ids:
                raise ReportNotFound(f"no stored report matches {report!r}")
            records = [effective_record(session, rid) for rid in ids]
        if as_json:
            data = records[0] if len(records) == 1 else records
            sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
            return
        for i, rec in enumerate(records):
            if i:
                print()
            _print_record(rec)

    @app.command("export")
    def export_cmd(
        fmt: ExportFormat = typer.Option(ExportFormat.jsonl, "--format", "-f", help="jsonl (RECORD.md) or csv."),
        output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write here instead of stdout."),
        evidence: bool = typer.Option(False, "--evidence/--no-evidence",
                                      help="JSONL: include evidence spans and the corrections history."),
        db: Optional[str] = typer.Option(None, "--db", help=DB_HELP),
    ) -> None:
        """Export every stored record (corrections applied): JSONL per RECORD.md, ids = document ids.

        Example:  timpora export --format jsonl -o /tmp/pred.jsonl
        """
        from pipeline.db import open_engine, session_scope
        from pipeline.store import iter_effective

        fh = open(output, "w", encoding="utf-8", newline="") if output else sys.stdout
        n = 0
        try:
            with session_scope(open_engine(db)) as session:
                records = iter_effective(session, with_details=evidence)
                if fmt is ExportFormat.jsonl:
                    for rec in records:
                        fh.write(json.dumps(_export_json(rec), ensure_ascii=False) + "\n")
                        n += 1
                else:
                    rows = [_csv_row(rec) for rec in records]
                    _write_csv(fh, rows)
                    n = len(rows)
        finally:
            if output:
                fh.close()
        if output:
            print(f"exported {n} record(s) to {output}", file=sys.stderr)


def _export_json(rec: dict) -> dict:
    """RECORD.md key order first (``id`` = document id), then the store's extra keys."""
    from models.record import FIELDS

    out = {"id": rec["id"]}
    for key in FIELDS:
        out[key] = rec.get(key)
    out["flags"] = rec.get("flags", [])
    for key, value in rec.items():
        if key not in out:
            out[key] = value
    return out


def _csv_row(rec: dict) -> dict:
    chair = rec.get("chair") or {}
    agencies = [a if isinstance(a, str) else a.get("code", "") for a in rec.get("agencies") or []]
    places = rec.get("places") or []
    flags = rec.get("flags")
    open_flags = rec.get("open_flags")
    if open_flags is None and isinstance(flags, list):
        open_flags = sum(1 for f in flags if f.get("status", "open") == "open")
    return {
        "report_id": rec.get("report_id"), "id": rec.get("id"), "kind": rec.get("kind"),
        "office": rec.get("office"), "date": rec.get("date"), "date_end": rec.get("date_end"),
        "time": rec.get("time"), "venue": rec.get("venue"),
        "chair_name": chair.get("name"), "chair_role": chair.get("role"),
        "agencies": "; ".join(agencies),
        "places": "; ".join(p.get("name", "") for p in places),
        "place_codes": "; ".join(p.get("code", "") for p in places),
        "sites": "; ".join(s.get("name", "") if isinstance(s, dict) else str(s) for s in rec.get("sites") or []),
        "findings": " | ".join(f.get("text", "") if isinstance(f, dict) else str(f)
                               for f in rec.get("findings") or []),
        "foreigners_found": rec.get("foreigners_found"),
        "violations": "" if rec.get("violations") is None else str(rec["violations"]).lower(),
        "open_flags": open_flags, "published": rec.get("published"), "source_url": rec.get("source_url"),
        "name": rec.get("name"),
    }


def _write_csv(fh, rows: list[dict]) -> None:
    writer = csv.DictWriter(fh, fieldnames=CSV_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: ("" if v is None else v) for k, v in row.items()})
    fh.flush()


def _print_result(result, q) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(width=max(120, Console().width))
    table = Table("id", "date", "kind", "office", "place", "chair", "agencies", "flags",
                  title=f"{result.total} record(s)" + (f", showing {q.offset + 1}-{q.offset + len(result.rows)}"
                                                       if result.rows and result.total > len(result.rows) else ""))
    for r in result.rows:
        table.add_row(str(r["report_id"]), r["date"] or "", r["kind"], r["office"] or "",
                      ", ".join(p["name"] for p in r["places"]), ((r["chair"] or {}).get("name") or ""),
                      " ".join(r["agencies"]), str(r["open_flags"] or ""))
    console.print(table)
    for name, items in result.facets.items():
        if items:
            shown = ", ".join(f"{label} ({count})" if str(label) == str(value) else f"{label} [{value}] ({count})"
                              for value, label, count in items[:12])
            console.print(f"[bold]{name}[/bold]: {shown}", highlight=False)


def _print_record(rec: dict) -> None:
    from rich.console import Console

    console = Console(highlight=False)
    console.print(f"[bold]report {rec['report_id']}[/bold]  {rec['id']}  ({rec['name']}, {rec['status']})")
    if rec.get("status") != "stored":
        console.print(f"  failed: {rec.get('failure_reason')}")
        return
    corrected = set(rec.get("corrected_fields") or [])
    from models.record import FIELDS

    for f in FIELDS:
        value = rec.get(f)
        if isinstance(value, list):
            shown = "; ".join(_item(v) for v in value) or "-"
        elif isinstance(value, dict):
            shown = ", ".join(f"{k}={v}" for k, v in value.items() if v)
        else:
            shown = "-" if value is None else str(value)
        mark = " [corrected]" if f in corrected else ""
        console.print(f"  {f:<17}{shown}{mark}")
    if rec.get("evidence"):
        console.print("[bold]evidence[/bold]")
        for field, items in rec["evidence"].items():
            for e in items:
                where = f" p.{e['page']}" if e.get("page") else ""
                console.print(f"  {field:<17}[{e['start']}:{e['end']}]{where} {e['text']!r} ({e.get('rule', '')})")
    if rec.get("flags"):
        console.print("[bold]flags[/bold]")
        for fl in rec["flags"]:
            console.print(f"  {fl['status']:<9}{fl['field']}: {fl['kind']}: {fl.get('message', '')}")
    if rec.get("corrections"):
        console.print("[bold]corrections[/bold]")
        for c in rec["corrections"]:
            note = f" ({c['note']})" if c.get("note") else ""
            console.print(f"  {c['created_at']} {c['reviewer']}: {c['action']} {c['field']}: "
                          f"{json.dumps(c['old_value'], ensure_ascii=False)} -> "
                          f"{json.dumps(c['new_value'], ensure_ascii=False)}{note}")


def _item(value) -> str:
    if isinstance(value, dict):
        for key in ("code", "name", "text"):
            if key in value:
                extra = f" ({value['name']})" if key == "code" and value.get("name") else ""
                return f"{value[key]}{extra}"
    return str(value)
