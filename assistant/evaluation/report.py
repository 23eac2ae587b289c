"""Reports of a run: report.md, report.html (plots embedded), results.json, a terminal table, and --compare."""
from __future__ import annotations

import base64
import html
import json
import unicodedata
from pathlib import Path
from typing import Any, Mapping, Sequence

from . import abstention
from .metrics import HEADLINE_KS, HEADLINE_TAGS
from .plots import accuracy_by_category, recall_curves
from .questions import EvalError, Question

Block = tuple  # ("h1"|"h2"|"p"|"pre", text) | ("table", headers, rows) | ("img", path, alt) | ("list", items)

DEFINITIONS = [
    "Recall@k：金标引文所在位置被前 k 个检索段落覆盖的比例（段落区间与引文区间在同一文档中重叠即算命中；多条引文的题按覆盖比例计）。",
    "MRR：第一个命中段落排名的倒数的平均（前 5 名内，未命中记 0）。",
    "准确率：回答（去掉 [n] 标记）前 300 字内包含 must_include 的每一组；全文准确率不限位置。拒答计为不准确。",
    "引用金标：至少一条引文与金标引文区间重叠。数字有据：回答中的每个数字、比例、百分比都出现在所引原文中（列表序号不算）。",
    "拒答率：不可回答题中拒答的比例（越高越好）；误拒率：可回答题中拒答的比例（越低越好）。",
    "前提更正：错误前提题给出了 premise_note，且回答连同更正说明包含 must_include。误更正：其他题（前提无误）却给出了更正说明的比例（越低越好）。",
    "延迟：检索 search 与问答 ask 的单题耗时（毫秒，预热后）；baseline 的回答就是第一段，ask 等于 search。",
]


def rate(v: float | None, digits: int = 3) -> str:
    return "—" if v is None else f"{v:.{digits}f}"


def num(v: float | None, digits: int = 0) -> str:
    return "—" if v is None else f"{v:.{digits}f}"


# ---- tables -------------------------------------------------------------------------------------
def retrieval_table(summaries: Mapping[str, Mapping[str, Any]]) -> tuple[list[str], list[list[str]]]:
    # Paraphrase MRR too: hybrid has to beat both single retrievers where the words differ, not only overall.
    headers = (["配置", "题数"] + [f"R@{k}" for k in HEADLINE_KS] + ["MRR"] + [f"R@5 {t}" for t in HEADLINE_TAGS]
               + ["MRR paraphrase"])
    rows = []
    for name, s in summaries.items():
        r = s["retrieval"]
        row = [name, str(r["n"])] + [rate(r.get(f"recall@{k}")) for k in HEADLINE_KS] + [rate(r.get("mrr"))]
        for t in HEADLINE_TAGS:
            tr = s["by_tag"].get(t, {}).get("retrieval", {})
            row.append(f"{rate(tr.get('recall@5'))} (n={tr.get('n', 0)})")
        row.append(rate(s["by_tag"].get("paraphrase", {}).get("retrieval", {}).get("mrr")))
        rows.append(row)
    return headers, rows


def answer_table(summaries: Mapping[str, Mapping[str, Any]]) -> tuple[list[str], list[list[str]]]:
    headers = ["配置", "准确率", "全文准确", "引用金标", "数字有据", "拒答率", "误拒率", "前提更正", "误更正", "长度p50/p90"]
    rows = []
    for name, s in summaries.items():
        a = s["answers"]
        rows.append([
            name,
            *(f"{rate(a[k])} (n={a['n_' + k]})" for k in ("accurate", "accurate_any", "gold_cited", "numbers_grounded")),
            f"{rate(a['abstention'])} (n={a['n_abstention']})",
            f"{rate(a['false_abstention'])} (n={a['n_false_abstention']})",
            f"{rate(a['premise_corrected'])} (n={a['n_premise_corrected']})",
            f"{rate(a.get('premise_false_alarm'))} (n={a.get('n_premise_false_alarm', 0)})",
            f"{num(a['length_p50'])}/{num(a['length_p90'])}",
        ])
    return headers, rows


def latency_table(results: Mapping[str, Mapping[str, Any]]) -> tuple[list[str], list[list[str]]]:
    headers = ["配置", "检索 p50 ms", "检索 p95 ms", "问答 p50 ms", "问答 p95 ms", "段落数", "嵌入模型", "出错题数"]
    rows = []
    for name, r in results.items():
        lat, info = r["summary"]["latency"], r["info"]
        rows.append([name, num(lat["search_p50_ms"], 1), num(lat["search_p95_ms"], 1), num(lat["ask_p50_ms"], 1),
                     num(lat["ask_p95_ms"], 1), str(info.get("chunks", "")), str(info.get("embedder", "")),
                     str(r["summary"]["errors"])])
    return headers, rows


def breakdown_table(summaries, group: str, section: str, key: str) -> tuple[list[str], list[list[str]]]:
    """Rows = categories (or tags), columns = configurations, cells = one metric."""
    names = list(summaries)
    groups = sorted({g for s in summaries.values() for g in s[group]})
    rows = []
    for g in groups:
        cells = []
        for n in names:
            part = summaries[n][group].get(g, {})
            value = part.get(section, {}).get(key)
            if value is None and section == "answers" and key == "accurate":
                abst = part.get("answers", {}).get("abstention")
                cells.append(f"拒答 {rate(abst)}" if abst is not None else "—")
            else:
                cells.append(rate(value))
        n_questions = next((summaries[n][group][g]["n"] for n in names if g in summaries[n][group]), 0)
        rows.append([g, str(n_questions), *cells])
    return ["分组", "题数", *names], rows


# ---- terminal -----------------------------------------------------------------------------------
def _width(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)


def text_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max(_width(str(r[i])) for r in [headers, *rows]) for i in range(len(headers))]
    line = lambda cells: "  ".join(str(c) + " " * (w - _width(str(c))) for c, w in zip(cells, widths)).rstrip()  # noqa: E731
    return "\n".join([line(headers), "  ".join("-" * w for w in widths), *(line(r) for r in rows)])


def terminal_summary(results: Mapping[str, Mapping[str, Any]]) -> str:
    summaries = {n: r["summary"] for n, r in results.items()}
    parts = ["检索 Retrieval", text_table(*retrieval_table(summaries)), "", "回答 Answers",
             text_table(*answer_table(summaries)), "", "延迟 Latency", text_table(*latency_table(results))]
    return "\n".join(parts)


# ---- compare ------------------------------------------------------------------------------------
def _status(outcome: Mapping[str, Any], answerable: Any) -> dict[str, bool | None]:
    retrieval = outcome.get("retrieval") or {}
    hit = (retrieval.get("rank") is not None) if retrieval else None
    if answerable is False:
        correct = outcome.get("abstained")
    else:
        correct = outcome.get("accurate")
    return {"检索命中@5": hit, "回答正确": correct}


def compare(run: Mapping[str, Any], old: Mapping[str, Any]) -> dict[str, Any]:
    """Questions whose retrieval hit or answer correctness changed, per configuration present in both runs."""
    if not isinstance(old, Mapping) or "questions" not in old:
        raise EvalError("--compare 的文件不是 assistant eval 写出的 results.json。")
    old_q = {q["id"]: q for q in old["questions"]}
    better, worse = [], []
    for q in run["questions"]:
        prev = old_q.get(q["id"])
        if prev is None:
            continue
        for cfg, outcome in q["outcomes"].items():
            before = prev.get("outcomes", {}).get(cfg)
            if before is None:
                continue
            now, then = _status(outcome, q["answerable"]), _status(before, prev.get("answerable"))
            for what in now:
                if now[what] is None or then[what] is None or now[what] == then[what]:
                    continue
                entry = {"id": q["id"], "config": cfg, "what": what, "question": q["question"],
                         "before": then[what], "after": now[what]}
                (better if now[what] else worse).append(entry)
    deltas = {}
    for cfg, c in run["configs"].items():
        prev = old.get("configs", {}).get(cfg)
        if not prev:
            continue
        d = {}
        for section, key in (("retrieval", "recall@5"), ("retrieval", "mrr"), ("answers", "accurate"),
                             ("answers", "abstention"), ("answers", "false_abstention")):
            a, b = c["summary"][section].get(key), prev["summary"][section].get(key)
            if a is not None and b is not None:
                d[f"{section}.{key}"] = round(a - b, 4)
        deltas[cfg] = d
    return {"better": better, "worse": worse, "deltas": deltas, "old_meta": old.get("meta", {})}


def compare_lines(cmp: Mapping[str, Any]) -> list[str]:
    fmt = lambda e: f"{e['config']} {e['id']} {e['what']}：{'是' if e['before'] else '否'}→{'是' if e['after'] else '否'}  {e['question']}"  # noqa: E731
    lines = [f"变好 {len(cmp['better'])} 项，变差 {len(cmp['worse'])} 项。"]
    lines += ["变好：" + fmt(e) for e in cmp["better"]]
    lines += ["变差：" + fmt(e) for e in cmp["worse"]]
    return lines


# ---- documents ----------------------------------------------------------------------------------
def _failures(questions: Sequence[Question], outcomes: Sequence[Mapping[str, Any]]) -> list[list[str]]:
    rows = []
    for q, o in zip(questions, outcomes):
        missed = o.get("retrieval") and o["retrieval"]["rank"] is None
        wrong = (q.answerable and o.get("accurate") is False) or (q.answerable is False and not o.get("abstained"))
        if missed or wrong:
            flags = "、".join(x for x, on in (("未检索到金标", missed), ("回答不符", wrong)) if on)
            rows.append([q.id, q.category, flags, q.question, o.get("answer", "").replace("\n", " ")[:120]])
    return rows


def build_blocks(meta: Mapping[str, Any], results: Mapping[str, Mapping[str, Any]], questions: Sequence[Question],
                 images: Mapping[str, Path], cmp: Mapping[str, Any] | None) -> list[Block]:
    summaries = {n: r["summary"] for n, r in results.items()}
    blocks: list[Block] = [("h1", "评测报告 Evaluation report")]
    blocks.append(("list", [f"{k}：{v}" for k, v in meta.items() if not isinstance(v, (list, dict))]))
    if meta.get("notes"):
        blocks += [("h2", "说明 Notes"), ("list", meta["notes"])]
    blocks += [("h2", "检索 Retrieval"), ("table", *retrieval_table(summaries))]
    if "recall" in images:
        blocks.append(("img", images["recall"], "Recall@k per configuration"))
    blocks += [("h2", "回答 Answers"), ("table", *answer_table(summaries))]
    if "accuracy" in images:
        blocks.append(("img", images["accuracy"], "Accuracy per category"))
    curves = abstention.curves(questions, results)
    if curves:
        blocks += [("h2", "拒答阈值 Abstention precision/recall"),
                   ("p", "阈值 t 下：其他检查拒答的题照旧拒答，证据置信度（学习评分器的概率；规则评分为词覆盖度）低于 t 的题"
                         "也拒答；学习拒答模型（hybrid-abstain）的置信度是它给出的“可回答”概率，由它对所有检查一并加权。"
                         "精确率＝拒答中确属不可回答的比例，召回率＝不可回答题被拒答的比例（即拒答率）。"),
                   ("table", *abstention.table(curves))]
        if "abstention" in images:
            blocks.append(("img", images["abstention"], "Abstention precision/recall per configuration"))
    blocks += [("h2", "延迟 Latency"), ("table", *latency_table(results))]
    blocks += [("h2", "分类别 Recall@5 per category"), ("table", *breakdown_table(summaries, "by_category", "retrieval", "recall@5"))]
    blocks += [("h2", "分类别准确率 Accuracy per category"), ("table", *breakdown_table(summaries, "by_category", "answers", "accurate"))]
    blocks += [("h2", "分标签 Recall@5 per tag"), ("table", *breakdown_table(summaries, "by_tag", "retrieval", "recall@5"))]
    blocks += [("h2", "分标签准确率 Accuracy per tag"), ("table", *breakdown_table(summaries, "by_tag", "answers", "accurate"))]
    if cmp is not None:
        blocks += [("h2", "与上次比较 Compared with the previous run"), ("list", compare_lines(cmp))]
    first = next((n for n, r in results.items() if r["config"]["kind"] == "assistant"), next(iter(results)))
    fails = _failures(questions, results[first]["outcomes"])
    blocks += [("h2", f"未通过的题（{first}） Failures"),
               ("table", ["id", "类别", "问题所在", "问题", "回答（前 120 字）"], fails) if fails else ("p", "无。")]
    unjudged = [(q, results[first]["outcomes"][i]) for i, q in enumerate(questions) if not q.judged]
    if unjudged:
        items = []
        for q, o in unjudged:
            cites = "；".join(f"[{c['n']}] {c['source']}：{c['quote'][:80]}" for c in o.get("citations", []))
            items.append(f"{q.id} {q.question}\n答：{o.get('answer', '')}\n引文：{cites or '无'}")
        blocks += [("h2", f"供人工阅读的回答（{first}，无 must_include 的题） Answers to read"), ("pre", "\n\n".join(items))]
    blocks += [("h2", "指标定义 Definitions"), ("list", DEFINITIONS)]
    return blocks


def _md_cell(s: str) -> str:
    return str(s).replace("|", "\\|").replace("\n", " ")


def render_md(blocks: Sequence[Block], out_dir: Path) -> str:
    out = []
    for b in blocks:
        kind = b[0]
        if kind in ("h1", "h2"):
            out.append(("# " if kind == "h1" else "## ") + b[1])
        elif kind == "p":
            out.append(b[1])
        elif kind == "pre":
            out.append("```\n" + b[1] + "\n```")
        elif kind == "list":
            out.append("\n".join(f"- {_md_cell(x)}" for x in b[1]))
        elif kind == "table":
            headers, rows = b[1], b[2]
            lines = ["| " + " | ".join(map(_md_cell, headers)) + " |", "|" + "---|" * len(headers)]
            lines += ["| " + " | ".join(map(_md_cell, r)) + " |" for r in rows]
            out.append("\n".join(lines))
        elif kind == "img":
            out.append(f"![{b[2]}]({Path(b[1]).relative_to(out_dir).as_posix()})")
    return "\n\n".join(out) + "\n"


def render_html(blocks: Sequence[Block]) -> str:
    e = html.escape
    body = []
    for b in blocks:
        kind = b[0]
        if kind in ("h1", "h2"):
            body.append(f"<{kind}>{e(b[1])}</{kind}>")
        elif kind == "p":
            body.append(f"<p>{e(b[1])}</p>")
        elif kind == "pre":
            body.append(f"<pre>{e(b[1])}</pre>")
        elif kind == "list":
            body.append("<ul>" + "".join(f"<li>{e(str(x))}</li>" for x in b[1]) + "</ul>")
        elif kind == "table":
            head = "".join(f"<th>{e(str(h))}</th>" for h in b[1])
            rows = "".join("<tr>" + "".join(f"<td>{e(str(c))}</td>" for c in r) + "</tr>" for r in b[2])
            body.append(f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>")
        elif kind == "img":  # embedded so the page can be mailed or archived as one file
            data = base64.b64encode(Path(b[1]).read_bytes()).decode("ascii")
            body.append(f'<figure><img alt="{e(b[2])}" src="data:image/png;base64,{data}"><figcaption>{e(b[2])}</figcaption></figure>')
    style = ("body{font-family:system-ui,'Noto Sans CJK SC',sans-serif;max-width:1200px;margin:2em auto;padding:0 1em}"
             "table{border-collapse:collapse;margin:1em 0;font-size:14px}td,th{border:1px solid #ccc;padding:4px 8px;"
             "text-align:left;vertical-align:top}th{background:#f3f3f3}pre{white-space:pre-wrap;background:#f8f8f8;"
             "padding:1em}img{max-width:100%}")
    return (f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>评测报告</title>'
            f"<style>{style}</style></head><body>{''.join(body)}</body></html>\n")


def results_document(meta, results, questions: Sequence[Question]) -> dict[str, Any]:
    """results.json: run metadata, per-configuration summaries, and every question with its outcome per configuration."""
    return {
        "meta": dict(meta),
        "configs": {n: {k: r[k] for k in ("config", "info", "summary")} for n, r in results.items()},
        "questions": [
            {**q.to_dict(), "outcomes": {n: r["outcomes"][i] for n, r in results.items()}} for i, q in enumerate(questions)
        ],
    }


def load_results(path: str | Path) -> dict[str, Any]:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise EvalError(f"找不到要比较的结果文件 {path}。") from exc
    except (OSError, ValueError) as exc:
        raise EvalError(f"无法读取要比较的结果文件 {path}：{exc}") from exc


def write_reports(out_dir: Path, meta: Mapping[str, Any], results: Mapping[str, Mapping[str, Any]],
                  questions: Sequence[Question], old: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Write results.json, the two plots, report.md and report.html; returns the document and the comparison."""
    out_dir.mkdir(parents=True, exist_ok=True)
    doc = results_document(meta, results, questions)
    cmp = compare(doc, old) if old is not None else None
    if cmp is not None:
        doc["compare"] = cmp
    (out_dir / "results.json").write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
    summaries = {n: r["summary"] for n, r in results.items()}
    images = {}
    for key, fn, name in (("recall", recall_curves, "recall_at_k.png"), ("accuracy", accuracy_by_category, "accuracy_by_category.png")):
        path = fn(summaries, out_dir / name)
        if path is not None:
            images[key] = path
    operating = {n: r["info"].get("abstain_threshold") for n, r in results.items()}
    path = abstention.plot(abstention.curves(questions, results), operating, out_dir / "abstention_pr.png")
    if path is not None:
        images["abstention"] = path
    blocks = build_blocks(meta, results, questions, images, cmp)
    (out_dir / "report.md").write_text(render_md(blocks, out_dir), encoding="utf-8")
    (out_dir / "report.html").write_text(render_html(blocks), encoding="utf-8")
    return {"document": doc, "compare": cmp}
