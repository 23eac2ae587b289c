"""Web chat logic without a browser: escaping, rendering, per-session history, feedback, training tab."""
from __future__ import annotations

import re
import sys
import types
from html.parser import HTMLParser

import pytest

from assistant.web import chat, examples, render, training
from assistant.web.feedback import FeedbackError, FeedbackStore

XSS = '<script>alert("x")</script><img src=x onerror="alert(1)">'
QUESTION = "医保基金结余按什么比例分配？"


class TagCollector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.attrs = set(), set()

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        self.attrs.update(name for name, _ in attrs)


def no_live_markup(html: str) -> None:
    """Nothing a user or a document wrote can become a tag or an attribute, as a browser would parse it."""
    parsed = TagCollector()
    parsed.feed(html)
    assert not parsed.tags & {"script", "img", "iframe", "style", "a"}, parsed.tags
    assert not [a for a in parsed.attrs if a.startswith("on") or a in ("src", "href", "style")], parsed.attrs


# ---- rendering & escaping --------------------------------------------------------------------------

def answer_dict(**overrides):
    d = {
        "question": QUESTION,
        "answer": "按6:3:1分配[1]，另见[2]；[9]不是引文。",
        "abstained": False,
        "citations": [
            {"n": 1, "source": "a.txt", "title": "文件甲", "section": "一、总则", "quote": "按6:3:1分配", "start": 3, "end": 10},
            {"n": 2, "source": "b.txt", "title": "文件乙", "section": "", "quote": "另见", "start": 0, "end": 2},
        ],
    }
    d.update(overrides)
    return d


def test_markers_become_citation_buttons_only_for_real_citations():
    html = render.render_answer(answer_dict(), turn=0)
    assert html.count('class="pa-ref"') == 2
    assert 'data-turn="0" data-n="1"' in html and 'data-n="9"' not in html
    assert "[9]" in html  # an unknown marker stays as text
    assert html.count('class="pa-cite"') == 2 and "文件甲" in html and "一、总则" in html


def test_abstention_and_premise_correction_look_different():
    normal = render.render_answer(answer_dict(), 0)
    abstain = render.render_answer(answer_dict(abstained=True, answer="文件中没有相关规定。", citations=[]), 0)
    premise = render.render_answer(answer_dict(premise_note="文件规定的是6:3:1，不是5:3:2。"), 0)
    assert render.answer_kind(answer_dict()) == "answer"
    assert "pa-answer" in normal and "pa-abstain" not in normal
    assert "pa-abstain" in abstain and "未找到依据" in abstain
    assert "pa-premise" in premise and "前提更正" in premise and "5:3:2" in premise


def test_everything_from_users_and_documents_is_escaped():
    evil = answer_dict(
        question=XSS,
        answer=XSS + "[1]",
        premise_note=XSS,
        notices=[XSS],
        related=[{"title": XSS, "section": XSS}],
        citations=[{"n": 1, "source": XSS, "title": XSS, "section": XSS, "quote": XSS, "start": 0, "end": 5}],
    )
    html = render.render_conversation([{"question": XSS, "answer": evil, "rating": None}])
    no_live_markup(html)
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    error_turn = render.render_conversation([{"question": XSS, "answer": None, "error": XSS}])
    no_live_markup(error_turn)
    docs = render.render_documents([{"source": '" onclick="x', "title": XSS, "kind": XSS, "description": XSS}])
    no_live_markup(docs)
    assert 'data-source="&quot; onclick=&quot;x"' in docs


def test_source_view_highlights_the_quote_inside_its_section():
    text = "第一章 总则\n医保基金结余按6:3:1分配。其余事项另行规定。\n第二章 附则\n本办法自发布之日起施行。"
    start = text.index("按6:3:1")
    end = start + len("按6:3:1分配")
    doc = {"source": "a.txt", "title": "办法", "kind": "方案", "region": "某县", "text": text,
           "sections": [[0, len(text), "全文"], [0, text.index("第二章"), "第一章 总则"]]}
    html = render.render_source(doc, start, end, text[start:end], n=2)
    assert f'<mark class="pa-hit">{render.esc(text[start:end])}</mark>' in html
    section = re.search(r'<span class="pa-section">(.*?)</span>', html, re.S).group(1)
    assert "医保基金结余" in section and "第二章" not in section  # the innermost section is tinted
    assert "第一章 总则" in html and "引文 [2]" in html and "某县" in html
    assert "本办法自发布之日起施行" in html  # the whole document stays readable


def test_source_view_falls_back_to_finding_the_quote_and_escapes():
    doc = {"source": "x", "title": XSS, "text": "前文" + XSS + "后文", "sections": []}
    html = render.render_source(doc, 999, 1005, XSS)  # stale offsets
    no_live_markup(html)
    assert '<mark class="pa-hit">' in html
    missing = render.render_source(doc, None, None, "不在文中")
    assert "未能在原文中定位" in missing and "pa-hit" not in missing


def test_reply_text_lists_numbered_sources():
    text = render.reply_text(answer_dict(premise_note="注意前提"))
    assert text.startswith("按6:3:1分配[1]")
    assert "前提更正：注意前提" in text
    assert "- [1] 《文件甲》 · 一、总则：“按6:3:1分配”" in text
    assert "- [2] 《文件乙》：“另见”" in text


# ---- per-session conversation ----------------------------------------------------------------------

class Recorder:
    """Wraps the real Assistant and remembers what each ask() was given."""

    def __init__(self, inner):
        self.inner, self.calls = inner, []

    def ask(self, question, history=None, filters=None, **kw):
        self.calls.append({"question": question, "history": history, "filters": filters})
        return self.inner.ask(question, history=history, filters=filters, **kw)

    def __getattr__(self, name):
        return getattr(self.inner, name)


def run_turn(assistant, state, question, filters=None):
    steps = list(chat.ask_turn(assistant, state, question, filters))
    return steps[-1]


def test_ask_turn_streams_then_finishes_with_citations(assistant):
    state = chat.new_state()
    snapshots = []
    for st in chat.ask_turn(assistant, state, QUESTION):
        entry = st["turns"][-1]
        snapshots.append((entry.get("answer") is None, entry.get("partial", "")))
    assert snapshots[0] == (True, "")  # the pending turn shows first
    assert snapshots[-1][0] is False
    final = state["turns"][0]["answer"]
    assert final["citations"] and "partial" not in state["turns"][0]
    partials = [p for pending, p in snapshots if pending and p]
    assert partials and final["answer"].startswith(partials[0])
    html = render.render_conversation(state["turns"])
    assert 'data-action="cite"' in html and 'data-action="rate"' in html


def test_follow_up_uses_this_sessions_history_only(assistant):
    rec = Recorder(assistant)
    alice, bob = chat.new_state(), chat.new_state()
    run_turn(rec, alice, "乡镇卫生院分多少结余？")
    run_turn(rec, bob, "医共体建设的核心任务是什么？")
    run_turn(rec, alice, "那村卫生室呢？")
    follow_up = rec.calls[-1]
    assert [t["content"] for t in follow_up["history"] if t["role"] == "user"] == ["乡镇卫生院分多少结余？"]
    assert len(alice["turns"]) == 2 and len(bob["turns"]) == 1
    assert chat.history_of(bob)[0]["content"] == "医共体建设的核心任务是什么？"


def test_filters_reach_the_pipeline(assistant):
    rec = Recorder(assistant)
    source = assistant.documents()[0]["source"]
    run_turn(rec, chat.new_state(), QUESTION, chat.make_filters([source], ["讲话"]))
    assert rec.calls[0]["filters"] == {"source": [source], "kind": ["讲话"]}
    assert chat.make_filters([], None) is None


def test_bad_question_becomes_a_chinese_error_turn_and_is_left_out_of_history(assistant):
    state = chat.new_state()
    run_turn(assistant, state, "？？？")
    entry = state["turns"][0]
    assert entry["answer"] is None and "标点" in entry["error"]
    assert chat.history_of(state) == []


def test_unexpected_failure_shows_no_internals(assistant):
    class Broken(Recorder):
        def ask(self, *a, **k):
            raise RuntimeError("/secret/path boom")

    state = chat.new_state()
    run_turn(Broken(assistant), state, QUESTION)
    assert "secret" not in state["turns"][0]["error"] and "系统内部错误" in state["turns"][0]["error"]


def test_citation_and_document_views(assistant):
    state = chat.new_state()
    run_turn(assistant, state, QUESTION)
    cite = state["turns"][0]["answer"]["citations"][0]
    html = chat.citation_view(assistant, state, 0, cite["n"])
    assert f'<mark class="pa-hit">{render.esc(cite["quote"])}</mark>' in html
    assert "没有这条引文" in chat.citation_view(assistant, state, 0, 99)
    assert "失效" in chat.citation_view(assistant, state, 5, 1)
    assert render.esc(cite["title"]) in chat.document_view(assistant, cite["source"])
    assert "没有文档" in chat.document_view(assistant, "nope.txt")


# ---- feedback --------------------------------------------------------------------------------------

def test_feedback_store_roundtrip(tmp_path):
    store = FeedbackStore(tmp_path / "data" / "feedback.sqlite3")
    fid = store.add(QUESTION, answer_dict(), "useful", session="s1")
    store.update(fid, rating="not_useful", comment="  引文不对  ")
    row = store.all()[0]
    assert row["question"] == QUESTION and row["answer"] == answer_dict()["answer"]
    assert row["rating"] == "not_useful" and row["comment"] == "引文不对" and row["session"] == "s1"
    assert row["citations"][0]["quote"] == "按6:3:1分配"
    with pytest.raises(FeedbackError, match="有用"):
        store.add(QUESTION, answer_dict(), "great")
    with pytest.raises(FeedbackError, match="过长"):
        store.update(fid, comment="字" * 5000)
    with pytest.raises(FeedbackError):
        store.update(fid + 100, rating="useful")


def test_rating_and_comment_from_the_chat(assistant, tmp_path):
    store = FeedbackStore(tmp_path / "fb.sqlite3")
    state = chat.new_state()
    assert "先点击" in chat.comment(store, state, "没有评价就评论")
    run_turn(assistant, state, QUESTION)
    assert "第 1 条" in chat.rate(store, state, 0, "useful", session="abc")
    chat.rate(store, state, 0, "not_useful")  # changing one's mind updates the same row
    assert "已保存" in chat.comment(store, state, "数字对，但想看原文")
    rows = store.all()
    assert len(rows) == 1
    assert rows[0]["rating"] == "not_useful" and rows[0]["comment"] == "数字对，但想看原文"
    assert rows[0]["citations"] == state["turns"][0]["answer"]["citations"]
    assert 'pa-fb-btn pa-on" data-action="rate" data-turn="0" data-rating="not_useful"' in render.render_conversation(state["turns"])
    assert "无法评价" in chat.rate(store, state, 7, "useful")


# ---- training tab ----------------------------------------------------------------------------------

@pytest.fixture()
def fake_quiz(monkeypatch):
    """A stand-in for assistant.quiz with its documented API, so these tests do not depend on its internals."""
    mod = types.ModuleType("assistant.quiz")
    item = {"id": "q1", "type": "choice", "question": XSS, "choices": ["6:3:1", "4:3:3"], "answer": "A",
            "explanation": "原文为6:3:1", "citation": {"source": "a.txt", "title": XSS, "section": "", "quote": "6:3:1"}}
    tf = {"id": "q2", "type": "true_false", "question": "判断", "answer": "对", "explanation": "", "citation": {}}
    blank = {"id": "q3", "type": "fill_blank", "question": "填空", "answer": "95%", "explanation": "", "citation": {}}
    mod.generate_quiz = lambda index, n=5, seed=0, kinds=None, sources=None: {"items": [item, tf, blank][:n], "notices": ["只出了这些"]}
    mod.grade_quiz = lambda quiz, answers: {"score": 1, "total": 3, "results": [
        {"id": "q1", "correct": answers["q1"] == "A", "expected": "A. 6:3:1", "given": answers["q1"],
         "explanation": XSS, "citation": item["citation"]}]}
    mod.export_markdown = lambda quiz: "# 试题\n"
    monkeypatch.setitem(sys.modules, "assistant.quiz", mod)
    return mod


def test_training_generate_grade_export(assistant, fake_quiz):
    quiz, notes = training.generate(assistant, 3, None, 0)
    assert len(quiz["items"]) == 3 and "只出了这些" in notes
    assert training.answer_widget(quiz["items"][0]) == ("choice", [("A. 6:3:1", "A"), ("B. 4:3:3", "B")])
    # True/false items are answered in the words the answer key uses.
    assert training.answer_widget(quiz["items"][1])[1] == [("对", "对"), ("错", "错")]
    assert training.answer_widget(quiz["items"][2]) == ("text", [])
    no_live_markup(training.question_html(0, quiz["items"][0]))
    result = training.grade(quiz, {"q1": "A", "q2": None, "q3": ""})
    no_live_markup(result)
    assert "得分：1 / 3" in result and "答对了" in result
    assert "您的答案：A. 6:3:1　正确答案：A. 6:3:1" in result  # a letter is written out as the key is
    md, pdf = training.export_files(quiz)
    assert open(md, encoding="utf-8").read() == "# 试题\n" and pdf is None


def test_quiz_results_put_the_source_on_its_own_line_in_the_reader_script():
    quiz = {"items": [{"id": "q1", "type": "fill_blank", "question": "医共体结余按____分配", "answer": "6:3:1"}]}
    result = {"score": 0, "total": 1, "results": [{"id": "q1", "correct": False, "expected": "6:3:1", "given": "4:3:3",
              "explanation": "答案“4:3:3”不正确。", "citation": {"title": "解读", "section": "六、新方案修改的主要內容",
                                                                 "quote": "醫保基金結余按照6:3:1比例分配"}}]}
    html = training.render_results(result, quiz)
    assert "出处：《解读》 · 六、新方案修改的主要內容</div>" in html
    assert '<div class="pa-quiz-cite pa-quote">“醫保基金結余按照6:3:1比例分配”</div>' in html
    result["results"][0]["citation"]["quote_display"] = "医保基金结余按照6:3:1比例分配"
    assert "“医保基金结余按照6:3:1比例分配”" in training.render_results(result, quiz)


def test_training_shows_a_notice_when_quiz_module_is_missing(assistant, monkeypatch):
    monkeypatch.setattr(training, "quiz_module", lambda: None)
    quiz, notes = training.generate(assistant, 3, None, 0)
    assert quiz is None and "暂不可用" in notes
    assert "暂不可用" in training.grade({"items": []}, {})


# ---- example questions -----------------------------------------------------------------------------

class CountingAssistant:
    """The fixture assistant's index, with asks counted and optionally every answer an abstention."""

    def __init__(self, inner, abstain=False):
        self.inner, self.abstain, self.asked = inner, abstain, []
        self.index = inner.index

    def ask(self, question, **kwargs):
        from assistant.answer.types import Answer

        self.asked.append(question)
        return Answer(question=question, answer="文件未说明。", abstained=True) if self.abstain else self.inner.ask(question, **kwargs)


def test_configured_examples_replace_the_derived_ones(assistant, settings_fake):
    counting = CountingAssistant(assistant)
    settings = settings_fake.replace(web_examples=("甲是什么？", "乙有哪些？"))
    assert examples.example_questions(counting, settings) == ["甲是什么？", "乙有哪些？"]
    assert counting.asked == []  # nothing is derived, so nothing is asked


@pytest.fixture()
def no_curated(monkeypatch):
    """An index whose corpus manifest gives no examples, so they are derived."""
    monkeypatch.setattr(examples, "manifest_examples", lambda index: [])


# What each curated example of the bundled corpus must be answered with (read from the documents).
CURATED = {"裕安区医保基金结余按什么比例分配？": "6:3:1", "准格尔旗公立医院院长每届任期几年？": "4年",
           "医共体运营绩效管理平台有哪些价值？": "数据资产价值", "裕安区的紧密型城市医联体由哪些单位组建？": "市二院",
           "国家卫生计生委下一步将对医联体进行什么考核？": "整体考核"}


def test_curated_examples_of_the_manifest_are_shown_and_answered(assistant, settings_fake):
    counting = CountingAssistant(assistant)
    shown = examples.example_questions(counting, settings_fake)
    assert shown == list(CURATED) and counting.asked == []
    for q, fact in CURATED.items():
        ans = assistant.ask(q)
        assert not ans.abstained and fact in ans.answer[:300], (q, ans.answer)


def test_derived_examples_must_read_like_a_question():
    assert not examples.readable("裕安区哪个部门要积极争取中央预算内投资？", "duty", ["（五）部门职责", "政策解读"])
    assert not examples.readable("结余按6:3:1分配。", "ratio", [])  # asks nothing
    assert examples.readable("准格尔旗什么时候被确定为试点旗县？", "date", [])
    assert examples.readable("哪个部门负责医共体绩效考核？", "duty", ["医共体绩效考核"])
    assert not examples.readable("哪个部门负责医共体绩效考核？", "duty", ["附则"])


def test_derived_examples_are_all_answered(assistant, settings_fake, no_curated):
    assert settings_fake.web_examples == ()
    counting = CountingAssistant(assistant)
    derived = examples.example_questions(counting, settings_fake)
    assert 1 <= len(derived) <= 5 and len(set(derived)) == len(derived)
    assert len(counting.asked) <= 8  # bounded: at most `tries` candidates are answered
    for q in derived:
        assert q.endswith("？") and len(q) <= 40
        assert not assistant.ask(q).abstained, q


def test_no_examples_when_no_candidate_is_answered(assistant, settings_fake, no_curated):
    counting = CountingAssistant(assistant, abstain=True)
    assert examples.example_questions(counting, settings_fake, tries=3) == []
    assert 1 <= len(counting.asked) <= 3


def test_no_examples_when_the_index_yields_none(settings_fake, no_curated):
    class Empty:
        index = types.SimpleNamespace(documents=[], chunks=[])

        def ask(self, question, **kwargs):
            raise AssertionError("nothing to ask")

    assert examples.example_questions(Empty(), settings_fake) == []


def quiz_item(kind, value, quote):
    return {"type": "fill_blank", "fact_kind": kind, "answer": value, "citation": {"quote": quote}}


@pytest.mark.parametrize(
    "item, expected",
    [
        (quiz_item("duty", "發改部門", "發改部門要積極爭取中央預算內投資,加大支持力度;"), "哪个部门要积极争取中央预算内投资？"),
        (quiz_item("duty", "区人民医院", "区人民医院负责组建专科联盟。"), "哪个机构负责组建专科联盟？"),
        (quiz_item("ratio", "6:3:1", "（二）结余资金按6:3:1比例分配,用于绩效奖励。"), "结余资金按什么比例分配？"),
        (quiz_item("quantity", "7家", "向区医保局等7家单位征求意见。"), "向区医保局等多少家单位征求意见？"),
        (quiz_item("date", "2014年", "早在2010年,某县启动改革,2014年,被确定为试点县。"), "什么时候被确定为试点县？"),
        (quiz_item("date", "2020年", "在2020年实现全覆盖的基础上,继续推进。"), ""),  # a dependent clause
        (quiz_item("rule", "县招乡用", "实行“县招乡用”。"), ""),  # slogans make no clear question
        (quiz_item("percent", "95%", "按95%"), ""),  # too little context
    ],
)
def test_questions_from_quiz_items(item, expected):
    assert examples.question_from_item(item) == expected


# ---- the gradio app builds ---------------------------------------------------------------------------

def test_gradio_app_builds(assistant, settings_fake, tmp_path, monkeypatch):
    pytest.importorskip("gradio")
    monkeypatch.setenv("GRADIO_ANALYTICS_ENABLED", "False")
    from assistant.web.app import build_app

    demo = build_app(assistant, settings_fake, FeedbackStore(tmp_path / "fb.sqlite3"))
    labels = {getattr(b, "label", None) for b in demo.blocks.values()}
    assert {"限定文档（不选则全部）", "限定类型（不选则全部）"} <= labels


def test_web_command_reports_a_missing_index_in_one_line(tmp_path):
    from click.testing import CliRunner

    from assistant.cli import main

    result = CliRunner().invoke(main, ["web", "--index", str(tmp_path / "none"), "--port", "1"])
    assert result.exit_code == 2
    assert result.output.startswith("错误：") and "Traceback" not in result.output


@pytest.mark.parametrize("configured", [("甲是什么？", "乙有哪些？"), ()])
def test_gradio_app_shows_examples_only_when_there_are_some(assistant, settings_fake, tmp_path, monkeypatch, configured):
    pytest.importorskip("gradio")
    monkeypatch.setenv("GRADIO_ANALYTICS_ENABLED", "False")
    import gradio as gr

    from assistant.web import app

    if not configured:  # stand in an index from which no example can be derived
        monkeypatch.setattr(app, "example_questions", lambda *args, **kwargs: [])
    demo = app.build_app(assistant, settings_fake.replace(web_examples=configured), FeedbackStore(tmp_path / "fb.sqlite3"))
    blocks = list(demo.blocks.values())
    buttons = [b.value for b in blocks if isinstance(b, gr.Button) and "pa-example" in (b.elem_classes or [])]
    headers = [b for b in blocks if isinstance(b, gr.HTML) and "示例问题" in str(b.value)]
    placeholder = next(b.placeholder for b in blocks if getattr(b, "elem_id", None) == "pa-question")
    assert buttons == list(configured)
    assert len(headers) == (1 if configured else 0)
    assert placeholder == ("请输入问题，例如：甲是什么？（回车发送）" if configured else "请输入问题（回车发送）")


@pytest.mark.parametrize(
    "question, region, expected",
    [
        ("什么时候被确定为试点旗县？", "内蒙古自治区鄂尔多斯市准格尔旗", "准格尔旗什么时候被确定为试点旗县？"),
        ("哪个部门要争取中央预算内投资？", "安徽省六安市裕安区", "裕安区哪个部门要争取中央预算内投资？"),
        ("裕安区哪个部门负责？", "安徽省六安市裕安区", "裕安区哪个部门负责？"),  # already named
        ("省《意见》规定按多少包干？", "安徽省六安市裕安区", "省《意见》规定按多少包干？"),  # says whose rule
        ("哪个部门负责？", "某市", "哪个部门负责？"),  # no real place
        ("哪个部门负责？", "全国", "哪个部门负责？"),
    ],
)
def test_derived_example_gets_the_place_its_document_is_about(question, region, expected):
    assert examples.with_place(question, region) == expected
