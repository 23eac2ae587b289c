"""Per-chunk work at build time: stored tokens and document tables, incremental reuse, masks, top-k, filtered and
growing dense indexes, and an answerer that does not scan the corpus on its first question."""
from __future__ import annotations

import shutil

import numpy as np
import pytest

from assistant.answer.evidence import IdfTable
from assistant.build import build_index, index_text
from assistant.embed import FakeEmbedder
from assistant.lexicon import default_lexicon
from assistant.retrieve.bm25 import BM25Index
from assistant.retrieve.dense import DenseIndex, rows_file
from assistant.retrieve.hybrid import Retriever, top_indices
from assistant.store import load_index
from assistant.tables import CorpusTables, TokenTable, merge_token_ids, number_form_of
from assistant.textnorm import match_form

NEW_DOC = "新增文件.txt"
NEW_TEXT = "# 新增的医共体人才方案\n\n一、人才招聘\n县级医院统一招聘乡镇卫生院医生，实行县招乡用。\n\n二、薪酬\n绩效工资向基层倾斜，比例不低于60%。\n"


class CountingTokenizer:
    """The lexicon's tokenizer, remembering every text it was given."""

    def __init__(self) -> None:
        self.seen: list[str] = []
        self._tokenize = default_lexicon().tokenize

    def __call__(self, text: str) -> list[str]:
        self.seen.append(text)
        return self._tokenize(text)


def _build(corpus, index, tokenize=None, **kw):
    return build_index(corpus, index, embedder=FakeEmbedder(32), tokenize=tokenize or default_lexicon().tokenize, **kw)


def test_token_table_round_trip_and_merge(tmp_path):
    table = TokenTable.from_lists([["医共体", "结余"], [], ["结余", "比例"]])
    table.save(tmp_path)
    loaded = TokenTable.load(tmp_path)
    assert [loaded.tokens(i) for i in range(len(loaded))] == [["医共体", "结余"], [], ["结余", "比例"]]
    ids, vocab = merge_token_ids([(loaded, 2, None), (None, None, ["新词", "结余"]), (loaded, 1, None)])
    back = {i: t for t, i in vocab.items()}
    assert [[back[i] for i in row] for row in ids] == [["结余", "比例"], ["新词", "结余"], []]
    assert sorted(vocab.values()) == list(range(len(vocab)))  # only the tokens in use, numbered densely


def test_damaged_token_table_is_only_a_missed_cache(tmp_path):
    TokenTable.from_lists([["a"]]).save(tmp_path)
    (tmp_path / "token_vocab.json").write_text("[broken", encoding="utf-8")
    assert TokenTable.load(tmp_path) is None


def test_bm25_from_ids_scores_like_bm25_from_tokens():
    lists = [["医共体", "结余", "结余"], [], ["医联体", "比例"], ["结余", "比例", "医共体"]]
    table = TokenTable.from_lists(lists)
    ids, vocab = merge_token_ids([(table, i, None) for i in range(len(table))])
    a, b = BM25Index.build(lists), BM25Index.build_ids(ids, vocab)
    for query in (["结余"], ["比例", "医共体"], ["未知"], ["医联体", "结余", "比例"]):
        assert np.array_equal(a.scores(query), b.scores(query))


def test_top_indices_is_a_stable_sort_of_the_best():
    rng = np.random.default_rng(0)
    for _ in range(200):
        scores = rng.integers(0, 5, size=int(rng.integers(1, 60))).astype(np.float32)  # many ties
        n = int(rng.integers(0, 70))
        assert top_indices(scores, n).tolist() == np.argsort(-scores, kind="stable")[:n].tolist()


def _old_mask(chunks, filters):
    """The per-chunk Python loop the masks replaced: the behaviour they must keep."""
    mask = np.ones(len(chunks), dtype=bool)
    for key, wanted in filters.items():
        if wanted in (None, "", [], ()):
            continue
        values = [wanted] if isinstance(wanted, str) else list(wanted)
        for i, c in enumerate(chunks):
            have = str(getattr(c, key, "") or "")
            mask[i] &= any(v and v in have for v in values) if key == "region" else have in values
    return mask


def test_filter_masks_match_the_per_chunk_rule(assistant):
    r = assistant.retriever
    chunks = r.chunks
    sources = sorted({c.source for c in chunks})
    cases = [{"source": sources[1]}, {"source": sources[:2]}, {"kind": chunks[0].kind}, {"region": "裕安"},
             {"region": ["准格尔", "裕安"]}, {"source": "nope.txt"}, {"source": sources[0], "kind": ""},
             {"source": sources[2], "region": "全国"}, {"section": chunks[3].section}]
    for filters in cases:
        assert r._mask(filters).tolist() == _old_mask(chunks, filters).tolist(), filters


@pytest.mark.parametrize("hnsw", [False, True])
def test_filtered_dense_search_is_the_best_of_the_kept_chunks(hnsw):
    rng = np.random.default_rng(1)
    vectors = rng.normal(size=(400, 16)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    index = DenseIndex.build(vectors, hnsw_threshold=100 if hnsw else 10**6)
    assert index.is_hnsw == hnsw
    q = vectors[7]
    for keep in (3, 40, 390):
        mask = np.zeros(400, dtype=bool)
        mask[rng.choice(400, size=keep, replace=False)] = True
        ids, sims = index.search(q, 10, mask=mask)
        allowed = np.flatnonzero(mask)
        expected = allowed[np.argsort(-(vectors[allowed] @ q), kind="stable")][: min(10, keep)]
        assert mask[ids].all() and len(ids) == min(10, keep)
        if keep <= 40 or not hnsw:  # exact paths; a wide filter on HNSW is approximate
            assert ids.tolist() == expected.tolist()
            assert np.allclose(sims, vectors[ids] @ q, atol=1e-5)
    assert index.search(q, 5, mask=np.zeros(400, dtype=bool))[0].size == 0


def test_incremental_build_tokenises_and_embeds_only_the_new_document(tmp_path, corpus_copy):
    index = tmp_path / "index"
    _build(corpus_copy, index)
    before = load_index(index)
    (corpus_copy / NEW_DOC).write_text(NEW_TEXT, encoding="utf-8")
    tok = CountingTokenizer()
    report = _build(corpus_copy, index, tokenize=tok)
    assert report.reprocessed == 1 and report.reused == 5
    new_doc = next(d for d in load_index(index).documents if d.source == NEW_DOC)
    assert tok.seen and all(t.replace("\n", "") in new_doc.text.replace("\n", "") or new_doc.title in t for t in tok.seen)
    # the stored tables are what a full build computes
    ix = load_index(index)
    fresh = tmp_path / "fresh"
    _build(corpus_copy, fresh)
    full = load_index(fresh)
    assert [c.to_dict() for c in ix.chunks] == [c.to_dict() for c in full.chunks]
    a, b = TokenTable.load(ix.path), TokenTable.load(full.path)
    assert [a.tokens(i) for i in range(len(a))] == [b.tokens(i) for i in range(len(b))]
    assert CorpusTables(ix.path).idf_counts() == CorpusTables(full.path).idf_counts()
    docs = [d.doc_id for d in full.documents]
    assert CorpusTables(ix.path).forms_for(docs) == CorpusTables(full.path).forms_for(docs)
    assert np.allclose(ix.vectors, full.vectors)
    assert len(before.chunks) < len(ix.chunks)


def test_document_tables_equal_what_the_answerer_computed(built_index):
    ix = load_index(built_index, with_vectors=False)
    tables = ix.extra["tables"]
    n, df = tables.idf_counts()
    paragraphs = [p for d in ix.documents for p in d.text.split("\n") if p.strip()]
    computed = IdfTable(paragraphs, default_lexicon().tokenize)
    assert (n, df) == (computed.n, computed.df)
    forms, numbers = tables.forms_for(d.doc_id for d in ix.documents)
    assert forms == {d.doc_id: match_form(d.text) for d in ix.documents}
    assert numbers == {d: number_form_of(f) for d, f in forms.items()}
    assert tables.forms_for(["only-one"]) is None


def test_bm25_tokens_are_those_of_the_index_text(built_index):
    ix = load_index(built_index, with_vectors=False)
    table = TokenTable.load(ix.path)
    docs = {d.doc_id: d for d in ix.documents}
    for i in (0, len(ix.chunks) // 2, len(ix.chunks) - 1):
        c = ix.chunks[i]
        assert table.tokens(i) == default_lexicon().tokenize(index_text(c, docs[c.doc_id]))


def test_hnsw_index_grows_by_the_added_document(tmp_path, corpus_copy):
    index = tmp_path / "index"
    _build(corpus_copy, index, hnsw_threshold=20)
    first = "000_0" + NEW_DOC  # sorts first: its chunks come before every old one, its rows after them
    (corpus_copy / first).write_text(NEW_TEXT, encoding="utf-8")
    _build(corpus_copy, index, hnsw_threshold=20)
    ix = load_index(index)
    assert rows_file(ix.path / "dense.faiss").exists()  # rows appended out of chunk order, mapped
    dense = DenseIndex.load(ix.path / "dense.faiss")
    assert dense.is_hnsw and dense.size == len(ix.chunks)
    for i, c in enumerate(ix.chunks):
        ids, _ = dense.search(ix.vectors[i], 1)
        assert np.allclose(ix.vectors[ids[0]], ix.vectors[i])  # each chunk finds its own vector (or a twin's)
    assert ix.manifest["settings"]["hnsw"]["ef_construction"] == 200
    # a changed document rebuilds the graph: no stale rows
    assert ix.chunks[0].source == first
    (corpus_copy / first).write_text(NEW_TEXT.replace("60%", "70%"), encoding="utf-8")
    _build(corpus_copy, index, hnsw_threshold=20)
    assert not rows_file(load_index(index).path / "dense.faiss").exists()


def test_first_question_does_not_scan_the_corpus(settings_fake, built_index, tmp_path, monkeypatch):
    from assistant.answer import focus as focus_mod
    from assistant.pipeline import Assistant

    question = "安徽省文件和裕安区原方案在医保结余分配比例上有什么不同？"
    a = Assistant.from_settings(settings_fake, built_index)
    counted, forms = [], []
    real_init, real_form = IdfTable.__init__, focus_mod.match_form

    def init(self, paragraphs, tokenize):
        paragraphs = list(paragraphs)
        counted.append(len(paragraphs))
        real_init(self, paragraphs, tokenize)

    monkeypatch.setattr(IdfTable, "__init__", init)
    monkeypatch.setattr(focus_mod, "match_form", lambda text: forms.append(len(text or "")) or real_form(text))
    result = a.ask(question)
    shortest = min(len(d.text) for d in a.index.documents)
    assert counted == [0]  # idf from the stored counts: no paragraph tokenised
    assert forms and max(forms) < shortest  # question words only: no document converted to its match form
    # ...and the answer is the one computed without the stored tables
    copy = tmp_path / "index"
    shutil.copytree(built_index, copy)
    live = copy / (copy / "CURRENT").read_text().strip()
    for name in ("idf.json", "forms.jsonl"):
        (live / name).unlink()
    b = Assistant.from_settings(settings_fake, copy)
    again = b.ask(question)
    assert counted[-1] > 0 and max(forms) >= shortest  # computed from the documents, as before the tables existed
    assert (again.answer, again.citations, again.premise_note) == (result.answer, result.citations, result.premise_note)


def test_fast_bm25_matrix_is_bm25s_own(built_index, tmp_path):
    import bm25s

    ix = load_index(built_index, with_vectors=False)
    table = TokenTable.load(ix.path)
    rng = np.random.default_rng(2)
    corpora = [[table.tokens(i) for i in range(len(table))],
               [[str(t) for t in rng.integers(0, 30, size=int(rng.integers(0, 12)))] for _ in range(200)]]
    for lists in corpora:
        fast = BM25Index.build_ids(*_ids(lists))._model
        slow = bm25s.BM25()
        slow.index(_ids_with_placeholder(lists), show_progress=False)
        for key in ("data", "indices", "indptr"):
            assert np.array_equal(fast.scores[key], slow.scores[key]) and fast.scores[key].dtype == slow.scores[key].dtype
        assert fast.vocab_dict == slow.vocab_dict and fast.scores["num_docs"] == slow.scores["num_docs"]
        fast.save(str(tmp_path / "a"))
        slow.save(str(tmp_path / "b"))
        for f in (tmp_path / "b").iterdir():
            assert (tmp_path / "a" / f.name).read_bytes() == f.read_bytes(), f.name


def _ids(lists):
    table = TokenTable.from_lists(lists)
    return merge_token_ids([(table, i, None) for i in range(len(table))])


def _ids_with_placeholder(lists):
    ids, vocab = _ids(lists)
    vocab = dict(vocab)
    out = []
    for row in ids:
        if not row:
            row = [vocab.setdefault("\u2205", len(vocab))]
        out.append(row)
    return out, vocab


def test_changed_and_removed_documents_leave_the_idf_counts_of_a_full_build(tmp_path, corpus_copy):
    index, fresh = tmp_path / "index", tmp_path / "fresh"
    _build(corpus_copy, index)
    path = corpus_copy / "002_6dfe7d44fcd50f45.txt"
    path.write_text(path.read_text(encoding="utf-8").replace("医共体", "医疗共同体"), encoding="utf-8")
    (corpus_copy / "004_94b61b43f1cc49d5.txt").unlink()
    report = _build(corpus_copy, index)
    assert report.reprocessed == 1 and report.reused == 3
    _build(corpus_copy, fresh)
    a, b = CorpusTables(load_index(index).path), CorpusTables(load_index(fresh).path)
    assert a.idf_counts() == b.idf_counts()
    docs = [d.doc_id for d in load_index(fresh).documents]
    assert a.forms_for(docs) == b.forms_for(docs)
