"""Document metadata read from the text itself: title, kind, issuer, place, date and document number.

Policy documents follow a fixed form: a title line ("XX市卫生健康委员会关于印发…方案的通知"), the document number
on a line of its own ("国办发〔2017〕32号"), and a signature (落款) at the end, the issuing bodies over the date.
News and commentary carry a byline ("记者…", "来源：…日报", "作者：…"). The manifest overrides all of it.

>>> m = derive_meta("广州市卫生健康委员会关于印发医共体建设方案的通知\\n穗卫〔2021〕5号\\n正文。\\n"
...                 "广州市卫生健康委员会\\n2021年3月5日")
>>> (m.kind, m.issuer, m.place, m.date, m.doc_number)
('方案', '广州市卫生健康委员会', '广东省广州市', '2021-03-05', '穗卫〔2021〕5号')
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from ..places import gazetteer
from ..textnorm import cn_int, is_traditional, t2s
from .structure import heading_kind

# Kinds told apart: 方案, 意见, 通知, 办法 (official documents, by their title), 解读, 讲话, 报道, 评论.
# A body that issues documents: the end of its name ("…人民政府办公室", "…卫生健康委员会", "…医疗保障局").
_ORGAN = (r"(?:人民政府|政府|办公厅|办公室|委员会|卫生健康委|卫健委|领导小组|工作小组|小组|医疗保障局|局|厅|委|部|署|办|"
          r"管委会|管理委员会|党委|党组|中心|研究院|协会|学会)")
_ORGAN_RE = re.compile(rf"^[\u4e00-\u9fff（）()、]{{2,40}}{_ORGAN}$")
_NATIONAL = re.compile(r"^(?:国务院|中共中央|全国|国家|中华人民共和国|财政部|人力资源社会保障部|民政部|教育部)")
# "国办发〔2017〕32号", "六医改办[2020]3号", "皖政办（2017）57号".
DOC_NUMBER_RE = re.compile(r"[\u4e00-\u9fff]{1,12}\s*[〔\[［（(【]\s*(?:19|20)\d{2}\s*[〕\]］）)】]\s*第?\s*\d{1,4}\s*号")
_NUMBER_LABEL = re.compile(r"^(?:发文字号|文号|发文号|文件编号)\s*[:：]\s*")
_CN_DIGIT = "〇零一二三四五六七八九十"
_YEAR_DIGITS = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"零": 0, "○": 0, "Ｏ": 0}
_DATE = re.compile(r"((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日"
                   rf"|([{_CN_DIGIT}○Ｏ]{{4}})\s*年\s*([{_CN_DIGIT}]{{1,3}})\s*月\s*([{_CN_DIGIT}]{{1,3}})\s*日"
                   r"|((?:19|20)\d{2})[-/.](\d{1,2})[-/.](\d{1,2})")
_DATE_LABEL = re.compile(r"(?:成文日期|发布日期|发文日期|印发日期|发布时间|日期)\s*[:：]\s*")
_ISSUER_LABEL = re.compile(r"^(?:发布机构|发文机关|发文单位|发布单位|制发机关|发布人|来源|信息来源|稿源|作者|撰稿)\s*[:：]\s*[-—]*\s*(.+)$")
# A repost names the original's title ("原标题：…"), often followed by the reposting site's note on the same line.
_ORIGINAL_TITLE = re.compile(r"^原标题\s*[:：]\s*(.+?)\s*(?:本文(?:转载|来源)|来源\s*[:：]|责任编辑|编辑\s*[:：]|$)")
# Words of national scope: a text that uses them more than it names its most named province is about the country.
_NATIONAL_WORDS = re.compile(r"国务院|中共中央|党中央|全国|国家|我国|中央|卫生部|财政部|人社部|民政部|教育部|发改委")
_NATIONAL_TITLE = re.compile(r"国务院|中共中央|党中央|全国|国家[\u4e00-\u9fff]{0,8}?(?:委|局|部|署|办)")
# A research paper: its abstract and key words open it.
_PAPER = re.compile(r"【?摘\s*要】|【关键词】|关键词\s*[:：]")

# The kind a title names by its last words; 通知 that issues a 方案 is read as the 方案 it carries.
_TITLE_KINDS = [
    ("解读", re.compile(r"解读|答记者问|问答|一图读懂|图解")),
    ("讲话", re.compile(r"讲话|致辞|发言|(?:会|会议)上的(?:报告|讲话)")),
]
_SUFFIX_KINDS = [
    ("方案", re.compile(r"(?:方案|规划|计划)$")),
    ("意见", re.compile(r"意见$")),
    ("办法", re.compile(r"(?:办法|细则|规定|规则|规范|标准|制度)$")),
    ("通知", re.compile(r"(?:通知|通报|公告|通告|函|决定|批复)$")),
]
# "…实施方案（试行）", "…办法（征求意见稿）》": what follows the kind word at a title's end.
_TITLE_TAIL = re.compile(r"(?:[(（](?:试行|暂行|征求意见稿|修订稿?|草案|送审稿)[)）]|[》”\"\s])+$")
_CARRIED = re.compile(r"(?:印发|转发|发布)[^的]{0,60}?(方案|规划|计划|意见|办法|细则|规定|规则|标准)"
                      r"(?:[(（][^()（）]{1,12}[)）])?[》”\"]?的(?:通知|函)$")
_NEWS = re.compile(r"本报讯|本报记者|记者\s*[\u4e00-\u9fff]{2,4}|通讯员|新华社|日电|讯[（(]|[（(]记者|来源[:：]")
_OPINION = re.compile(r"评论员|时评|述评|社论|专栏|笔者|作者[:：]|编者按|观点[:：]")
_SPEECH_OPENING = re.compile(r"^(?:同志们|各位领导|各位代表|同志们、朋友们)[，,:：！!]")
_REPORTED = re.compile(r"指出|表示|提到|透露|介绍说|说道|分享道|强调")


@dataclass(frozen=True)
class TextMeta:
    """What the text itself says about the document; empty where it says nothing."""

    title: str = ""
    kind: str = ""
    issuer: str = ""
    place: str = ""
    date: str = ""
    doc_number: str = ""


def derive_meta(text: str, title_hint: str = "", source: str = "", author_hint: str = "") -> TextMeta:
    """Title, kind, issuer, place, date and document number of a cleaned document text; `author_hint` (a file's
    front matter author) is the issuer when the text names none."""
    lines = [ln.strip() for ln in text.split("\n") if ln.strip()]
    title = infer_title(text, title_hint, source)
    head, tail = lines[:8], lines[-8:]
    number = _doc_number(head + tail)
    signers, signed = _signature(tail)
    issuer = ("、".join(signers) or _labelled_issuer(head + tail) or _title_issuer(title) or _header_issuer(head)
              or _byline(lines) or author_hint.strip())
    kind = _kind(title, text, lines, bool(number or signers))
    date = signed or _labelled_date(head + tail)
    place = _place(title, issuer, text, kind)
    return TextMeta(title=title, kind=kind, issuer=issuer, place=place, date=date, doc_number=number)


def infer_title(text: str, hint: str, source: str) -> str:
    """The loader's title (html <title>, docx properties, markdown "# "), else the first title-like line
    among the first few (not a numbered heading such as 一、 or 第一章, not a sentence, not a document number,
    date or issuer line), else the file name. A repost's "原标题：" line (at its head or its foot) comes first:
    the reposting page's title is the site's own wording."""
    lines = [ln.strip() for ln in text.split("\n") if ln.strip()]
    for line in lines[:10] + lines[-5:]:
        m = _ORIGINAL_TITLE.match(line)
        if m and 4 <= len(m.group(1)) <= 80:
            return m.group(1)
    if hint:
        return hint
    for line in text.split("\n")[:5]:
        line = line.strip()
        if not 4 <= len(line) <= 60 or line.startswith("【") or heading_kind(line):
            continue
        if re.search(r"[。；;:：，,！？!?]$", line) or len(re.findall(r"[。；！？]", line)) > 0:
            continue
        if DOC_NUMBER_RE.fullmatch(line) or _DATE.fullmatch(line):
            continue
        if all(_ORGAN_RE.match(t2s(part)) for part in line.split()):
            continue  # the issuers' header over a joint document ("六安市医疗保障局 六安市财政局")
        return line
    return Path(source).stem


def _doc_number(lines: list[str]) -> str:
    """The document's own number: a line that is only a number ("国办发〔2017〕32号") or is labelled as one;
    numbers cited inside sentences belong to other documents."""
    for line in lines:
        bare = _NUMBER_LABEL.sub("", line.strip()).strip()
        m = DOC_NUMBER_RE.fullmatch(bare)
        if m:
            return re.sub(r"\s+", "", m.group(0))
    return ""


def _date_of(m: re.Match) -> str:
    if m.group(1):
        y, mo, d = m.group(1), m.group(2), m.group(3)
    elif m.group(4):
        y = "".join(str(_YEAR_DIGITS.get(c, 0)) for c in m.group(4))
        mo, d = str(cn_int(m.group(5))), str(cn_int(m.group(6)))
    else:
        y, mo, d = m.group(7), m.group(8), m.group(9)
    try:
        if not (1 <= int(mo) <= 12 and 1 <= int(d) <= 31):
            return ""
    except ValueError:
        return ""
    return f"{int(y):04d}-{int(mo):02d}-{int(d):02d}"


def _signature(tail: list[str]) -> tuple[list[str], str]:
    """(issuers, date) of the 落款: a line that is only a date, the lines of body names right above it
    (or the names before the date on the same line)."""
    for i in range(len(tail) - 1, -1, -1):
        line = re.sub(r"[(（][^()（）]{0,12}(?:公开|发布|印发)[^()（）]{0,6}[)）]$", "", tail[i]).strip()
        m = _DATE.search(line)
        if not m or len(line) > 60:
            continue
        before = line[: m.start()].strip(" ,，")
        if line[m.end():].strip(" 。") or (before and not _ORGAN_RE.match(t2s(before))):
            continue
        names = [before] if before else []
        j = i - 1
        while j >= 0 and _ORGAN_RE.match(t2s(tail[j])) and len(names) < 6:
            names.insert(0, tail[j])
            j -= 1
        return names, _date_of(m)
    return [], ""


def _labelled_date(lines: list[str]) -> str:
    for line in lines:
        label = _DATE_LABEL.search(line)
        if label:
            m = _DATE.search(line, label.end())
            if m and m.start() - label.end() <= 2:
                return _date_of(m)
    return ""


def _labelled_issuer(lines: list[str]) -> str:
    for line in lines:
        m = _ISSUER_LABEL.match(line)
        if m:
            value = re.split(r"\s{2,}|[|｜]|(?:发布|成文|日期|时间)[:：]", m.group(1))[0].strip(" ，,。")
            if 2 <= len(value) <= 40:
                return value
    return ""


def _header_issuer(head: list[str]) -> str:
    """A body's name on a line of its own right over the date line near the top ("河北省中医药管理局" / "2017-05-07")."""
    for line, nxt in zip(head[:5], head[1:6]):
        if _ORGAN_RE.match(t2s(line)) and _DATE.match(nxt):
            return line
    return ""


def _title_issuer(title: str) -> str:
    """"XX市卫生健康委员会关于…的通知": the body before 关于."""
    m = re.match(r"^(.{2,60}?)关于", title)
    if m and _ORGAN_RE.match(t2s(m.group(1).strip())):
        return m.group(1).strip()
    return ""


def _byline(lines: list[str]) -> str:
    """A news report's source: "(内蒙古日报社融媒体记者王林喜)" -> 内蒙古日报社 (a media name ending the part
    before 记者), searched in the first and last lines."""
    for line in lines[:4] + lines[-4:]:
        m = (re.search(r"([\u4e00-\u9fff\d]{2,16}?(?:日报社|日报|晚报|报社|新华社|电视台|融媒体中心|经济报道|新闻网))(?:融媒体)?"
                       r"(?:记者|讯|通讯员)", t2s(line))
             # A wire dateline or a site's lead: "新华社北京4月12日电", "央视网消息："
             or re.match(r"^([\u4e00-\u9fff]{2,6}?(?:社|网|台))[\u4e00-\u9fff]{0,6}\d{1,2}月\d{1,2}日电|^([\u4e00-\u9fff]{2,6}网)消息[:：]",
                         t2s(line)))
        if m:
            g = 1 if m.group(1) else 2
            return line[m.start(g) : m.end(g)]
    return ""


def _kind(title: str, text: str, lines: list[str], official: bool) -> str:
    simp_title = t2s(title)
    for kind, pattern in _TITLE_KINDS:
        if pattern.search(simp_title):
            return kind
    body = t2s("\n".join(lines[:6]))
    if len(_PAPER.findall(t2s("\n".join(lines[:12])))) >= 2:
        return "其他"  # a research paper (abstract and key words): neither a report nor a commentary
    if any(_SPEECH_OPENING.match(t2s(ln)) for ln in lines[:4]):
        return "讲话"
    carried = _CARRIED.search(simp_title)
    core = _TITLE_TAIL.sub("", simp_title)
    stated = next((k for k, p in _SUFFIX_KINDS if p.search(core)), "")
    if carried:
        stated = {"规划": "方案", "计划": "方案", "细则": "办法", "规定": "办法", "规则": "办法", "标准": "办法"}.get(
            carried.group(1), carried.group(1))
    if stated and (official or "关于" in simp_title or re.search(r"《.+》", simp_title)):
        return stated
    ends = t2s("\n".join(lines[:3] + lines[-3:]))
    if _OPINION.search(simp_title) or _OPINION.search(body):
        return "评论"
    if _NEWS.search(ends) or len(_REPORTED.findall(t2s(text))) >= 3:
        return "报道"
    return stated


def _place(title: str, issuer: str, text: str, kind: str) -> str:
    """The place a document is about: the most specific one its issuer or title names (a report is about
    what its title names rather than where its paper is), else the one its text names most; 全国 for a
    national body's document."""
    g = gazetteer()
    sources = (title, issuer) if kind in ("报道", "评论") else (issuer, title)
    named = [p for p in (g.most_specific(s, context=text[:2000]) for s in sources if s) if p is not None]
    if named:
        # The deeper of the two when one lies inside the other ("六安市…关于转发省…" is about 六安市).
        best = named[0]
        for p in named[1:]:
            if p.within(best) and p.level > best.level:
                best = p
        if kind in ("报道", "评论") and best.level < 2:
            # A provincial paper's report names the county it is about in its text ("准格尔旗…").
            local = g.locate(text)
            if local is not None and local.within(best) and local.level > best.level:
                best = local
        return g.full_name(best)
    if (issuer and _NATIONAL.match(t2s(issuer))) or _NATIONAL_TITLE.search(t2s(title)):
        return "全国"
    return _text_place(text)


def _text_place(text: str) -> str:
    """The place a text names most, or 全国 when it speaks of the country: more words of national scope than
    mentions of its most named province, or no province holding half of the province-level mentions (a report
    over many places). The two tests were set on the ext train documents (eval/check_meta.py); a text in Traditional
    characters is never read as 全国."""
    g = gazetteer()
    simp = t2s(text)
    provinces = Counter(g.chain(p)[0].code for p in g.resolve(g.mentions(simp)))
    top = max(provinces.values(), default=0)
    total = sum(provinces.values())
    national = len(_NATIONAL_WORDS.findall(simp))
    # Mainland texts are written in Simplified characters; a Traditional text's 國家 is Taiwan's, Hong Kong's or
    # Macao's, so its scope words say nothing of 全国.
    if not is_traditional(text[:3000]) and ((national and national > top) or (total >= 6 and top < 0.5 * total)):
        return "全国"
    return g.full_name(g.locate(text))
