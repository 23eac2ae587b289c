"""Retrieval: BM25, dense and hybrid modes, fusion, filters, dedupe, query processing, the LangChain adapter."""
from __future__ import annotations

import numpy as np
import pytest

from assistant.build import build_index
from assistant.embed import FakeEmbedder
from assistant.lexicon import default_lexicon
from assistant.retrieve.bm25 import BM25Index
from assistant.retrieve.dense import DenseIndex
from assistant.retrieve.fusion import rrf, weighted
from assistant.retrieve.hybrid import Retriever, RetrieverConfig
from assistant.store import load_index
from assistant.types import Chunk

SEED_001 = "001_79d7ce171deded25.txt"
RATIO_SECTION = "六、新方案修改的主要內容 > 3.修改醫共體醫保結余基金分配比例"


@pytest.fixture(scope="module")
def retriever(assistant):
    return assistant.retriever


def make_retriever(tmp_path, texts: dict[str, str], **config) -> Retriever:
    """A retriever over a small corpus built with the fake embedder."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, text in texts.items():
        (corpus / name).write_text(text, encoding="utf-8")
    emb = FakeEmbedder(64)
    build_index(corpus, tmp_path / "index", embedder=emb, tokenize=default_lexicon().tokenize)
    ix = load_index(tmp_path / "index")
    return Retriever(
        ix.chunks,
        BM25Index.load(ix.path / "bm25"),
        DenseIndex.load(ix.path / "dense.faiss"),
        emb,
        default_lexicon().query_tokens,
        RetrieverConfig(**config),
    )


def check_hits(hits, k):
    assert 0 < len(hits) <= k
    assert [h.rank for h in hits] == list(range(1, len(hits) + 1))
    scores = [h.score for h in hits]
    assert scores == sorted(scores, reverse=True)


@pytest.mark.parametrize("mode", ["bm25", "dense", "hybrid"])
def test_each_mode_returns_ranked_hits(retriever, mode):
    hits = retriever.search("医保基金结余分配比例", k=4, mode=mode)
    check_hits(hits, 4)
    for h in hits:
        assert "fused" in h.scores
        if mode == "bm25":
            assert "bm25" in h.scores and "dense" not in h.scores
        if mode == "dense":
            assert "dense" in h.scores and "bm25" not in h.scores
    if mode == "hybrid":
        assert any("bm25" in h.scores and "dense" in h.scores for h in hits)


@pytest.mark.parametrize("mode", ["bm25", "hybrid"])
def test_keyword_question_finds_its_passage(retriever, mode):
    top = retriever.search("医保基金结余分配比例 6:3:1", k=3, mode=mode)[0].chunk
    assert top.source == SEED_001 and top.section == RATIO_SECTION


def test_traditional_query_finds_the_traditional_document(retriever):
    for query in ("醫保基金結余分配比例調整為多少", "医保基金结余分配比例调整为多少"):
        top = retriever.search(query, k=3, mode="bm25")[0].chunk
        assert top.source == SEED_001 and top.section == RATIO_SECTION


def test_synonym_expansion_bridges_wordings(tmp_path):
    r = make_retriever(
        tmp_path,
        {
            "a.txt": "牵头医院负责医共体内的人员统筹。\n",
            "b.txt": "家庭医生签约服务覆盖老年人。\n",
            "c.txt": "县域内的二级医院要提升服务能力。\n",
            "d.txt": "龙头医院要发挥带动作用。\n",
        },
        mode="bm25",
    )

    def scores(query):
        return {h.chunk.source: h.score for h in r.search(query, k=4)}

    # c.txt shares only the generic word 医院 with either query; the synonym lifts the other wording above it
    by_long = scores("龙头医院")
    assert by_long["a.txt"] > by_long["c.txt"]
    by_lead = scores("牵头医院")
    assert by_lead["d.txt"] > by_lead["c.txt"]
    assert "b.txt" not in by_long and "b.txt" not in by_lead


def test_query_filler_does_not_change_keyword_scores(retriever):
    plain = retriever.keyword_scores("县招乡用")
    chatty = retriever.keyword_scores("请问一下什么是县招乡用呢？")
    assert np.allclose(plain, chatty) and plain.max() > 0


def test_unknown_words_give_no_keyword_hits(retriever):
    assert retriever.search("qwertyuiop", k=3, mode="bm25") == []


@pytest.mark.parametrize(
    "filters,allowed",
    [
        ({"source": ["002_6dfe7d44fcd50f45.txt"]}, {"002_6dfe7d44fcd50f45.txt"}),
        ({"source": "002_6dfe7d44fcd50f45.txt"}, {"002_6dfe7d44fcd50f45.txt"}),
        ({"kind": ["报道"]}, {"003_f96d00e5018071de.txt", "004_94b61b43f1cc49d5.txt"}),
        ({"region": "裕安区"}, {SEED_001}),
        ({"region": "全国"}, {"002_6dfe7d44fcd50f45.txt", "004_94b61b43f1cc49d5.txt"}),
        ({"kind": ["报道"], "region": "准格尔旗"}, {"003_f96d00e5018071de.txt"}),
        ({"kind": [], "region": None}, None),
    ],
)
@pytest.mark.parametrize("mode", ["bm25", "dense", "hybrid"])
def test_filters(retriever, filters, allowed, mode):
    hits = retriever.search("医共体建设 医院", k=8, filters=filters, mode=mode)
    assert hits
    if allowed is not None:
        assert {h.chunk.source for h in hits} <= allowed


def test_filter_matching_nothing_gives_no_hits(retriever):
    assert retriever.search("医共体", k=5, filters={"source": ["nope.txt"]}) == []


def test_rrf():
    fused = rrf([[1, 2, 3], [3, 2, 4]], k=60)
    order = sorted(fused, key=lambda i: -fused[i])
    assert order[:2] in ([2, 3], [3, 2]) and set(order) == {1, 2, 3, 4}
    assert fused[2] == pytest.approx(2 / 62)
    assert rrf([[1], [2]], k=1, weights=[1.0, 3.0])[2] > rrf([[1], [2]], k=1, weights=[1.0, 3.0])[1]
    # a smaller k favours the top ranks more
    assert rrf([[1, 2]], k=1)[1] / rrf([[1, 2]], k=1)[2] > rrf([[1, 2]], k=100)[1] / rrf([[1, 2]], k=100)[2]


def test_weighted_fusion():
    fused = weighted([{1: 10.0, 2: 5.0, 3: 0.0}, {3: 0.9, 2: 0.5}], [0.5, 0.5])
    assert fused[1] == pytest.approx(0.5) and fused[2] == pytest.approx(0.25) and fused[3] == pytest.approx(0.5)
    assert weighted([{7: 3.0}], [1.0]) == {7: 1.0}  # a lone candidate counts fully
    assert weighted([{}, {1: 1.0}], [0.5, 0.5]) == {1: 0.5}


@pytest.mark.parametrize("fusion", ["rrf", "weighted"])
def test_hybrid_with_each_fusion(tmp_path, fusion):
    r = make_retriever(
        tmp_path,
        {"a.txt": "结余资金按照6:3:1分配。\n", "b.txt": "远程会诊覆盖全部乡镇卫生院。\n", "c.txt": "家庭医生签约服务。\n"},
        fusion=fusion,
        rrf_k=5,
    )
    hits = r.search("结余资金怎么分配", k=3)
    check_hits(hits, 3)
    assert hits[0].chunk.source == "a.txt"


def _chunk(i, doc, start, end):
    return Chunk(id=f"c{i}", doc_id=doc, source=f"{doc}.txt", title="t", kind="k", section="", start=start, end=end, text="x" * (end - start))


def test_dedupe_drops_chunks_overlapping_a_better_one():
    chunks = [_chunk(0, "a", 0, 100), _chunk(1, "a", 50, 150), _chunk(2, "a", 100, 200), _chunk(3, "b", 0, 100)]
    r = Retriever(chunks, bm25=object(), query_tokens=lambda q: [], config=RetrieverConfig(mode="bm25"))
    assert r._dedupe([1, 0, 2, 3]) == [1, 3]
    assert r._dedupe([0, 2, 1, 3]) == [0, 2, 3]


def test_dedupe_applies_to_search_results(tmp_path):
    class Scores:
        size = 3

        def scores(self, tokens):
            return np.array([3.0, 2.0, 1.0], dtype=np.float32)

    chunks = [_chunk(0, "a", 0, 100), _chunk(1, "a", 40, 140), _chunk(2, "b", 0, 100)]
    r = Retriever(chunks, bm25=Scores(), query_tokens=lambda q: ["x"], config=RetrieverConfig(mode="bm25"))
    assert [h.chunk.id for h in r.search("x", k=3)] == ["c0", "c2"]


def test_reranker_reorders_candidates(retriever):
    class Reverse:
        def rerank(self, query, texts):
            return [float(i) for i in range(len(texts))]  # the last candidate wins

    base = retriever.search("医保基金结余分配比例", k=3, mode="bm25")
    r = Retriever(retriever.chunks, retriever.bm25, retriever.dense, retriever.encoder, retriever.query_tokens,
                  RetrieverConfig(mode="bm25"), reranker=Reverse())
    reranked = r.search("医保基金结余分配比例", k=3)
    assert reranked[0].chunk.id != base[0].chunk.id
    assert [h.score for h in reranked] == sorted((h.score for h in reranked), reverse=True)


def test_missing_dense_side_falls_back_to_bm25(retriever):
    r = Retriever(retriever.chunks, retriever.bm25, query_tokens=retriever.query_tokens, config=RetrieverConfig(mode="bm25"))
    assert r.available_modes() == ["bm25"]
    hits = r.search("医保基金结余分配比例", k=2, mode="hybrid")
    assert hits and all("dense" not in h.scores for h in hits)


def test_config_validation():
    with pytest.raises(ValueError):
        RetrieverConfig(mode="fuzzy")
    with pytest.raises(ValueError):
        RetrieverConfig(fusion="max")
    with pytest.raises(ValueError, match="dense mode"):
        Retriever([], config=RetrieverConfig(mode="dense"))


def test_hit_to_dict(retriever):
    h = retriever.search("县招乡用", k=1)[0]
    d = h.to_dict()
    assert {"source", "title", "section", "text", "start", "end", "score", "rank"} <= set(d)
    assert d["rank"] == 1 and d["text"] == h.chunk.text


def test_dense_index_exact_and_hnsw():
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(60, 16)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    for threshold in (1000, 10):  # exact, then HNSW
        idx = DenseIndex.build(vectors, hnsw_threshold=threshold)
        ids, sims = idx.search(vectors[7], 3)
        assert ids[0] == 7 and sims[0] == pytest.approx(1.0, abs=1e-5)
    assert len(DenseIndex.build(vectors[:2]).search(vectors[0], 10)[0]) == 2


def test_bm25_index_roundtrip(tmp_path):
    idx = BM25Index.build([["医共体", "结余"], ["医联体"], []])
    idx.save(tmp_path / "bm25")
    loaded = BM25Index.load(tmp_path / "bm25")
    assert loaded.size == 3
    assert int(loaded.scores(["结余"]).argmax()) == 0
    assert not loaded.scores(["未知"]).any()


# ---- LangChain --------------------------------------------------------------------------------------
def test_langchain_retriever_returns_documents(retriever):
    from langchain_core.documents import Document
    from langchain_core.retrievers import BaseRetriever

    from assistant.retrieve.lc import PolicyRetriever

    lc = PolicyRetriever(retriever=retriever, k=3)
    assert isinstance(lc, BaseRetriever)
    docs = lc.invoke("医保基金结余分配比例 6:3:1")
    assert 0 < len(docs) <= 3 and all(isinstance(d, Document) for d in docs)
    for d in docs:
        for key in ("source", "title", "section", "start", "end", "score"):
            assert key in d.metadata
        assert d.page_content.strip()
    first = docs[0]
    assert first.metadata["source"] == SEED_001 and first.metadata["section"] == RATIO_SECTION
    scores = [d.metadata["score"] for d in docs]
    assert scores == sorted(scores, reverse=True)


def test_langchain_retriever_offsets_point_into_canonical_text(assistant):
    from assistant.retrieve.lc import PolicyRetriever

    docs = PolicyRetriever(retriever=assistant.retriever, k=5, filters={"kind": ["报道"]}, mode="bm25").invoke("医联体考核")
    assert docs
    for d in docs:
        text = assistant.index.document(d.metadata["source"]).text
        assert text[d.metadata["start"] : d.metadata["end"]] == d.page_content
        assert d.metadata["source"].startswith(("003", "004"))


class _StubBM25:
    def __init__(self, scores):
        self._scores = np.asarray(scores, dtype=float)

    def scores(self, tokens):
        return self._scores


class _StubDense:
    """Dense side whose candidate list (top `want`) leaves out chunk 0, although chunk 0 is close."""

    def __init__(self, sims):
        self.sims = np.asarray(sims, dtype=np.float32)
        self.size = len(sims)

    def search(self, qv, want):
        order = np.argsort(-self.sims, kind="stable")[:want]
        return order, self.sims[order]

    def similarities(self, qv, ids):
        return self.sims[list(ids)]


class _StubEncoder:
    def encode_query(self, text):
        return np.zeros(4, dtype=np.float32)


@pytest.mark.parametrize("fusion", ["rrf", "weighted"])
def test_hybrid_gives_every_candidate_its_real_score_on_both_sides(fusion):
    n = 12
    chunks = [_chunk(i, f"d{i}", 0, 10) for i in range(n)]
    bm25 = [10.0] + [1.0] * (n - 1)  # chunk 0 is the keyword side's clear winner
    sims = [0.8045] + [0.81 - 0.001 * i for i in range(1, n)]  # ...and just outside the dense top 5
    r = Retriever(chunks, _StubBM25(bm25), _StubDense(sims), _StubEncoder(), lambda q: ["x"],
                  RetrieverConfig(fusion=fusion, candidates=5))
    hits = r.search("问题", k=6)  # the whole candidate pool
    by_id = {h.chunk.id: h for h in hits}
    assert "c0" in by_id
    assert by_id["c0"].scores["dense"] == pytest.approx(0.8045, abs=1e-6)  # computed, not missing
    assert all("bm25" in h.scores and "dense" in h.scores for h in hits)


def test_dense_similarities_match_search():
    rng = np.random.default_rng(0)
    vecs = rng.normal(size=(20, 8)).astype("float32")
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    idx = DenseIndex.build(vecs)
    ids, sims = idx.search(vecs[3], 5)
    assert idx.similarities(vecs[3], [int(i) for i in ids]) == pytest.approx(sims, abs=1e-5)
    assert idx.similarities(vecs[3], []).shape == (0,)


class _CountingEncoder:
    def __init__(self):
        self.calls = 0

    def encode_query(self, text):
        self.calls += 1
        return np.zeros(4, dtype=np.float32)


def test_repeated_query_is_embedded_once():
    chunks = [_chunk(i, f"d{i}", 0, 10) for i in range(4)]
    enc = _CountingEncoder()
    r = Retriever(chunks, _StubBM25([1.0, 2.0, 3.0, 4.0]), _StubDense([0.1, 0.2, 0.3, 0.4]), enc, lambda q: ["x"])
    first = [h.chunk.id for h in r.search("医保基金结余", k=3)]
    again = [h.chunk.id for h in r.search("醫保基金結餘", k=3)]  # the same question in Traditional
    assert first == again and enc.calls == 1
    r.search("另一个问题", k=3)
    assert enc.calls == 2


def test_without_cache_only_the_latest_query_is_remembered_and_forget_drops_it():
    chunks = [_chunk(i, f"d{i}", 0, 10) for i in range(4)]
    enc = _CountingEncoder()
    r = Retriever(chunks, _StubBM25([1.0, 2.0, 3.0, 4.0]), _StubDense([0.1, 0.2, 0.3, 0.4]), enc, lambda q: ["x"],
                  RetrieverConfig(query_cache=0))
    r.search("甲问题", k=2)
    r.query_vector("甲问题")  # the answerer asking for the same question's vector
    assert enc.calls == 1
    r.search("乙问题", k=2)
    r.search("甲问题", k=2)
    assert enc.calls == 3  # no cache: an earlier question is embedded again
    r.forget()
    r.search("甲问题", k=2)
    assert enc.calls == 4
