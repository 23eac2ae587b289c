#!/usr/bin/env python3
"""Draft checker for eval/questions.jsonl (standalone; the project's own checker comes later).

Checks: schema, unique ids, no duplicate questions, gold quotes verbatim within one line of the
source (004 spam "bob官方平台入口 " read as "医院"), every must_include group has a string in the
normalised gold quotes, split balance, and the required shares. Prints a summary.
Usage: check_questions_draft.py [questions.jsonl] [corpus_dir]
Exit code 1 on any failure.
"""
from __future__ import annotations

import collections
import json
import re
import sys
from pathlib import Path

import opencc

HERE = Path(__file__).resolve().parent
QFILE = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE / "questions.jsonl"
CORPUS = Path(sys.argv[2]) if len(sys.argv) > 2 else HERE.parent / "corpus"
if not CORPUS.is_dir():
    CORPUS = Path("/work/shared/seeds")

SPAM = "bob官方平台入口 "
CATEGORIES = {"fund_ratio", "staffing", "responsibility", "definition", "number_date", "list",
              "comparison", "unanswerable", "false_premise", "other"}
TAGS = {"paraphrase", "traditional", "colloquial", "keyword", "formal", "multi_passage", "followup_free"}
REQUIRED = {"id", "question", "category", "answerable", "must_include", "gold", "tags", "split"}
OPTIONAL = {"premise_note_expected"}

_t2s = opencc.OpenCC("t2s")
_s2t = opencc.OpenCC("s2t")
_COLONS = str.maketrans({"：": ":", "∶": ":", "﹕": ":"})


def norm(s: str) -> str:
    return re.sub(r"\s+", "", _t2s.convert(s)).translate(_COLONS)


def dedup_key(s: str) -> str:
    return re.sub(r"[\W_]+", "", norm(s)).lower()


def looks_traditional(s: str) -> bool:
    to_s = _t2s.convert(s)
    to_t = _s2t.convert(s)
    return sum(a != b for a, b in zip(s, to_s)) > sum(a != b for a, b in zip(s, to_t))


def main() -> int:
    errors: list[str] = []
    warnings: list[str] = []
    lines_of: dict[str, list[str]] = {}
    for p in sorted(CORPUS.glob("*.txt")):
        lines_of[p.name] = p.read_text(encoding="utf-8").replace(SPAM, "医院").split("\n")

    items = []
    for n, raw in enumerate(QFILE.read_text(encoding="utf-8").splitlines(), 1):
        if not raw.strip():
            errors.append(f"line {n}: blank line")
            continue
        try:
            items.append(json.loads(raw))
        except json.JSONDecodeError as e:
            errors.append(f"line {n}: bad JSON: {e}")

    ids = collections.Counter(q.get("id") for q in items)
    for i, c in ids.items():
        if c > 1:
            errors.append(f"duplicate id {i}")
    seen_q: dict[str, str] = {}
    sources_used = collections.Counter()

    for q in items:
        qid = q.get("id", "?")
        keys = set(q)
        if REQUIRED - keys:
            errors.append(f"{qid}: missing fields {sorted(REQUIRED - keys)}")
            continue
        if keys - REQUIRED - OPTIONAL:
            errors.append(f"{qid}: unknown fields {sorted(keys - REQUIRED - OPTIONAL)}")
        if not re.fullmatch(r"q\d{3,}", str(qid)):
            errors.append(f"{qid}: bad id format")
        if not isinstance(q["question"], str) or not q["question"].strip():
            errors.append(f"{qid}: empty question")
        k = dedup_key(q["question"])
        if k in seen_q:
            errors.append(f"{qid}: duplicate question of {seen_q[k]}")
        seen_q[k] = qid
        cat = q["category"]
        if cat not in CATEGORIES:
            errors.append(f"{qid}: bad category {cat}")
        if not isinstance(q["answerable"], bool) or q["answerable"] != (cat != "unanswerable"):
            errors.append(f"{qid}: answerable must be false exactly for unanswerable")
        if q["split"] not in ("dev", "test"):
            errors.append(f"{qid}: bad split")
        tags = q["tags"]
        if not isinstance(tags, list) or set(tags) - TAGS or len(set(tags)) != len(tags):
            errors.append(f"{qid}: bad tags {tags}")
        trad = looks_traditional(q["question"])
        if ("traditional" in tags) != trad:
            errors.append(f"{qid}: 'traditional' tag ({'traditional' in tags}) vs text ({trad})")
        mi, gold = q["must_include"], q["gold"]
        if not isinstance(mi, list) or not all(
                isinstance(g, list) and g and all(isinstance(s, str) and s for s in g) for g in mi):
            errors.append(f"{qid}: must_include must be a list of non-empty string lists")
            mi = []
        if not isinstance(gold, list) or not all(
                isinstance(g, dict) and set(g) == {"source", "quote"} for g in gold):
            errors.append(f"{qid}: gold must be a list of {{source, quote}}")
            gold = []
        if cat == "unanswerable":
            if mi or gold:
                errors.append(f"{qid}: unanswerable needs empty must_include and gold")
        else:
            if not mi or not gold:
                errors.append(f"{qid}: answerable needs must_include and gold")
        if cat == "false_premise":
            note = q.get("premise_note_expected")
            if not isinstance(note, str) or not note.strip():
                errors.append(f"{qid}: false_premise needs premise_note_expected")
            elif looks_traditional(note):
                errors.append(f"{qid}: premise_note_expected should be Simplified")
        elif "premise_note_expected" in q:
            errors.append(f"{qid}: premise_note_expected only for false_premise")
        for g in mi:
            for s in g:
                if looks_traditional(s):
                    errors.append(f"{qid}: must_include string not Simplified: {s}")
        for g in gold:
            src, quote = g["source"], g["quote"]
            sources_used[src] += 1
            if src not in lines_of:
                errors.append(f"{qid}: unknown source {src}")
                continue
            if "\n" in quote or "\r" in quote:
                errors.append(f"{qid}: quote spans lines")
            elif not any(quote in line for line in lines_of[src]):
                errors.append(f"{qid}: quote not verbatim in one line of {src}: {quote}")
            if not 6 <= len(quote) <= 130:
                warnings.append(f"{qid}: quote length {len(quote)}")
        joined = norm("".join(g["quote"] for g in gold))
        for grp in mi:
            if not any(norm(s) in joined for s in grp):
                errors.append(f"{qid}: no string of group {grp} in gold quotes")

    # ---- summary ----
    total = len(items)
    by_cat = collections.Counter(q.get("category") for q in items)
    by_tag = collections.Counter(t for q in items for t in q.get("tags", []))
    by_split = collections.Counter(q.get("split") for q in items)
    cat_split = collections.Counter((q.get("category"), q.get("split")) for q in items)
    for cat in sorted(CATEGORIES):
        for sp in ("dev", "test"):
            if cat_split[(cat, sp)] == 0:
                errors.append(f"category {cat} missing from split {sp}")
        if abs(cat_split[(cat, "dev")] - cat_split[(cat, "test")]) > 1:
            errors.append(f"category {cat} unbalanced across splits")
    for name in sorted(lines_of):
        if sources_used[name] == 0:
            errors.append(f"source {name} never used in gold")

    def pct(n: int) -> str:
        return f"{n} ({100 * n / total:.1f}%)" if total else "0"

    print(f"questions: {total}   file: {QFILE}   corpus: {CORPUS}")
    print("per category (dev/test):")
    for cat in sorted(CATEGORIES):
        print(f"  {cat:15s} {by_cat[cat]:4d}  ({cat_split[(cat, 'dev')]}/{cat_split[(cat, 'test')]})")
    print("per tag:")
    for t in sorted(TAGS):
        print(f"  {t:15s} {by_tag[t]:4d}")
    print("per split:", dict(sorted(by_split.items())))
    print("gold quotes per source:", dict(sorted(sources_used.items())))
    checks = [
        ("total >= 130", total >= 130, str(total)),
        ("paraphrase >= 30%", by_tag["paraphrase"] >= 0.30 * total, pct(by_tag["paraphrase"])),
        ("traditional >= 12%", by_tag["traditional"] >= 0.12 * total, pct(by_tag["traditional"])),
        ("unanswerable >= 12%", by_cat["unanswerable"] >= 0.12 * total, pct(by_cat["unanswerable"])),
        ("false_premise >= 8", by_cat["false_premise"] >= 8, str(by_cat["false_premise"])),
    ]
    print("shares:")
    for name, ok, val in checks:
        print(f"  [{'ok' if ok else 'FAIL'}] {name}: {val}")
        if not ok:
            errors.append(f"share check failed: {name} ({val})")
    for w in warnings:
        print("warning:", w)
    for e in errors:
        print("ERROR:", e)
    print("RESULT:", "OK" if not errors else f"{len(errors)} error(s)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
