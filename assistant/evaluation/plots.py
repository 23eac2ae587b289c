"""Matplotlib figures of a run: recall@k curves per configuration and accuracy per category."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

from .metrics import KS

# Labels stay ASCII: servers rarely have a CJK font, and boxes instead of characters help no one.


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")  # files only; never needs a display
    import matplotlib.pyplot as plt

    return plt


def recall_curves(summaries: Mapping[str, Mapping[str, Any]], path: Path) -> Path | None:
    """One line per configuration: Recall@k for k = 1..5."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6.4, 4.2), dpi=110)
    drawn = 0
    for name, s in summaries.items():
        r = s["retrieval"]
        ys = [r.get(f"recall@{k}") for k in KS]
        if r.get("n") and all(y is not None for y in ys):
            ax.plot(KS, ys, marker="o", label=f"{name} (n={r['n']})")
            drawn += 1
    if not drawn:
        plt.close(fig)
        return None
    ax.set_xlabel("k (top-k retrieved chunks)")
    ax.set_ylabel("Recall@k")
    ax.set_title("Retrieval recall@k against gold quotes")
    ax.set_xticks(list(KS))
    ax.set_ylim(0, 1.02)
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def accuracy_by_category(summaries: Mapping[str, Mapping[str, Any]], path: Path) -> Path | None:
    """Grouped bars: answer accuracy (facts in the first 300 characters) per category, one bar per configuration.

    Unanswerable questions have no facts to find; their bar is the abstention rate, marked in the label.
    """
    plt = _pyplot()
    names = list(summaries)
    categories = sorted({c for s in summaries.values() for c in s["by_category"]})
    if not names or not categories:
        return None

    def value(s, c):
        a = s["by_category"].get(c, {}).get("answers", {})
        return a.get("accurate") if a.get("accurate") is not None else a.get("abstention")

    if all(value(summaries[n], c) is None for n in names for c in categories):
        return None
    width = 0.8 / len(names)
    fig, ax = plt.subplots(figsize=(max(7.0, 0.9 * len(categories) + 2), 4.4), dpi=110)
    for i, name in enumerate(names):
        xs = [j + (i - (len(names) - 1) / 2) * width for j in range(len(categories))]
        ys = [value(summaries[name], c) or 0.0 for c in categories]
        ax.bar(xs, ys, width=width, label=name)
    labels = [f"{c}\n(abstention)" if all(
        summaries[n]["by_category"].get(c, {}).get("answers", {}).get("accurate") is None for n in names
    ) else c for c in categories]
    ax.set_xticks(range(len(categories)))
    ax.set_xticklabels(labels, rotation=30, ha="right", fontsize=8)
    ax.set_ylabel("share of questions")
    ax.set_ylim(0, 1.02)
    ax.set_title("Answer accuracy per category (facts within the first 300 characters)")
    ax.grid(axis="y", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path
