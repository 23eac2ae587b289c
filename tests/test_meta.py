"""Metadata from the text (ingest/meta.py) and place names (places.py): title, kind, issuer, place, date, number."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from assistant.ingest import ingest_file
from assistant.ingest.meta import derive_meta
from assistant.places import gazetteer, place_names

CORPUS = Path(__file__).resolve().parent.parent / "corpus"

NOTICE = """广州市卫生健康委员会关于印发广州市紧密型城市医疗集团建设实施方案的通知
穗卫规字〔2023〕7号
各区卫生健康局，委直属各单位：
现将《广州市紧密型城市医疗集团建设实施方案》印发给你们，请认真贯彻执行。
一、工作目标
到2025年，全市建成一批紧密型城市医疗集团。
广州市卫生健康委员会
2023年5月12日
（此件主动公开）"""

OPINION = """关于推进紧密型县域医疗卫生共同体建设的实施意见
浙政办发〔2018〕10号
各市、县（市、区）人民政府，省政府直属各单位：
为深化医药卫生体制改革，经省政府同意，现提出如下意见。
一、总体要求
到2020年，全省县域医共体建设全面推开。
浙江省人民政府办公厅
二〇一八年九月二十日"""

MEASURES = """六安市医疗保障局 六安市财政局
关于医共体医保基金包干结余分配的管理办法（试行）
第一条 为规范医共体医保基金包干结余分配，制定本办法。
第二条 本办法适用于全市县域医共体。
六安市医疗保障局
六安市财政局
2021年3月1日"""

READING = """《寿县县域医共体建设实施方案》政策解读
一、起草背景
为落实省里部署，县卫生健康委起草了实施方案。
二、主要内容
寿县医共体由县医院牵头，覆盖全县乡镇卫生院。
发布日期：2020-08-15"""

SPEECH = """在全省医共体建设现场推进会上的讲话
同志们：
今天，我们在这里召开全省医共体建设现场推进会。江苏省各地医共体建设取得积极进展，江苏的经验要总结推广。
下面，我讲三点意见。"""

REPORT = """上海：社区卫生服务中心家庭医生签约服务再升级
本报讯（记者 李明）昨天，上海市卫生健康委举行新闻发布会，介绍家庭医生签约服务新举措。
市卫生健康委副主任表示，今年将在全市推广“1+1+1”签约组合。
发布会上，相关负责人指出，上海将继续推进社区卫生服务能力建设。
来源：解放日报"""

COMMENT = """医共体改革要算好三笔账
作者：张华
笔者认为，医共体改革首先要算清利益账。其次要算清发展账。最后要算清健康账。"""


@pytest.mark.parametrize(
    "text, expected",
    [
        (NOTICE, {"kind": "方案", "issuer": "广州市卫生健康委员会", "place": "广东省广州市", "date": "2023-05-12",
                  "doc_number": "穗卫规字〔2023〕7号"}),
        (OPINION, {"kind": "意见", "issuer": "浙江省人民政府办公厅", "place": "浙江省", "date": "2018-09-20",
                   "doc_number": "浙政办发〔2018〕10号"}),
        (MEASURES, {"kind": "办法", "issuer": "六安市医疗保障局、六安市财政局", "place": "安徽省六安市",
                    "date": "2021-03-01", "doc_number": ""}),
        (READING, {"kind": "解读", "place": "安徽省淮南市寿县", "date": "2020-08-15"}),
        (SPEECH, {"kind": "讲话", "place": "江苏省"}),
        (REPORT, {"kind": "报道", "issuer": "解放日报", "place": "上海市"}),
        (COMMENT, {"kind": "评论", "issuer": "张华", "place": ""}),
    ],
    ids=["notice", "opinion", "measures", "reading", "speech", "report", "comment"],
)
def test_metadata_of_each_kind_of_text(text, expected):
    meta = derive_meta(text, "", "x.txt")
    got = {k: getattr(meta, k) for k in expected}
    assert got == expected


def test_title_is_the_first_title_line_not_the_number_or_a_sentence():
    assert derive_meta(NOTICE).title.startswith("广州市卫生健康委员会关于印发")
    assert derive_meta("穗卫〔2023〕7号\n关于加强医共体建设的通知\n正文。", "", "a.txt").title == "关于加强医共体建设的通知"
    assert derive_meta("医共体建设要坚持政府主导。\n各成员单位要加强协作。", "", "dir/plain.txt").title == "plain"


def test_a_number_cited_in_a_sentence_is_not_the_documents_own():
    text = "关于加强医共体建设的通知\n根据《关于推进医疗联合体建设和发展的指导意见》（国办发〔2017〕32号），现通知如下。"
    assert derive_meta(text).doc_number == ""


def test_a_national_body_gives_the_whole_country():
    text = "国务院办公厅关于推进医疗联合体建设和发展的指导意见\n国办发〔2017〕32号\n正文。\n国务院办公厅\n2017年4月23日"
    meta = derive_meta(text)
    assert (meta.issuer, meta.place, meta.kind, meta.date) == ("国务院办公厅", "全国", "意见", "2017-04-23")


def test_text_without_any_signal_stays_empty():
    meta = derive_meta("医共体建设要坚持政府主导。\n各成员单位要加强协作。", "", "plain.txt")
    assert (meta.kind, meta.issuer, meta.place, meta.date, meta.doc_number) == ("", "", "", "", "")


def test_bundled_documents_without_the_manifest_get_sensible_metadata(tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    (corpus / "manifest.toml").unlink()
    docs = {p.name[:3]: ingest_file(p, p.name, None) for p in sorted(corpus.glob("*.txt"))}
    assert docs["000"].kind == "讲话"  # "同志们:" opens it
    assert docs["001"].kind == "解读" and docs["001"].region == "安徽省六安市裕安区"
    assert "裕安" in docs["001"].title
    assert docs["002"].kind in ("评论", "报道")
    assert docs["003"].kind == "报道" and docs["003"].region == "内蒙古自治区鄂尔多斯市准格尔旗"
    assert docs["003"].issuer == "内蒙古日报社"
    assert docs["004"].kind == "报道" and docs["004"].title == "医联体下步将迎整体考核办法"
    # A report that mentions 深圳 once as an example is not about 深圳; it speaks of national policy (the manifest's 全国).
    assert docs["004"].region == "全国"


def test_the_manifest_overrides_what_the_text_says(tmp_path):
    from assistant.ingest.manifest import Entry

    path = tmp_path / "n.txt"
    path.write_text(NOTICE, encoding="utf-8")
    doc = ingest_file(path, "n.txt", Entry(source="n.txt", kind="通知", region="广州", doc_number="X〔2023〕1号"))
    assert (doc.kind, doc.region, doc.doc_number) == ("通知", "广州", "X〔2023〕1号")
    assert doc.issuer == "广州市卫生健康委员会"  # not in the entry: from the text


def test_place_names_in_text_and_their_chain():
    g = gazetteer()
    assert place_names("广州的医共体和杭州市的医联体") == ["广州", "杭州市"]
    assert place_names("加强县域医疗和县级医院建设，城区社区中心，长治久安") == []  # 县域, 长治久安 are no places
    assert place_names("加强和县级医院的协作") == []  # a two-character county only where a name starts
    assert place_names("安徽省萧县卫生健康委，寿县医院") == ["安徽省", "萧县", "寿县"]
    assert g.full_name(g.most_specific("福州市鼓楼区卫生健康局")) == "福建省福州市鼓楼区"
    assert g.full_name(g.most_specific("南京市鼓楼区卫生健康委")) == "江苏省南京市鼓楼区"
    assert g.full_name(g.most_specific("北京市朝阳区")) == "北京市朝阳区"


def test_a_place_question_is_answered_from_a_dropped_file_whose_text_names_it_only_in_the_signature(assistant_over):
    text = ("关于做好紧密型医联体建设工作的通知\n各区卫生健康局：\n全市医联体牵头医院每年下沉专家不少于20名。\n"
            "上海市卫生健康委员会\n2023年6月1日")
    other = "某县医共体工作总结\n县医院每年下沉专家不少于5名。\n"
    app = assistant_over({"sh.txt": text, "county.txt": other})
    doc = next(d for d in app.documents() if d["source"] == "sh.txt")
    assert doc["region"] == "上海市" and doc["kind"] == "通知"
    ans = app.ask("上海的医联体牵头医院每年下沉多少专家？")
    assert not ans.abstained, ans.answer
    assert "20名" in ans.answer
    assert app.ask("杭州的医联体牵头医院每年下沉多少专家？").abstained  # no document speaks of 杭州


def test_a_reposts_original_title_line_gives_the_title_and_what_follows_from_it():
    text = ("脱贫攻坚是党的十九大确定的三大攻坚战之一。\n《通知》提出了医疗保障扶贫的六大目标。\n"
            "原标题：国家医保局、财政部、国务院扶贫办关于印发《医疗保障扶贫三年行动实施方案(2018-2020年)》的通知\n本文转载自其他网站")
    m = derive_meta(text, "网站首页", "x.html")
    assert m.title.startswith("国家医保局、财政部、国务院扶贫办关于印发") and m.title.endswith("的通知")
    assert (m.kind, m.issuer, m.place) == ("方案", "国家医保局、财政部、国务院扶贫办", "全国")
    foot = "医联体建设提速。\n原标题：看病后凭处方到药店取药，广东率先做到!本文转载自其他网站"
    assert derive_meta(foot, "", "y.html").title == "看病后凭处方到药店取药，广东率先做到!"


def test_a_text_of_national_scope_is_about_the_whole_country():
    national = ("国家医保局启动支付方式改革三年行动计划\n到2024年底，全国所有统筹地区全部开展改革。国家医保局表示，"
                "我国将在北京等地总结经验。国家层面将加强指导。")
    assert derive_meta(national, "", "n.txt").place == "全国"
    # Many provinces, none holding half of the mentions: a report over the country.
    spread = "医生上门试点。\n北京、上海、杭州、南京四地先行，北京和上海率先，杭州、南京随后，广州、成都明年跟进。"
    assert derive_meta(spread, "", "s.txt").place == "全国"
    taiwan = "長照2.0懶人包\n國家推動長照十年計畫2.0，建立社區整體照顧模式，國家補助居家服務。"
    assert derive_meta(taiwan, "", "t.html").place == ""  # 國家 of a Traditional text is not the mainland's
    local = "宁城县医疗队见闻\n赤峰市宁城县医院迎来医疗队。宁城县百姓在宁城县就能看专家。赤峰市卫健委表示欢迎。"
    assert derive_meta(local, "", "l.txt").place == "内蒙古自治区赤峰市宁城县"


def test_a_county_named_in_passing_does_not_narrow_a_city_text():
    text = ("宁波市推行家庭医生制服务。宁波市卫生局介绍，宁波市已签约百万居民。宁波市医保局同步调整。"
            "宁波市第二医院收治余姚市患者，余姚市疾控中心跟进。宁波市还将推广。")
    assert derive_meta(text, "", "t.txt").place == "浙江省宁波市"


def test_issuer_from_a_header_line_a_labelled_publisher_or_a_wire_dateline():
    header = "中医药健康管理服务规范\n河北省中医药管理局\n2017-05-07 11:02:17\n一、服务对象\n辖区内65岁及以上常住居民。"
    m = derive_meta(header, "", "h.txt")
    assert (m.issuer, m.place) == ("河北省中医药管理局", "河北省")
    assert derive_meta("药品招标采购难解行业困局\n发布人：-科学时报\n正文。", "", "p.txt").issuer == "科学时报"
    wire = "医联体建设\n新华社北京4月12日电国务院总理主持召开国务院常务会议，部署推进医联体建设。"
    assert derive_meta(wire, "", "w.txt").issuer == "新华社"
    assert derive_meta("标题\n央视网消息：5月18日，培训班开班。", "", "c.txt").issuer == "央视网"


def test_a_research_paper_is_of_kind_other():
    paper = ("家庭医生签约服务研究进展\n李心言，韩优莉\n【摘要】家庭医生签约服务是重要途径。\n"
             "【关键词】家庭医生；竞争机制\n1 资料与方法\n记者调查显示，医生表示，专家指出，学者强调。")
    assert derive_meta(paper, "", "p.md").kind == "其他"
