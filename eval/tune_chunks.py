#!/usr/bin/env python3
"""Chunk-budget sweep: rebuild the corpus at several chunk sizes and compare retrieval and answers -> eval/out/chunks.{json,md}.

Recall counts a gold quote as found when a retrieved chunk overlaps it, which favours big chunks (more text per
hit); the answer columns and the characters shown per question keep that honest. Choose on `--split dev`.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run from a checkout without installing

from assistant.config import load_settings  # noqa: E402
from assistant.evaluation.configs import Config  # noqa: E402
from assistant.evaluation.questions import load_questions, select_split  # noqa: E402
from assistant.evaluation.runner import Evaluator  # noqa: E402
from assistant.pipeline import build_from_settings  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--sizes", default="200,300,450", help="comma-separated chunk budgets (characters)")
    ap.add_argument("--corpus", default=str(ROOT / "corpus"))
    ap.add_argument("--questions", default=str(ROOT / "eval" / "questions.jsonl"))
    ap.add_argument("--split", choices=["dev", "test", "all"], default="dev")
    ap.add_argument("--work", default=str(ROOT / "eval" / "out" / "work"), help="where the per-size indexes live")
    ap.add_argument("--out", default=str(ROOT / "eval" / "out"))
    args = ap.parse_args()

    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    questions = select_split(load_questions(args.questions).questions, args.split)
    rows = []
    for size in sizes:
        settings = load_settings(overrides={"chunk_size": size})
        index_dir = Path(args.work) / f"index-chunks-{size}"
        t0 = time.perf_counter()
        report = build_from_settings(settings, args.corpus, index_dir)
        build_s = time.perf_counter() - t0
        ev = Evaluator(settings, index_dir, Path(args.corpus), progress=lambda m: print(m, file=sys.stderr))
        plan = [Config(name=m, kind="assistant", mode=m, embedder=settings.embedder, index_dir=index_dir)
                for m in ("bm25", "dense", "hybrid")]
        results = ev.run(questions, plan)
        hyb = results["hybrid"]
        shown = [sum(e - s for _, s, e in o["retrieved"]) for o in hyb["outcomes"] if o["retrieved"]]
        row = {"chunk_size": size, "chunks": report.chunks, "build_seconds": round(build_s, 1),
               "context_chars_top5": round(statistics.mean(shown)) if shown else None}
        for name, res in results.items():
            r, a = res["summary"]["retrieval"], res["summary"]["answers"]
            row[name] = {"recall@5": r["recall@5"], "mrr": r["mrr"], "accuracy": a["accurate"],
                         "gold_cited": a["gold_cited"], "false_abstention": a["false_abstention"]}
        rows.append(row)
        print(json.dumps(row, ensure_ascii=False))

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "chunks.json").write_text(json.dumps({"split": args.split, "rows": rows}, ensure_ascii=False, indent=1))
    lines = [f"# Chunk budget sweep ({args.split} split, {len(questions)} questions)", "",
             "| chunk size | chunks | top-5 chars | bm25 R@5 | dense R@5 | hybrid R@5 | hybrid MRR | answer accuracy | gold cited |",
             "|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        h = r["hybrid"]
        lines.append(f"| {r['chunk_size']} | {r['chunks']} | {r['context_chars_top5']} | {r['bm25']['recall@5']:.3f} | "
                     f"{r['dense']['recall@5']:.3f} | {h['recall@5']:.3f} | {h['mrr']:.3f} | {h['accuracy']:.3f} | "
                     f"{h['gold_cited']:.3f} |")
    (out / "chunks.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
