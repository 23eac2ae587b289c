"""Heading hierarchy of Chinese official writing: every seed plus synthetic texts."""
from __future__ import annotations

import pytest

from assistant.ingest.structure import heading_kind, heading_label, is_subtitle, parse_sections
from assistant.store import load_index

SEED_000 = "000_286eb29e37a2dec4.txt"
SEED_001 = "001_79d7ce171deded25.txt"
SEED_002 = "002_6dfe7d44fcd50f45.txt"
SEED_003 = "003_f96d00e5018071de.txt"
SEED_004 = "004_94b61b43f1cc49d5.txt"


@pytest.fixture(scope="module")
def docs(built_index):
    return {d.source: d for d in load_index(built_index).documents}


def paths(text: str) -> list[str]:
    return [s.path for s in parse_sections(text)]


def test_sections_tile_every_seed(docs):
    for doc in docs.values():
        sections = parse_sections(doc.text)
        assert sections[0].start == 0
        assert sections[-1].end == len(doc.text)
        for a, b in zip(sections, sections[1:]):
            assert a.end == b.start, doc.source
            assert a.start < a.end
        # the stored sections are the parser's
        assert doc.sections == [[s.start, s.end, s.path] for s in sections]


def test_seed_000_outline_and_two_levels(docs):
    p = paths(docs[SEED_000].text)
    assert p[0] == "【提纲】"
    # the outline is one line: its inline 一、/（一） are not sections, and it closes before the speech
    assert p.count("【提纲】") == 1 and p[1] == ""
    assert "一、认清大势,把准方向,深刻领会医共体建设时代内涵" in p
    assert "一、认清大势,把准方向,深刻领会医共体建设时代内涵 > (一)要把握“整合”这个关键,变“单打独斗”为“集团作战”" in p
    assert "三、改革创新,系统集成,着力破解医共体建设机制障碍 > (二)要用好“医保”杠杆,实行打包付费" in p
    assert "四、强化担当,凝聚合力,全力保障医共体建设落地见效 > (一)要压实责任链,形成“大合唱”" in p
    assert not any(x.startswith("【提纲】 >") for x in p)


def test_seed_001_cn_dun_and_arabic_items(docs):
    p = paths(docs[SEED_001].text)
    assert "一、起草的背景 > 1.起草背景" in p
    assert "六、新方案修改的主要內容 > 3.修改醫共體醫保結余基金分配比例" in p
    assert "八、保障措施和下一步工作打算 > 5.加強宣傳培訓" in p
    assert "七、創新舉措" in p
    # back matter after the numbered list does not belong to item 5
    assert p[-1] == "名詞解釋:"
    tops = [x for x in p if x and " > " not in x]
    assert [t[:2] for t in tops[:8]] == ["一、", "二、", "三、", "四、", "五、", "六、", "七、", "八、"]


def test_seed_002_ordinal_items(docs):
    p = paths(docs[SEED_002].text)
    for label in ("第一,算清政治账", "第五,算清医疗账", "第十,算清发展账", "第一,数据资产价值", "第五,绩效管理价值"):
        assert label in p


def test_seed_003_news_subtitles(docs):
    p = paths(docs[SEED_003].text)
    assert p == [
        "",
        "高质量整合医疗资源全方位创新服务模式",
        "强化高位督导医疗体制步入高质量发展轨道",
        "畅通运行机制加大优质医疗资源共享力度",
        "巩固医防融合推动医疗卫生健康水平全面提升",
    ]


def test_seed_004_subtitles_but_not_photo_captions(docs):
    p = paths(docs[SEED_004].text)
    assert "医联体下步将迎整体考核办法" in p
    assert "技术支撑是医联体的硬保障" in p
    assert "专科医联体的内生力:主诊医师负责制" in p
    for caption in ("中日医院院长王辰", "国家卫生计生委医政医管局副局长焦雅辉", "中日医院副院长兼医务处处长刘鹏"):
        assert caption not in p


# ---- synthetic texts ----------------------------------------------------------------------------------
def test_five_levels_nest():
    text = "一、总则\n说明。\n（一）目标\n说明。\n1.县域\n说明。\n（1）乡镇\n说明。\n①村级\n说明。\n（2）社区\n说明。\n二、措施\n说明。"
    assert paths(text) == [
        "一、总则",
        "一、总则 > （一）目标",
        "一、总则 > （一）目标 > 1.县域",
        "一、总则 > （一）目标 > 1.县域 > （1）乡镇",
        "一、总则 > （一）目标 > 1.县域 > （1）乡镇 > ①村级",
        "一、总则 > （一）目标 > 1.县域 > （2）社区",
        "二、措施",
    ]


def test_chapters_and_articles():
    text = (
        "第一章 总则\n第一条 为推进医共体建设，制定本办法。\n第二条 本办法适用于全县。\n"
        "第二章 基金管理\n第三条 医保基金实行总额预算。\n第十二条 结余留用。"
    )
    assert paths(text) == [
        "第一章 总则",
        "第一章 总则 > 第一条 为推进医共体建设，制定本办法",
        "第一章 总则 > 第二条 本办法适用于全县",
        "第二章 基金管理",
        "第二章 基金管理 > 第三条 医保基金实行总额预算",
        "第二章 基金管理 > 第十二条 结余留用",
    ]


def test_arabic_paren_items_under_arabic_dot():
    text = "1.人员管理\n（1）县招乡用。\n（2）乡聘村用。\n2.财务管理\n(1)统一核算。"
    assert paths(text) == [
        "1.人员管理",
        "1.人员管理 > （1）县招乡用",
        "1.人员管理 > （2）乡聘村用",
        "2.财务管理",
        "2.财务管理 > (1)统一核算",
    ]


def test_text_before_the_first_heading_has_an_empty_path():
    assert paths("前言部分。\n一、目标\n内容。") == ["", "一、目标"]
    assert paths("只有正文，没有标题。") == [""]
    assert paths("") == [""]


@pytest.mark.parametrize(
    "line,kind",
    [
        ("第一章 总则", "part"),
        ("第二部分 主要任务", "part"),
        ("【提纲】一、认清大势", "bracket_title"),
        ("一、总体要求", "cn_dun"),
        ("十二、其他", "cn_dun"),
        ("（一）目标", "cn_paren"),
        ("(三)要畅通", "cn_paren"),
        ("第十二条 结余留用", "article"),
        ("第一,算清政治账。", "ordinal"),
        ("1.起草背景。", "arabic_dot"),
        ("12．其他", "arabic_dot"),
        ("3、加强领导", "arabic_dot"),
        ("（1）县招乡用", "arabic_paren"),
        ("①村级", "circled"),
        ("名詞解釋:", "appendix"),
        ("附件1", "appendix"),
    ],
)
def test_heading_kinds(line, kind):
    assert heading_kind(line) == kind


@pytest.mark.parametrize(
    "line",
    ["1.5T核磁共振设备投入使用。", "2020年6月1日，区政府召开常务会议。", "一是方案规定试行期截止。", "第一步,成立质控中心。", "医共体建设"],
)
def test_body_text_is_not_a_heading(line):
    assert heading_kind(line) is None


def test_heading_label_stops_at_sentence_end_and_is_capped():
    assert heading_label("3.修改医保基金分配比例。安徽省规定……") == "3.修改医保基金分配比例"
    assert heading_label("【提纲】一、认清大势。（一）要把握") == "【提纲】"
    long = heading_label("1." + "很长的标题" * 20)
    assert len(long) == 30 and long.endswith("…")


def test_is_subtitle_rules():
    body = "国家卫生计生委医政医管局副局长焦雅辉首先指出,学习现有的医联体建设典型案例要有章法。"
    assert is_subtitle("医联体下步将迎整体考核办法", body)
    assert is_subtitle("专科医联体的内生力:主诊医师负责制", body)
    assert not is_subtitle("同志们:", body)  # a salutation, not a subtitle
    assert not is_subtitle("国家卫生计生委医政医管局副局长焦雅辉", "比如深圳罗湖模式……" * 5, prev_line=body)  # caption
    assert not is_subtitle("要加强领导,明确分工", body)
    assert not is_subtitle("医联体下步将迎整体考核办法", None)
