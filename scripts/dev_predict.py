"""Developer helper: run extraction over the dev corpus texts and score them.

    .venv/bin/python scripts/dev_predict.py [--errors] [--field FIELD] [--corpus DIR] [--out FILE]

Reads a corpus (default ../shared/corpus/dev next to the repository; also
benchmarks/heldout*, our own written reports with gold) directly
as UTF-8, writes the predictions (default /tmp/timpora-dev.jsonl) and runs
../shared/eval/score.py on them.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DEV = ROOT.parent / "shared" / "corpus" / "dev"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--errors", action="store_true")
    ap.add_argument("--field", action="append", default=[], help="only show errors of this field")
    ap.add_argument("--out", default="/tmp/timpora-dev.jsonl")
    ap.add_argument("--corpus", type=Path, default=DEV,
                    help="a folder with manifest.jsonl, docs/ and gold/ (default: the dev corpus)")
    args = ap.parse_args()
    from pipeline.extract import extract_many

    corpus = args.corpus.resolve()
    rows = [json.loads(l) for l in (corpus / "manifest.jsonl").read_text(encoding="utf-8").splitlines() if l.strip()]
    items = [(r["id"], (corpus / r["file"]).read_text(encoding="utf-8"), r.get("published"), None) for r in rows]
    with open(args.out, "w", encoding="utf-8") as fh:
        for rec in extract_many(items):
            fh.write(json.dumps(rec.to_json(), ensure_ascii=False) + "\n")
    cmd = [sys.executable, str(DEV.parent.parent / "eval" / "score.py"), str(corpus / "gold"), args.out]
    if args.errors or args.field:
        cmd.append("--errors")
    out = subprocess.run(cmd, capture_output=True, text=True).stdout
    if args.field:
        lines = out.splitlines()
        shown = []
        for i, line in enumerate(lines):
            parts = line.split()
            if len(parts) >= 3 and "gold=" in line and parts[1] in args.field:
                shown += [line, lines[i + 1]]
        print("\n".join(shown))
        print(out[out.index("field "):])
    else:
        print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
