#!/usr/bin/env python3
"""Train the learned evidence scorer (assistant/answer/scorer.py) from question files with gold quotes.

    python eval/train_scorer.py --index index                        # the default training files below
    python eval/train_scorer.py --index index eval/questions.jsonl:dev eval/questions_ext_train.jsonl ...

A candidate sentence (from the passages the answerer reads) is positive when it overlaps a gold quote of its
question; the other candidates that share words with the question are its hard negatives (all candidates of an
unanswerable question are negatives). Features are those the answerer computes (scorer.FEATURES).

Dev figures are cross-validated by file (each file is scored by a model fitted without it): top-1 precision of the
rule order and of the learned order, and the abstention curve from which the threshold is chosen. The shipped
model is then fitted on every file. Deterministic: the same files and index give the same JSON. Files named
*_test* and blind8 (held out for measurement) are refused.
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

from assistant.answer.analyze import analyze  # noqa: E402
from assistant.answer.evidence import candidate_sentences, score_sentences  # noqa: E402
from assistant.answer.scorer import (DEFAULT_PATH, FEATURES, LearnedScorer, features, fit_listwise,  # noqa: E402
                                     fit_logistic)
from assistant.config import load_settings  # noqa: E402
from assistant.evaluation.metrics import SpanLocator  # noqa: E402
from assistant.evaluation.questions import load_questions, select_split  # noqa: E402

DEFAULT_FILES = ["eval/questions.jsonl:dev", "eval/questions_dev2.jsonl", "eval/questions_dev3.jsonl",
                 "eval/questions_dev4.jsonl", "eval/questions_holdout.jsonl", "eval/questions_blind.jsonl",
                 *(f"eval/questions_blind{i}.jsonl" for i in range(2, 8))]
HELD_OUT = ("_test", "blind8")
GRID = [round(0.01 * i, 2) for i in range(0, 81)]
FALSE_ABSTENTION_COST = 3.0  # a wrongly declined answerable question costs three missed abstentions


# Per-question fields kept beside the feature arrays (in the cache's JSON part).
META_KEYS = ("file", "qid", "question", "answerable", "text")


def parse_files(specs: list[str]) -> list[tuple[str, str]]:
    """"path[:split]" -> (path, split); held-out files are refused before anything is read."""
    out = []
    for spec in specs:
        path, _, split = spec.partition(":")
        if any(h in Path(path).name for h in HELD_OUT):
            raise SystemExit(f"refused: {path} is held out for measurement (never train or tune on it)")
        out.append((path, split or "all"))
    return out


def collect(assistant, files: list[tuple[str, str]]) -> dict:
    """Per question: its file, answerability, candidate features, labels and rule scores."""
    answerer = assistant.answerer
    docs = assistant._docs
    answerer._prepare(docs)
    locator = SpanLocator.from_index(assistant.index)
    scorer, answerer.scorer = answerer.scorer, None  # the rule scores, for comparison and as features
    rows: dict[str, list] = {k: [] for k in (*META_KEYS, "x", "y", "rule", "share")}
    try:
        for path, split in files:
            for q in select_split(load_questions(path).questions, split):
                info = analyze(q.question, answerer._terms)
                hits = assistant._evidence(q.question)
                sents = candidate_sentences(hits[: answerer.pool], docs)
                if not sents:
                    continue
                ranked = score_sentences(info, sents, answerer._idf, answerer.lexicon.tokenize,
                                         answerer.lexicon.expand_terms, doc_terms=answerer._focus.naming_terms(info.terms))
                ranked = answerer._by_meaning(q.question, ranked, info)
                gold = [sp for spans in locator.gold_spans(q.gold) for sp in spans]
                labels = [any(g.source == docs[s.doc_id].source and s.start < g.end and g.start < s.end for g in gold)
                          for s in ranked]
                rows["file"].append(path)
                rows["qid"].append(q.id)
                rows["question"].append(q.question)
                rows["answerable"].append(bool(q.answerable))
                rows["x"].append(features(info, ranked, answerer._doc_lengths))
                rows["y"].append(np.array(labels, dtype=float))
                rows["rule"].append(np.array([s.score for s in ranked]))
                rows["share"].append(np.array([s.coverage > 0 for s in ranked]))
                rows["text"].append([s.text for s in ranked])  # the cross-encoder's input (eval/train_cross.py)
    finally:
        answerer.scorer = scorer
    return rows


def training_arrays(rows: dict, keep: list[int], negatives: str) -> tuple[np.ndarray, ...]:
    xs, ys, gs, rs = [], [], [], []
    for i in keep:
        y = rows["y"][i]
        mask = np.ones(len(y), dtype=bool) if negatives == "all" else (rows["share"][i] | (y > 0))
        xs.append(rows["x"][i][mask])
        ys.append(y[mask])
        gs.append(np.full(int(mask.sum()), i))
        rs.append(rows["rule"][i][mask] if "rule" in rows else np.zeros(int(mask.sum())))
    return np.vstack(xs), np.concatenate(ys), np.concatenate(gs), np.concatenate(rs)


def fit(rows: dict, keep: list[int], l2: float, negatives: str, kind: str, threshold: float = 0.0) -> LearnedScorer:
    """pointwise: logistic regression on the labels. listwise: a ranking score (softmax per question), then
    calibrated to a probability by a logistic fit on that score (Platt), which keeps the model one logistic."""
    x, y, g, rule = training_arrays(rows, keep, negatives)
    if kind == "pointwise":
        coef, bias, mean, std = fit_logistic(x, y, l2=l2)
    else:
        beta, mean, std = fit_listwise(x, y, g, l2=l2)
        score = ((x - mean) / std) @ beta
        a, b, m1, s1 = fit_logistic(score[:, None], y, l2=0.0)
        # p = sigmoid(a * (score - m1) / s1 + b) = sigmoid(score * a/s1 + (b - a m1 / s1))
        k = float(a[0] / s1[0])
        coef, bias = beta * k, float(b - k * m1[0])
    # The learned logit on the rule scores' scale (least squares), for the answerer's relative thresholds.
    z = ((x - mean) / std) @ coef + bias
    slope, intercept = np.polyfit(z, rule, 1) if rule.std() > 0 else (1.0, 0.0)
    return LearnedScorer(coef, bias, mean, std, threshold, max(float(slope), 1e-3), float(intercept))


def top1(rows: dict, idx: list[int], scores: list[np.ndarray]) -> float:
    """Share of answerable questions with a gold-overlapping candidate whose best-scored candidate overlaps gold."""
    hits = [bool(rows["y"][i][int(np.argmax(scores[i]))]) for i in idx]
    return float(np.mean(hits)) if hits else float("nan")


def abstention_curve(conf: list[float], answerable: list[bool], gate: list[str]) -> list[dict]:
    """For each threshold t: abstain when another check declines, or the floor is consulted and conf < t."""
    n_un = sum(1 for a in answerable if not a) or 1
    n_ans = sum(1 for a in answerable if a) or 1
    out = []
    for t in GRID:
        abst = [g == "check" or (g in ("floor", "passed") and c < t) for c, g in zip(conf, gate)]
        tp = sum(1 for a, b in zip(abst, answerable) if a and not b)
        fp = sum(1 for a, b in zip(abst, answerable) if a and b)
        out.append({"t": t, "abstention": tp / n_un, "false_abstention": fp / n_ans,
                    "precision": tp / (tp + fp) if tp + fp else 1.0})
    return out


def choose(curve: list[dict]) -> dict:
    return max(curve, key=lambda r: (r["abstention"] - FALSE_ABSTENTION_COST * r["false_abstention"], -r["t"]))


def save_cache(path: str, files, rows: dict) -> None:
    sizes = [len(y) for y in rows["y"]]
    np.savez(path + ".npz", x=np.vstack(rows["x"]), y=np.concatenate(rows["y"]), rule=np.concatenate(rows["rule"]),
             share=np.concatenate(rows["share"]), sizes=np.array(sizes))
    Path(path + ".json").write_text(json.dumps({"files": [list(f) for f in files], **{
        k: rows[k] for k in META_KEYS}}, ensure_ascii=False), encoding="utf-8")


def load_cache(path: str, files) -> dict | None:
    """The rows saved for the same files, or None (features must then be collected)."""
    try:
        meta = json.loads(Path(path + ".json").read_text(encoding="utf-8"))
        arrays = np.load(path + ".npz", allow_pickle=False)
    except (OSError, ValueError):
        return None
    if meta["files"] != [list(f) for f in files] or arrays["x"].shape[1] != len(FEATURES) or any(
            k not in meta for k in META_KEYS):
        return None
    cuts = np.cumsum(arrays["sizes"])[:-1]
    rows = {k: meta[k] for k in META_KEYS}
    for k in ("x", "y", "rule", "share"):
        rows[k] = np.split(arrays[k], cuts)
    return rows


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("files", nargs="*", help="question files, path[:dev|test|all] (default: the seeds' dev sets)")
    ap.add_argument("--index", default="index")
    ap.add_argument("--out", default=str(DEFAULT_PATH))
    ap.add_argument("--l2", type=float, default=1.0)
    ap.add_argument("--negatives", choices=["sharing", "all"], default="sharing")
    ap.add_argument("--model", choices=["listwise", "pointwise"], default="listwise")
    ap.add_argument("--cache", default="", help="features collected once are kept here (npz + json) and reused")
    ap.add_argument("--no-abstention", action="store_true", help="skip the abstention pass (ranking figures only)")
    ap.add_argument("--threshold", type=float, default=0.0, help="with --no-abstention: the threshold to ship")
    ap.add_argument("--seed", type=int, default=0, help="fixes the fold order (the fit itself is deterministic)")
    ap.add_argument("--report", default="", help="also write the dev figures and curve here (JSON)")
    args = ap.parse_args()
    files = parse_files(args.files or DEFAULT_FILES)
    cpu0, wall0 = time.process_time(), time.perf_counter()

    from assistant.pipeline import Assistant

    settings = load_settings(env={}, overrides={"scorer": "rules", "query_cache": 0})
    assistant = Assistant.from_settings(settings, args.index)
    rows = load_cache(args.cache, files) if args.cache else None
    if rows is None:
        rows = collect(assistant, files)
        if args.cache:
            save_cache(args.cache, files, rows)
    cpu_collect = time.process_time() - cpu0
    n = len(rows["y"])
    answerable_idx = [i for i in range(n) if rows["answerable"][i] and rows["y"][i].any()]
    print(f"{n} questions from {len(files)} files; {sum(len(y) for y in rows['y'])} candidates, "
          f"{int(sum(y.sum() for y in rows['y']))} positive; {len(answerable_idx)} answerable with gold in the pool")

    # Cross-validation by file: each file's questions are scored by a model that never saw that file.
    order = sorted(set(rows["file"]))
    np.random.default_rng(args.seed).shuffle(order)
    fold_model: dict[str, LearnedScorer] = {}
    oof: list[np.ndarray] = [np.zeros(0)] * n
    for f in order:
        keep = [i for i in range(n) if rows["file"][i] != f]
        model = fold_model[f] = fit(rows, keep, args.l2, args.negatives, args.model)
        for i in range(n):
            if rows["file"][i] == f:
                oof[i] = model.probabilities(rows["x"][i])
    rule_top1, learned_top1 = top1(rows, answerable_idx, rows["rule"]), top1(rows, answerable_idx, oof)
    print(f"dev (cross-validated by file): top-1 evidence precision rules {rule_top1:.3f}, learned {learned_top1:.3f}")
    per_file = []
    for f in sorted(set(rows["file"])):
        idx = [i for i in answerable_idx if rows["file"][i] == f]
        per_file.append(f"{Path(f).stem.replace('questions_', '')} {top1(rows, idx, rows['rule']):.2f}/"
                        f"{top1(rows, idx, oof):.2f}")
    print("  per file (rules/learned):", ", ".join(per_file))

    # Abstention, cross-validated: each question answered by its fold's model with the floor open (threshold 0).
    curve, best = [], {"t": args.threshold, "abstention": float("nan"), "false_abstention": float("nan")}
    if not args.no_abstention:
        answerer = assistant.answerer
        conf, gate, answerable = [], [], []
        for i in range(n):
            m = fold_model[rows["file"][i]]
            answerer.scorer = LearnedScorer(m.coef, m.bias, m.mean, m.std, 0.0, m.scale, m.offset)
            ans = assistant.ask(rows["question"][i])
            conf.append(ans.confidence if ans.confidence is not None else 0.0)
            gate.append(ans.gate)
            answerable.append(rows["answerable"][i])
        answerer.scorer = None
        curve = abstention_curve(conf, answerable, gate)
        best = choose(curve)

    final = fit(rows, list(range(n)), args.l2, args.negatives, args.model, threshold=best["t"])
    cpu = time.process_time() - cpu0
    dev = {"questions": n, "answerable_with_gold_in_pool": len(answerable_idx),
           "top1_rules": round(rule_top1, 4), "top1_learned_cv": round(learned_top1, 4),
           "threshold": best["t"], "abstention_cv": None if np.isnan(best["abstention"]) else round(best["abstention"], 4),
           "false_abstention_cv": None if np.isnan(best["false_abstention"]) else round(best["false_abstention"], 4)}
    meta = {"trained_on": [f"{p}:{s}" for p, s in files], "l2": args.l2, "negatives": args.negatives, "fit": args.model,
            "seed": args.seed, "dev_cv": dev}
    model = LearnedScorer(final.coef, final.bias, final.mean, final.std, best["t"], final.scale, final.offset, meta=meta)
    Path(args.out).write_text(json.dumps(model.to_dict(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    if args.report:
        Path(args.report).write_text(json.dumps({"dev": dev, "curve": curve}, ensure_ascii=False, indent=1),
                                     encoding="utf-8")
    if curve:
        print(f"abstention threshold {best['t']:.2f}: abstention {best['abstention']:.3f}, false abstention "
              f"{best['false_abstention']:.3f} (cross-validated)")
        print("  t     abstention  false_abst  precision")
        for r in curve[::5]:
            print(f"  {r['t']:.2f}  {r['abstention']:.3f}       {r['false_abstention']:.3f}       {r['precision']:.3f}")
    weights = sorted(zip(FEATURES, model.coef), key=lambda kv: -abs(kv[1]))
    print("weights (standardised):", ", ".join(f"{k} {v:+.2f}" for k, v in weights))
    print(f"CPU time {cpu:.1f} s (collecting features {cpu_collect:.1f} s), wall {time.perf_counter() - wall0:.1f} s "
          f"on {os.cpu_count()} cores; load {os.getloadavg()[0]:.1f}; wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
