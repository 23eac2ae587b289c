"""The answer contract and the behaviours of the extractive answerer, through Assistant.ask.

Most tests use the bundled corpus (the session `assistant` fixture of conftest.py); the list and heading
behaviours use a tiny synthetic corpus built into a temporary folder with the fake embedder.
"""
from __future__ import annotations

import re

import pytest

from assistant.answer.extractive import ExtractiveAnswerer
from assistant.lexicon import default_lexicon
from assistant.pipeline import Assistant, QueryError, validate_history, validate_query
from assistant.textnorm import CJK_RE, is_traditional, match_form, t2s

ABSTAIN = "现有文件中没有找到能回答这个问题的内容。"
ABSTAIN_TRAD = "現有文件中沒有找到能回答這個問題的內容。"
YUAN = "001_79d7ce171deded25.txt"  # 裕安区 policy interpretation (Traditional script)
TALK = "000_286eb29e37a2dec4.txt"  # 市级推进会讲话 (outline with 强县级/固网底/通信息)
ZHUN = "003_f96d00e5018071de.txt"  # 准格尔旗 report

SYNTHETIC = {
    "tasks.txt": (
        "关于推进县域医共体建设的实施意见\n\n"
        "一、总体要求\n\n坚持以人民健康为中心,推动优质医疗资源下沉,提升基层服务能力。\n\n"
        "二、主要任务\n\n"
        "（一）强县级。提升县级医院综合服务能力,建设胸痛中心和卒中中心。\n\n"
        "（二）固网底。加强乡镇卫生院和村卫生室标准化建设,充实基层人员。\n\n"
        "（三）通信息。建设县域医共体信息平台,实现检查结果互认。\n\n"
        "三、保障措施\n\n加强组织领导,落实部门责任。\n"
    ),
    "terms.txt": (
        "县级医院能力建设工作要点\n\n"
        "各地要加强县级医院临床专科建设,提高常见病诊疗水平。\n\n"
        "名词解释:\n\n"
        "医共体:即县域医疗共同体,以县级医院为牵头单位,整合县乡村三级医疗卫生服务资源。\n\n"
        "乡镇卫生院要承担基本公共卫生服务任务。\n"
    ),
    "outline.txt": (
        "某县医共体推进会讲话\n\n"
        "二、聚焦重点,把握核心任务。(一)要筑牢龙头,强县级。(二)要激活基层,固网底。(三)要畅通经络,通信息。三、强化保障。\n\n"
        "县级医院要发挥龙头作用,带动基层能力提升。\n"
    ),
    "lab.txt": (
        "某市检验机构监督管理办法\n\n"
        "（一）各级卫生行政部门应当加强辖区内检验机构的监督管理，发现存在质量问题时，应当责令其立即整改。\n"
        "（二）各级卫生行政部门履行监督检查职责时，有权采取下列措施：\n1.对检验机构进行现场检查；\n2.查阅有关资料。\n"
        "（三）检验机构在开展检验服务过程中出现以下情形的，所在地卫生行政部门应当视情节依法依规从严从重处理：\n1.使用非专业技术人员从事检验工作的；\n"
        "2.出具虚假检验报告的；\n3.未开展室内质量控制的。\n"
    ),
    "mode.txt": (
        "某区医共体模式特点\n\n"
        "和省要求的紧密型医共体主要区别是未严格执行两包规定,即仅医保基金打包给牵头单位,公卫经费尚未打包。"
        "原因是对牵头医院缺乏监管手段。\n\n"
        "医保基金按当年筹集基金的95%交牵头医院包干使用。\n"
    ),
}


@pytest.fixture(scope="module")
def synthetic(assistant_over):
    """An Assistant over the SYNTHETIC corpus (fake embedder)."""
    return assistant_over(SYNTHETIC)


# ---- helpers ------------------------------------------------------------------------------------
_MARKER = re.compile(r"\[(\d+)\]")
# Ratios, percentages and plain numbers as they appear in an answer.
_NUMBER = re.compile(r"\d+(?:\.\d+)?(?:\s*[:：∶]\s*\d+(?:\.\d+)?)*\s*[%％]?")


def check_contract(app: Assistant, ans) -> None:
    """Citations are numbered 1..n, quote == document text[start:end], and the [n] markers match."""
    ns = [c.n for c in ans.citations]
    assert ns == list(range(1, len(ns) + 1))
    assert set(int(m) for m in _MARKER.findall(ans.answer)) == set(ns)
    for c in ans.citations:
        doc = app.show(c.source)
        assert doc["doc_id"] == c.doc_id or not c.doc_id
        assert 0 <= c.start < c.end <= len(doc["text"])
        assert doc["text"][c.start : c.end] == c.quote
        assert c.quote.strip()
    if ans.abstained:
        assert ans.citations == []
    else:
        assert ans.citations, "a non-abstained answer must cite"


def numbers_in(text: str) -> list[str]:
    return [m.group(0) for m in _NUMBER.finditer(_MARKER.sub("", text))]


def cited_text(ans) -> str:
    return t2s("".join(c.quote for c in ans.citations))


def assert_abstains(ans, text: str = ABSTAIN) -> None:
    assert ans.abstained is True, ans.answer
    # The fixed sentence, then (when a check found what is missing) why, in Chinese: "原因：相关段落没有给出金额。"
    assert ans.answer == text or (ans.answer.startswith(text + "原因：") and ans.answer.endswith("。")), ans.answer
    assert ans.citations == []


# ---- the contract -------------------------------------------------------------------------------
CONTRACT_QUESTIONS = [
    "医保基金结余怎么分配？",
    "医保基金结余分配比例是多少？",
    "醫保基金結余分配比例是多少？",
    "医保基金包干比例是多少？",
    "医保基金包干比例为什么改为90%？",
    "裕安区政府办公室2019年印发了哪个医共体建设实施方案？",
    "公卫经费打包以后按什么比例包干？",
    "裕安区和准格尔旗的医共体有什么区别？",
    "核心任务有哪三项？",
    "名词解释是什么？",
    "公立医院院长每届任期几年？",
    "医保支付方式改革怎么做？",
    "浙江省医共体结余怎么分配？",
    "牵头医院院长年薪多少？",
]


@pytest.fixture(scope="module")
def contract_answers(assistant):
    return {q: assistant.ask(q) for q in CONTRACT_QUESTIONS}


@pytest.mark.parametrize("question", CONTRACT_QUESTIONS)
def test_citations_are_exact_quotes_and_markers_match(assistant, contract_answers, question):
    check_contract(assistant, contract_answers[question])


def test_contract_set_has_answers_and_abstentions(contract_answers):
    # The contract checks above mean something only if both kinds of result are exercised.
    states = [a.abstained for a in contract_answers.values()]
    assert states.count(False) >= 8 and states.count(True) >= 2


@pytest.mark.parametrize("question", CONTRACT_QUESTIONS)
def test_numbers_in_the_answer_come_from_the_cited_quotes(contract_answers, question):
    ans = contract_answers[question]
    if ans.abstained:
        return
    quotes = match_form(cited_text(ans))
    for num in numbers_in(ans.answer):
        assert match_form(num) in quotes, f"{num!r} of {ans.answer!r} not in any cited quote"


def test_answer_to_dict_is_the_published_shape(contract_answers):
    d = contract_answers["医保基金结余分配比例是多少？"].to_dict()
    assert d["abstained"] is False and d["mode"] == "extractive"
    assert d["citations"] and set(d["citations"][0]) == {"n", "source", "title", "section", "quote", "start", "end",
                                                        "quote_display", "section_display"}


@pytest.mark.parametrize("question", ["医保基金结余分配比例是多少？", "醫保基金結余分配比例是多少？"])
def test_no_span_is_cited_twice(contract_answers, question):
    spans = [(c.source, c.start, c.end) for c in contract_answers[question].citations]
    assert len(spans) == len(set(spans))


# ---- fund-ratio question ------------------------------------------------------------------------
@pytest.mark.parametrize(
    "question",
    [
        "医保基金结余分配比例是多少？",
        "医保基金结余怎么分配？",
        "裕安区医保基金结余分配比例是多少？",
        "医共体结余分配比例是多少？",
        "结余分配比例是多少？",
    ],
)
def test_surplus_ratio_is_631_from_the_yuan_document(assistant, question):
    ans = assistant.ask(question)
    assert ans.abstained is False, ans.answer
    assert "6:3:1" in match_form(ans.answer)
    cites = [c for c in ans.citations if "6:3:1" in match_form(c.quote)]
    assert cites and all(c.source == YUAN for c in cites)
    assert "裕安区" in t2s(cites[0].title)


# ---- abstention ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "question",
    ["浙江省医共体结余怎么分配？", "浙江省医保基金结余分配比例是多少？", "杭州市医共体的包干比例是多少？"],
)
def test_region_absent_from_corpus_abstains(assistant, question):
    ans = assistant.ask(question)
    assert_abstains(ans)
    assert ans.to_dict()["abstained"] is True


def test_region_present_in_corpus_answers(assistant):
    # The counterpart of the test above: naming a place the corpus covers is no reason to abstain.
    ans = assistant.ask("准格尔旗公立医院院长每届任期几年？")
    assert ans.abstained is False
    assert "4年" in ans.answer


@pytest.mark.parametrize("question", ["如何推进城市医联体建设？", "怎样建设城市医联体？"])
def test_generic_city_word_is_not_an_absent_region(assistant, question):
    assert assistant.ask(question).abstained is False


@pytest.mark.parametrize(
    "question",
    [
        # a coined term absent from the corpus, or named once but never explained (五联动, 准格尔旗 report)
        "“三通六保”是什么？",
        "医共体的“三通六保”包括哪些？",
        "紧密型医共体的“五统一”是什么意思？",
        "“五联动”是什么意思？",
        "什么是“五联动”？",
        "“五联动”是什么？",
        # an amount no passage states
        "牵头医院院长年薪多少？",
        "村医补助多少钱？",
        "乡村医生每月补贴多少？",
        "医保基金打包给牵头医院多少钱？",
        # a person no passage names
        "区政府审议通过送审稿的那次常务会议是哪位领导主持的？",
        "那篇推进会讲话是谁讲的？",  # "主要负责同志要亲自抓" names a role, not a person
        # a count in a unit no passage uses
        "准格尔旗医共体有多少张床位？",
        "准格尔旗免费接种的宫颈癌疫苗是几价的？",
        "准格尔旗为女学生免费接种几价宫颈癌疫苗？",
        # alternatives the evidence names neither of
        "准格尔旗给女学生免费打的宫颈癌疫苗，是进口的还是国产的？",
        # a quantity without a unit ("降到多少") that no passage about it states
        "讲话里观摩的那个县，县域外转率降到多少了？",
        # a numbered institution no document names
        "裕安区第三人民医院牵头了哪个医共体？",
        # a year no document reaches: outside the documents, not a false premise
        "裕安区2021年医共体医保结余实际分到村卫生室的有多少钱？",
        # points no passage gives, a total no passage states
        "医联体整体考核办法里每项指标多少分？",
        "准格尔旗医共体每年的医保预算总额是多少？",
        # a place of the asked level: provinces do not answer a county question, nor a masked name
        "刘国中在湖南调研时去了哪几个县？",
        # a quoted term named but never spelled out, asked about without a type word
        "讲话里说的“两个允许”具体是允许什么？",
        # the kind of thing asked for (a level of 财政) no passage about it names; a count a keyword query asks
        "“乡聘村用”人员的补贴由哪一级财政出？",
        "裕安区 领导小组 成员数量",  # a date in the passage ("2018年5月31日") is no count
    ],
)
def test_question_the_documents_do_not_answer_abstains(assistant, question):
    assert_abstains(assistant.ask(question))


@pytest.mark.parametrize(
    "question",
    [
        "医共体的医保钱是按人头算还是按看病项目算？",  # one alternative is in the evidence ("参保人头")
        "裕安为啥又把结余分配比例改回省里的老规矩了？",  # "省里" is the province government, not a place "…省"
        "裕安区名词解释和秦永方文章对牵头机构的说法有什么区别？",  # 什么区别 asks no 区
        "“1+1+X”是个什么模式？",  # described by what follows it: "…家庭医生签约服务模式"
        "「两包三单六贯通」里的「三单」是指哪三张清单？",  # the part is defined, the whole never quoted as one
        "秦永方说要“算清十本账”，是哪十本账？",  # defined by its numbered items 第一…第十
        "准格尔旗几岁以上的居民可以做结肠癌惠民检查？",  # 50周岁
        "裕安新方案的初稿送哪个单位做合法性审查？",  # any named body answers 哪个单位: 区司法局
        "准格尔旗乡镇卫生院的一把手是怎么选出来的？",  # a generic role: the passage names 院长
        "中日医院医改办那位主任分享了哪三点体会？",  # 医改办 abbreviates 医改和医疗发展办公室
        "院长年会那篇报道里，32号文是哪天发布的？",  # 院长 is part of a name the documents use (院长年会)
        "秦永方说要“亲兄弟明算账”，具体要算清哪些账？",  # the quoted saying is an aside, not the term asked
    ],
)
def test_close_relatives_of_the_abstention_checks_still_answer(assistant, question):
    assert not assistant.ask(question).abstained


def test_answerer_without_hits_abstains(assistant):
    docs = {d.doc_id: d for d in assistant.index.documents}
    ans = ExtractiveAnswerer(default_lexicon()).answer("医保基金结余怎么分配？", [], docs)
    assert_abstains(ans)


@pytest.mark.parametrize("kwargs", [{"threshold": 1.5}, {"threshold": -0.1}, {"max_chars": 20}])
def test_answerer_rejects_bad_settings(kwargs):
    with pytest.raises(ValueError):
        ExtractiveAnswerer(default_lexicon(), **kwargs)


# ---- script -------------------------------------------------------------------------------------
def test_traditional_question_gets_traditional_answer(assistant):
    ans = assistant.ask("醫保基金結余分配比例是多少？")
    assert ans.abstained is False
    assert is_traditional(ans.answer)
    assert "醫保" in ans.answer and "6:3:1" in ans.answer


def test_simplified_question_gets_simplified_answer_from_traditional_document(assistant):
    ans = assistant.ask("医保基金结余分配比例是多少？")
    assert ans.citations[0].source == YUAN and is_traditional(ans.citations[0].quote)
    assert not is_traditional(ans.answer)
    assert "医保" in ans.answer and "醫保" not in ans.answer


def test_traditional_question_gets_traditional_abstention(assistant):
    assert_abstains(assistant.ask("浙江省醫保基金結余怎麼分配？"), ABSTAIN_TRAD)


# ---- comparison ---------------------------------------------------------------------------------
@pytest.mark.parametrize("question", ["裕安区和准格尔旗的医共体有什么区别？", "准格尔旗和裕安区的医共体建设有什么不同？"])
def test_comparison_of_two_places_in_different_documents_answers(assistant, question):
    # Precondition: no single document names both places.
    yuan, zhun = t2s(assistant.show(YUAN)["text"]), t2s(assistant.show(ZHUN)["text"])
    assert "准格尔" not in yuan and "裕安" not in zhun
    ans = assistant.ask(question)
    assert ans.abstained is False
    assert ans.qtype == "comparison"
    assert {YUAN, ZHUN} <= {c.source for c in ans.citations}


# ---- lists and headings -------------------------------------------------------------------------
TASKS = ("强县级", "固网底", "通信息")


@pytest.mark.parametrize(
    "question",
    [
        "主要任务有哪些？",
        "主要任务有哪几项？",
        "主要任务有哪三项？",
    ],
)
def test_list_question_on_heading_answers_with_sub_headings(synthetic, question):
    ans = synthetic.ask(question)
    assert ans.abstained is False, ans.answer
    check_contract(synthetic, ans)
    for item in TASKS:
        assert item in ans.answer
    assert all(c.source == "tasks.txt" for c in ans.citations)
    assert all(not c.quote.startswith("二、") for c in ans.citations)  # the heading itself is not the answer


@pytest.mark.parametrize("question", ["核心任务有哪三项？", "把握核心任务有哪三项？"])
def test_outline_line_with_inline_items_answers_all_items(synthetic, question):
    ans = synthetic.ask(question)
    assert ans.abstained is False, ans.answer
    check_contract(synthetic, ans)
    for item in TASKS:
        assert item in ans.answer
    quotes = [c.quote for c in ans.citations]
    assert not any(q.startswith("二、聚焦重点") for q in quotes)


def test_long_lead_in_ending_with_a_colon_answers_with_its_items(synthetic):
    # "（三）…出现以下情形的，…从严从重处理：" is a numbered item too long for a heading; the list asked is the items
    # under it, not its sibling items "（一）…（二）…".
    ans = synthetic.ask("检验机构出现哪些情形，卫生行政部门会从严从重处理？")
    assert ans.abstained is False, ans.answer
    check_contract(synthetic, ans)
    for item in ("使用非专业技术人员", "出具虚假检验报告", "未开展室内质量控制"):
        assert item in ans.answer
    assert "现场检查" not in ans.answer and "责令其立即整改" not in ans.answer


def test_outline_core_tasks_in_bundled_corpus(assistant):
    ans = assistant.ask("核心任务有哪三项？")
    assert ans.abstained is False
    assert all(c.source == TALK for c in ans.citations)
    for item in TASKS:
        assert item in ans.answer


def test_heading_only_line_is_not_the_answer(synthetic):
    ans = synthetic.ask("名词解释是什么？")
    assert ans.abstained is False
    check_contract(synthetic, ans)
    assert all(c.quote.strip() not in ("名词解释:", "名词解释：") for c in ans.citations)
    assert not ans.answer.startswith("名词解释")
    assert "即县域医疗共同体" in ans.answer


def test_heading_only_line_is_not_the_answer_in_bundled_corpus(assistant):
    ans = assistant.ask("名词解释是什么？")
    assert ans.abstained is False
    assert all(t2s(c.quote).strip() not in ("名词解释:", "名词解释：") for c in ans.citations)
    assert "即县（区）域医疗共同体建设" in ans.answer  # answer text in full-width punctuation (answer.lead)


# ---- false premises -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "question",
    [
        "医保基金包干比例为什么改为90%？",
        "为什么把包干比例调成90%？",
    ],
)
def test_claimed_percent_no_document_gives_gets_premise_note(assistant, question):
    ans = assistant.ask(question)
    assert ans.premise_note, ans.answer
    assert "90%" in ans.premise_note and "95%" in ans.premise_note
    assert any("95%" in c.quote for c in ans.citations)


def test_claimed_year_contradicting_best_passage_gets_premise_note(assistant):
    ans = assistant.ask("裕安区政府办公室2019年印发了哪个医共体建设实施方案？")
    assert ans.abstained is False
    assert ans.premise_note and "2018年" in ans.premise_note and "2019年" in ans.premise_note
    assert "2018年" in ans.citations[0].quote


def test_agreeing_question_has_no_premise_note(assistant):
    ans = assistant.ask("医保基金包干比例为什么改为95%？")
    assert ans.abstained is False and ans.premise_note is None


@pytest.mark.parametrize("app", ["synthetic", "assistant"])
def test_presupposed_action_that_was_not_done_gets_premise_note(request, app):
    a = request.getfixturevalue(app)
    ans = a.ask("公卫经费打包以后按什么比例包干？")
    assert ans.premise_note and "尚未" in ans.premise_note
    clause = re.search(r"“([^”]+)”", ans.premise_note).group(1)
    assert "公卫经费尚未打包" in t2s(clause)
    # The quoted clause is evidence (in the question's script) and is cited.
    assert any(t2s(clause) in t2s(c.quote) for c in ans.citations)
    assert "公卫经费尚未打包" in ans.answer


# ---- follow-ups ---------------------------------------------------------------------------------
def test_followup_resolves_against_history(assistant):
    history = [
        {"role": "user", "content": "医保基金结余怎么分配？"},
        {"role": "assistant", "content": "按照6:3:1比例分配。"},
    ]
    ans = assistant.ask("那村卫生室呢？", history=history)
    assert ans.question == "那村卫生室呢？"
    assert ans.abstained is False
    assert any(c.source == YUAN and "结余" in t2s(c.quote) and "村卫生室" in t2s(c.quote) for c in ans.citations)


# ---- bad input ----------------------------------------------------------------------------------
def _has_cjk(text: str) -> bool:
    return bool(CJK_RE.search(text))


@pytest.mark.parametrize("question", ["", "   \n", "？？？", "……！！", "，。、"])
def test_empty_or_punctuation_only_question_is_refused(assistant, question):
    with pytest.raises(QueryError) as exc:
        assistant.ask(question)
    assert _has_cjk(str(exc.value))


@pytest.mark.parametrize("question", [None, 42, ["医保"]])
def test_non_text_question_is_refused(question):
    with pytest.raises(QueryError) as exc:
        validate_query(question, 500)
    assert _has_cjk(str(exc.value))


@pytest.mark.parametrize(
    "history",
    [
        "医保基金结余怎么分配？",
        {"role": "user", "content": "x"},
        [1],
        [{"role": "bot", "content": "医保基金结余怎么分配？"}],
        [{"role": "user", "content": 5}],
        [{"content": "医保基金结余怎么分配？"}],
    ],
)
def test_broken_history_is_refused(assistant, history):
    with pytest.raises(QueryError) as exc:
        assistant.ask("那村卫生室呢？", history=history)
    assert _has_cjk(str(exc.value))
    with pytest.raises(QueryError):
        validate_history(history)


def test_overlong_question_is_truncated_with_notice(assistant):
    limit = assistant.settings.max_query_chars
    ans = assistant.ask("医保基金结余怎么分配？" * (limit // 5))
    assert len(ans.question) == limit
    assert any("问题过长" in n for n in ans.notices)


# ---- reasons next door, lead-ins ------------------------------------------------------------------
MORE = {
    "region.txt": (
        "某区医共体实施方案解读\n\n"
        "三、制定意义\n\n"
        "加之区内一所市级医院分院年中才开诊,当前不宜作为牵头单位。综合考虑,暂不调整牵头乡镇区域。\n\n"
        "四、主要内容\n\n"
        "运营平台的主要功能价值包括如下五大方面。\n\n"
        "第一,数据资产价值。打通信息孤岛。\n\n"
        "第二,绩效评价价值。构建评价体系。\n\n"
        "第三,医保结算价值。支持打包结算。\n\n"
        "五、其他\n\n各单位要按时报送材料。\n"
    ),
    "visit.txt": (
        "副总理调研基层医疗卫生工作\n\n"
        "国务院副总理王某14日至16日到湖南、江西调研。他强调,要全面推进紧密型县域医共体建设。\n"
    ),
}


@pytest.fixture(scope="module")
def more(assistant_over):
    return assistant_over(MORE)


def test_why_answer_includes_the_reason_given_in_the_previous_sentence(more):
    ans = more.ask("为什么暂不调整牵头乡镇区域？")
    check_contract(more, ans)
    assert "年中" in ans.answer and "暂不调整" in ans.answer


def test_lead_in_sentence_is_answered_by_the_numbered_items_after_it(more):
    ans = more.ask("运营平台的主要功能价值有哪些方面？")
    check_contract(more, ans)
    for item in ("数据资产", "绩效评价", "医保结算"):
        assert item in ans.answer
    assert "按时报送" not in ans.answer  # the run of items ends where the numbering does


LABELS = {
    "label.txt": (
        "某市卫生工作会议讲话\n\n"
        "要完善对乡村医生的激励政策,让乡村医生扎根农村、服务农民。\n\n其他工作另行部署。各地要当好农民健康“守护人”。\n\n"
        "省里要求全省各县全面实施紧密型医共体建设,市辖区根据现有条件比照推行;"
        "有条件的实施紧密型医共体,条件欠缺的,将医共体与城市医联体统筹规划。\n"
    ),
}


CHANGES = {
    "changes.txt": (
        "某区医共体方案解读\n\n"
        "一、主要修改内容\n\n"
        "1.修改二级牵头单位。区妇幼保健院不再作为二级牵头单位。\n"
        "2.修改医保基金包干比例。按95%交牵头医院包干使用。\n"
        "3.增加医改新的工作内容。增加推进“智医助理”工程、远程会诊推广的内容。\n"
        "4.因人员变动,调整充实领导小组。\n\n"
        "二、保障措施\n\n要加强组织领导。\n"
    ),
}


PROCESS = {
    "process.txt": (
        "某区方案政策解读\n\n"
        "四、起草过程\n\n"
        # Items longer than a heading line: the run is found from the items themselves, not from a heading.
        "1.针对我区医共体建设现状,区卫健委请示了市卫健委主要领导和分管领导,结合会议精神起草了初稿。\n"
        "2.初稿于2020年4月29日至5月7日期间向区医保局等7家单位征求意见,并在区政府网站上进行公示。\n"
        "3.初稿送区司法局进行合法性审查,根据审查意见进一步修改,形成送审稿,报区政府常务会议审定。\n"
        "4.区政府于2020年6月1日召开第53次常务会议,审议通过了送审稿,并以区政府办文件予以印发。\n\n"
        "五、工作目标\n\n要建立分级诊疗模式。\n"
    ),
}


RUN_ON = {
    "runon.txt": (
        "某省药品集中采购工作评述\n\n"
        "各地推行药品集中采购以来,药价虚高的势头得到遏制。\n\n"
        "但在执行中也暴露出一些新问题：部分低价常用药品从医院悄然消失；多数地方中标价格降幅有限,患者感受不明显；"
        "部分偏远地区配送企业送货不及时；个别医院仍以二次议价变相收取回扣。\n\n"
        "下一步要完善集中采购的配套政策。\n"
    ),
}


@pytest.mark.parametrize("files, question, items", [
    (PROCESS, "初稿从征求意见到合法性审查，一共走了哪些程序？", ("起草了初稿", "征求意见", "合法性审查", "审议通过")),
    # The items are clauses of one paragraph, each ending in a semicolon: the answer follows the run.
    (RUN_ON, "集中采购执行中暴露出哪些新问题？", ("低价常用药品", "降幅有限", "送货不及时")),
], ids=["numbered-items", "clauses-after-a-colon"])
def test_list_question_whose_best_sentences_are_items_of_one_run_gets_the_run(assistant_over, files, question, items):
    app = assistant_over(files, semantic_weight=0)
    ans = app.ask(question)
    check_contract(app, ans)
    for item in items:
        assert item in ans.answer


ACCOUNTS = {
    "accounts.txt": (
        "亲兄弟明算账\n\n"
        "医共体内部要把账算清楚。\n\n"
        "第一,算清政治账。\n\n第二,算清公益账。\n\n第三,算清医保账。\n\n第四,算清成本账。\n\n第五,算清绩效账。\n"
    ),
}


def test_list_answer_with_another_count_than_the_question_presupposes_notes_it(assistant_over):
    app = assistant_over(ACCOUNTS, semantic_weight=0)
    ans = app.ask("医共体内部要算清的“三本账”分别是哪三本？")
    check_contract(app, ans)
    assert "绩效账" in ans.answer
    assert ans.premise_note and "5" in ans.premise_note


def test_list_answer_with_the_presupposed_count_has_no_note(assistant_over):
    app = assistant_over(ACCOUNTS, semantic_weight=0)
    ans = app.ask("医共体内部要算清的“五本账”分别是哪五本？")
    assert "绩效账" in ans.answer and not ans.premise_note


MEMBERS = {
    "members.txt": (
        "某旗医共体建设报道\n\n"
        "全旗以中心医院、中蒙医医院、人民医院和大路医院为龙头,组建4大紧密型医共体。\n\n"
        "医共体覆盖全旗乡镇卫生院和村卫生室,实行一体化管理。\n"
    ),
}


def test_members_asked_by_name_are_answered_when_the_passage_lists_them(assistant_over):
    app = assistant_over(MEMBERS, semantic_weight=0)
    ans = app.ask("该旗的医共体由哪几家医院牵头？")
    assert not ans.abstained and "大路医院" in ans.answer


def test_members_asked_by_name_are_declined_when_only_their_class_is_named(assistant_over):
    app = assistant_over(MEMBERS, semantic_weight=0)
    assert app.ask("该旗医共体覆盖了哪几个乡镇卫生院？").abstained


def test_list_question_about_one_numbered_item_gets_its_body(assistant_over):
    app = assistant_over(CHANGES, semantic_weight=0)
    ans = app.ask("这次在医改工作上新加了哪些内容？")
    check_contract(app, ans)
    assert "智医助理" in ans.answer


def test_list_question_about_the_whole_list_gets_every_item(assistant_over):
    app = assistant_over(CHANGES, semantic_weight=0)
    ans = app.ask("主要修改内容有哪些？")
    check_contract(app, ans)
    for item in ("二级牵头单位", "包干比例", "领导小组"):
        assert item in ans.answer


def test_question_asking_for_a_label_is_answered_by_the_quoted_phrase(assistant_over):
    # Words only: the fake embedder's sentence "meaning" is noise that would reorder the evidence at random.
    app = assistant_over(LABELS, semantic_weight=0)
    ans = app.ask("讲话希望乡村医生对农民扮演什么角色？")
    check_contract(app, ans)
    assert "守护人" in ans.answer


def test_sentence_ending_in_a_semicolon_brings_the_next_one(assistant_over):
    app = assistant_over(LABELS)
    ans = app.ask("省里对市辖区比照推行是怎么要求的？")
    check_contract(app, ans)
    assert "统筹规划" in ans.answer


def test_one_wrong_place_in_a_list_of_places_is_corrected_not_declined(more):
    ans = more.ask("副总理到湖北、湖南调研时提了什么要求？")
    check_contract(more, ans)
    assert not ans.abstained
    assert ans.premise_note and "湖北" in ans.premise_note and "江西" in ans.premise_note


def test_a_place_no_document_names_is_still_declined(more):
    assert more.ask("副总理到湖北调研时提了什么要求？").abstained


def test_trimmed_answer_never_cuts_a_ratio():
    # trim keeps whole clauses around the best match; a clause boundary inside "6:3:1" left "6:3:……" once.
    from assistant.answer.analyze import analyze
    from assistant.answer.cut import trim
    from assistant.answer.evidence import Sentence

    text = ("规定,医保基金结余由牵头医院、乡镇卫生院、村卫生室按照6:3:1比例分配,出于倾斜基层的考量,"
            "原方案将比例修改为4:3:3,从实际运行情况看,牵头医院分成比例偏低、亏空严重。")
    lexicon = default_lexicon()
    info = analyze("结余按什么比例分配？", lambda q: lexicon.query_tokens(q, expand=False))
    for budget in range(20, len(text), 7):
        piece = trim(info, Sentence("d", 0, len(text), text, 1, 0, text), budget)
        assert not re.search(r"\d[:：](?!\d)|(?<![\d:])\d[:：]\d(?![:：\d])", piece), piece


def test_person_question_answered_when_a_passage_names_one(assistant):
    ans = assistant.ask("1月17日的国务院常务会议是哪位领导主持的？")
    assert not ans.abstained and "李强" in ans.answer


def test_traditional_source_is_quoted_as_written_for_a_traditional_question(assistant_over):
    # s2t would turn this document's own "包干" into "包乾", and the answer would no longer match its quote.
    app = assistant_over({"trad.txt": "醫共體醫保管理辦法\n\n醫療衛生機構實行醫保基金按年度包干使用,結餘留用,超支分擔。\n"})
    ans = app.ask("醫保基金怎樣包干使用？")
    check_contract(app, ans)
    assert "包干使用" in ans.answer


def test_an_unquoted_term_is_defined_by_its_glossary_entry(assistant_over):
    app = assistant_over({"plan.txt": (
        "某区医联体方案解读\n\n"
        "我区3个街道与市二院组建紧密型城市医联体,工作稳步推进。\n\n"
        "名词解释:\n\n"
        "——紧密型城市医联体建设:城区街道与城市三级公立医院建立内部资源共享、人财物统筹管理的医疗联合体。\n")})
    ans = app.ask("紧密型城市医联体在文件里是怎么定义的？")
    assert ans.abstained is False, ans.answer
    assert "城区街道与城市三级公立医院" in ans.citations[0].quote


def test_a_document_cited_by_number_is_dated_by_the_document_that_describes_it(assistant_over):
    app = assistant_over({
        "plan.txt": ("金寨县医共体方案解读\n\n"
                     "2018年5月31日,金寨县政府办公室印发了《金寨县全面推进医共体建设实施方案》。\n\n"
                     "起草依据。根据国务院办公厅《关于推进医疗联合体建设和发展的指导意见》(国办发〔2017〕32号)起草。\n"),
        "news.txt": ("医联体建设年会报道\n\n"
                     "今年4月23日,国务院发布32号文,即《关于推进医疗联合体建设和发展的指导意见》,医联体成为热词。\n"),
    })
    ans = app.ask("金寨县方案起草依据之一国办发〔2017〕32号文件，是在哪一天发布的？")
    assert ans.abstained is False, ans.answer
    assert "4月23日" in ans.answer


def test_a_question_about_a_shift_is_answered_by_the_sentence_stating_one(assistant_over):
    app = assistant_over({"talk.txt": (
        "某县推进会讲话\n\n要深化医保支付方式改革,积极推行医保基金打包付费方式,打包拨付给牵头医院。\n\n"
        "医保支付方式是重要的指挥棒,打包付费要用好。\n\n"
        "这样可以引导医共体做好健康管理,内在驱动医疗机构从“重治疗”转向“重预防”。\n")})
    ans = app.ask("讲话说医保打包付费以后，医院的心思会从哪头转到哪头？")
    assert ans.abstained is False
    assert "重预防" in ans.answer


PLACELESS = {
    "guide.txt": "长期照顾服务懒人包\n"
                 "长照2.0于2017年推出，服务对象扩大为八类人群。\n"
                 "失智症患者不论年龄都可以申请长照服务。\n"
                 "交通接送补助按里程计算，每月最多四趟。\n",
    "county.txt": "某县医共体实施方案\n广东省某县医共体的结余按6:3:1分配。\n",
}


def test_a_document_that_names_no_place_answers_a_place_question_with_a_note(assistant_over):
    # The scraped guide never says where it applies; a reader asking about 台湾 is not asking about another place.
    a = assistant_over(PLACELESS)
    ans = a.ask("台湾长照2.0是哪一年推出的？")
    assert not ans.abstained and "2017" in ans.answer
    assert any("未写明所问地区" in n for n in ans.notices)
    # A document that names its place is still no answer for another one.
    assert a.ask("湖南省某县医共体的结余按什么比例分配？").abstained
