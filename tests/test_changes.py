"""Change records (ingest/changes.py) and the answer that gives the current rule first (answer/history.py)."""
from __future__ import annotations

import json

import pytest

from assistant.ingest.changes import ChangeRecord, extract_changes, read_changes, write_changes

SCHEME = """某县医共体建设实施方案修订说明
一、修订的主要内容
1.调整住院起付线。原方案规定乡镇卫生院住院起付线为300元。根据群众反映，新方案调整为200元。
2.调整家庭医生签约服务费。家庭医生签约服务费由每人每年10元提高到15元。
3.调整牵头单位。原方案中，县妇幼保健院作为医共体二级牵头单位，现县妇幼保健院不再作为医共体二级牵头单位。
二、其他事项
县医院继续作为医共体牵头医院。
"""


def _records(text):
    return {r.topic: r for r in extract_changes("d", text)}


def test_change_records_name_topic_old_and_new_with_their_sentences():
    recs = _records(SCHEME)
    fee = recs["住院起付线"]
    assert (fee.old.value, fee.new.value) == ("300元", "200元")
    assert SCHEME[fee.old.start : fee.old.end] == "原方案规定乡镇卫生院住院起付线为300元。"
    assert SCHEME[fee.new.start : fee.new.end] == "根据群众反映，新方案调整为200元。"
    sign = recs["家庭医生签约服务费"]
    assert (sign.old.value, sign.new.value) == ("10元", "15元")
    assert sign.old.start == sign.new.start  # one sentence states both
    lead = recs["牵头单位"]
    assert lead.new.value.startswith("不再作为")


def test_a_change_stated_across_two_lines_under_a_heading():
    text = "二、调整报销比例\n原规定乡镇卫生院住院报销比例为85%。\n根据省文件要求，现调整为90%。\n"
    (rec,) = extract_changes("d", text)
    assert (rec.topic, rec.old.value, rec.new.value) == ("报销比例", "85%", "90%")


def test_now_changed_takes_the_other_value_of_the_paragraph():
    text = ("4.修改医保基金包干比例。省文件规定按95%交牵头医院包干使用,我县原方案修改为93%。"
            "2019年,医保部门实际已经按照95%拨付,现文件予以修改。")
    (rec,) = extract_changes("d", text)
    assert (rec.topic, rec.old.value, rec.new.value) == ("医保基金包干比例", "93%", "95%")


@pytest.mark.parametrize("text", [
    "实现结余资金按照60%留用。原方案为50%。",  # 实现 is not 现 ("now"), and nothing replaces the old value
    "原方案规定起付线为300元。2023年全县住院人次为300人。",  # no statement of a new rule
    "县医院每年下沉专家不少于20名。",
])
def test_no_record_without_a_stated_change(text):
    assert extract_changes("d", text) == []


def test_records_round_trip_through_json(tmp_path):
    recs = extract_changes("d", SCHEME)
    write_changes(tmp_path, recs)
    data = json.loads((tmp_path / "changes.json").read_text(encoding="utf-8"))
    assert data["version"] == 1 and len(data["records"]) == len(recs)
    assert read_changes(tmp_path) == recs
    (tmp_path / "changes.json").write_text("{broken", encoding="utf-8")
    assert read_changes(tmp_path) is None  # damaged: extracted again by the caller, not a crash
    assert read_changes(tmp_path / "missing") is None


def test_bundled_corpus_records_for_the_two_changed_ratios(assistant):
    recs = {(r.old.value, r.new.value): r for r in assistant.answerer.history.records}
    assert ("4:3:3", "6:3:1") in recs and ("93%", "95%") in recs
    docs = {d.doc_id: d for d in assistant.index.documents}
    r = recs[("4:3:3", "6:3:1")]
    assert "调整为6:3:1" in docs[r.new.doc_id].text[r.new.start : r.new.end].replace("調整為", "调整为")


def test_build_stores_the_records_in_the_index_folder(built_index):
    from assistant.store import current_build

    folder = current_build(built_index)
    recs = read_changes(folder)
    assert recs and all(isinstance(r, ChangeRecord) for r in recs)


@pytest.mark.parametrize("question, first, then", [
    ("医保基金结余资金按什么比例分配？", "6:3:1", "4:3:3"),
    ("医保基金包干比例是多少？", "95%", "93%"),
])
def test_answer_gives_the_current_rule_first_then_what_it_replaced(assistant, question, first, then):
    ans = assistant.ask(question)
    assert not ans.abstained, ans.answer
    record = next(r for r in assistant.answerer.history.records if r.new.value == first)
    assert (ans.citations[0].start, ans.citations[0].end) == (record.new.start, record.new.end)
    assert (ans.citations[1].start, ans.citations[1].end) == (record.old.start, record.old.end)
    assert then in ans.citations[1].quote
    text = ans.answer.replace("∶", ":")
    assert text.index(first) < text.index(then)


def test_answer_on_synthetic_text_with_a_change(assistant_over):
    app = assistant_over({"scheme.txt": SCHEME})
    ans = app.ask("乡镇卫生院住院起付线是多少？")
    assert not ans.abstained, ans.answer
    assert "200元" in ans.citations[0].quote
    assert any("300元" in c.quote for c in ans.citations[1:])
    assert ans.answer.index("200元") < ans.answer.index("300元")
    for c in ans.citations:
        assert app.show(c.source)["text"][c.start : c.end] == c.quote


def test_a_question_about_the_old_rule_keeps_its_answer(assistant_over):
    app = assistant_over({"scheme.txt": SCHEME})
    ans = app.ask("原方案的乡镇卫生院住院起付线是多少？")
    assert not ans.abstained, ans.answer
    assert "300元" in ans.citations[0].quote


def _history_over(text):
    from assistant.answer.history import ChangeHistory
    from assistant.lexicon import default_lexicon

    records = extract_changes("d", text)
    return ChangeHistory(records, default_lexicon(), texts=[text, "医共体建设要坚持政府主导。\n县医院牵头。"])


@pytest.mark.parametrize("question, applies", [
    ("乡镇卫生院住院起付线是多少？", True),
    ("乡镇卫生院住院起付线现在是多少钱？", True),
    ("原方案的乡镇卫生院住院起付线是多少？", False),  # the old rule is asked for
    ("为什么要调整乡镇卫生院住院起付线？", False),  # a reason, not the value
    ("乡镇卫生院住院起付线怎么执行？", False),  # a way of doing, not a value
    ("家庭医生签约服务费是多少？", True),
    ("县医院住院费用是多少？", False),  # shares only common words with any topic
])
def test_which_questions_a_change_record_answers(question, applies):
    from assistant.answer.analyze import analyze
    from assistant.answer.evidence import Sentence
    from assistant.lexicon import default_lexicon

    history = _history_over(SCHEME)
    lx = default_lexicon()
    info = analyze(question, lambda q: [t for t in lx.query_tokens(q, expand=False) if len(t) > 1])
    ranked = [Sentence("d", 0, 10, SCHEME[:10], 1, 0, "")]
    assert (history.record_for(info, ranked) is not None) == applies


def test_topic_word_weights_come_from_the_build_counts_as_from_the_texts():
    """The index's paragraph counts give the same weights as a scan of the texts, without the scan at load."""
    from assistant.answer.history import ChangeHistory
    from assistant.lexicon import default_lexicon
    from assistant.tables import paragraph_df

    lexicon = default_lexicon()
    texts = [SCHEME, "医共体建设要坚持政府主导。\n县医院牵头。\n乡镇卫生院住院起付线另行规定。"]
    records = extract_changes("d", SCHEME)
    scanned = ChangeHistory(records, lexicon, texts=texts)
    counted = [paragraph_df(t, lexicon.tokenize) for t in texts]
    df: dict[str, int] = {}
    for _, d in counted:
        for tok, c in d.items():
            df[tok] = df.get(tok, 0) + c
    built = ChangeHistory(records, lexicon, counts=(sum(n for n, _ in counted), df))
    assert scanned._weight and built._weight == pytest.approx(scanned._weight)
    assert len(set(scanned._weight.values())) > 1  # rare and common words weigh differently
