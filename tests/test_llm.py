"""Generative mode against a real loopback OpenAI-compatible server: verification, fallback, abstention, streaming."""
from __future__ import annotations

import re

import pytest
from click.testing import CliRunner
from openai_stub import OpenAIStub, closed_port_url, fixed, hang, http_error, quote_evidence

from assistant.answer.llm import NOTICE_UNAVAILABLE, NOTICE_UNVERIFIED, LLMAnswerer, LLMError
from assistant.answer.verify import Verifier, best_span, numbers_in, place_markers, split_sentences
from assistant.config import ConfigError
from assistant.textnorm import is_traditional, match_form

QUESTION = "医保基金结余按什么比例分配"


def _premise(messages):
    """Corrects the premise first, then gives the documented fact with its citation."""
    return "问题的前提与文件不符：文件中没有把比例改为7:2:1的规定。" + quote_evidence("調整為6:3:1")(messages)  # the corpus text is Traditional


MODELS = {
    "faithful": quote_evidence("6:3:1"),
    "fabricate": fixed("按7:2:1比例分配[1]。"),
    "mixed": quote_evidence("6:3:1", extra="另外牵头医院须将结余的20%上缴财政[{n}]。"),
    "ignore": fixed("今天天气很好，适合出去散步和运动。医共体是个好东西。"),
    "wrong_cite": fixed("家庭医生签约服务要做实做细，提高群众满意度[1]。"),
    "abstain": fixed("文件中没有找到相关内容。"),
    "premise": _premise,
    "server_error": http_error(500, "upstream exploded"),
    "bad_key": http_error(401, "Incorrect API key provided"),
}


@pytest.fixture(scope="module")
def stub():
    server = OpenAIStub(MODELS)
    server.models["hang"] = hang(server.release)
    with server:
        yield server


@pytest.fixture(scope="module")
def evidence(assistant):
    hits = assistant.retriever.search(QUESTION, k=5)
    docs = {d.doc_id: d for d in assistant.index.documents}
    return hits, docs


def make(stub_or_url, model="faithful", fallback=False, extractive=None, timeout=10.0, assistant=None):
    url = stub_or_url if isinstance(stub_or_url, str) else stub_or_url.base_url
    return LLMAnswerer(url, model, "test-key", timeout, fallback, extractive or assistant.answerer)


def assert_contract(result, docs):
    """quote == text[start:end]; every [n] has a citation; cited sentences' numbers are in their quotes."""
    by_n = {c.n: c for c in result.citations}
    assert [c.n for c in result.citations] == list(range(1, len(result.citations) + 1))
    for c in result.citations:
        assert c.quote == docs[c.doc_id].text[c.start : c.end]
        assert 0 < len(c.quote) <= 300
    used = [int(n) for n in re.findall(r"\[(\d+)\]", result.answer)]
    assert set(used) == set(by_n), (used, list(by_n))
    for sentence in split_sentences(result.answer):
        ns = [int(n) for n in re.findall(r"\[(\d+)\]", sentence)]
        if not ns:
            continue
        quoted = match_form("".join(by_n[n].quote for n in ns))
        for num in numbers_in(sentence):
            assert num in quoted, (num, sentence)


def collect(gen):
    """(pieces, return value) of a generator."""
    pieces = []
    while True:
        try:
            pieces.append(next(gen))
        except StopIteration as stop:
            return pieces, stop.value


# ---- answers -------------------------------------------------------------------------------------
def test_faithful_answer_is_kept_with_exact_short_quotes(stub, evidence, assistant):
    hits, docs = evidence
    result = make(stub, assistant=assistant).answer(QUESTION, hits, docs)
    assert result.mode == "llm" and not result.abstained and not result.notices
    assert "6:3:1" in result.answer and "[1]" in result.answer
    assert_contract(result, docs)
    quote = result.citations[0]
    chunk = next(h.chunk for h in hits if h.chunk.doc_id == quote.doc_id and h.chunk.start <= quote.start)
    assert "6:3:1" in quote.quote and len(quote.quote) < len(chunk.text)  # a sentence, not the whole chunk


def test_request_carries_numbered_evidence_and_instructions(stub, evidence, assistant):
    hits, docs = evidence
    make(stub, assistant=assistant).answer(QUESTION, hits, docs)
    body = stub.requests[-1]
    system, user = body["messages"][0]["content"], body["messages"][-1]["content"]
    assert "[n]" not in user and "[1]" in user and "[2]" in user
    assert QUESTION in user and hits[0].chunk.title in user
    assert "文件中没有找到" in system and "前提" in system and "简体" in system


def test_made_up_number_is_dropped_and_extractive_answer_used(stub, evidence, assistant):
    hits, docs = evidence
    result = make(stub, "fabricate", assistant=assistant).answer(QUESTION, hits, docs)
    assert "7:2:1" not in result.answer
    assert result.mode == "extractive" and NOTICE_UNVERIFIED in result.notices
    assert_contract(result, docs)


def test_only_the_unsupported_sentence_is_dropped(stub, evidence, assistant):
    hits, docs = evidence
    result = make(stub, "mixed", assistant=assistant).answer(QUESTION, hits, docs)
    assert result.mode == "llm" and "6:3:1" in result.answer
    assert "20%" not in result.answer and "上缴" not in result.answer
    assert any("删除 1 句" in n for n in result.notices)
    assert_contract(result, docs)


@pytest.mark.parametrize("model", ["ignore", "wrong_cite"])
def test_answer_that_ignores_evidence_falls_back(stub, evidence, assistant, model):
    hits, docs = evidence
    result = make(stub, model, assistant=assistant).answer(QUESTION, hits, docs)
    assert result.mode == "extractive" and NOTICE_UNVERIFIED in result.notices
    assert "天气" not in result.answer and "家庭医生" not in result.answer


def test_documents_silent_gives_abstention_with_related_passages(stub, evidence, assistant):
    hits, docs = evidence
    result = make(stub, "abstain", assistant=assistant).answer("火星基地建设费用是多少", hits, docs)
    assert result.abstained and result.mode == "llm"
    assert "文件中没有找到" in result.answer and not result.citations
    assert result.related and set(result.related[0]) == {"source", "title", "section"}


def test_false_premise_is_corrected_and_noted(stub, assistant):
    question = "为什么医保基金结余分配比例改成了7:2:1"
    hits = assistant.retriever.search(question, k=5)
    docs = {d.doc_id: d for d in assistant.index.documents}
    result = make(stub, "premise", assistant=assistant).answer(question, hits, docs)
    assert result.mode == "llm" and not result.abstained
    assert result.premise_note and "7:2:1" in result.premise_note
    assert "6:3:1" in result.answer and result.citations
    assert_contract(result, docs)


def test_traditional_question_gets_traditional_answer(stub, evidence, assistant):
    hits, docs = evidence
    original = "醫保基金結餘按什麼比例分配"
    result = make(stub, assistant=assistant).answer(QUESTION, hits, docs, original=original)
    assert is_traditional(result.answer) and "6:3:1" in result.answer
    assert "繁體" in stub.requests[-1]["messages"][0]["content"]
    assert_contract(result, docs)


# ---- failures ------------------------------------------------------------------------------------
def test_unreachable_endpoint_is_a_clear_error(evidence, assistant):
    hits, docs = evidence
    with pytest.raises(LLMError, match="无法连接生成模型服务"):
        make(closed_port_url(), assistant=assistant).answer(QUESTION, hits, docs)


def test_unreachable_endpoint_with_fallback_answers_extractively(evidence, assistant):
    hits, docs = evidence
    result = make(closed_port_url(), fallback=True, assistant=assistant).answer(QUESTION, hits, docs)
    assert result.mode == "extractive" and NOTICE_UNAVAILABLE in result.notices
    assert result.answer and result.citations
    assert_contract(result, docs)


@pytest.mark.parametrize(
    "model, message",
    [("server_error", "HTTP 500"), ("bad_key", "llm_api_key"), ("no-such-model", "llm_model")],
)
def test_http_errors_are_explained(stub, evidence, assistant, model, message):
    hits, docs = evidence
    with pytest.raises(LLMError, match=message):
        make(stub, model, assistant=assistant).answer(QUESTION, hits, docs)


def test_slow_server_hits_the_timeout(stub, evidence, assistant):
    hits, docs = evidence
    with pytest.raises(LLMError, match="没有响应"):
        make(stub, "hang", timeout=0.5, assistant=assistant).answer(QUESTION, hits, docs)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"base_url": "localhost:8000"},
        {"base_url": "ftp://127.0.0.1/v1"},
        {"model": " "},
        {"timeout": 0},
        {"timeout": float("nan")},
        {"fallback": "yes"},
        {"extractive": object()},
    ],
)
def test_bad_settings_fail_at_construction(assistant, kwargs):
    args = dict(base_url="http://127.0.0.1:8000/v1", model="m", api_key="", timeout=5, fallback=True,
                extractive=assistant.answerer)
    args.update(kwargs)
    with pytest.raises(ConfigError):
        LLMAnswerer(**args)


# ---- streaming -----------------------------------------------------------------------------------
def test_stream_yields_tokens_then_verified_sources(stub, evidence, assistant):
    hits, docs = evidence
    pieces, result = collect(make(stub, assistant=assistant).stream(QUESTION, hits, docs))
    text = "".join(pieces)
    raw = MODELS["faithful"](stub.requests[-1]["messages"])
    assert len(pieces) >= 2 and text.startswith(raw)  # verified sentence by sentence, then the sources
    assert "来源：" in text and result.citations[0].quote in text
    assert result.mode == "llm" and stub.requests[-1]["stream"] is True
    assert_contract(result, docs)


def test_stream_says_what_verification_removed(stub, evidence, assistant):
    hits, docs = evidence
    pieces, result = collect(make(stub, "mixed", assistant=assistant).stream(QUESTION, hits, docs))
    tail = pieces[-1]
    assert "已删除" in tail and "1 句" in tail and "来源：" in tail
    assert "上缴财政" not in "".join(pieces)  # issue 16: a removed sentence is never shown
    assert "20%" not in result.answer


def test_stream_of_unverifiable_answer_ends_with_extractive_answer(stub, evidence, assistant):
    hits, docs = evidence
    pieces, result = collect(make(stub, "fabricate", assistant=assistant).stream(QUESTION, hits, docs))
    assert "无法在文件中核实" in pieces[-1] and result.mode == "extractive"
    assert result.answer in pieces[-1]


def test_stream_unreachable(evidence, assistant):
    hits, docs = evidence
    with pytest.raises(LLMError):
        collect(make(closed_port_url(), assistant=assistant).stream(QUESTION, hits, docs))
    pieces, result = collect(make(closed_port_url(), fallback=True, assistant=assistant).stream(QUESTION, hits, docs))
    assert NOTICE_UNAVAILABLE in "".join(pieces) and result.mode == "extractive"


# ---- wiring --------------------------------------------------------------------------------------
def test_pipeline_and_cli_use_the_generative_mode(stub, settings_fake, built_index):
    from assistant.pipeline import Assistant

    settings = settings_fake.replace(llm="openai", llm_base_url=stub.base_url, llm_model="faithful")
    result = Assistant.from_settings(settings, built_index).ask(QUESTION, llm=True)
    assert result.mode == "llm" and "6:3:1" in result.answer

    from assistant.cli import main

    env = {"ASSISTANT_EMBEDDER": "fake", "ASSISTANT_LLM_BASE_URL": closed_port_url(), "ASSISTANT_LLM_FALLBACK": "false"}
    run = CliRunner().invoke(main, ["ask", QUESTION, "--index", str(built_index), "--llm", "openai", "--json"], env=env)
    assert run.exit_code == 2 and "无法连接生成模型服务" in run.output
    assert "Traceback" not in run.output


# ---- verification rules --------------------------------------------------------------------------
def test_numbers_are_compared_in_one_form():
    assert numbers_in("按6∶3∶1分配") == numbers_in("按6:3:1分配") == numbers_in("按6：3：1分配") == ["6:3:1"]
    assert numbers_in("包干比例为百分之九十五[2]") == ["95%"]
    assert numbers_in("2. 乡镇卫生院分30%[1]") == ["30%"]  # the list number is not a fact


def test_verifier_rules():
    evidence = ["醫保基金結余由牽頭醫院、鄉鎮衛生院、村衛生室按照6:3:1比例分配。原方案修改為4:3:3。"]
    v = Verifier(min_overlap=0.5)
    kinds = lambda text, q="": [c.kind for c in v.check(text, evidence, q)]  # noqa: E731
    assert kinds("医保基金结余由牵头医院、乡镇卫生院、村卫生室按6∶3∶1比例分配[1]。") == ["fact"]
    assert kinds("医保基金结余由牵头医院、乡镇卫生院、村卫生室按7:2:1比例分配[1]。") == ["dropped"]
    assert kinds("医保基金结余按6:3:1比例分配[2]。") == ["dropped"]  # [2] does not exist
    assert kinds("医保基金结余按6:3:1比例分配。") == ["dropped"]  # no citation
    assert kinds("家庭医生签约服务要做实做细[1]。") == ["dropped"]  # cites, but says something else
    assert kinds("文件中没有找到相关内容。") == ["meta"]
    assert kinds("文件中没有改为7:2:1的规定。", "为什么改成7:2:1") == ["meta"]  # user's own number, denied
    assert kinds("文件中没有改为7:2:1的规定。") == ["dropped"]
    assert kinds("分配比例如下：\n医保基金结余由牵头医院、乡镇卫生院、村卫生室按6:3:1分配[1]。") == ["lead", "fact"]
    listed = "分配如下：\n1. 牵头医院、乡镇卫生院、村卫生室按照6:3:1比例分配[1]\n2. 原方案修改为4:3:3[1]\n"
    assert kinds(listed) == ["lead", "fact", "fact"]


def test_quote_is_the_supporting_sentence_and_markers_are_placed():
    sentences = ["第一句讲别的事情。", "医保基金结余按照6:3:1比例分配。", "第三句也无关。"]
    text, spans = "".join(sentences), []
    for s in sentences:
        start = spans[-1][1] if spans else 0
        spans.append([start, start + len(s)])
    assert text[slice(*best_span("结余按6:3:1分配[1]。", spans, text))] == "医保基金结余按照6:3:1比例分配。"
    assert place_markers("按6:3:1分配。[3][4]\n", [1, 2]) == "按6:3:1分配[1][2]。\n"
