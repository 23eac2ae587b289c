"""Cleaning: the five web-scraped seeds come out without chrome or spam, with lines rejoined; plus the rules."""
from __future__ import annotations

import re

import pytest

from assistant.ingest.clean import Correction, chrome_reason, clean_lines
from assistant.store import load_index
from assistant.textnorm import CJK, t2s

SEED_000 = "000_286eb29e37a2dec4.txt"
SEED_001 = "001_79d7ce171deded25.txt"
SEED_002 = "002_6dfe7d44fcd50f45.txt"
SEED_003 = "003_f96d00e5018071de.txt"
SEED_004 = "004_94b61b43f1cc49d5.txt"

# Web chrome and spam found in the raw seeds (checked on the Simplified form of the text).
FORBIDDEN = [
    "当前位置",
    "ICP",
    "备案",
    "版权",
    "阅读:",
    "阅读：",
    "猜你喜欢",
    "您好:",
    "欢迎来到",
    "IP属地",
    "手机便捷访问",
    "点此处",
    "小程序",
    "首页 >",
    "发布时间",
    "信息来源",
    "本站",
    "侵权",
    "下一篇",
    "公网安备",
    "许可证",
    "bob官方平台入口",
    "官方平台入口",
    "亚洲精品",
    "国偷自产",
    "人妻",
    "无码",
    "麻豆",
    "dipsdelectus",
    "hxyjw",
    "@",
    "作者:",
]


@pytest.fixture(scope="module")
def index(built_index):
    return load_index(built_index)


@pytest.fixture(scope="module")
def docs(index):
    return {d.source: d for d in index.documents}


def test_all_five_seeds_are_indexed(docs):
    assert sorted(docs) == [SEED_000, SEED_001, SEED_002, SEED_003, SEED_004]


@pytest.mark.parametrize("marker", FORBIDDEN)
def test_no_chrome_or_spam_in_any_chunk_or_canonical_text(index, marker):
    for chunk in index.chunks:
        assert marker not in t2s(chunk.text), (chunk.source, chunk.start, marker)
    for doc in index.documents:
        assert marker not in t2s(doc.text), (doc.source, marker)


def test_no_lone_symbol_lines(docs):
    for doc in docs.values():
        for line in doc.text.split("\n"):
            assert re.search(r"\w", line), (doc.source, repr(line))
            assert line == line.strip(), (doc.source, repr(line))


def test_injected_string_correction_applied_and_recorded(docs):
    doc = docs[SEED_004]
    assert "bob" not in doc.text
    assert "中日医院院长王辰" in doc.text
    assert "全国31个省的所有三级医院均已参与" in doc.text
    (correction,) = doc.corrections
    assert correction["find"] == "bob官方平台入口 " and correction["replace"] == "医院"
    assert correction["count"] == 29  # every occurrence in the raw file
    for other in (SEED_000, SEED_001, SEED_002, SEED_003):
        assert docs[other].corrections == []


def test_broken_lines_are_rejoined(docs):
    # 000: "…这次会议的主要目的,就是\n总结前一阶段的成绩…"
    assert "这次会议的主要目的,就是总结前一阶段的成绩" in docs[SEED_000].text
    # 000: "…是对我们执政能力和\n工作作风的现实检验。"
    assert "是对我们执政能力和工作作风的现实检验" in docs[SEED_000].text
    # 003: "…上下联动的分\n\n级诊疗新机制" (a blank line inside the word)
    assert "上下联动的分级诊疗新机制" in docs[SEED_003].text
    # 003: "…结肠癌惠民\n\n检查、65周岁以上…"
    assert "结肠癌惠民检查、65周岁以上" in docs[SEED_003].text


def test_paragraph_ends_are_not_joined(docs):
    text = docs[SEED_001].text
    assert "一、起草的背景\n1.起草背景。" in text
    assert "綜上因素,起草了該文件。\n二、起草的依據及模式特點" in text


def test_stray_spaces_between_chinese_characters_removed(docs):
    stray = re.compile(rf"[{CJK}][ \t\u3000]+[{CJK}]")
    for doc in docs.values():
        assert not stray.search(doc.text), (doc.source, stray.search(doc.text).group(0))
    assert "(内蒙古日报社融媒体记者王林喜)" in docs[SEED_003].text


def test_traditional_characters_are_kept_in_canonical_text(docs):
    text = docs[SEED_001].text
    assert "醫共體" in text and "牽頭醫院" in text and "結余基金分配比例" in text
    assert "医共体" not in text


def test_titles_and_body_survive_at_document_edges(docs):
    assert docs[SEED_001].text.startswith("《裕安區深化區域醫療共同體及緊密型城市醫療聯合體建設實施方案(試行)》政策解讀")
    assert docs[SEED_002].text.startswith("国务院常务会议召开:强基层推进医共体建设“迎东风”")
    assert docs[SEED_002].text.endswith("信息化建设成为医共体建设必不可少的“纽带”。")
    assert docs[SEED_004].text.endswith("国家层面的体制改革等仍然在路上。")
    assert "秦永方,男,64年生" not in docs[SEED_002].text  # author box after "猜你喜欢"


# ---- the rules on small inputs ----------------------------------------------------------------------
@pytest.mark.parametrize(
    "line",
    [
        "当前位置：首页 > 政务公开 > 政策解读",
        "當前位置: 行業動態> 政策文件",
        "备案号：皖ICP备12345678号-1",
        "版权所有 © 2024 某县人民政府",
        "25年01月20日 阅读:525 来源: 秦永方原创 IP属地:广东省",
        "分享到：微信 微博 QQ空间",
        "您好:北京泰茂科技股份有限公司",
        "手机便捷访问,请点此处",
        "亚洲精品亚洲人成人网-国偷自产视频一区二区久-国产美女被遭强高潮免费网站",
        "?",
        "下一篇:推进医联体建设具有重要意义",
        "发布时间:2020/07/10 信息来源:查看",
    ],
)
def test_chrome_and_spam_lines_are_recognised(line):
    assert chrome_reason(line) in ("chrome", "spam")


@pytest.mark.parametrize(
    "line",
    [
        "推进紧密型县域医共体建设，医保基金实行总额预算管理。",
        "（三）推广扫码支付、预约挂号等便民服务。",
        "要着力打造“名院、名科、名医”，培育一批优势专科。",
        "医联体下步将迎整体考核办法",
        "六、新方案修改的主要内容",
    ],
)
def test_text_lines_are_not_chrome(line):
    assert chrome_reason(line) is None


def test_trailing_related_links_block_is_dropped():
    lines = ["正文第一段，介绍医共体建设的主要做法和成效，内容比较长。", "猜你喜欢", "居民医保由税务征缴", "品牌营销从卖产品到爱客户"]
    cleaned = clean_lines(lines)
    assert cleaned.text == lines[0]
    assert cleaned.dropped.get("related_links") == 3


def test_short_labels_around_the_text_are_dropped_but_title_kept():
    lines = ["医管攻略", "首页", "医共体建设迎来新机遇", "提示:医共体成为医改新业态强基层推进分级诊疗体系建设的重大措施之一,得到了广泛共识。", "发  布"]
    cleaned = clean_lines(lines)
    assert cleaned.text.split("\n") == lines[2:4]


def test_line_break_rules():
    broken = ["推进紧密型县域医共体建设,不是简单的机构叠加,也不是表面的", "联合联动,而是一场深刻的变革。"]
    assert clean_lines(broken).text == "".join(broken)
    # a finished sentence, a heading on the next line or two blank lines keep the break
    assert clean_lines(["推进紧密型县域医共体建设,不是简单的机构叠加,而是一场变革。", "联合联动。"]).text.count("\n") == 1
    assert clean_lines(["推进紧密型县域医共体建设,不是简单的机构叠加,也不是表面的", "二、主要内容"]).text.count("\n") == 1
    assert clean_lines(["推进紧密型县域医共体建设,不是简单的机构叠加,也不是表面的", "", "", "联合联动。"]).text.count("\n") == 1


def test_stray_space_removal_and_full_width_spaces():
    cleaned = clean_lines(["医共体 建设\u3000推进 会", "Hello world 2024 年"])
    assert cleaned.text.split("\n") == ["医共体建设推进会", "Hello world 2024 年"]


def test_corrections_plain_and_regex_are_counted():
    rules = [Correction("bob官方平台入口 ", "医院", "spam"), Correction(r"县(\d)号", r"县第\1号", "fix", regex=True)]
    cleaned = clean_lines(["中日bob官方平台入口 院长王辰与bob官方平台入口 专家。", "县3号文件和县4号文件。"], corrections=rules)
    assert cleaned.text == "中日医院院长王辰与医院专家。\n县第3号文件和县第4号文件。"
    assert [c["count"] for c in cleaned.corrections] == [2, 2]


def test_date_hint_from_a_dateline():
    assert clean_lines(["发布日期 2020年7月10日", "正文。"]).date_hint == "2020-07-10"


def test_canonical_text_keeps_pages_aligned():
    cleaned = clean_lines(["第一页的内容。", "第二页的内容。"], line_pages=[1, 2])
    assert cleaned.pages == [[0, 7, 1], [8, 15, 2]]
    for s, e, page in cleaned.pages:
        assert cleaned.text[s:e] == ("第一页的内容。" if page == 1 else "第二页的内容。")


def test_full_width_lines_of_paginated_sources_are_joined_without_commas():
    lines = [
        "医保基金实行总额预算管理结余资金按照规定比例在牵头医院",
        "乡镇卫生院和村卫生室之间分配并用于提升基层服务能力各成员",
        "单位要加强监督检查。",
        "各县要在年底前完成医共体建设任务并报送工作总结材料备查。",
    ]
    assert clean_lines(lines, line_pages=[1, 1, 1, 1]).text.count("\n") == 1
    # without pages (web text) a long line without punctuation may be a title: it is not joined
    assert clean_lines(lines).text.count("\n") == 3


def test_a_text_file_hard_wrapped_at_one_width_is_rejoined():
    # Lines cut at 33 characters, commas or not, an item "(一)…" included: one sentence each, as printed.
    lines = [
        "每年为65岁及以上老年人提供1次中医药健康管理服务,内容包括中医体",
        "质辨识和中医药保健指导。",
        "按照老年人中医药健康管理服务记录表前33项问题采集信息,根据体质判",
        "定标准进行体质辨识，并将辨识结果告知服务对象。",
        "(一)开展老年人中医药健康管理服务可结合老年人健康体检和慢性病患者",
        "管理及日常诊疗时间。",
        "(二)老年人中医药健康管理率=年内接受中医药健康管理服务的65岁及",
        "以上居民数/年内辖区内65岁及以上常住居民数x100%。",
        "注:接受中医药健康管理是指建立了健康档案、接受了中医体质辨识、中医",
        "药保健指导、服务记录表填写完整。",
        "根据不同体质从情志调摄、饮食调养、起居调摄、运动保健、穴位保健等方",
        "面进行相应的中医药保健指导。",
    ]
    text = clean_lines(lines).text
    assert text.count("\n") == 5
    assert "65岁及以上居民数" in text and "中医药保健指导、服务记录表" in text
