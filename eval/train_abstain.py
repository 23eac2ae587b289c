#!/usr/bin/env python3
"""Train the learned abstainer (assistant/answer/abstain_model.py) on labelled questions; choose its threshold on dev.

    python eval/train_abstain.py --ext-index eval/out/ext/index --seed-index index
    python eval/train_abstain.py ... --cache eval/out/abstain_signals.json     # reuse the collected signals

Every question is asked once through the assistant with the rules; where the answerer reached the abstention
decision (no false premise found, the asked place in the documents), the signals of answer/abstain.py are kept with
the question's label (answerable or not). A logistic model is fitted on ext train + the seed sets (seeded, numpy
only), and its threshold chosen on ext dev: the most unanswerable questions declined for the fewest answerable
ones (a false abstention costs FALSE_ABSTENTION_COST missed ones). The precision/recall curve over thresholds is
printed and kept in the model's meta. Files named *_test* and blind8 (held out for measurement) are refused.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.answer.abstain import Check, Signals  # noqa: E402
from assistant.answer.abstain_model import FEATURES, AbstainModel, vector  # noqa: E402
from assistant.answer.abstain_model import DEFAULT_PATH  # noqa: E402
from assistant.answer.scorer import fit_logistic  # noqa: E402
from assistant.config import load_settings  # noqa: E402
from assistant.evaluation.questions import load_questions  # noqa: E402

SEED_FILES = ["eval/questions.jsonl", "eval/questions_dev2.jsonl", "eval/questions_dev3.jsonl",
              "eval/questions_dev4.jsonl", "eval/questions_holdout.jsonl", "eval/questions_blind.jsonl",
              *(f"eval/questions_blind{i}.jsonl" for i in range(2, 8))]
EXT_TRAIN = "eval/questions_ext_train.jsonl"
EXT_DEV = "eval/questions_ext_dev.jsonl"
HELD_OUT = ("_test", "blind8")
FALSE_ABSTENTION_COST = 3.0
GRID = [round(0.01 * i, 2) for i in range(1, 100)]


def refuse_held_out(paths: list[str]) -> None:
    for p in paths:
        if any(h in Path(p).name for h in HELD_OUT):
            raise SystemExit(f"refused: {p} is held out for measurement (never train or tune on it)")


def collect(index: str, files: list[str]) -> list[dict]:
    """One record per question: file, id, label, the rules' outcome, and the signals when the decision was reached."""
    from assistant.pipeline import Assistant

    assistant = Assistant.from_settings(load_settings(overrides={"scorer": "rules", "abstainer": "rules"}), Path(index))
    answerer = assistant.answerer
    answerer.keep_graded = True  # the rules decide; the model is trained on every measure
    out = []
    for path in files:
        for q in load_questions(path).questions:
            if q.answerable is None:
                continue
            ans = assistant.ask(q.question)
            sig = answerer.last_signals
            out.append({"file": path, "id": q.id, "answerable": q.answerable, "abstained": bool(ans.abstained),
                        "signals": None if sig is None else {
                            "fired": [[c.id, c.reason, c.why] for c in sig.fired], "graded": sig.graded}})
    return out


def signals_of(rec: dict) -> Signals:
    s = rec["signals"]
    return Signals([Check(*c) for c in s["fired"]], dict(s["graded"]))


def outcomes(records: list[dict], probs: dict[int, float], t: float) -> tuple[float, float, float]:
    """(abstention, false abstention, precision) with the model deciding where the rules' decision was reached.

    A question the rules passed and then declined for another reason (the evidence only repeats it) stays
    declined; outside the decision the recorded outcome stands."""
    declined = []
    for i, r in enumerate(records):
        if r["signals"] is None:
            declined.append(r["abstained"])
        else:
            rules_declined = bool(r["signals"]["fired"])
            later = r["abstained"] and not rules_declined
            declined.append(probs[i] >= t or later)
    un = [d for d, r in zip(declined, records) if not r["answerable"]]
    an = [d for d, r in zip(declined, records) if r["answerable"]]
    tp, fp = sum(un), sum(an)
    return tp / max(len(un), 1), fp / max(len(an), 1), tp / (tp + fp) if tp + fp else 1.0


def rules_outcome(records: list[dict]) -> tuple[float, float]:
    un = [r["abstained"] for r in records if not r["answerable"]]
    an = [r["abstained"] for r in records if r["answerable"]]
    return sum(un) / max(len(un), 1), sum(an) / max(len(an), 1)


def arrays(records: list[dict]) -> tuple[np.ndarray, np.ndarray, list[int]]:
    keep = [i for i, r in enumerate(records) if r["signals"] is not None]
    x = np.array([vector(signals_of(records[i])) for i in keep]).reshape(len(keep), len(FEATURES))
    y = np.array([0.0 if records[i]["answerable"] else 1.0 for i in keep])
    return x, y, keep


def probabilities(model: AbstainModel, records: list[dict]) -> dict[int, float]:
    return {i: model.probability(signals_of(r)) for i, r in enumerate(records) if r["signals"] is not None}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ext-index", default="eval/out/ext/index")
    ap.add_argument("--seed-index", default="index")
    ap.add_argument("--out", default=str(DEFAULT_PATH))
    ap.add_argument("--cache", default="", help="signals collected once are kept here (JSON) and reused")
    ap.add_argument("--l2", type=float, nargs="+", default=[0.3, 1.0, 3.0, 10.0, 30.0])
    ap.add_argument("--cost", type=float, default=FALSE_ABSTENTION_COST)
    ap.add_argument("--seed-weight", type=float, default=1.0,
                    help="weight of a seed-set question against an ext train one (the seeds' checks were written on them)")
    ap.add_argument("--seed", type=int, default=0, help="fixes numpy's generator (the Newton fit is deterministic)")
    args = ap.parse_args()
    refuse_held_out([*SEED_FILES, EXT_TRAIN, EXT_DEV])
    np.random.seed(args.seed)
    cpu0, wall0 = time.process_time(), time.perf_counter()
    cached = json.loads(Path(args.cache).read_text(encoding="utf-8")) if args.cache and Path(args.cache).exists() else None
    if cached is None:
        cached = {"train": collect(args.ext_index, [EXT_TRAIN]) + collect(args.seed_index, SEED_FILES),
                  "dev": collect(args.ext_index, [EXT_DEV])}
        if args.cache:
            Path(args.cache).parent.mkdir(parents=True, exist_ok=True)
            Path(args.cache).write_text(json.dumps(cached, ensure_ascii=False), encoding="utf-8")
    cpu_collect = time.process_time() - cpu0
    train, dev = cached["train"], cached["dev"]
    x, y, kept = arrays(train)
    weight = np.array([1.0 if train[i]["file"] == EXT_TRAIN else args.seed_weight for i in kept])
    best = None
    for l2 in args.l2:  # the regularisation, like the threshold, is chosen on ext dev
        coef_, bias_, mean_, std_ = fit_logistic(x, y, l2=l2, sample_weight=weight)
        probs_ = probabilities(AbstainModel(coef_, bias_, mean_, std_, 0.5), dev)
        for t in GRID:
            rec, fa, prec = outcomes(dev, probs_, t)
            gain = rec - args.cost * fa
            if best is None or gain > best[0] + 1e-9:
                best = (gain, l2, t)
    _, l2, _ = best
    coef, bias, mean, std = fit_logistic(x, y, l2=l2, sample_weight=weight)
    model = AbstainModel(coef, bias, mean, std, 0.5)
    probs = probabilities(model, dev)
    curve = []
    for t in GRID:
        rec, fa, prec = outcomes(dev, probs, t)
        curve.append({"t": t, "precision": round(prec, 4), "recall": round(rec, 4), "false_abstention": round(fa, 4)})
    best = next(r for r in curve if r["t"] == best[2])
    tr_probs = probabilities(model, train)
    ext_train = [r for r in train if r["file"] == EXT_TRAIN]
    tr_ext_probs = {j: tr_probs[i] for j, i in enumerate(k for k, r in enumerate(train) if r["file"] == EXT_TRAIN)
                    if i in tr_probs}
    figures = {
        "dev_rules": rules_outcome(dev), "dev_learned": outcomes(dev, probs, best["t"])[:2],
        "ext_train_rules": rules_outcome(ext_train), "ext_train_learned": outcomes(ext_train, tr_ext_probs, best["t"])[:2],
    }
    cpu = time.process_time() - cpu0
    model = AbstainModel(coef, bias, mean, std, best["t"], {
        "trained_on": [EXT_TRAIN, *SEED_FILES], "threshold_chosen_on": EXT_DEV, "l2": l2, "cost": args.cost, "seed_weight": args.seed_weight,
        "seed": args.seed, "n_train": int(len(y)), "n_train_unanswerable": int(y.sum()),
        "figures": {k: [round(v, 4) for v in f] for k, f in figures.items()}, "dev_curve": curve[4::5]})
    Path(args.out).write_text(json.dumps(model.to_dict(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"l2 {l2} (chosen on ext dev from {args.l2})")
    print("threshold  precision  recall  false_abstention   (ext dev; the model decides where the rules would)")
    for r in curve[4::5]:
        mark = "  <- chosen" if r["t"] == best["t"] else ""
        print(f"{r['t']:.2f}       {r['precision']:.3f}      {r['recall']:.3f}   {r['false_abstention']:.3f}{mark}")
    if best["t"] not in [r["t"] for r in curve[4::5]]:
        print(f"chosen {best['t']:.2f}: precision {best['precision']:.3f} recall {best['recall']:.3f} "
              f"false abstention {best['false_abstention']:.3f}")
    for k, (a, fa) in figures.items():
        print(f"{k:18s} abstention {a:.3f}  false abstention {fa:.3f}")
    weights = sorted(zip(FEATURES, coef / std), key=lambda t: -abs(t[1]))
    print("weights (per unit of feature):", ", ".join(f"{n} {w:+.2f}" for n, w in weights[:14]))
    print(f"CPU time {cpu:.1f} s (collecting signals {cpu_collect:.1f} s), wall {time.perf_counter() - wall0:.1f} s "
          f"on {os.cpu_count()} cores; wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
