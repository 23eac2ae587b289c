"""Runs every question through every configuration and records per-question outcomes and timings."""
from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any, Callable

from .configs import Config, ensure_index
from .metrics import Span, SpanLocator, answer_outcome, retrieval_outcome, summarize
from .questions import EvalError, Question

log = logging.getLogger(__name__)

RETRIEVE_K = 5
# Timings are steady-state: one untimed pass first loads tokenizer dictionaries and model pages (on a busy machine
# first queries took up to 1.7 s while pages were read in; a running server pays that once).
_WARMUP = ("医共体是什么？",)


def _warm(search: Callable[[str], Any], questions: list[Question]) -> None:
    for text in [*_WARMUP, *(q.question for q in questions)]:
        try:
            search(text)
        except Exception:  # the timed pass records failures; warming must not hide them behind a traceback
            pass


def _spans_of_hits(hits) -> list[Span]:
    return [Span(h.chunk.source, h.chunk.start, h.chunk.end) for h in hits]


def _outcome(q: Question, locator: SpanLocator, retrieved: list[Span], answer: dict[str, Any]) -> dict[str, Any]:
    """The JSON-ready record of one question under one configuration."""
    gold = locator.gold_spans(q.gold)
    cites = [Span(c["source"], c["start"], c["end"]) for c in answer["citations"]]
    out: dict[str, Any] = {
        "retrieved": [[s.source, s.start, s.end] for s in retrieved],
        "retrieval": retrieval_outcome(retrieved, gold),
        "answer": answer["answer"],
        "abstained": answer["abstained"],
        "citations": answer["citations"],
        "premise_note": answer.get("premise_note"),
        "search_ms": answer.get("search_ms"),
        "ask_ms": answer.get("ask_ms"),
        "confidence": answer.get("confidence"),
        "gate": answer.get("gate", ""),
    }
    if answer.get("error"):
        out["error"] = answer["error"]
    judged = answer_outcome(
        q, answer["answer"], answer["abstained"], cites, [c["quote"] for c in answer["citations"]],
        answer.get("premise_note"), gold,
    )
    out.update(judged)
    return out


def _citation_dicts(citations) -> list[dict[str, Any]]:
    return [{"n": c.n, "source": c.source, "start": c.start, "end": c.end, "quote": c.quote} for c in citations]


class Evaluator:
    """Loads what each configuration needs once, then times search and ask for every question.

    >>> ev = Evaluator(settings, Path("index"), Path("out/work"), Path("corpus"))   # doctest: +SKIP
    >>> run = ev.run(questions, configs)                                           # doctest: +SKIP
    >>> run["hybrid"]["summary"]["retrieval"]["recall@5"]                          # doctest: +SKIP
    """

    def __init__(self, settings, main_index: Path, corpus_dir: Path, progress: Callable[[str], None] | None = None) -> None:
        self.settings = settings
        self.main_index = Path(main_index)
        self.corpus_dir = Path(corpus_dir)
        self.progress = progress or (lambda msg: None)

    def run(self, questions: list[Question], configs: list[Config]) -> dict[str, dict[str, Any]]:
        results: dict[str, dict[str, Any]] = {}
        for cfg in configs:
            t0 = time.perf_counter()
            if cfg.kind == "baseline":
                outcomes, info = self._run_baseline(cfg, questions)
            else:
                outcomes, info = self._run_assistant(cfg, questions)
            info["seconds"] = round(time.perf_counter() - t0, 1)
            summary = summarize(questions, outcomes)
            self.progress(f"{cfg.name}: {len(questions)} 题，用时 {info['seconds']} 秒")
            results[cfg.name] = {"config": _config_dict(cfg), "info": info, "summary": summary, "outcomes": outcomes}
        return results

    def _run_assistant(self, cfg: Config, questions: list[Question]) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        from ..pipeline import Assistant, QueryError

        index_dir = ensure_index(cfg, self.settings, self.main_index, self.corpus_dir, self.progress)
        # No query-vector cache: the timed pass repeats the warm-up's questions, and cached vectors would
        # time a lookup instead of a search.
        assistant = Assistant.from_settings(
            self.settings.replace(embedder=cfg.embedder, reranker=cfg.reranker, query_cache=0, scorer=cfg.scorer or None,
                                   abstainer=cfg.abstainer or None),
            index_dir)
        available = assistant.retriever.available_modes()
        if cfg.mode not in available:  # the retriever would silently fall back; a mislabelled column is worse
            raise EvalError(f"索引 {index_dir} 不支持 {cfg.mode} 检索（可用：{', '.join(available)}）。")
        locator = SpanLocator.from_index(assistant.index)
        _warm(lambda t: assistant.search(t, k=RETRIEVE_K, mode=cfg.mode), questions)
        assistant.ask(_WARMUP[0], mode=cfg.mode)
        outcomes = []
        for q in questions:
            t0 = time.perf_counter()
            try:
                hits, _ = assistant.search(q.question, k=RETRIEVE_K, mode=cfg.mode)
            except QueryError:
                hits = []
            assistant.retriever.forget()  # ask embeds the question itself, as it would on its own
            t1 = time.perf_counter()
            try:
                ans = assistant.ask(q.question, id=q.id, mode=cfg.mode)
                record = {
                    "answer": ans.answer, "abstained": bool(ans.abstained), "premise_note": ans.premise_note,
                    "citations": _citation_dicts(ans.citations), "confidence": ans.confidence, "gate": ans.gate,
                }
            except Exception as exc:  # one broken answer must not hide the other 176; it counts as a failure
                log.debug("ask failed for %s", q.id, exc_info=True)
                record = {"answer": "", "abstained": False, "citations": [], "error": f"{type(exc).__name__}: {exc}"}
            t2 = time.perf_counter()
            record.update(search_ms=(t1 - t0) * 1000, ask_ms=(t2 - t1) * 1000)
            outcomes.append(_outcome(q, locator, _spans_of_hits(hits), record))
        info = {
            "index": str(index_dir),
            "embedder": assistant.index.manifest.get("embedder", {}).get("id", "none"),
            "chunks": len(assistant.index.chunks),
            "answerer": type(assistant.answerer).__name__,
            "scorer": ("cross" if getattr(assistant.answerer, "cross", None) is not None else "learned")
            if getattr(assistant.answerer, "scorer", None) is not None else "rules",
            "abstainer": "learned" if getattr(getattr(assistant.answerer, "abstainer", None), "model", lambda: None)()
                         is not None else "rules",
            "abstain_threshold": _operating_threshold(assistant.answerer),
        }
        return outcomes, info

    def _run_baseline(self, cfg: Config, questions: list[Question]) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        from ..embed import make_embedder
        from ..store import load_index
        from .baseline import NaiveBaseline

        index = load_index(self.main_index, with_vectors=False)
        self.progress(f"baseline: 用 {cfg.embedder} 嵌入 RecursiveCharacterTextSplitter 切出的段落…")
        embedder = make_embedder(cfg.embedder, self.settings.query_instruction, self.settings.embed_batch)
        baseline = NaiveBaseline(index.documents, embedder)
        locator = SpanLocator.from_index(index)
        _warm(lambda t: baseline.search(t, k=RETRIEVE_K), questions)
        outcomes = []
        for q in questions:
            t0 = time.perf_counter()
            hits = baseline.search(q.question, k=RETRIEVE_K)
            ms = (time.perf_counter() - t0) * 1000
            top = hits[:1]
            record = {
                "answer": top[0].text if top else "",
                "abstained": not top,
                "citations": [
                    {"n": 1, "source": h.span.source, "start": h.span.start, "end": h.span.end, "quote": h.text} for h in top
                ],
                "search_ms": ms,
                "ask_ms": ms,  # the answer is the top chunk: answering costs nothing beyond the search
            }
            outcomes.append(_outcome(q, locator, [h.span for h in hits], record))
        info = {"index": "(in memory)", "embedder": getattr(embedder, "id", cfg.embedder), "chunks": baseline.chunks,
                "answerer": "top chunk"}
        return outcomes, info


def _operating_threshold(answerer) -> float | None:
    """The threshold on the recorded confidence at which the answerer declines: the learned abstainer's on its
    P(answered) (1 - its threshold on P(not answered)), else the learned scorer's or the rules' floor."""
    abstainer = getattr(answerer, "abstainer", None)
    model = abstainer.model() if abstainer is not None else None
    if model is not None:
        return round(1.0 - model.threshold, 4)
    if getattr(answerer, "scorer", None) is not None:
        return answerer.scorer.threshold
    return getattr(answerer, "threshold", None)


def _config_dict(cfg: Config) -> dict[str, Any]:
    return {"name": cfg.name, "kind": cfg.kind, "mode": cfg.mode, "embedder": cfg.embedder,
            "reranker": cfg.reranker, "index": str(cfg.index_dir) if cfg.index_dir else ""}
