"""Compare the metadata ingestion derives from the text of each eval/corpus_ext document with PROVENANCE.tsv.

    python eval/check_meta.py            # per-field counts of documents that match, then the mismatches
    python eval/check_meta.py --dump DIR # also write each cleaned text to DIR/<file>.txt (to read the noise)

PROVENANCE values carry notes in brackets ("名医主刀（企业新闻页）", "全国（北京）"); a derived value matches when
it equals the value without its notes, or (title, issuer) when one contains the other after normalising.
"""
from __future__ import annotations

import argparse
import csv
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.ingest import LoadError, ingest_file  # noqa: E402
from assistant.textnorm import t2s  # noqa: E402

EXT = ROOT / "eval" / "corpus_ext"
FIELDS = ("title", "issuer", "place", "kind")


def _norm(s: str) -> str:
    return re.sub(r"[\W_]+", "", t2s(s or "")).lower()


def _core(s: str) -> str:
    """The value without its bracketed notes and anything after a first comma."""
    s = re.sub(r"[（(][^（）()]*[）)]", "", s or "")
    return re.split(r"[，,]", s)[0].strip()


def matches(field: str, got: str, truth: str) -> bool:
    if not got:
        return False
    if field == "kind":
        return got == truth
    if field == "place":
        options = {_core(truth)} | set(_core(truth).split("、"))
        return got in options or _norm(got).rstrip("省") in {_norm(o).rstrip("省") for o in options}
    g, whole, core = _norm(got), _norm(truth), _norm(_core(truth))
    if len(g) < 2 or not core:
        return False
    return g == core or g in whole or core in g or (field == "title" and len(g) >= 8 and g in whole)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dump", help="write each cleaned text to this folder")
    ap.add_argument("--quiet", action="store_true", help="counts only")
    args = ap.parse_args()
    start = time.process_time()
    with open(EXT / "PROVENANCE.tsv", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    ok = {k: 0 for k in FIELDS}
    by_split: dict[str, dict[str, int]] = {}
    misses: list[str] = []
    for row in rows:
        try:
            doc = ingest_file(EXT / row["file"], row["file"], None)
        except LoadError as exc:
            misses.append(f"{row['file']}: not loaded ({exc})")
            continue
        got = {"title": doc.title, "issuer": doc.issuer, "place": doc.region, "kind": doc.kind}
        for k in FIELDS:
            split = by_split.setdefault(row["split"], {"n": 0} | {f: 0 for f in FIELDS})
            split["n"] += k == FIELDS[0]
            if matches(k, got[k], row[k]):
                ok[k] += 1
                split[k] += 1
            else:
                misses.append(f"{row['split']:5s} {row['file'][:36]:36s} {k:6s} got {got[k]!r:30s} want {row[k]!r}")
        if args.dump:
            Path(args.dump).mkdir(parents=True, exist_ok=True)
            (Path(args.dump) / f"{row['file']}.txt").write_text(doc.text, encoding="utf-8")
    print("all    " + "  ".join(f"{k} {ok[k]}/{len(rows)}" for k in FIELDS))
    for name, c in sorted(by_split.items()):
        print(f"{name:6s} " + "  ".join(f"{k} {c[k]}/{c['n']}" for k in FIELDS))
    if not args.quiet:
        print("\n".join(misses))
    print(f"cpu {time.process_time() - start:.1f}s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
