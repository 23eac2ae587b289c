#!/usr/bin/env python3
"""Record, per question, the evidence the premise check sees (for eval/train_premise.py); the slow half of training.

    python eval/collect_premise.py --index eval/out/ext/index eval/questions_ext_train.jsonl --out eval/out/premise/train.jsonl

Each question is answered once by the extractive answerer with the rule scorer; at the point where the rule premise
checks run, the question and its top ranked sentences are recorded with the rules' verdict. The learned premise
model is switched off while recording, so the records do not depend on the model being trained. Files named
*_test* and blind8 are refused.
"""
from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.answer import extractive  # noqa: E402
from assistant.config import load_settings  # noqa: E402
from assistant.evaluation.questions import load_questions  # noqa: E402
from assistant.pipeline import Assistant  # noqa: E402

HELD_OUT = ("_test", "blind8")
TOP = 6


def refuse_held_out(paths: list[str]) -> None:
    for p in paths:
        if any(h in Path(p).name for h in HELD_OUT):
            raise SystemExit(f"refused: {p} is held out for measurement (never train or tune on it)")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("files", nargs="+")
    ap.add_argument("--index", required=True)
    ap.add_argument("--out", required=True)
    args = ap.parse_args(argv)
    refuse_held_out(args.files)
    logging.basicConfig(level=logging.WARNING)
    t0 = time.process_time()
    settings = load_settings().replace(scorer="rules", query_cache=0)
    assistant = Assistant.from_settings(settings, args.index)
    seen: list[dict] = []
    original = extractive.check_premises

    def recording(info, ranked, corpus_forms, **kw):
        issue = original(info, ranked, corpus_forms, **kw)
        seen.append({"simplified": info.simplified, "qtype": info.qtype,
                     "rule_note": issue.note if issue else None,
                     "ranked": [{"text": s.text, "coverage": round(s.coverage, 4), "score": round(s.score, 4),
                                 "doc_id": s.doc_id, "start": s.start} for s in ranked[:TOP]]})
        return issue

    extractive.check_premises = recording
    answerer = assistant.answerer
    saved_model, answerer.premise_model = getattr(answerer, "premise_model", None), None
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    n = 0
    with out.open("w", encoding="utf-8") as fh:
        for path in args.files:
            for q in load_questions(path).questions:
                seen.clear()
                ans = assistant.ask(q.question)
                rec = {"file": Path(path).name, "id": q.id, "question": q.question, "category": q.category,
                       "answerable": q.answerable, "must_include": q.must_include,
                       "answer": ans.answer, "abstained": bool(ans.abstained), "premise_note": ans.premise_note,
                       "checked": seen[0] if seen else None}
                fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
                n += 1
    extractive.check_premises = original
    answerer.premise_model = saved_model
    print(f"{n} questions -> {out}; CPU {time.process_time() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
