#!/usr/bin/env python3
"""Train the evidence cross-encoder (assistant/answer/cross_scorer.py): the first layers of e5-small, fine-tuned.

    python eval/train_cross.py --index eval/out/ext/index --cache /tmp/cross <files>      # dev report + model
    python eval/train_cross.py ... --dev-only                                           # dev report only

The candidates and labels are train_scorer.py's (a sentence is positive when it overlaps a gold quote); the encoder
reads "query: Q" and "passage: S" together and learns, per question, to put a positive first among the learned
scorer's first `--candidates` sentences (softmax over them; the input embeddings stay frozen).

Dev: the files given with --dev are held out; the linear scorer is refitted without them, the encoder trained
without them, and top-1 evidence precision reported for the linear order and for linear + weight x cross logits,
over the grid of weights; the best weight on dev is shipped. The shipped model is then trained on every file.
Seeded and deterministic on one machine; needs torch (the answerer itself runs the model in numpy). Files named
*_test* and blind8 are refused.
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "eval"))

from train_scorer import DEFAULT_FILES, collect, fit, load_cache, parse_files, save_cache  # noqa: E402

from assistant.answer.cross_scorer import DEFAULT_PATH, CrossScorer, write_model  # noqa: E402
from assistant.answer.scorer import LearnedScorer  # noqa: E402
from assistant.config import load_settings  # noqa: E402
from assistant.e5_file import E5File  # noqa: E402

WEIGHTS = (0.25, 0.5, 1.0, 2.0)


def torch_model(e5: E5File, layers: int, null: bool = False):
    """A torch copy of the first `layers` e5 layers (post-LN BERT) with a linear head over mean-pooled states."""
    import torch
    import torch.nn as nn
    import torch.nn.functional as F

    cfg = e5.config
    hidden, heads = cfg["hidden"], cfg["heads"]

    class Layer(nn.Module):
        def __init__(self):
            super().__init__()
            self.q, self.k, self.v, self.ao = (nn.Linear(hidden, hidden) for _ in range(4))
            self.aln, self.oln = nn.LayerNorm(hidden, eps=cfg["eps"]), nn.LayerNorm(hidden, eps=cfg["eps"])
            self.fi, self.fo = nn.Linear(hidden, cfg["ffn"]), nn.Linear(cfg["ffn"], hidden)

        def forward(self, x, mask):
            b, n, _ = x.shape

            def split(t):
                return t.view(b, n, heads, hidden // heads).transpose(1, 2)

            a = F.scaled_dot_product_attention(split(self.q(x)), split(self.k(x)), split(self.v(x)), attn_mask=mask)
            x = self.aln(x + self.ao(a.transpose(1, 2).reshape(b, n, hidden)))
            return self.oln(x + self.fo(F.gelu(self.fi(x), approximate="tanh")))  # as the numpy runtime

    class Cross(nn.Module):
        def __init__(self):
            super().__init__()
            self.pos = nn.Parameter(torch.from_numpy(e5.tensor("emb.pos").reshape(-1, hidden)))
            self.token_type = nn.Parameter(torch.from_numpy(e5.tensor("emb.type")[:hidden]))
            self.eln = nn.LayerNorm(hidden, eps=cfg["eps"])
            self.layers = nn.ModuleList(Layer() for _ in range(layers))
            self.head = nn.Linear(hidden, 1)
            # The logit of "no sentence answers" (--null): it stands beside the candidates' logits in the softmax.
            self.null = nn.Parameter(torch.zeros(1)) if null else None
            with torch.no_grad():
                self.eln.weight.copy_(torch.from_numpy(e5.tensor("emb.ln.w")))
                self.eln.bias.copy_(torch.from_numpy(e5.tensor("emb.ln.b")))
                for i, ly in enumerate(self.layers):
                    for name in ("q", "k", "v", "ao", "fi", "fo"):
                        lin = getattr(ly, name)
                        lin.weight.copy_(torch.from_numpy(e5.tensor(f"l{i}.{name}.w")).view_as(lin.weight))
                        lin.bias.copy_(torch.from_numpy(e5.tensor(f"l{i}.{name}.b")))
                    for name in ("aln", "oln"):
                        getattr(ly, name).weight.copy_(torch.from_numpy(e5.tensor(f"l{i}.{name}.w")))
                        getattr(ly, name).bias.copy_(torch.from_numpy(e5.tensor(f"l{i}.{name}.b")))
                nn.init.normal_(self.head.weight, std=0.02)
                nn.init.zeros_(self.head.bias)

        def forward(self, emb, keep):
            n = emb.shape[1]
            x = self.eln(emb + self.pos[:n] + self.token_type)
            mask = torch.zeros(keep.shape[0], 1, 1, n).masked_fill(~keep[:, None, None, :], float("-inf"))
            for ly in self.layers:
                x = ly(x, mask)
            pooled = (x * keep[..., None]).sum(1) / keep.sum(1, keepdim=True)
            return self.head(pooled).squeeze(-1)

        def export(self) -> dict[str, np.ndarray]:
            out = {"pos": self.pos, "type": self.token_type, "eln.w": self.eln.weight, "eln.b": self.eln.bias,
                   "head.w": self.head.weight, "head.b": self.head.bias}
            if self.null is not None:
                out["null"] = self.null
            for i, ly in enumerate(self.layers):
                for name in ("q", "k", "v", "ao", "fi", "fo", "aln", "oln"):
                    out[f"l{i}.{name}.w"] = getattr(ly, name).weight
                    out[f"l{i}.{name}.b"] = getattr(ly, name).bias
            return {k: v.detach().numpy().copy() for k, v in out.items()}

    return Cross()


def batch(scorer: CrossScorer, question: str, texts: list[str]):
    import torch

    pairs = [scorer.pair_ids(question, t) for t in texts]
    n = max(map(len, pairs))
    ids = np.full((len(pairs), n), scorer.tokenizer.pad, dtype=np.int64)
    keep = np.zeros((len(pairs), n), dtype=bool)
    for i, p in enumerate(pairs):
        ids[i, : len(p)], keep[i, : len(p)] = p, True
    return torch.from_numpy(scorer.e5.word_rows(ids)), torch.from_numpy(keep)


def train(rows: dict, idx: list[int], linear: dict[int, np.ndarray], args, e5: E5File,
          manifest: dict) -> tuple[CrossScorer, dict[str, np.ndarray]]:
    """A numpy CrossScorer over the fine-tuned weights, and those weights as the model file stores them."""
    import torch

    torch.manual_seed(args.seed)
    rng = random.Random(args.seed)
    torch.set_num_threads(args.threads)
    model = torch_model(e5, args.layers, args.null)
    helper = CrossScorer(model.export(), manifest, e5)  # tokenisation and embedding lookup
    # Unanswerable questions teach the "no sentence answers" logit; answerable ones whose gold the pool lacks teach
    # nothing (their candidates may still answer in other words).
    groups = [i for i in idx if (rows["answerable"][i] and rows["y"][i].any()) or (args.null and not rows["answerable"][i])]
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.01)
    steps = max(1, args.epochs * len(groups) // args.accum)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min(1.0, (s + 1) / (0.1 * steps)) * max(0.0, 1 - s / steps))
    t0 = time.perf_counter()
    for epoch in range(args.epochs):
        rng.shuffle(groups)
        model.train()
        total = 0.0
        for n, i in enumerate(groups, 1):
            cand = [int(j) for j in np.argsort(-linear[i], kind="stable")[: args.candidates]]
            if not cand:
                continue
            missing = [int(j) for j in np.nonzero(rows["y"][i] > 0)[0] if j not in cand]
            if missing:  # the gold sentence the linear order left out takes the last place
                cand[-1] = rng.choice(missing)
            emb, keep = batch(helper, rows["question"][i], [rows["text"][i][j] for j in cand])
            s = model(emb, keep)
            pos = torch.from_numpy(rows["y"][i][cand] > 0)
            every = torch.cat([s, model.null]) if args.null else s
            right = model.null[0] if not rows["answerable"][i] else torch.logsumexp(s[pos], 0)
            loss = (torch.logsumexp(every, 0) - right) / args.accum
            loss.backward()
            total += loss.item() * args.accum
            if n % args.accum == 0 or n == len(groups):
                torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
                opt.step()
                sched.step()
                opt.zero_grad()
            if n % 200 == 0:
                print(f"  epoch {epoch + 1} {n}/{len(groups)} loss {total / 200:.3f} {time.perf_counter() - t0:.0f}s",
                      flush=True)
                total = 0.0
    params = model.export()
    return CrossScorer(params, manifest, e5), params


def reranked_top1(rows: dict, idx: list[int], linear: dict[int, np.ndarray], cross: dict[int, np.ndarray],
                  k: int, weight: float) -> float:
    """The lead as the answerer chooses it: the best of the first k linear candidates after adding weight x their
    centred cross logit."""
    hits = []
    for i in idx:
        z = linear[i].copy()
        top = np.argsort(-z, kind="stable")[:k]
        z[top] += weight * (cross[i] - cross[i].mean())
        hits.append(bool(rows["y"][i][int(np.argmax(z))]))
    return float(np.mean(hits)) if hits else float("nan")


def cross_logits(scorer: CrossScorer, rows: dict, idx: list[int], linear: dict[int, np.ndarray]) -> dict:
    out = {}
    for i in idx:
        top = np.argsort(-linear[i], kind="stable")[: scorer.candidates]
        out[i] = scorer.scores(rows["question"][i], [rows["text"][i][j] for j in top])
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("files", nargs="*", help="question files, path[:dev|test|all] (default: train_scorer.py's)")
    ap.add_argument("--index", default="index")
    ap.add_argument("--dev", action="append", default=[], help="question files held out for the dev figures")
    ap.add_argument("--dev-only", action="store_true", help="report dev figures, do not train the shipped model")
    ap.add_argument("--dev-out", default="", help="also write the model trained without the dev files here")
    ap.add_argument("--out", default=str(DEFAULT_PATH))
    ap.add_argument("--cache", default="", help="train_scorer.py's feature cache (npz + json), reused")
    ap.add_argument("--layers", type=int, default=4)
    ap.add_argument("--candidates", type=int, default=8, help="the linear order's first sentences each question trains on")
    ap.add_argument("--rerank", type=int, default=4, help="among how many of them the answerer chooses the lead (3-8 gained alike on dev)")
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--lr", type=float, default=5e-5)
    ap.add_argument("--accum", type=int, default=4, help="questions per optimiser step")
    ap.add_argument("--max-tokens", type=int, default=128)
    ap.add_argument("--weight", type=float, default=0.0, help="skip the dev choice and ship this weight")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--null", action="store_true",
                    help="experiment (not shipped, eval/README.md): also learn a no-answer logit from unanswerable questions")
    args = ap.parse_args()
    files = parse_files(args.files or DEFAULT_FILES)
    dev_files = {p for p, _ in parse_files(args.dev)}
    cpu0, wall0 = time.process_time(), time.perf_counter()

    rows = load_cache(args.cache, files) if args.cache else None
    if rows is None:
        from assistant.pipeline import Assistant

        settings = load_settings(env={}, overrides={"scorer": "rules", "query_cache": 0})
        rows = collect(Assistant.from_settings(settings, args.index), files)
        if args.cache:
            save_cache(args.cache, files, rows)
    n = len(rows["y"])
    e5 = E5File.bundled()
    manifest = {"layers": args.layers, "heads": e5.config["heads"], "eps": e5.config["eps"],
                "hidden": e5.config["hidden"], "base_vocab": e5.config["vocab"], "candidates": args.rerank,
                "weight": args.weight or 1.0, "max_tokens": args.max_tokens, "max_question_tokens": 48,
                "null": args.null}
    report: dict = {}
    weight = args.weight
    if dev_files:
        train_idx = [i for i in range(n) if rows["file"][i] not in dev_files]
        dev_idx = [i for i in range(n) if rows["file"][i] in dev_files
                   and rows["answerable"][i] and rows["y"][i].any()]
        lin = fit(rows, train_idx, 1.0, "sharing", "listwise")
        linear = {i: lin.logits(rows["x"][i]) for i in range(n)}
        print(f"dev: {len(dev_idx)} answerable questions with gold in the pool; training on {len(train_idx)}")
        scorer, params = train(rows, train_idx, linear, args, e5, manifest)
        t1 = time.perf_counter()
        cross = cross_logits(scorer, rows, dev_idx, linear)
        ms = (time.perf_counter() - t1) * 1000 / max(len(dev_idx), 1)
        grid = {w: reranked_top1(rows, dev_idx, linear, cross, args.rerank, w) for w in WEIGHTS}
        base = reranked_top1(rows, dev_idx, linear, cross, args.rerank, 0.0)
        in_top = float(np.mean([rows["y"][i][np.argsort(-linear[i], kind="stable")[: args.rerank]].any()
                                for i in dev_idx]))
        print(f"dev top-1 evidence precision: linear {base:.3f}; gold among the first {args.rerank} {in_top:.3f}")
        for w, v in grid.items():
            print(f"  linear + {w:g} x cross: {v:.3f}")
        print(f"cross-encoder time: {ms:.1f} ms per question ({args.rerank} pairs, numpy)")
        weight = weight or max(WEIGHTS, key=lambda w: (round(grid[w], 6), -abs(np.log(w))))
        if args.dev_out:  # for answer-level figures on dev (assistant eval with cross_path=this file)
            write_model(Path(args.dev_out), params, manifest | {"weight": weight or 1.0, "trained_on": "without dev"})
        report = {"dev_files": sorted(dev_files), "dev_questions": len(dev_idx), "top1_linear": round(base, 4),
                  "top1_cross": {str(w): round(v, 4) for w, v in grid.items()}, "gold_in_candidates": round(in_top, 4),
                  "ms_per_question": round(ms, 1)}
    if args.dev_only:
        return 0
    manifest["weight"] = weight or 1.0
    shipped = LearnedScorer.load()
    linear = {i: shipped.logits(rows["x"][i]) for i in range(n)}
    print(f"training the shipped model on {n} questions (weight {manifest['weight']:g})")
    _, params = train(rows, list(range(n)), linear, args, e5, manifest)
    cpu = time.process_time() - cpu0
    manifest |= {"trained_on": [f"{p}:{s}" for p, s in files], "dev": report, "seed": args.seed, "epochs": args.epochs,
                 "lr": args.lr, "cpu_seconds": round(cpu), "threads": args.threads}
    write_model(Path(args.out), params, manifest)
    print(f"wrote {args.out}; CPU time {cpu:.0f} s, wall {time.perf_counter() - wall0:.0f} s on {args.threads} threads")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
