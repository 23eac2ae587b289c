"""Question analysis: answer type, asserted facts (claims), place names, and the slot helpers of evidence.py."""
from __future__ import annotations

import pytest

from assistant.answer.analyze import analyze, extract_claims, find_regions, question_type
from assistant.answer.evidence import (IdfTable, Sentence, asked_unit, has_quantity, has_type_evidence, heading_of,
                                      score_sentences)
from assistant.types import DocRecord
from assistant.answer.places_asked import asked_level, asks_place, names_place_of_level


# ---- question typing ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "question, expected",
    [
        ("医保基金结余分配比例是多少？", "ratio"),
        ("包干比例是百分之几？", "ratio"),
        ("结余按几比几分？", "ratio"),
        # 比例/分成/包干 name the subject; 为啥/为什么 is what is asked.
        ("结余分成办法为啥不用了", "why"),
        ("为什么要调整包干比例？", "why"),
        ("包干比例为什么调成90%？", "why"),
        ("当初出于什么考虑，没照省里的结余分配比例执行？", "why"),
        ("评论里说医共体管绩效特别难，根子到底在哪？", "why"),
        # A length of time or a frequency, not a calendar date.
        ("院长一届干几年", "duration"),
        # A time of day, which a calendar date does not give.
        ("那台手术从几点做到几点？", "clock"),
        ("春节前是哪几天到湖南调研的", "date"),
        ("啥叫紧密型城市医联体？", "definition"),
        ("医保基金多久拨一次？", "duration"),
        ("任期多长时间？", "duration"),
        ("方案是什么时候印发的？", "date"),
        ("哪一年启动试点？", "date"),
        ("由哪个部门牵头？", "who"),
        ("谁负责督查考核？", "who"),
        ("主要任务有哪些？", "list"),
        ("医共体建设包括哪些方面？", "list"),
        ("新方案和原方案有什么区别？", "comparison"),
        ("医共体跟医联体说白了有啥不一样？", "comparison"),
        ("裕安区和准格尔旗相比有何不同？", "comparison"),
        ("什么是紧密型医共体？", "definition"),
        ("组建了几家医共体？", "number"),
        ("医保基金怎么打包支付？", "how"),
        ("是否实行了两包？", "yesno"),
    ],
)
def test_question_type(question, expected):
    assert question_type(question) == expected


@pytest.mark.parametrize("question", ["主要任务有哪几项？", "核心任务有哪几项？"])
def test_which_items_question_is_a_list(question):
    assert question_type(question) == "list"


def test_unmarked_question_is_fact():
    assert question_type("医共体建设的成效") == "fact"


# ---- claims -------------------------------------------------------------------------------------
def _claims(text):
    return [(c.kind, c.text, c.unit) for c in extract_claims(text)]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("结余为什么按6:3:1分配？", [("ratio", "6:3:1", "")]),
        ("结余按6：3：1分配", [("ratio", "6：3：1", "")]),
        ("比例由4:3:3调回6:3:1", [("ratio", "4:3:3", ""), ("ratio", "6:3:1", "")]),
        ("包干比例为什么是95%？", [("percent", "95%", "")]),
        ("包干比例是百分之九十五吗", [("percent", "百分之九十五", "")]),
        ("院长任期4年吗", [("number", "4年", "年")]),
        ("组建3家医共体", [("number", "3家", "家")]),
        ("2018年印发的方案", [("number", "2018年", "年")]),
        ("核心任务是哪三项", [("number", "三项", "项")]),
    ],
)
def test_extract_claims(text, expected):
    assert _claims(text) == expected


@pytest.mark.parametrize("text", ["结余怎么分配？", "有多少项任务？", "国办发32号文", "任期多长？"])
def test_no_claims_without_a_stated_value(text):
    assert extract_claims(text) == []


def test_claims_read_traditional_text():
    assert _claims("醫保結余為什麼按6:3:1分配？") == [("ratio", "6:3:1", "")]


def test_claim_key_is_normalised_for_matching():
    (claim,) = extract_claims("按6：3：1分配")
    assert claim.key == "6:3:1"


def test_ratio_digits_are_not_also_number_claims():
    kinds = [c.kind for c in extract_claims("按6:3:1比例分配给3家医院")]
    assert kinds.count("ratio") == 1 and kinds.count("number") == 1


# ---- regions ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text, place",
    [
        ("浙江省医共体结余怎么分配？", "浙江"),
        ("准格尔旗医共体有什么特点", "准格尔旗"),
        ("裕安区结余怎么分配", "裕安区"),
        ("六安市医改进展", "六安"),
        ("杭州市医共体怎么建", "杭州市"),
    ],
)
def test_find_regions_finds_place_names(text, place):
    regions = find_regions(text)
    assert any(place in r for r in regions), regions


@pytest.mark.parametrize(
    "text",
    [
        "全市医共体建设怎么推进？",
        "城市医联体怎么建",
        "全省推进情况",
        "全县推开了吗",
        "在哪个城市试点？",
        "县区内怎么分配",
        "什么县可以试点",
        "紧密型城市医联体建设",
        "如何推进城市医联体建设？",
        "怎样建设城市医联体？",
        "为啥又把比例改回省里的老规矩了？",
        "当初出于什么考虑，没照省里的比例执行？",
    ],
)
def test_generic_place_words_are_not_regions(text):
    assert find_regions(text) == []


@pytest.mark.parametrize("text", ["再由卫生院跟县医院去结算", "呼吸方向的专科联盟是哪天成立的", "医保省下来的钱怎么分"])
def test_hospital_and_alliance_words_are_not_regions(text):
    assert find_regions(text) == []


def test_those_several_is_not_a_count_asked():
    assert asked_unit("跟准格尔旗牵头搞的那几个，内容一样吗") is None
    assert asked_unit("牵头搞了几个中心") == "个"


def test_asking_for_some_examples_is_not_a_count_asked():
    # "举几个(例子)" asks for examples: the answer lists them, no number is needed.
    assert asked_unit("新增了哪些服务项目？举几个") is None
    assert question_type("家庭医生会管居民哪些事？举几个例子") == "list"
    assert asked_unit("专家一共有几位？举几个名字") == "位"


def test_a_match_straddling_two_place_names_is_not_a_region():
    # "裕安区西市街道": the suffix pattern would read "安区西市"; the known district stays.
    assert find_regions("裕安区西市街道的凤凰桥社区由谁托管？") == ["裕安区"]


# ---- analyze() ----------------------------------------------------------------------------------
def test_analyze_collects_everything():
    info = analyze("浙江省为什么按6:3:1分配“结余留用”资金？", lambda q: ["结余", "结余", "分配"])
    assert info.qtype == "why"
    assert info.terms == ["结余", "分配"]  # de-duplicated, order kept
    assert any("浙江" in r for r in info.regions)
    assert info.quoted == ["结余留用"]
    assert [c.text for c in info.claims] == ["6:3:1"]
    assert info.traditional is False


def test_analyze_traditional_question():
    info = analyze("醫保基金結余分配比例是多少？", lambda q: [])
    assert info.traditional is True
    assert info.simplified == "医保基金结余分配比例是多少？"
    assert info.qtype == "ratio"


# ---- slot helpers (evidence.py) -----------------------------------------------------------------
@pytest.mark.parametrize(
    "question, unit",
    [("宫颈癌疫苗是几价的？", "价"), ("组建了多少家医共体？", "家"), ("院长几岁退休？", "岁"), ("结余怎么分配？", None),
     ("平均住院多少天？", "天"), ("拿到了多少天使投资？", None), ("几天价药", None)],
)
def test_asked_unit(question, unit):
    assert asked_unit(question) == unit


@pytest.mark.parametrize("question, qtype", [("拿到了多少天使投资？", "number"), ("平均住院多少天？", "duration"),
                                             ("一年最多几天？", "duration")])
def test_a_word_opening_with_tian_is_no_count_of_days(question, qtype):
    assert analyze(question, lambda q: []).qtype == qtype


@pytest.mark.parametrize(
    "unit, text, expected",
    [
        ("价", "为在校女生免费接种二价疫苗", True),
        ("价", "为13周岁在校女学生免费接种宫颈癌疫苗", False),
        ("家", "组建3个医共体", True),  # counters stand in for each other
        ("家", "共有三所医院参与", True),
        ("年", "每届任期4年", True),
        ("年", "任期目标责任制", False),
        ("岁", "开展50周岁以上人群结肠癌惠民检查", True),  # an age in 周岁
        ("个", "成为自治区唯一入选的旗县", True),  # a count of one
        ("个", "入选的旗县名单另行公布", False),
    ],
)
def test_has_quantity(unit, text, expected):
    assert has_quantity(unit, text) is expected


@pytest.mark.parametrize(
    "question, text, expected",
    [
        ("准格尔旗组建了几家医共体？", "组建3个医共体,覆盖全旗", True),  # another counter, the same thing
        ("联盟里的三级医院有多少家？", "已覆盖全国31个省市", False),  # another counter, another thing
        ("联盟里的三级医院有多少家？", "其中三级医院120家", True),
    ],
)
def test_another_counter_answers_only_for_the_same_thing(question, text, expected):
    assert has_quantity(asked_unit(question), text, given=question) is expected


def test_a_quantity_the_question_states_is_not_the_answer():
    text = "中日医院呼吸专科医联体已覆盖455余家医院"
    assert has_quantity("家", text) is True
    assert has_quantity("家", text, given="455余家医院里，基层医院占多少家？") is False


@pytest.mark.parametrize(
    "question, level",
    [("刘国中去了哪几个县？", "县"), ("那个县叫什么名字？", "县"), ("试点在哪个省？", "省"),
     ("两者有什么区别？", None), ("县级医院怎么建？", None), ("什么县域医共体", None),
     # the parts a whole is divided into ("功能区") are no districts
     ("实验室应划分为哪几个区？", None), ("分成哪几个区？", None)],
)
def test_asked_level(question, level):
    assert asked_level(question) == level


@pytest.mark.parametrize(
    "level, regions, expected",
    [("县", ["准格尔旗"], True), ("县", ["湖南", "江西"], False), ("省", ["湖南"], True), ("市", ["六安市"], True)],
)
def test_names_place_of_level(level, regions, expected):
    assert names_place_of_level(level, regions) is expected


@pytest.mark.parametrize(
    "qtype, text, expected",
    [
        ("ratio", "按照6:3:1比例分配", True),
        ("ratio", "包干比例为95%", True),
        ("ratio", "按比例分配", False),
        ("duration", "每届任期4年", True),
        ("duration", "按月预拨、年终结算", True),
        ("duration", "2019年5月8日印发", False),  # a calendar date is not a span of time
        ("date", "2018年5月31日印发", True),
        ("date", "加强组织领导", False),
        ("clock", "直至下午1:30手术顺利结束", True),
        ("clock", "早上6点多，她就已经来门诊挂号了", True),
        ("clock", "2018年5月31日印发", False),
        ("clock", "同时加强这一时期的组织领导", False),
        ("why", "出于倾斜基层的考量", True),
        ("why", "加强组织领导", False),
        ("list", "卫健、医保、人社、财政等部门", True),
        ("list", "加强组织领导", False),
    ],
)
def test_has_type_evidence(qtype, text, expected):
    assert has_type_evidence(qtype, text) is expected


@pytest.mark.parametrize(
    "question, expected",
    [
        ("在哪个城市试点？", True),
        ("这项改革在哪里试点？", True),
        ("紧密型医共体比一般医共体“紧密”在哪里？", False),  # in what respect, not where
        ("主诊医师负责制改到哪一步了？", False),
        ("难点在哪儿？", False),
        ("可以通过建立哪几个体系来构建完整体系？", False),  # which items, not where
    ],
)
def test_asks_place(question, expected):
    assert asks_place(question) is expected


def test_compound_and_its_parts_count_once():
    # Search-mode tokens repeat a compound's parts; a sentence naming only the compound's topic ("乡镇卫生院院长")
    # must not outweigh one that has the question's action ("考核").
    terms = ["乡镇", "卫生", "卫生院", "乡镇卫生院", "考核"]
    info = analyze("乡镇卫生院由谁考核？", lambda q: terms)
    info.terms = terms
    idf = IdfTable(["乡镇卫生院", "考核", "其他"], lambda p: [t for t in terms if t in p])
    compound = Sentence("d", 0, 10, "乡镇卫生院院长", 1, 0, "")
    action = Sentence("d", 10, 20, "卫生院负责人由行政部门考核", 1, 0, "")
    ranked = score_sentences(info, [compound, action], idf, lambda t: [x for x in terms if x in t], lambda ts: [])
    assert ranked[0] is action
    assert all(0.0 <= s.coverage <= 1.0 for s in ranked)


def test_a_bare_caption_line_ranks_below_a_sentence_about_the_question():
    caption = "远程医疗中心主任卢某"
    claim = "卢某认为,专业资质管理是远程医疗的基石。"
    info = analyze("卢某觉得搞远程医疗最根本要先管好什么？", lambda q: ["卢某", "远程", "医疗", "根本"])
    sents = [Sentence("d", 0, len(caption), caption, 1, 0, caption),
             Sentence("d", 20, 20 + len(claim), claim, 1, 0, claim)]
    ranked = score_sentences(info, sents, IdfTable([caption, claim], list), list, lambda ts: [])
    assert ranked[0].text == claim


def test_a_count_asked_in_a_unit_is_stated_only_by_that_unit():
    # "有多少个" is answered by "271个"; a year ("2021年") is a figure but no count of the thing asked.
    terms = ["形式审查", "药品"]
    info = analyze("2021年通过形式审查的药品有多少个？", lambda q: terms)
    title = "外界根据2021年通过初步形式审查药品及信息的公告推断。"
    count = "根据公告，通过形式审查的共有271个药品。"
    sents = [Sentence("d", 0, len(title), title, 1, 0, ""), Sentence("d", 40, 40 + len(count), count, 1, 0, "")]
    score_sentences(info, sents, IdfTable([title, count], list), lambda t: [x for x in terms if x in t], lambda ts: [])
    typed = {s.text: s.typed for s in sents}
    assert typed == {title: False, count: True}


def test_document_numbers_full_and_short():
    from assistant.answer.analyze import citing, docno, document_number

    assert docno(document_number("依据国办发〔2017〕32号文件")) == ("2017", "32")
    assert docno(document_number("国办发32号文是哪天发布的")) == ("", "32")
    assert document_number("123个村卫生室") is None
    assert citing(("", "32")).search("国办发〔2017〕32号") and citing(("2017", "32")).search("国务院发布32号文")
    assert not citing(("2017", "32")).search("皖政办〔2017〕57号")


@pytest.mark.parametrize("question, qtype", [
    ("医保基金结余资金按什么比例分配？", "ratio"),
    ("乡镇卫生院能分到医保结余的几成?", "ratio"),
    ("结余分配比例", "ratio"),  # a keyword query asks what it names
    ("政策设计者当初搞药占比考核想达到哪几个目的？", "list"),  # 占比考核 names an indicator
    ("有人说药占比就是个文字游戏，那真正关键的是啥？", "fact"),  # the ratio word's clause asks nothing
    ("药占比考核取消了吗？", "yesno"),
])
def test_a_ratio_word_is_asked_only_where_its_clause_asks(question, qtype):
    from assistant.answer.analyze import question_type

    assert question_type(question) == qtype


@pytest.mark.parametrize("question", ["秦永方预测取消药占比考核后，药品对医院是收入来源，多用药多赚钱？",
                                      "国家现在已经正式发文取消全国公立医院药占比考核了吧？"])
def test_a_ratio_word_that_only_names_an_indicator_asks_no_ratio(question):
    assert question_type(question) != "ratio"


@pytest.mark.parametrize("question, qtype", [
    ("寧波近幾年乙腦的病死率大概是多少？", "number"),  # 近几年 is when, not how long
    ("院长任期几年？", "duration"),
    ("是不是只在少数几个省先搞试点？", "yesno"),  # 少数几个 is a vague count
    ("有几个乡镇参加？", "number"),
])
def test_a_vague_ji_asks_nothing(question, qtype):
    assert question_type(question) == qtype


@pytest.mark.parametrize("question, qtype", [
    ("在药品安全合作联席会议上谈药占比的段政明是什么身份？", "fact"),  # asks about the man, not the ratio
    ("医保基金结余资金按什么比例分配？", "ratio"),
    ("结余分成比例是多少？", "ratio"),
])
def test_a_ratio_asked_or_only_named_before_de(question, qtype):
    assert question_type(question) == qtype


def test_the_body_under_a_heading_that_names_the_ask_ranks_first():
    # "辖区内65岁及以上常住居民。" shares no word with the question; its heading "一、服务对象" does.
    text = "服务规范\n一、服务对象\n辖区内65岁及以上常住居民。\n二、工作内容\n每年为老年人提供1次健康管理。"
    doc = DocRecord(doc_id="d", source="a.txt", title="服务规范", kind="方案", text=text,
                    sections=[[0, 5, ""], [5, 31, "一、服务对象"], [31, len(text), "二、工作内容"]])
    body, other = text.index("辖区内"), text.index("每年为")
    assert heading_of(doc, body) == "一、服务对象"
    assert heading_of(doc, text.index("一、服务对象")) == ""  # the heading line itself
    terms = ["服务", "对象"]
    info = analyze("这份规范的服务对象是谁？", lambda q: terms)
    info.terms = terms
    sents = [Sentence("d", s, text.index("。", s) + 1, text[s: text.index("。", s) + 1], 1, 0, text,
                      heading=heading_of(doc, s)) for s in (other, body)]
    ranked = score_sentences(info, sents, IdfTable(text.split("\n"), list), lambda t: [x for x in terms if x in t],
                             lambda ts: [])
    assert ranked[0].text.startswith("辖区内")
