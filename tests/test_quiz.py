"""Training mode: quiz generation, grading with equivalent forms, export, and the CLI."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from assistant.cli import main
from assistant.config import load_settings
from assistant.quiz import export_markdown, export_pdf, generate_quiz, grade_quiz
from assistant.quiz.generate import QuizError
from assistant.store import load_index
from assistant.textnorm import match_form, t2s

TINY_A = """某县医共体建设实施方案
一、结余分配
医保基金结余由县级医院、乡镇卫生院、村卫生室按照5:3:2比例分配。城乡居民医保按当年筹集基金90%交县级医院统筹使用。
二、部门职责
财政部门要足额安排基本公共卫生服务经费。人社部门要会同编制部门完善基层人才招聘机制。医保部门要加强医保基金监管，及时调整服务价格。
三、人员管理
乡镇卫生院实行“县管乡用”、“乡聘村用”，落实按需设岗、按岗聘用、以岗定薪。2021年3月15日起全县统一执行本方案。
"""
TINY_B = """某市緊密型醫共體推進會講話
一、工作要求
各縣要在2022年底前完成醫共體建設，績效工資總量的70%用於基層醫務人員。
衛健部門要牽頭制定考核辦法，發改部門要加大基礎設施投入。
二、保障措施
全市共組建12個醫共體，覆蓋36家鄉鎮衛生院。
"""


@pytest.fixture(scope="module")
def index(built_index):
    return load_index(built_index, with_vectors=False)


@pytest.fixture(scope="module")
def tiny_index(tmp_path_factory):
    """A hand-made two-document corpus (one Simplified, one Traditional) unrelated to the bundled one."""
    from assistant.pipeline import build_from_settings

    base = tmp_path_factory.mktemp("tiny")
    corpus = base / "corpus"
    corpus.mkdir()
    (corpus / "plan.txt").write_text(TINY_A, encoding="utf-8")
    (corpus / "speech.txt").write_text(TINY_B, encoding="utf-8")
    settings = load_settings(env={}, overrides={"embedder": "fake", "index_dir": str(base / "index"),
                                                "corpus_dir": str(corpus), "data_dir": str(base / "data")})
    build_from_settings(settings)
    return base / "index"


@pytest.fixture(scope="module")
def quiz(index):
    return generate_quiz(index, n=15, seed=1)


def _answer_key(quiz: dict) -> dict:
    return {it["id"]: it["answer"] for it in quiz["items"]}


def test_items_have_the_documented_shape_and_cite_exact_sentences(index, quiz):
    docs = {d.source: d for d in index.documents}
    sentences = {(c.source, s, e) for c in index.chunks for s, e in c.sentences}
    assert len(quiz["items"]) == 15 and quiz["seed"] == 1 and quiz["n_requested"] == 15
    for item in quiz["items"]:
        assert item["type"] in ("fill_blank", "choice", "true_false")
        assert item["question"] and item["answer"] and item["explanation"]
        c = item["citation"]
        assert set(c) == {"source", "title", "section", "quote", "start", "end"}
        assert docs[c["source"]].text[c["start"] : c["end"]] == c["quote"]
        assert (c["source"], c["start"], c["end"]) in sentences
        if item["type"] == "choice":
            assert 3 <= len(item["choices"]) <= 4 and item["answer"] in "ABCD"
        if item["type"] == "true_false":
            assert item["answer"] in ("对", "错")


def test_quiz_mixes_types_and_asks_about_key_facts(quiz):
    types = {it["type"] for it in quiz["items"]}
    assert types == {"fill_blank", "choice", "true_false"}
    kinds = {it["fact_kind"] for it in quiz["items"]}
    assert {"ratio", "percent", "duty"} <= kinds


def test_same_seed_same_quiz_other_seed_other_quiz(index, quiz):
    assert generate_quiz(index, n=15, seed=1) == quiz
    other = generate_quiz(index, n=15, seed=2)
    assert [it["question"] for it in other["items"]] != [it["question"] for it in quiz["items"]]


def test_no_duplicate_items(index):
    big = generate_quiz(index, n=60, seed=5)
    ids = [it["id"] for it in big["items"]]
    questions = [match_form(it["question"]) for it in big["items"]]
    quotes = [match_form(it["citation"]["quote"]) for it in big["items"]]
    assert len(set(ids)) == len(ids)
    assert len(set(questions)) == len(questions)
    assert len(set(quotes)) == len(quotes)  # one item per sentence: no item gives another's answer away


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_answers_are_unambiguous_from_the_quote(index, seed):
    texts = [match_form(d.text) for d in index.documents]
    for item in generate_quiz(index, n=25, seed=seed)["items"]:
        quote = match_form(item["citation"]["quote"])
        if item["type"] == "fill_blank":
            assert quote.count(match_form(item["answer"])) == 1
            assert "____" in item["question"]
        elif item["type"] == "choice":
            right = item["choices"]["ABCD".index(item["answer"])]
            assert quote.count(match_form(right)) == 1
            for wrong in item["choices"]:
                if wrong != right:
                    assert match_form(wrong) not in quote, (item["question"], wrong)
            assert len({match_form(c) for c in item["choices"]}) == len(item["choices"])
        else:
            statement = match_form(item["question"].split("判断正误：", 1)[1].removeprefix("……").removesuffix("……"))
            stated = any(statement in t for t in texts)
            assert stated == (item["answer"] == "对"), item["question"]


def test_traditional_document_keeps_its_script_and_the_key_accepts_both(tiny_index):
    q = generate_quiz(load_index(tiny_index, with_vectors=False), n=20, seed=0, sources=["speech.txt"])
    assert q["items"]
    for item in q["items"]:
        stem = item["question"].split("：", 1)[1]
        if item["type"] != "true_false":
            # Shown as the document writes it: the text around the blank is a verbatim piece of the quote.
            for part in stem.replace("……", "____").split("____"):
                assert part in item["citation"]["quote"]
    answers = {it["id"]: t2s(it["answer"]) for it in q["items"]}
    assert grade_quiz(q, answers)["score"] == len(q["items"])


def test_works_on_a_hand_made_corpus(tiny_index):
    q = generate_quiz(load_index(tiny_index, with_vectors=False), n=8, seed=3)
    assert len(q["items"]) == 8 and not q["notices"]
    kinds = {it["fact_kind"] for it in q["items"]}
    assert {"ratio", "percent", "duty"} <= kinds
    duty = [it for it in q["items"] if it["fact_kind"] == "duty" and it["type"] == "choice"]
    for item in duty:
        assert all(c.endswith(("部门", "部門")) for c in item["choices"])


def test_more_items_than_the_documents_support_gives_all_with_a_notice(tiny_index):
    q = generate_quiz(load_index(tiny_index, with_vectors=False), n=200, seed=0)
    assert 0 < len(q["items"]) < 200
    assert len(q["notices"]) == 1 and "200" in q["notices"][0] and str(len(q["items"])) in q["notices"][0]


def test_filters_by_document_kind_and_source(index):
    q = generate_quiz(index, n=5, seed=0, kinds=["解读"])
    kinds = {d.source: d.kind for d in index.documents}
    assert q["items"] and all(kinds[it["citation"]["source"]] == "解读" for it in q["items"])
    with pytest.raises(QuizError, match="没有类型为"):
        generate_quiz(index, n=5, kinds=["不存在的类型"])
    with pytest.raises(QuizError, match="没有文档"):
        generate_quiz(index, n=5, sources=["nope.txt"])
    with pytest.raises(QuizError):
        generate_quiz(index, n=0)


def test_grading_the_answer_key_scores_full_marks(quiz):
    result = grade_quiz(quiz, _answer_key(quiz))
    assert result["score"] == result["total"] == len(quiz["items"])
    assert all(r["correct"] for r in result["results"])


def _one(kind: str, type_: str, answer: str, choices=None) -> dict:
    item = {"id": "q1-x", "type": type_, "question": "?", "answer": answer, "explanation": "依据《示例》：“原文”",
            "fact_kind": kind, "citation": {"source": "a.txt", "title": "示例", "section": "", "quote": "原文", "start": 0, "end": 2}}
    if choices:
        item["choices"] = choices
    return {"items": [item]}


@pytest.mark.parametrize("kind,answer,given", [
    ("ratio", "6:3:1", "6∶3∶1"), ("ratio", "6:3:1", "6：3：1"), ("ratio", "6:3:1", "六比三比一"), ("ratio", "6:3:1", "6比3比1"),
    ("percent", "95%", "95％"), ("percent", "95%", "百分之九十五"), ("percent", "95%", "95"),
    ("quantity", "61個", "61个"), ("quantity", "61個", "六十一"), ("date", "2020年6月1日", "2020-06-01"),
    ("date", "2020年6月1日", "二〇二〇年六月一日"), ("duty", "人社部門", "人社部门"), ("duty", "區衛健部門", "卫健部门"),
    ("rule", "縣招鄉用", "县招乡用"), ("rule", "县招乡用", "“县招乡用”"),
])
def test_fill_blank_accepts_equivalent_forms(kind, answer, given):
    assert grade_quiz(_one(kind, "fill_blank", answer), {"q1-x": given})["score"] == 1


@pytest.mark.parametrize("kind,answer,given", [
    ("ratio", "6:3:1", "4:3:3"), ("ratio", "6:3:1", "1:3:6"), ("percent", "95%", "93%"), ("quantity", "61個", "61家"),
    ("duty", "人社部門", "医保部门"), ("rule", "县招乡用", "乡聘村用"), ("date", "2020年6月1日", "2020年6月2日"),
])
def test_fill_blank_rejects_other_values(kind, answer, given):
    result = grade_quiz(_one(kind, "fill_blank", answer), {"q1-x": given})
    assert result["score"] == 0
    miss = result["results"][0]
    assert miss["expected"] == answer and "原文" in miss["explanation"] and miss["citation"]["quote"] == "原文"


@pytest.mark.parametrize("given,ok", [("B", True), ("b", True), ("Ｂ", True), ("(B)", True), ("B. 6:3:1", True),
                                      ("六比三比一", True), ("A", False), ("4:3:3", False), ("", False)])
def test_choice_accepts_letter_or_text(given, ok):
    q = _one("ratio", "choice", "B", ["4:3:3", "6:3:1", "1:3:6"])
    assert grade_quiz(q, {"q1-x": given})["score"] == int(ok)


@pytest.mark.parametrize("given", ["对", "對", "正确", "正確", "√", "true", "True", True])
def test_true_false_accepts_every_way_of_saying_true(given):
    assert grade_quiz(_one("ratio", "true_false", "对"), {"q1-x": given})["score"] == 1
    assert grade_quiz(_one("ratio", "true_false", "错"), {"q1-x": given})["score"] == 0


@pytest.mark.parametrize("given", ["错", "錯誤", "错误", "×", "false", False])
def test_true_false_accepts_every_way_of_saying_false(given):
    assert grade_quiz(_one("ratio", "true_false", "错"), {"q1-x": given})["score"] == 1


def test_unanswered_items_count_as_misses_with_explanation(quiz):
    first = quiz["items"][0]
    result = grade_quiz(quiz, {first["id"]: first["answer"]})
    assert result["score"] == 1 and result["total"] == len(quiz["items"])
    missed = result["results"][1]
    assert not missed["correct"] and missed["given"] == "" and "未作答" in missed["explanation"]
    assert missed["citation"]["quote"] in missed["explanation"]


def test_mismatched_answers_are_rejected_with_the_reason(index, quiz):
    with pytest.raises(QuizError, match="JSON 对象"):
        grade_quiz(quiz, ["6:3:1"])
    with pytest.raises(QuizError, match="不在本测验中"):
        grade_quiz(quiz, {**_answer_key(quiz), "q99-zzzzzz": "对"})
    other = generate_quiz(index, n=5, seed=99)
    with pytest.raises(QuizError, match="另一份测验"):
        grade_quiz(quiz, _answer_key(other))
    with pytest.raises(QuizError, match="看起来是一份测验"):
        grade_quiz(quiz, quiz)
    with pytest.raises(QuizError, match="测验文件格式不对"):
        grade_quiz({"questions": []}, {"a": "b"})


def test_markdown_export_has_questions_then_key_with_sources(quiz):
    md = export_markdown(quiz)
    assert md.startswith("# 培训测验")
    questions, key = md.split("## 答案与出处")
    assert "## 题目" in questions
    for item in quiz["items"]:
        assert item["id"] in questions
        assert item["citation"]["source"] in key
    assert key.count("> ") >= len(quiz["items"])


def test_pdf_export_writes_pages(quiz, tmp_path):
    from pypdf import PdfReader

    out = tmp_path / "quiz.pdf"
    export_pdf(quiz, out)
    reader = PdfReader(str(out))
    assert len(reader.pages) >= 1
    assert "培训测验" in reader.pages[0].extract_text()


def test_cli_generate_grade_and_export(built_index, tmp_path):
    runner = CliRunner()
    quiz_file = tmp_path / "quiz.json"
    r = runner.invoke(main, ["quiz", "--index", str(built_index), "--n", "4", "--seed", "2", "--out", str(quiz_file)])
    assert r.exit_code == 0, r.output
    assert "答案与出处" in r.output
    quiz = json.loads(quiz_file.read_text(encoding="utf-8"))
    assert len(quiz["items"]) == 4

    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps(_answer_key(quiz), ensure_ascii=False), encoding="utf-8")
    r = runner.invoke(main, ["quiz", "grade", str(quiz_file), str(answers), "--json"])
    assert r.exit_code == 0 and json.loads(r.output)["score"] == 4

    r = runner.invoke(main, ["quiz", "export", str(quiz_file), "--format", "md", "--out", str(tmp_path / "q.md")])
    assert r.exit_code == 0 and (tmp_path / "q.md").read_text(encoding="utf-8").startswith("# 培训测验")
    r = runner.invoke(main, ["quiz", "export", str(quiz_file), "--format", "pdf", "--out", str(tmp_path / "q.pdf")])
    assert r.exit_code == 0 and (tmp_path / "q.pdf").stat().st_size > 0


@pytest.mark.parametrize("answers_text,reason", [
    ("[1, 2]", "JSON 对象"),
    ('{"q1-nothere": "对"}', "另一份测验"),
    ("{not json", "不是合法的 JSON"),
])
def test_cli_rejects_bad_answer_files_in_one_line(built_index, tmp_path, answers_text, reason):
    runner = CliRunner()
    quiz_file = tmp_path / "quiz.json"
    runner.invoke(main, ["quiz", "--index", str(built_index), "--n", "2", "--json", "--out", str(quiz_file)])
    answers = tmp_path / "answers.json"
    answers.write_text(answers_text, encoding="utf-8")
    r = runner.invoke(main, ["quiz", "grade", str(quiz_file), str(answers)])
    assert r.exit_code != 0
    assert reason in r.output
    assert "Traceback" not in r.output and len(r.output.strip().splitlines()) == 1
