"""The abstention decision as a curve: precision and recall of declining, for every threshold of the evidence floor.

Each answer records its confidence (the learned scorer's probability, or word coverage under the rules) and what
decided it (answer.types.Answer.gate). At threshold t a question is declined when another check declined it, or
when the floor was consulted and its confidence is below t; so one run gives the whole curve.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping, Sequence

from .questions import Question

GRID = tuple(round(0.02 * i, 2) for i in range(0, 51))


def curve(questions: Sequence[Question], outcomes: Sequence[Mapping[str, Any]],
          grid: Sequence[float] = GRID) -> list[dict[str, float]]:
    """[{t, precision, recall, false_abstention}] over questions whose answerability is known; [] without data."""
    rows = [(q.answerable, o.get("confidence"), o.get("gate", "")) for q, o in zip(questions, outcomes)
            if q.answerable is not None]
    if not rows or all(c is None for _, c, _ in rows):
        return []
    n_un = sum(1 for a, _, _ in rows if not a)
    n_ans = len(rows) - n_un
    out = []
    for t in grid:
        declined = [(a, g == "check" or (g in ("floor", "passed") and c is not None and c < t)) for a, c, g in rows]
        tp = sum(1 for a, d in declined if d and not a)
        fp = sum(1 for a, d in declined if d and a)
        out.append({"t": t, "precision": tp / (tp + fp) if tp + fp else 1.0, "recall": tp / n_un if n_un else 0.0,
                    "false_abstention": fp / n_ans if n_ans else 0.0})
    return out


def curves(questions: Sequence[Question], results: Mapping[str, Mapping[str, Any]]) -> dict[str, list[dict[str, float]]]:
    found = {name: curve(questions, r["outcomes"]) for name, r in results.items() if r["config"]["kind"] == "assistant"}
    return {name: c for name, c in found.items() if c}


def table(all_curves: Mapping[str, list[dict[str, float]]], step: int = 5) -> tuple[list[str], list[list[str]]]:
    """Rows = thresholds (every `step`-th of the grid), cells = precision / recall / false abstention per config."""
    names = list(all_curves)
    headers = ["阈值 t", *(f"{n} 精确率/召回率/误拒率" for n in names)]
    rows = []
    for i, t in enumerate(GRID[::step]):
        cells = []
        for n in names:
            r = all_curves[n][i * step]
            cells.append(f"{r['precision']:.3f} / {r['recall']:.3f} / {r['false_abstention']:.3f}")
        rows.append([f"{t:.2f}", *cells])
    return headers, rows


def plot(all_curves: Mapping[str, list[dict[str, float]]], operating: Mapping[str, float], path: Path) -> Path | None:
    """Precision against recall of abstention, one line per configuration, its configured threshold marked."""
    if not all_curves:
        return None
    from .plots import _pyplot

    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6.4, 4.2), dpi=110)
    for name, c in all_curves.items():
        line, = ax.plot([r["recall"] for r in c], [r["precision"] for r in c], marker=".", label=name)
        t = operating.get(name)
        if t is not None:
            r = min(c, key=lambda r: abs(r["t"] - t))
            ax.plot([r["recall"]], [r["precision"]], marker="o", markersize=9, color=line.get_color(),
                    fillstyle="none")
    ax.set_xlabel("recall (share of unanswerable questions declined)")
    ax.set_ylabel("precision (declined that were unanswerable)")
    ax.set_title("Abstention precision/recall over the evidence threshold (o = configured)")
    ax.set_xlim(0, 1.02)
    ax.set_ylim(0, 1.02)
    ax.grid(alpha=0.3)
    ax.legend(loc="lower left", fontsize=8)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path
