"""Two processes writing to the same database at once lose nothing and duplicate nothing."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select

from models.orm import RecordRow, Report, SearchDoc
from pipeline.db import session_scope

ROOT = Path(__file__).resolve().parents[1]

WRITER = r"""
import sys
from models.record import Agency, Place, Record
from pipeline.db import open_engine, session_scope
from pipeline.read import read_bytes
from pipeline.store import save_report

url, who, n, shared = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
engine = open_engine(url)
names = [f"{who}-{i}" for i in range(n)] + [f"bersama-{i}" for i in range(shared)]
for name in names:
    src = read_bytes(f"Laporan pengawasan orang asing nomor {name}.".encode(), name + ".txt")
    rec = Record(id=name, kind="operation", date="2020-01-02", agencies=[Agency("POLRES", "Polres")],
                 places=[Place("Kabupaten Mukomuko", "17.06")])
    with session_scope(engine) as s:
        save_report(s, src, rec)
print("ok")
"""


def test_two_writer_processes_lose_nothing(engine, db_url):
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, db_url, who, "25", "10"], cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for who in ("satu", "dua")]
    outs = [p.communicate(timeout=240) for p in procs]
    for p, (out, err) in zip(procs, outs):
        assert p.returncode == 0, err[-2000:]
        assert out.strip() == "ok"
    with session_scope(engine) as s:
        n_reports = s.scalar(select(func.count()).select_from(Report))
        n_records = s.scalar(select(func.count()).select_from(RecordRow))
        n_docs = s.scalar(select(func.count()).select_from(SearchDoc))
        doc_ids = set(s.scalars(select(Report.doc_id)))
    assert n_reports == n_records == n_docs == 60
    assert {f"satu-{i}" for i in range(25)} | {f"dua-{i}" for i in range(25)} <= doc_ids
