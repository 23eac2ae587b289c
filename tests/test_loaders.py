"""Loaders: every supported format and encoding, built from small files the tests create, plus bad input."""
from __future__ import annotations

import sys

import pytest

from assistant.build import build_index
from assistant.embed import FakeEmbedder
from assistant.ingest import LoadError, ingest_file, split_document
from assistant.ingest.loaders import SUPPORTED, decode_bytes, load_docx, load_file, load_html, load_pdf
from assistant.lexicon import default_lexicon
from assistant.store import load_index

TEXT = (
    "关于推进紧密型县域医共体建设的实施意见\n"
    "一、总体要求\n"
    "推进紧密型县域医共体建设，医保基金实行总额预算管理。\n"
    "（一）结余留用\n"
    "结余资金由牵头医院、乡镇卫生院和村卫生室按6:3:1比例分配。\n"
)

HTML_PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>医共体建设实施方案政策解读_某县人民政府</title></head>
<body>
<div class="nav"><a href="/">首页</a> | <a href="/gk">政务公开</a> | <a href="/jd">政策解读</a> | <a href="/hd">互动交流</a></div>
<div class="breadcrumb">当前位置：首页 &gt; 政务公开 &gt; 政策解读</div>
<div class="article">
<h1>医共体建设实施方案政策解读</h1>
<p class="info">发布时间：2021-03-05　来源：县卫健委　浏览次数：1024</p>
<p>一、起草背景</p>
<p>为深入推进紧密型县域医共体建设，提高基层医疗卫生服务能力，结合我县实际，起草了本方案。</p>
<p>二、主要内容</p>
<p>医保基金按照总额预算、结余留用、合理超支分担的原则，打包支付给医共体牵头医院。</p>
<p>结余资金由牵头医院、乡镇卫生院、村卫生室按照6:3:1的比例分配，用于提升基层服务能力。</p>
</div>
<div class="share">分享到：微信 微博 QQ空间 【打印本页】【关闭窗口】</div>
<div class="footer">
<p>版权所有：某县人民政府办公室　主办单位：某县人民政府</p>
<p>备案号：皖ICP备12345678号-1　皖公网安备34150202000123号</p>
</div>
</body></html>"""

CHROME_MARKERS = ("当前位置", "ICP", "备案", "版权", "分享到", "打印本页", "关闭窗口", "政务公开", "互动交流", "浏览次数", "公网安备")


def _write(path, data: bytes):
    path.write_bytes(data)
    return path


def make_docx(path, title: str = "") -> None:
    import docx

    document = docx.Document()
    document.core_properties.title = title
    document.add_paragraph("医共体结余分配办法")
    document.add_paragraph("一、分配原则")
    document.add_paragraph("结余资金按下表比例分配，年终结算后拨付。")
    table = document.add_table(rows=3, cols=2)
    for r, (a, b) in enumerate([("单位", "比例"), ("牵头医院", "60%"), ("乡镇卫生院", "30%")]):
        table.cell(r, 0).text = a
        table.cell(r, 1).text = b
    document.add_paragraph("二、监督管理")
    document.add_paragraph("医保部门对结余资金使用情况进行监督检查。")
    document.save(str(path))


def make_pdf(path, pages: list[list[str]]) -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    c = canvas.Canvas(str(path))
    for lines in pages:
        c.setFont("STSong-Light", 12)
        y = 760
        for line in lines:
            c.drawString(72, y, line)
            y -= 20
        c.showPage()
    c.save()


PDF_PAGES = [
    ["第一章 总则", "第一条 为推进医共体建设，制定本办法。", "第二条 本办法适用于全县医共体成员单位。"],
    ["第二章 基金管理", "第三条 医保基金实行总额预算，结余留用。", "第四条 结余资金按6:3:1比例分配。"],
]


# ---- text encodings ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "encoding,extra",
    [
        ("gbk", ""),
        ("gb18030", "刘䶮建立南汉。\n"),  # 䶮 (CJK extension A) exists in GB18030 but not in GBK
        ("utf-8-sig", ""),
        ("utf-16", ""),  # with BOM
        ("utf-16-le", ""),  # without BOM
        ("utf-8", ""),
    ],
)
def test_txt_in_common_encodings_loads_exactly(tmp_path, encoding, extra):
    text = TEXT + extra
    path = _write(tmp_path / f"doc-{encoding}.txt", text.encode(encoding))
    loaded = load_file(path)
    assert "\n".join(loaded.lines).strip("\n") == text.strip("\n")
    assert not loaded.line_pages


def test_gbk_txt_ingests_to_the_original_characters(tmp_path):
    path = _write(tmp_path / "gbk.txt", TEXT.encode("gbk"))
    doc = ingest_file(path, "gbk.txt", None)
    assert "结余资金由牵头医院、乡镇卫生院和村卫生室按6:3:1比例分配。" in doc.text
    assert doc.kind == "意见"  # read from its title, as no manifest names it
    assert doc.title == "关于推进紧密型县域医共体建设的实施意见"


def test_big5_traditional_text_is_not_misread_as_gbk(tmp_path):
    trad = "醫共體建設推進會議紀要\n醫保基金結餘分配比例調整為六比三比一。\n"
    path = _write(tmp_path / "big5.txt", trad.encode("big5"))
    assert "\n".join(load_file(path).lines).strip() == trad.strip()


def test_decode_bytes_on_bom_and_plain_ascii():
    assert decode_bytes("\ufeff医共体".encode("utf-8")) == "医共体"
    assert decode_bytes(b"plain ascii") == "plain ascii"
    assert decode_bytes(b"") == ""


def test_markdown_heading_markers_are_dropped_and_title_kept(tmp_path):
    md = "# 医共体建设工作要点\n\n## 一、目标\n\n县域内就诊率达到90%，基层就诊率达到65%。\n\n## 二、措施 ##\n\n推进县招乡用。\n"
    path = _write(tmp_path / "notes.md", md.encode("utf-8"))
    loaded = load_file(path)
    assert loaded.title_hint == "医共体建设工作要点"
    assert "一、目标" in loaded.lines and "二、措施" in loaded.lines
    doc = ingest_file(path, "notes.md", None)
    assert "#" not in doc.text
    assert doc.title == "医共体建设工作要点"
    sections = {c.section for c in split_document(doc, 300)}
    assert {"一、目标", "二、措施"} <= sections


# ---- html -------------------------------------------------------------------------------------------
def _assert_html_doc(doc):
    assert "为深入推进紧密型县域医共体建设，提高基层医疗卫生服务能力，结合我县实际，起草了本方案。" in doc.text
    assert "结余资金由牵头医院、乡镇卫生院、村卫生室按照6:3:1的比例分配，用于提升基层服务能力。" in doc.text
    assert "一、起草背景" in doc.text.split("\n")
    for marker in CHROME_MARKERS:
        assert marker not in doc.text, marker
    assert "首页" not in doc.text


def test_html_page_keeps_main_text_and_drops_site_chrome(tmp_path):
    path = _write(tmp_path / "page.html", HTML_PAGE.encode("utf-8"))
    doc = ingest_file(path, "page.html", None)
    _assert_html_doc(doc)
    assert doc.title == "医共体建设实施方案政策解读"


def test_html_declared_gbk_charset(tmp_path):
    page = HTML_PAGE.replace('charset="utf-8"', 'charset="gbk"')
    path = _write(tmp_path / "page.htm", page.encode("gbk"))
    _assert_html_doc(ingest_file(path, "page.htm", None))


def test_html_without_trafilatura_falls_back_to_plain_extractor(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "trafilatura", None)  # import now raises ImportError
    path = _write(tmp_path / "page.html", HTML_PAGE.encode("utf-8"))
    doc = ingest_file(path, "page.html", None)
    _assert_html_doc(doc)
    assert doc.title == "医共体建设实施方案政策解读"


def test_html_short_page_still_yields_text():
    loaded = load_html("<html><body><p>医共体牵头医院负责统筹管理。</p></body></html>".encode("utf-8"))
    assert "医共体牵头医院负责统筹管理。" in [ln.strip() for ln in loaded.lines]


# ---- docx -------------------------------------------------------------------------------------------
def test_docx_keeps_table_rows_in_body_order(tmp_path):
    path = tmp_path / "table.docx"
    make_docx(path)
    lines = [ln for ln in load_docx(path.read_bytes()).lines if ln.strip()]
    assert lines == [
        "医共体结余分配办法",
        "一、分配原则",
        "结余资金按下表比例分配，年终结算后拨付。",
        "单位 | 比例",
        "牵头医院 | 60%",
        "乡镇卫生院 | 30%",
        "二、监督管理",
        "医保部门对结余资金使用情况进行监督检查。",
    ]
    doc = ingest_file(path, "table.docx", None)
    assert "牵头医院 | 60%" in doc.text.split("\n")
    assert doc.title == "医共体结余分配办法"


def test_docx_title_property_is_the_title(tmp_path):
    path = tmp_path / "titled.docx"
    make_docx(path, title="结余分配办法（试行）")
    assert ingest_file(path, "titled.docx", None).title == "结余分配办法（试行）"


# ---- pdf --------------------------------------------------------------------------------------------
def test_pdf_chinese_text_layer_and_page_numbers(tmp_path):
    path = tmp_path / "doc.pdf"
    make_pdf(path, PDF_PAGES)
    loaded = load_pdf(path.read_bytes())
    joined = "".join(loaded.lines).replace(" ", "")
    assert "第三条医保基金实行总额预算，结余留用。" in joined
    assert set(loaded.line_pages) == {1, 2}
    assert len(loaded.line_pages) == len(loaded.lines)

    doc = ingest_file(path, "doc.pdf", None)
    assert [p[2] for p in doc.pages] == [1, 2]
    chunks = split_document(doc, 60)
    assert {c.page for c in chunks} == {1, 2}
    for c in chunks:
        assert doc.text[c.start : c.end] == c.text
        expected = 2 if ("基金管理" in c.text or "第四条" in c.text) else 1
        assert c.page == expected, (c.text, c.page)
    assert any(c.section.startswith("第二章") and "第三条" in c.text for c in chunks)


def test_pdf_without_text_layer_is_rejected(tmp_path):
    from reportlab.pdfgen import canvas

    path = tmp_path / "scan.pdf"
    c = canvas.Canvas(str(path))
    c.rect(100, 100, 200, 200, fill=1)
    c.showPage()
    c.save()
    with pytest.raises(LoadError, match="文本层"):
        load_file(path)


# ---- bad input --------------------------------------------------------------------------------------
def bad_files(folder):
    """name -> expected fragment of the skip reason."""
    _write(folder / "binary.txt", bytes(range(256)) * 20)
    _write(folder / "empty.txt", b"")
    _write(folder / "blank.md", b"  \n\r\n\t \n")
    _write(folder / "undecodable.txt", bytes([0x81, 0x30, 0xFF, 0xFE, 0x80, 0x90]) * 20)
    _write(folder / "sheet.xlsx", b"PK\x03\x04 not really a spreadsheet")
    _write(folder / "noext", "医共体".encode("utf-8"))
    _write(folder / "broken.docx", b"PK\x03\x04 this is no docx")
    _write(folder / "broken.pdf", b"%PDF-1.4\n1 0 obj << /Type /Catalog >> garbage")
    _write(folder / "chrome.html", "<html><body><p>当前位置：首页 &gt; 新闻</p><p>版权所有 ICP备123号</p></body></html>".encode())
    return {
        "binary.txt": "二进制",
        "empty.txt": "空文件",
        "blank.md": "空文件",
        "undecodable.txt": "编码",
        "sheet.xlsx": "不支持",
        "noext": "不支持",
        "broken.docx": "docx",
        "broken.pdf": "pdf",
        "chrome.html": "正文",
    }


def test_each_bad_file_raises_load_error_with_reason(tmp_path):
    expected = bad_files(tmp_path)
    for name, fragment in expected.items():
        with pytest.raises(LoadError) as err:
            ingest_file(tmp_path / name, name, None)
        assert fragment in str(err.value), (name, str(err.value))


def test_build_skips_bad_files_with_reasons_and_indexes_the_rest(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    expected = bad_files(corpus)
    _write(corpus / "gbk.txt", TEXT.encode("gbk"))
    _write(corpus / "page.html", HTML_PAGE.encode("utf-8"))
    make_docx(corpus / "table.docx")
    make_pdf(corpus / "doc.pdf", PDF_PAGES)
    _write(corpus / "notes.md", "# 工作要点\n\n推进医共体建设，落实结余留用政策。\n".encode("utf-8"))
    report = build_index(corpus, tmp_path / "index", embedder=FakeEmbedder(32), tokenize=default_lexicon().tokenize)
    skipped = {s["source"]: s["reason"] for s in report.skipped}
    assert set(skipped) == set(expected)
    for name, fragment in expected.items():
        assert fragment in skipped[name], (name, skipped[name])
    index = load_index(tmp_path / "index")
    assert sorted(d.source for d in index.documents) == ["doc.pdf", "gbk.txt", "notes.md", "page.html", "table.docx"]
    assert report.documents == 5
    assert {c.source for c in index.chunks} == {d.source for d in index.documents}


def test_supported_extensions_cover_the_issue_formats():
    assert {".txt", ".md", ".html", ".htm", ".docx", ".pdf"} <= set(SUPPORTED)


def test_oversized_file_is_skipped(tmp_path, monkeypatch):
    from assistant.ingest import loaders

    monkeypatch.setattr(loaders, "MAX_BYTES", 10)
    path = _write(tmp_path / "big.txt", TEXT.encode("utf-8"))
    with pytest.raises(LoadError, match="过大"):
        load_file(path)



def test_pdf_lines_wrapped_by_the_layout_are_rejoined(tmp_path):
    path = tmp_path / "wrapped.pdf"
    make_pdf(
        path,
        [
            ["关于医保基金管理的通知", "医保基金实行总额预算管理结余资金按照规定比例在牵头医院", "乡镇卫生院和村卫生室之间分配并用于提升基层服务能力各成员"],
            ["单位要加强监督检查。", "二、工作要求", "各县要在年底前完成医共体建设任务并报送工作总结材料备查。"],
        ],
    )
    doc = ingest_file(path, "wrapped.pdf", None)
    assert doc.text.split("\n") == [
        "关于医保基金管理的通知",
        "医保基金实行总额预算管理结余资金按照规定比例在牵头医院乡镇卫生院和村卫生室之间分配并用于提升基层服务能力各成员单位要加强监督检查。",
        "二、工作要求",
        "各县要在年底前完成医共体建设任务并报送工作总结材料备查。",
    ]
    assert doc.title == "关于医保基金管理的通知"
    assert [p[2] for p in doc.pages] == [1, 2]


@pytest.mark.parametrize("data", [b"\xef\xbb\xbf\xe5\x8c\xbb\xff\xfe\xfd", "医共体".encode("utf-16") + b"\x00"])
def test_byte_order_mark_with_broken_content_is_a_load_error(tmp_path, data):
    path = _write(tmp_path / "bom.txt", data)
    with pytest.raises(LoadError, match="编码"):
        load_file(path)


def test_gbk_text_with_box_drawing_table_still_loads(tmp_path):
    text = "医共体成员单位一览\n┌────┬────┐\n│牵头医院│县人民医院│\n└────┴────┘\n"
    path = _write(tmp_path / "table.txt", text.encode("gbk"))
    assert "\n".join(load_file(path).lines).strip() == text.strip()
