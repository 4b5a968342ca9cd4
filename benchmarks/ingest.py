"""Benchmark: ``timpora ingest`` (Prefect flow + store) against ``timpora extract`` alone.

    .venv/bin/python benchmarks/ingest.py [--docs 10000] [--batch-size 50] [--samples]

Generates ``--docs`` distinct reports in a temporary folder (the dev corpus texts, each
with a unique serial-number line appended: generated now, never committed), ingests them
into a fresh SQLite store, then times ``timpora extract`` over the same files. Prints the
docs/s of both, their ratio (target: ingest time / extract time <= 1.5) and the peak
memory of the ingest process (target < 1 GiB) after the first 1,000 stored reports and at
the end (it should stay flat). ``--samples`` also times a cold ``timpora ingest samples/``
into a fresh store (target < 20 s).
"""
from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEV_DOCS = ROOT.parent / "shared" / "corpus" / "dev" / "docs"
TIMPORA = str(Path(sys.executable).parent / "timpora")


def generate(folder: Path, n: int, source: Path = DEV_DOCS) -> int:
    texts = [p.read_text(encoding="utf-8") for p in sorted(source.glob("*.txt"))]
    if not texts:
        raise SystemExit(f"no .txt reports in {source}")
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        base = texts[i % len(texts)].rstrip("\n")
        (folder / f"r{i:06d}.txt").write_text(f"{base}\n\nNomor seri arsip: BENCH-{i:06d}\n", encoding="utf-8")
    return n


class Watcher:
    """Samples the RSS of a process tree (and the stored-report count) while it runs."""

    def __init__(self, pid: int, db_file: Path | None = None, mark: int = 1000):
        import psutil

        self.proc = psutil.Process(pid)
        self.db_file = db_file
        self.mark = mark
        self.peak_main = self.peak_tree = 0
        self.peak_main_at_mark = self.peak_tree_at_mark = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    def _stored(self) -> int:
        if self.db_file is None or not self.db_file.exists():
            return 0
        try:
            with sqlite3.connect(f"file:{self.db_file}?mode=ro", uri=True, timeout=1) as conn:
                return conn.execute("SELECT count(*) FROM reports").fetchone()[0]
        except sqlite3.Error:
            return 0

    def _run(self) -> None:
        import psutil

        last_count = 0.0
        while not self._stop.is_set():
            try:
                main = self.proc.memory_info().rss
                tree = main + sum(c.memory_info().rss for c in self.proc.children(recursive=True))
            except psutil.Error:
                break
            self.peak_main = max(self.peak_main, main)
            self.peak_tree = max(self.peak_tree, tree)
            now = time.monotonic()
            if self.peak_main_at_mark is None and now - last_count > 1.0:
                last_count = now
                if self._stored() >= self.mark:
                    self.peak_main_at_mark, self.peak_tree_at_mark = self.peak_main, self.peak_tree
            time.sleep(0.1)


def timed(cmd: list[str], *, env: dict, db_file: Path | None = None, stdout=subprocess.DEVNULL):
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=stdout, stderr=subprocess.PIPE, text=True)
    with Watcher(proc.pid, db_file) as w:
        _, err = proc.communicate()
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        sys.stderr.write(err[-3000:])
        raise SystemExit(f"{' '.join(cmd[:3])} failed with status {proc.returncode}")
    return elapsed, w


def gib(n: int | None) -> str:
    return "n/a" if n is None else f"{n / 2**30:.2f} GiB"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=10_000, help="number of reports to generate (default 10000)")
    ap.add_argument("--batch-size", type=int, default=50)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--samples", action="store_true", help="also time a cold 'timpora ingest samples/'")
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = ap.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="timpora-bench-"))
    env = {**os.environ, "PREFECT_LOGGING_LEVEL": "WARNING"}
    env.pop("TIMPORA_DB", None)
    try:
        t0 = time.perf_counter()
        n = generate(work / "docs", args.docs)
        print(f"generated {n} reports in {time.perf_counter() - t0:.1f} s ({work / 'docs'})", flush=True)

        db_file = work / "bench.sqlite"
        t_ingest, w = timed([TIMPORA, "ingest", str(work / "docs"), "--db", str(db_file), "-q",
                             "--batch-size", str(args.batch_size), "--workers", str(args.workers)],
                            env=env, db_file=db_file)
        with sqlite3.connect(db_file) as conn:
            stored = conn.execute("SELECT count(*) FROM reports WHERE status = 'stored'").fetchone()[0]
        print(f"ingest : {t_ingest:8.1f} s  {n / t_ingest:7.1f} docs/s  ({stored} stored)", flush=True)
        print(f"         peak RSS after 1k stored: {gib(w.peak_main_at_mark)} (process), "
              f"{gib(w.peak_tree_at_mark)} (with Prefect server)")
        print(f"         peak RSS at the end     : {gib(w.peak_main)} (process), "
              f"{gib(w.peak_tree)} (with Prefect server)", flush=True)

        t_extract, we = timed([TIMPORA, "extract", str(work / "docs"), "--format", "jsonl", "--no-evidence"],
                              env=env)
        print(f"extract: {t_extract:8.1f} s  {n / t_extract:7.1f} docs/s  (peak RSS {gib(we.peak_main)})")
        ratio = t_ingest / t_extract
        print(f"ratio ingest/extract time: {ratio:.2f}  (target <= 1.5: {'ok' if ratio <= 1.5 else 'MISSED'})")
        flat = w.peak_main_at_mark is not None and w.peak_main <= 1.25 * w.peak_main_at_mark
        print(f"memory: < 1 GiB: {'ok' if w.peak_main < 2**30 else 'MISSED'}; "
              f"flat 1k -> {n}: {'ok' if flat else 'n/a' if w.peak_main_at_mark is None else 'MISSED'}")

        if args.samples:
            samples = ROOT / "samples"
            cold_db = work / "cold.sqlite"
            t_cold, _ = timed([TIMPORA, "ingest", str(samples), "--db", str(cold_db), "-q"], env=env)
            print(f"cold 'timpora ingest samples/' into a fresh store: {t_cold:.1f} s "
                  f"(target < 20 s: {'ok' if t_cold < 20 else 'MISSED'})")
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
