"""The one place where components are wired together from settings: build, search, ask, documents."""
from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping

from .config import Settings, load_settings
from .textnorm import t2s
from .types import Hit


class QueryError(ValueError):
    """A question the assistant cannot take; the message is shown to the user as is."""


# Lone UTF-16 surrogates: JSON "\ud800", bytes \xed\xa0\x80 read leniently, or argv bytes that are not UTF-8.
# No text library can encode them, so they are refused at the door with a message, not a crash deep inside.
SURROGATE = re.compile("[\ud800-\udfff]")
BAD_CHARS = "含有无效的字符（不是合法的 Unicode 文本，可能是编码错误），请删除或改正后重试。"


@dataclass
class Query:
    text: str
    notices: list[str] = field(default_factory=list)


def validate_query(text: Any, max_chars: int) -> Query:
    """Reject empty or punctuation-only input; truncate very long input with a notice."""
    if not isinstance(text, str):
        raise QueryError("问题必须是文本。")
    if SURROGATE.search(text):
        raise QueryError("问题" + BAD_CHARS)
    q = text.strip()
    if not q:
        raise QueryError("问题为空，请输入要查询的内容。")
    if not re.search(r"\w", q):
        raise QueryError("问题只包含标点或符号，请用文字描述要查询的内容。")
    notices = []
    if len(q) > max_chars:
        q = q[:max_chars]
        notices.append(f"问题过长，已截取前 {max_chars} 个字符。")
    return Query(q, notices)


def validate_history(history: Any) -> list[dict[str, str]]:
    """History is a list of {"role": "user"|"assistant", "content": str}; anything else is rejected."""
    if history in (None, ""):
        return []
    if not isinstance(history, list):
        raise QueryError("history 必须是列表，每项形如 {\"role\": \"user\", \"content\": \"…\"}。")
    out = []
    for i, turn in enumerate(history, start=1):
        if not isinstance(turn, Mapping):
            raise QueryError(f"history 第 {i} 项不是对象。")
        role, content = turn.get("role"), turn.get("content")
        if role not in ("user", "assistant", "system"):
            raise QueryError(f"history 第 {i} 项的 role 必须是 user 或 assistant。")
        if not isinstance(content, str):
            raise QueryError(f"history 第 {i} 项的 content 必须是文本。")
        if SURROGATE.search(content):
            raise QueryError(f"history 第 {i} 项的 content " + BAD_CHARS)
        out.append({"role": str(role), "content": content})
    return out[-12:]


class Assistant:
    """Search and answer over one index.

    >>> a = Assistant.from_settings(load_settings())            # doctest: +SKIP
    >>> a.ask("医保基金结余怎么分配？").answer                   # doctest: +SKIP
    """

    def __init__(self, settings: Settings, index, lexicon, embedder, retriever, answerer, llm_answerer=None) -> None:
        self.settings = settings
        self.index = index
        self.lexicon = lexicon
        self.embedder = embedder
        self.retriever = retriever
        self.answerer = answerer
        self.llm_answerer = llm_answerer
        self._docs = {d.doc_id: d for d in index.documents}
        self._focus = None  # built on the first comparison question

    # ---- construction -------------------------------------------------------------------------
    @classmethod
    def from_settings(cls, settings: Settings | None = None, index_dir: str | Path | None = None) -> "Assistant":
        from .answer.extractive import ExtractiveAnswerer
        from .lexicon import default_lexicon
        from .retrieve.bm25 import BM25Index
        from .retrieve.dense import DenseIndex
        from .retrieve.hybrid import CrossEncoderReranker, Retriever, RetrieverConfig
        from .store import IndexError_, load_index, rebuild_hint

        settings = settings or load_settings()
        index_dir = Path(index_dir or settings.index_dir)
        index = load_index(index_dir, with_vectors=False)  # vectors stay in faiss; sentence vectors memory-mapped
        built_with = index.manifest.get("embedder", {}).get("id", "none")
        embedder = None
        if built_with != "none":
            embedder = embedder_from(settings)
            have = getattr(embedder, "id", "none")
            if have != built_with:
                raise IndexError_(
                    f"索引 {index_dir} 由嵌入模型 {built_with} 构建，当前配置为 {have}。"
                    f"{rebuild_hint(index_dir)}（或把 embedder 设回原模型）"
                )
        backend = open_backend(index, index_dir, settings, embedder)  # None: the faiss files in the build folder
        try:
            bm25 = BM25Index.load(index.path / "bm25") if backend is None else None
            faiss_file = index.path / "dense.faiss"
            dense = DenseIndex.load(faiss_file) if backend is None and faiss_file.exists() else None
        except Exception as exc:
            raise IndexError_(f"索引 {index_dir} 已损坏（{type(exc).__name__}）。{rebuild_hint(index_dir)}") from exc
        if dense is not None and dense.size != len(index.chunks):
            raise IndexError_(f"索引 {index_dir} 已损坏（向量数与段落数不一致）。{rebuild_hint(index_dir)}")
        if dense is not None and embedder is not None and dense.dim != embedder.dim:
            raise IndexError_(f"索引向量维度 {dense.dim} 与模型维度 {embedder.dim} 不符。{rebuild_hint(index_dir)}")
        has_dense = dense is not None or (backend is not None and backend.has_dense)
        lexicon = default_lexicon()
        config = RetrieverConfig(
            mode=settings.retriever if has_dense else "bm25",
            fusion=settings.fusion,
            rrf_k=settings.rrf_k,
            dense_weight=settings.dense_weight,
            top_k=settings.top_k,
            candidates=settings.candidates,
            query_cache=settings.query_cache,
        )
        reranker = CrossEncoderReranker(settings.reranker) if settings.reranker else None
        retriever = Retriever(index.chunks, bm25, dense, embedder, lexicon.query_tokens, config, reranker, backend)
        semantic = None
        if embedder is not None and "sentence_index" in index.extra:
            from .answer.semantic import SentenceVectors

            doc_ids, spans, vectors = index.extra["sentence_index"]
            if vectors.shape[1:] == (embedder.dim,):
                semantic = SentenceVectors.from_table(doc_ids, spans, vectors, retriever.query_vector)
        scorer, cross, notice = None, None, ""
        if settings.scorer in ("learned", "cross"):
            from .answer.scorer import load_scorer

            scorer, notice = load_scorer(settings.scorer_path or None)  # None: the rules, with a notice
        if settings.scorer == "cross" and scorer is not None:
            from .answer.cross_scorer import load_cross_scorer

            cross, notice = load_cross_scorer(settings.cross_path or None)  # None: the learned scorer alone
        from .answer.history import ChangeHistory
        from .ingest.changes import extract_all, read_changes

        # Built with the index; an index built before change records existed gets them from its documents.
        changes = read_changes(index.path)
        tables = index.extra.get("tables")
        counts = tables.idf_counts() if tables is not None else None
        history = ChangeHistory(extract_all(index.documents, index.chunks) if changes is None else changes, lexicon,
                                texts=[d.text for d in index.documents] if counts is None else (), counts=counts)
        answerer = ExtractiveAnswerer(lexicon=lexicon, max_chars=settings.answer_max_chars,
                                      threshold=settings.abstain_threshold, semantic=semantic,
                                      semantic_weight=settings.semantic_weight, scorer=scorer, cross=cross, notice=notice,
                                      history=history, tables=index.extra.get("tables"),
                                      abstainer=settings.abstainer, abstain_model=settings.abstain_model)
        llm_answerer = None
        if settings.llm == "openai":
            from .answer.llm import LLMAnswerer

            llm_answerer = LLMAnswerer.from_settings(settings, answerer)
        return cls(settings, index, lexicon, embedder, retriever, answerer, llm_answerer)

    # ---- library API --------------------------------------------------------------------------
    def search(
        self, query: str, k: int | None = None, filters: Mapping[str, Any] | None = None, mode: str | None = None
    ) -> tuple[list[Hit], list[str]]:
        """(hits, notices) for a query; raises QueryError for unusable input."""
        q = validate_query(query, self.settings.max_query_chars)
        return self.retriever.search(q.text, k=k, filters=filters, mode=mode), q.notices

    def ask(
        self,
        question: str,
        history: Any = None,
        filters: Mapping[str, Any] | None = None,
        llm: bool | None = None,
        id: Any = None,
        mode: str | None = None,
        script: str | None = None,
    ):
        """Answer a question with citations (see answer.types.Answer); raises QueryError for unusable input.
        `script` ("simplified" | "traditional") overrides the display_script setting for this question."""
        from .answer.followup import resolve_followup

        t0 = time.perf_counter()
        q = validate_query(question, self.settings.max_query_chars)
        turns = validate_history(history)
        standalone = resolve_followup(q.text, turns)
        t1 = time.perf_counter()
        hits = self._evidence(standalone, filters, mode)
        t2 = time.perf_counter()
        use_llm = (self.llm_answerer is not None) if llm is None else llm
        if use_llm and self.llm_answerer is None:
            raise QueryError("未配置生成模型（设置 llm = \"openai\" 及 llm_base_url）。")
        answerer = self.llm_answerer if use_llm else self.answerer
        result = answerer.answer(standalone, hits, self._docs, original=q.text)
        self._present(result, q.text, script)
        t3 = time.perf_counter()
        result.id = id
        result.question = q.text
        result.notices = q.notices + result.notices
        result.timings_ms.update(
            {"retrieve": (t2 - t1) * 1000, "answer": (t3 - t2) * 1000, "total": (t3 - t0) * 1000}
        )
        return result

    def _present(self, result, question: str, script: str | None = None) -> None:
        """The one place an answer is made readable: the reader's script for quotes and section paths, and for an
        extractive answer a lead line, no opening connective and full-width punctuation."""
        from .answer.lead import readable
        from .display import add_display, in_script, script_of

        shown = script_of(question, script or self.settings.display_script)
        add_display(result, shown)
        if result.mode == "extractive":
            readable(result, self._docs, lambda text: in_script(text, shown))

    def _evidence(self, question: str, filters: Mapping[str, Any] | None = None, mode: str | None = None) -> list[Hit]:
        """Passages to answer from. A question comparing sources ("讲话…和准格尔旗…") also gets the best
        passages of each document it points at, which plain ranking can crowd out with one document's; a
        question citing a document by number ("国办发〔2017〕32号文件") gets those of the documents citing it."""
        from .answer.analyze import citing, docno, document_number, find_regions
        from .answer.focus import wants_each_side

        k = max(self.settings.top_k, 8)
        hits = self.retriever.search(question, k=k, filters=filters, mode=mode)
        simp = t2s(question)
        from .answer.focus import DocumentFocus

        if self._focus is None:
            tables = self.index.extra.get("tables")
            forms = tables.forms_for(self._docs) if tables is not None else None
            self._focus = DocumentFocus(self._docs, text_forms=forms[0] if forms else None)
        terms = [t for t in self.lexicon.query_tokens(question, expand=False) if len(t) > 1]
        # "那篇评论说…": the one document the question names by its kind or author is searched on its own.
        named = set(self._focus.naming_terms(terms).values())
        each, numbered = wants_each_side(simp), document_number(simp)
        if not each and not numbered and len(named) != 1:
            return hits
        present = {h.chunk.doc_id for h in hits}
        seen = {h.chunk.id for h in hits}
        allowed = (filters or {}).get("source")
        queries: list[tuple[str, str]] = []
        sides: dict[str, str] = {}
        if len(named) == 1 and not each:
            queries.append((next(iter(named)), question))
        if each:
            regions = find_regions(simp)
            # Each side of "A的…和B的…" is searched with its own words in its own document; other pointed
            # documents absent from the hits get their best passages for the whole question.
            sides = self._focus.sides(question, terms, regions)
            queries += [(d, sides.get(d, question)) for d in [*sides, *self._focus.pointed(terms, regions)[:3]]]
        if numbered:
            number = docno(numbered)
            cited = citing(number)
            # Both ways of citing contain the number itself: a substring test skips the regex on most documents.
            queries += [(d, question) for d, form in self._focus.text_forms.items()
                        if number[1] in form and cited.search(form)]
        extra: list[Hit] = []
        first: dict[str, str] = {}
        for doc_id, query in queries:  # asked for twice, a document keeps its first query (a side's own words)
            first.setdefault(doc_id, query)
        for doc_id, query in first.items():
            source = self._docs[doc_id].source
            if (doc_id in present and doc_id not in sides and doc_id not in named) or (
                    allowed and source not in ([allowed] if isinstance(allowed, str) else allowed)):
                continue
            wanted = {**(filters or {}), "source": source}
            found = self.retriever.search(query, k=2, filters=wanted, mode=mode)
            if query != question:  # the side's words can miss what the whole question finds there
                found += self.retriever.search(question, k=1, filters=wanted, mode=mode)
            for h in found:
                if h.chunk.id not in seen:
                    seen.add(h.chunk.id)
                    extra.append(h)
        if not extra:
            return hits
        # Inside the answerer's evidence pool (its first hits), ahead of the weakest passages of the crowd.
        merged = hits[:4] + extra + hits[4:]
        return [Hit(h.chunk, h.score, i, h.scores) for i, h in enumerate(merged[:k], start=1)]

    def stream(self, question: str, history: Any = None, filters: Mapping[str, Any] | None = None) -> Iterable[str]:
        """Answer text in pieces (LLM tokens when configured, else the extractive answer in one piece)."""
        if self.llm_answerer is not None and hasattr(self.llm_answerer, "stream"):
            from .answer.followup import resolve_followup

            q = validate_query(question, self.settings.max_query_chars)
            standalone = resolve_followup(q.text, validate_history(history))
            hits = self._evidence(standalone, filters)
            for note in q.notices:
                yield f"（{note}）\n"
            # The generator's return value is the verified Answer, for callers that want it.
            return (yield from self.llm_answerer.stream(standalone, hits, self._docs, original=q.text))
        result = self.ask(question, history=history, filters=filters)
        yield result.answer
        return result

    def documents(self) -> list[dict[str, Any]]:
        counts: dict[str, int] = {}
        for c in self.index.chunks:
            counts[c.doc_id] = counts.get(c.doc_id, 0) + 1
        return [{**d.meta(), "chars": len(d.text), "chunks": counts.get(d.doc_id, 0)} for d in self.index.documents]

    def show(self, source: str) -> dict[str, Any]:
        doc = self.index.document(source)
        if doc is None:
            raise QueryError(f"索引中没有文档 {source}")
        return {"source": doc.source, "doc_id": doc.doc_id, "title": doc.title, "kind": doc.kind, "text": doc.text,
                "sections": doc.sections, "pages": doc.pages}


def build_from_settings(
    settings: Settings, corpus_dir: str | Path | None = None, index_dir: str | Path | None = None,
    force: bool = False, progress: bool = False,
):
    """Build the index with the configured embedder, lexicon and backend."""
    from .build import build_index
    from .lexicon import default_lexicon

    embedder = embedder_from(settings)
    backend = milvus_writer(settings, index_dir)
    return build_index(
        corpus_dir or settings.corpus_dir,
        index_dir or settings.index_dir,
        embedder=embedder,
        backend=backend,
        tokenize=default_lexicon().tokenize,
        chunk_size=settings.chunk_size,
        hnsw_threshold=settings.hnsw_threshold,
        # A remote embedder gets enough texts at a time to keep embed_concurrency requests in flight.
        embed_batch=settings.embed_batch * (settings.embed_concurrency if settings.embedder.startswith("openai:") else 1),
        sentence_vectors=settings.sentence_vectors,
        force=force,
        progress=progress,
        max_file_mb=settings.max_file_mb,
    )


def milvus_writer(settings: Settings, index_dir: str | Path | None = None):
    """Where a milvus build writes (connected now, before the slow part); None for the faiss backend."""
    if settings.backend != "milvus":
        return None
    from .retrieve.milvus import MilvusWriter

    uri = settings.milvus_uri or str(Path(index_dir or settings.index_dir) / "milvus.db")
    return MilvusWriter(uri, settings.milvus_collection, settings.milvus_token, hnsw_threshold=settings.hnsw_threshold)


def open_backend(index, index_dir, settings: Settings, embedder):
    """The search backend the build's manifest names, connected; None for faiss (the Retriever's own indexes)."""
    from .store import IndexError_, rebuild_hint

    stored = index.manifest.get("backend") or {"name": "faiss"}
    if stored.get("name") != "milvus":
        return None
    from .retrieve.backend import BackendError
    from .retrieve.milvus import MilvusBackend

    try:
        backend = MilvusBackend.open(index.path, stored, index.chunks, settings.milvus_uri, settings.milvus_token)
    except BackendError as exc:
        raise IndexError_(f"{exc}（索引 {index_dir}）") from exc
    built_dim = int(index.manifest.get("embedder", {}).get("dim") or 0)
    if backend.has_dense and embedder is not None and built_dim != embedder.dim:
        raise IndexError_(f"索引向量维度 {built_dim} 与模型维度 {embedder.dim} 不符。{rebuild_hint(index_dir)}")
    return backend


def embedder_from(settings: Settings):
    """The configured embedder (None for "none"); remote settings go to an openai:MODEL embedder."""
    from .embed import make_embedder

    remote = {"base_url": settings.embed_base_url, "api_key": settings.embed_api_key,
              "concurrency": settings.embed_concurrency, "retries": settings.embed_retries,
              "timeout": settings.embed_timeout}
    return make_embedder(settings.embedder, settings.query_instruction, settings.embed_batch, remote)
