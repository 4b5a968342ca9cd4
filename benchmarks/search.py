"""Store and search benchmark on synthetic records (SQLite and PostgreSQL).

    .venv/bin/python benchmarks/search.py [--records 100000] [--db sqlite|postgresql|both]
                                          [--pg postgresql+psycopg://postgres@127.0.0.1:5432/test]

Generates plausible records (random agencies with jurisdictions, kabupaten/kota of the
region list, dates 2015-2025, kinds, short Indonesian texts), bulk-inserts them with
``pipeline.store.save_many`` (executemany / COPY) and reports records/s, then p50/p95 latency
of an agency filter, a province filter with facets and two kinds of free-text query:

* "free text: name or place": what users type, a person's name ("Hendra Siregar") or a
  town's name ("Mukomuko"), a few hundred matches in 100,000 records;
* "free text: 2 common words": two random words of the synthetic vocabulary, which every
  synthetic text is drawn from, so they match about 60 % of all records: a worst case kept
  for honesty (its exact total is counted), not a typical query.

PostgreSQL runs in a throw-away schema that is dropped at the end; SQLite in a temporary file.

Besides wall-clock figures it prints the CPU time the work took: this process's (on SQLite
that includes the database's work) and, for a PostgreSQL server on this machine, its backend's
(from ``/proc``). On a machine shared with other busy processes the latencies and records/s
swing with their load, while the CPU times stay put: they tell a slow query from a slow run.
"""
from __future__ import annotations

import argparse
import hashlib
import os
import random
import secrets
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from models.record import Agency, Chair, Place, Record  # noqa: E402

WORDS = ("rapat koordinasi tim pengawasan orang asing kabupaten kota imigrasi kepolisian pemerintah daerah "
         "operasi gabungan hotel perusahaan perkebunan tenaga kerja asing izin tinggal paspor pelanggaran "
         "deportasi pemeriksaan dokumen warga negara tiongkok korea jepang india australia malaysia "
         "sosialisasi desa binaan pelabuhan bandara kecamatan aula kantor kesbangpol bupati camat").split()
NAMES = "Andi Budi Citra Dewi Eko Fajar Gita Hendra Indah Joko Kartika Lukman Maya Nanda Oki Putri".split()
SURNAMES = "Saputra Wijaya Santoso Lestari Pratama Siregar Nainggolan Hasibuan Manurung Tanjung".split()
KINDS = ("meeting", "operation", "mixed", "other")
AGENCY_CODES = ("KANIM", "POLRES", "KODIM", "PEMDA", "DISNAKER", "KEJARI", "POLSEK", "KORAMIL", "BIN",
                "DUKCAPIL", "KESBANGPOL", "KANWIL_IMIGRASI", "POLDA", "SATPOL_PP", "KEMENAG")


@dataclass
class SyntheticSource:
    id: str
    name: str
    text: str
    sha256: str
    size: int
    format: str = "txt"
    published: str | None = None
    source_url: str | None = None
    path: str | None = None
    member: str | None = None
    blocks: list = field(default_factory=list)
    properties: dict = field(default_factory=dict)


def _regencies():
    from extractors.regions import regions

    return [r for r in regions(levels=("kabupaten", "kota"))]


def generate(n: int, seed: int = 7):
    rnd = random.Random(seed)
    regs = _regencies()
    out = []
    for i in range(n):
        place = rnd.choice(regs)
        kind = rnd.choices(KINDS, weights=(5, 4, 1, 1))[0]
        year = rnd.randint(2015, 2025)
        day = f"{year}-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}"
        town = place.name.split(" ", 1)[-1]
        codes = rnd.sample(AGENCY_CODES, rnd.randint(2, 6))
        agencies = [Agency(c, f"{c.title()} {town}", place.code if c in ("POLRES", "KODIM", "PEMDA", "KEJARI")
                           else None) for c in codes]
        text = " ".join(rnd.choice(WORDS) for _ in range(rnd.randint(40, 90)))
        text = f"{'Rapat' if kind == 'meeting' else 'Operasi'} TIMPORA {place.name}. {text}."
        doc_id = f"syn-{i:06d}"
        src = SyntheticSource(id=doc_id, name=f"{doc_id}.txt", text=text,
                              sha256=hashlib.sha256(f"{seed}:{i}:{text}".encode()).hexdigest(),
                              size=len(text.encode()), published=day)
        rec = Record(id=doc_id, kind=kind, office=f"Kantor Imigrasi Kelas I TPI {town}", date=day,
                     chair=Chair(f"{rnd.choice(NAMES)} {rnd.choice(SURNAMES)}", "Kepala Kantor"),
                     agencies=agencies, places=[Place(place.name, place.code)],
                     sites=[f"PT {rnd.choice(WORDS).title()} {rnd.choice(WORDS).title()}"] if kind != "meeting" else [],
                     findings=[f"ditemukan {rnd.randint(0, 12)} WNA"] if kind != "meeting" else [],
                     foreigners_found=rnd.randint(0, 12) if kind != "meeting" else None,
                     violations=rnd.choice((True, False, None)))
        out.append((src, rec))
    return out


def _backend_pid(session) -> int | None:
    """The PostgreSQL backend serving ``session`` (None on SQLite)."""
    conn = session.connection()
    if conn.dialect.name != "postgresql":
        return None
    return conn.connection.driver_connection.info.backend_pid


def _cpu_of(pid: int | None) -> float:
    """CPU seconds used so far by process ``pid`` (0 when unknown or not on this machine), so
    that the server's share of the work shows apart from the load of other processes."""
    if pid is None:
        return 0.0
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, AttributeError):
        return 0.0


def _pct(values, p):
    values = sorted(values)
    k = max(0, min(len(values) - 1, round(p / 100 * (len(values) - 1))))
    return values[k]


def run(url: str, label: str, items, repeat: int) -> None:
    from pipeline.db import open_engine, session_scope
    from pipeline.search import SearchQuery, search
    from pipeline.store import save_many

    engine = open_engine(url)
    t0, c0 = time.perf_counter(), time.process_time()
    chunk = 2000
    server_cpu = 0.0
    for i in range(0, len(items), chunk):
        with session_scope(engine) as s:
            pid = _backend_pid(s)
            before = _cpu_of(pid)
            save_many(s, items[i:i + chunk])
        server_cpu += _cpu_of(pid) - before
    dt, cpu = time.perf_counter() - t0, time.process_time() - c0
    server = f", server backend's CPU: {server_cpu:.1f} s" if engine.dialect.name == "postgresql" else ""
    print(f"[{label}] inserted {len(items):,} records in {dt:.1f} s = {len(items) / dt:,.0f} records/s "
          f"(this process's CPU: {cpu:.1f} s{server})")
    # statistics (and on PostgreSQL the visibility map, for index-only scans) after the bulk load
    t = time.perf_counter()
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            conn = conn.execution_options(isolation_level="AUTOCOMMIT")
            from models.orm import Base

            quote = engine.dialect.identifier_preparer.quote  # only this schema's tables
            conn.exec_driver_sql("VACUUM ANALYZE " + ", ".join(quote(t) for t in Base.metadata.tables))
        else:
            conn.exec_driver_sql("ANALYZE")
            conn.commit()
    print(f"[{label}] {'VACUUM ANALYZE' if engine.dialect.name == 'postgresql' else 'ANALYZE'} "
          f"in {time.perf_counter() - t:.1f} s")
    rnd = random.Random(11)
    provinces = sorted({p.code[:2] for _, r in items[:2000] for p in r.places})
    towns = sorted({p.name.split(" ", 1)[-1] for _, r in items[:2000] for p in r.places})

    def name_or_place() -> SearchQuery:
        if rnd.random() < 0.5:
            return SearchQuery(text=f"{rnd.choice(NAMES)} {rnd.choice(SURNAMES)}")
        return SearchQuery(text=rnd.choice(towns))

    cases = {
        "agency filter (POLRES)": lambda: SearchQuery(agency=rnd.choice(("POLRES", "Kodim", "DISNAKER"))),
        "province filter + facets": lambda: SearchQuery(place=rnd.choice(provinces)),
        "free text: name or place": name_or_place,
        "free text: 2 common words": lambda: SearchQuery(text=rnd.choice(WORDS) + " " + rnd.choice(WORDS)),
    }
    for name, make in cases.items():
        times = []
        total = 0
        client_cpu = server_cpu = 0.0
        with_facets = name.startswith("province")
        for _ in range(repeat):
            q = make()
            with session_scope(engine) as s:
                pid = _backend_pid(s)
                before = _cpu_of(pid)
                c = time.process_time()
                t = time.perf_counter()
                res = search(s, q, facets=with_facets)
                times.append((time.perf_counter() - t) * 1000)
                client_cpu += time.process_time() - c
                server_cpu += _cpu_of(pid) - before
                total += res.total
        cpu = f"{client_cpu / repeat * 1000:.1f} ms"
        if engine.dialect.name == "postgresql":
            cpu += f" + server {server_cpu / repeat * 1000:.1f} ms"
        print(f"[{label}] {name:<27} p50 {_pct(times, 50):7.1f} ms   p95 {_pct(times, 95):7.1f} ms"
              f"   (mean hits {total / repeat:,.0f}; mean CPU {cpu})")
    engine.dispose()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--records", type=int, default=100_000)
    ap.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    ap.add_argument("--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    ap.add_argument("--repeat", type=int, default=40, help="queries per case")
    args = ap.parse_args()
    t = time.perf_counter()
    items = generate(args.records)
    print(f"generated {len(items):,} synthetic records in {time.perf_counter() - t:.1f} s")
    if args.db in ("sqlite", "both"):
        with tempfile.TemporaryDirectory() as tmp:
            run(f"sqlite:///{tmp}/bench.sqlite", "sqlite", items, args.repeat)
    if args.db in ("postgresql", "both"):
        from sqlalchemy import create_engine, text
        from sqlalchemy.engine import make_url

        schema = "bench_" + secrets.token_hex(4)
        admin = create_engine(args.pg)
        with admin.begin() as conn:
            ext = conn.scalar(text("SELECT n.nspname FROM pg_extension e JOIN pg_namespace n "
                                   "ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm'"))
            if ext is None:
                conn.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public"))
                ext = "public"
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = make_url(args.pg).update_query_dict({"options": f"-csearch_path={schema},{ext}"})
        try:
            run(url.render_as_string(hide_password=False), "postgresql", items, args.repeat)
        finally:
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
