"""Noise removal (ingest/noise.py): markup, code, front matter and paper apparatus go; text, even short, stays."""
from __future__ import annotations

from assistant.ingest import ingest_file
from assistant.ingest.noise import is_code, remove_noise, strip_markup


def test_front_matter_is_dropped_and_read():
    lines = ["", "---", "title: '医共体建设 新进展'", "categories:", " - 新闻", "date: 2021-12-21", "---", "正文。"]
    d = remove_noise(lines)
    assert d.lines == ["正文。"]
    assert d.front_matter["title"] == "医共体建设 新进展" and d.front_matter["date"] == "2021-12-21"
    assert d.dropped["front_matter"] == 7


def test_a_rule_over_ordinary_text_is_not_front_matter():
    d = remove_noise(["---", "医共体建设的三点体会：", "一是加强领导。", "---"])
    assert d.lines == ["医共体建设的三点体会：", "一是加强领导。"] and d.front_matter == {}  # the rules are markup


def test_markup_remnants_leave_their_text():
    assert strip_markup('<p cms-style="font-L">  2019年，<font cms-style="x">试点</font>启动。</p>') == "2019年，试点启动。"
    assert strip_markup("《[他一点都不普通](http://mp.weixin.qq.com/s?a=1)》与**一直犹豫**") == "《他一点都不普通》与一直犹豫"
    assert strip_markup("![](https://img.example/a.jpg)") == ""
    assert strip_markup("河北省中医药管理局&nbsp;") == "河北省中医药管理局"
    assert strip_markup('<%@include file="/top.jsp"%>') == ""
    # "<" that opens no tag is text.
    assert strip_markup("年龄<5岁的儿童，P<0.05") == "年龄<5岁的儿童，P<0.05"


def test_an_html_table_in_one_line_becomes_rows():
    d = remove_noise(["<html><body><table><tr><td>序号</td><td>高频词</td></tr><tr><td>1</td><td>签约服务</td></tr></table>"
                      "</body></html>"], [3])
    assert d.lines == ["序号 | 高频词", "1 | 签约服务"]
    assert d.pages == [3, 3]


def test_program_code_goes_and_a_json_line_with_chinese_stays_whole():
    assert is_code("import java.util.List;") and is_code("public class A implements Serializable{")
    assert is_code("return title;") and is_code("}") and is_code("export default index")
    assert not is_code("二、服务内容") and not is_code("2017-05-07") and not is_code("PPO and HMO")
    line = '{"compere":"王某","hostSaid":"各位网友，大家好！","questionAnswering":"主持人好。"}'
    d = remove_noise(["package a.b;", line, "private String hostSaid;", "<View className='p'>", "一、服务对象"])
    assert d.lines == [line, "一、服务对象"]  # the key says who 王某 is


PAPER = [
    "家庭医生签约服务研究进展",
    "10.12114/j.issn.1007-9572.2022.0529",
    "1.100069 北京市，首都医科大学公共卫生学院通信作者：韩优莉，教授",
    "【摘要】家庭医生签约服务是实施分级诊疗的重要途径。",
    "Recent Development on Contracted Family Doctor Services",
    "【关键词】家庭医生；竞争机制 中图分类号：文献标识码： doi:",
    "德国家庭医生首诊制度并未实施，家庭医生与专科医生自由竞争[15]。英国按人头付费[3,5-7]。",
    "本文无利益冲突。参考文献",
    "[1]丁杨．德国和英国全科医师支付补偿机制比较[J]．中国卫生人才，2010，12(2)：52-53.",
    "16/j. jhealeco.2021.102509.",
    "2.BREKKE K R, STRAUME O R. Competition policy for health care provision in Norway[J]. Health Policy",
]


def test_paper_apparatus_goes_and_the_corresponding_author_stays():
    d = remove_noise(PAPER)
    assert d.lines == [
        "家庭医生签约服务研究进展",
        "北京市，首都医科大学公共卫生学院通信作者：韩优莉，教授",
        "【摘要】家庭医生签约服务是实施分级诊疗的重要途径。",
        "【关键词】家庭医生；竞争机制",
        "德国家庭医生首诊制度并未实施，家庭医生与专科医生自由竞争。英国按人头付费。",
        "本文无利益冲突。",
    ]
    assert d.dropped["references"] == 4


def test_a_policy_text_keeps_its_brackets_and_numbered_items():
    # Not a paper (no DOI): "[2018]" in a document number and "1." items are text.
    lines = ["关于印发方案的通知", "医保发[2018]18号", "参考文献", "1.各地要加强领导。"]
    assert remove_noise(lines).lines == lines


def test_a_dropped_markdown_file_loses_its_noise(tmp_path):
    path = tmp_path / "news.md"
    path.write_text("---\ntitle: '医联体建设提速'\nauthor: 新浪财经\n---\n<div>\n<p>  原标题：医联体建设提速</p>\n"
                    "<p cms-style=\"font-L\">  新华社北京4月12日电，医联体建设全面推开，三级医院全部参与。</p>\n</div>\n",
                    encoding="utf-8")
    doc = ingest_file(path, "news.md", None)
    assert "<" not in doc.text and "title:" not in doc.text
    assert "医联体建设全面推开，三级医院全部参与。" in doc.text
    assert doc.title == "医联体建设提速"
    assert doc.issuer == "新华社"  # the dateline names the agency; the front matter's author is the fallback
    path.write_text("---\ntitle: '窗口期'\nauthor: \"呦呦鹿鸣\"\n---\n今天想谈谈医生的另一面，这是正文。\n", encoding="utf-8")
    assert ingest_file(path, "news.md", None).issuer == "呦呦鹿鸣"
