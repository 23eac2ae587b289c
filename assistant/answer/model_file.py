"""Logistic models shipped as JSON (evidence scorer, abstention model): reading, checking and writing their files.

A file names its format, version and features, so a model trained on another feature set is refused with a clear
message instead of silently mis-weighing; the caller's error class carries the message to its fallback, which every
shipped model (these two, the premise model and the cross-encoder) takes through load_or_none.
"""
from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any, Callable, Sequence, TypeVar

import numpy as np


T = TypeVar("T")


def load_or_none(load: Callable[[], T], error: type[Exception] | tuple[type[Exception], ...], logger, what: str,
                 fallback: str) -> T | None:
    """The loaded model, or None with "<what> unavailable, <fallback>: <reason>" logged (the caller falls back)."""
    try:
        return load()
    except error as exc:
        logger.warning("%s unavailable, %s: %s", what, fallback, exc)
        return None


def read_json(path: Path, error: type[Exception], what: str) -> Any:
    """The parsed file; `error` (e.g. ScorerError) with the reason when it is missing or unreadable."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise error(f"{what} {path} not found") from exc
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise error(f"{what} {path} is unreadable ({type(exc).__name__})") from exc


def logistic_weights(data: Any, fmt: str, version: int, features: Sequence[str], error: type[Exception], what: str,
                     trainer: str) -> tuple[np.ndarray, float, np.ndarray, np.ndarray, float]:
    """(coef, bias, mean, std, threshold) of a checked model file: its format, version and feature names match
    this program's, every weight is a finite number, every scale positive and the threshold within [0, 1]."""
    if not isinstance(data, dict) or data.get("format") != fmt:
        raise error(f"not a {what} (format != {fmt!r})")
    if data.get("version") != version:
        raise error(f"{what} version {data.get('version')!r}, this program reads {version}")
    names = data.get("features")
    if names != list(features):
        raise error(f"{what} was trained on other features than this program computes "
                    f"({len(names or [])} vs {len(features)}); retrain with {trainer}")
    try:
        coef, mean, std = (np.asarray(data[k], dtype=np.float64) for k in ("coef", "mean", "std"))
        bias, threshold = float(data["bias"]), float(data["threshold"])
    except (KeyError, TypeError, ValueError) as exc:
        raise error(f"{what} lacks or garbles a field ({type(exc).__name__}: {exc})") from exc
    if not (coef.shape == mean.shape == std.shape == (len(features),)):
        raise error(f"{what} weights do not match the feature count")
    if not all(np.isfinite(a).all() for a in (coef, mean, std)) or not math.isfinite(bias) or (std <= 0).any():
        raise error(f"{what} weights are not finite numbers (or a scale is not positive)")
    if not 0.0 <= threshold <= 1.0:
        raise error(f"{what} threshold must be within [0, 1]")
    return coef, bias, mean, std, threshold


def logistic_dict(fmt: str, version: int, features: Sequence[str], coef: np.ndarray, bias: float, mean: np.ndarray,
                  std: np.ndarray, threshold: float) -> dict[str, Any]:
    """The JSON form logistic_weights reads (weights rounded to 6 places, the threshold to 4)."""
    return {"format": fmt, "version": version, "model": "logistic", "features": list(features),
            "coef": [round(float(v), 6) for v in coef], "bias": round(bias, 6),
            "mean": [round(float(v), 6) for v in mean], "std": [round(float(v), 6) for v in std],
            "threshold": round(threshold, 4)}
