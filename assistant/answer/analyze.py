"""Question analysis: the type of answer wanted, the content terms, and the facts a question asserts."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..places import place_names
from ..textnorm import is_traditional, match_form, number_form, t2s
from .followup import find_entities

# 几 after these is a vague count or time, not a question: 十几个, 好几年, 少数几个省, 近几年, 前几天, 这几年.
VAGUE_JI = r"(?<![十好数近前这那])"
# Before 几 these make it ask for items or examples, not a count: "哪几项", "举几个(例子)", "列几条".
NOT_COUNT_BEFORE = "哪举列"

# A yes/no question: it asks whether what it says is so ("…主办的吧？", "…发布的吗？", "是否…").
YES_NO_RE = re.compile(r"吧[，,？?]|吧$|吗[，,？?]|吗$|对吗|对吧|是不是|是否")
# Words that start with 天 ("天使投资", "天价", "天然", "天津"): after 多少/几 they are no count of days.
TIAN_WORD = "[使价然津]"
# Order matters: the first matching type wins, more specific first.
_TYPE_PATTERNS: list[tuple[str, str]] = [
    ("comparison", r"区别|不同|不一样|两样|差在哪|差别|差距|对比|比较|相比|异同|对应|一回事|一个思路|同一|哪件事在前|先后|分别是什么.*和|和.*有何不同|变化|改回|改为|调整为|从.{1,12}(改|调|变)"),
    # "why" before "ratio": 比例/分成/包干 are usually the subject ("结余分成办法为啥不用了"), 为什么 is the ask.
    ("why", r"为什么|为何|为啥|原因|理由|缘由|何故|怎么会|凭什么|出于什么|什么考虑|什么考量|图什么|为了什么|用意|初衷|目的是什么|什么目的|根子|根源|症结|病根"),
    # Not a bare "%": "还有15%的加成，…怎么降下来的" states a figure, it does not ask for one.
    ("ratio", r"比例|比率|几成|份额|占比|百分之多少|百分比|几比几|分成|包干|幅度|率(?:是|为|有|达到|达)?多少"),
    ("who", r"哪个部门|哪些部门|哪个机构|哪家|哪几家|哪个单位|哪些单位|由谁|谁来|谁负责|谁牵头|是谁|归谁|听谁|哪一级|哪个层级|什么部门|什么机构|哪位|谁"),
    # A time of day ("从几点做到几点"), answered by "上午9时" or "下午1:30", which no calendar date gives.
    ("clock", r"几点|幾點|什么时间点|什么时段|哪个时段"),
    # A length of time or a frequency, answered by "任期4年" or "按月预拨", not by a calendar date.
    # ("哪几天" asks which days: a date. "多少天使投资", "几天价药": 天 opens another word.)
    ("duration", rf"{VAGUE_JI}几年|多少年|多久|多长时间|多长|{VAGUE_JI}几个月|多少个月|多少天(?!{TIAN_WORD})"
                 rf"|(?<!哪){VAGUE_JI}几天(?!{TIAN_WORD})|{VAGUE_JI}几周|多少周"),
    ("date", r"哪天|哪一天|哪几天|何时|什么时候|哪一年|哪年|几月|几号|日期|时间是|第几"),
    ("number", rf"多少|(?<![{NOT_COUNT_BEFORE}]){VAGUE_JI}(?:几家|几个|几项|几次|几条|几位|几届|几岁)|数量|数目|金额|文号"),
    ("definition", r"^[“\"「『]?[^，,。？?]{1,10}[”\"」』]?是什么[？?]?$|是什么意思|什么是|什么叫|啥叫|啥是|何为|指的是|是指|定义|含义|意思|何谓|怎么定义|如何界定|界定|指什么|包括什么|内容是什么|具体内容|具体指|是做什么的|做什么的|干什么的"),
    ("list", r"哪些|哪几|有哪|包括|分别|几个方面|几件事|几块|几类|几种|哪[一二三四五六七八九十两\d]+(?:个|项|条|本|类|种|件|块|方面|家|大|点)"),
    ("how", r"怎么|如何|怎样|方式|办法|做法|措施|步骤|流程|途径|机制"),
    ("yesno", r"是否|有没有|是不是|能不能|可不可以|对吗|吗$|吗？$|吗\?$"),
]
_TYPE_RES = [(name, re.compile(p)) for name, p in _TYPE_PATTERNS]
_TYPE_RES_BY_NAME = dict(_TYPE_RES)

RATIO_RE = re.compile(r"\d+(?:\.\d+)?(?:\s*[:：∶]\s*\d+(?:\.\d+)?)+")
PERCENT_RE = re.compile(r"\d+(?:\.\d+)?\s*[%％]|百分之[零一二三四五六七八九十百点]+")
_CN_NUM = "零一二三四五六七八九十百千万两"
NUMBER_UNIT_RE = re.compile(rf"(\d+(?:\.\d+)?|[{_CN_NUM}]+)\s*(年|个月|月|日|天|家|个|项|条|名|人|届|周岁|岁|次|所|本|大|种|类|级|万元|亿元|元|万)")
# "第二批试点", "第十一届年会": which one of a series, compared only with ordinals of the same series word.
ORDINAL_RE = re.compile(rf"第\s*(\d+|[{_CN_NUM}]+)\s*(批|届|次|轮|期|阶段|名|位)")
# Titles that name a person after or before them ("总理李强", "刘国中副总理"); each may take a 副.
PERSON_TITLES = "总理|部长|主任|局长|书记|院长|处长|省长|市长|区长|县长|旗长"
# A document named by its number: "六卫健〔2019〕72号", "皖政办[2017]57号", or short "国办发32号文".
DOCUMENT_NUMBER = re.compile(r"[〔\[（(](\d{4})[〕\]）)]\s*(\d+)\s*号|(?<![\d〕\]）)])()(\d+)号文")


def document_number(text: str) -> re.Match | None:
    """The first document number of a text; see docno() for its (year, number)."""
    return DOCUMENT_NUMBER.search(text)


def docno(m: re.Match) -> tuple[str, str]:
    """(year, number) of a document_number() match; the year is "" for "32号文"."""
    return (m.group(1), m.group(2)) if m.group(2) else ("", m.group(4))


def citing(number: tuple[str, str]) -> re.Pattern:
    """Where a text cites that document: by its full number, or as "32号文" ("国务院发布32号文")."""
    year = number[0] or r"\d{4}"
    return re.compile(rf"{year}\D{{0,2}}{number[1]}\s*号|(?<![\d〕\]）)]){number[1]}号文")


DATE_RE = re.compile(r"(?:19|20)\d{2}\s*年(?:\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?)?|\d{1,2}\s*月\s*\d{1,2}\s*日|(?:19|20)\d{2}[/.-]\d{1,2}[/.-]\d{1,2}")
LABEL_ASK_RE = re.compile(r"(?:什么|哪个|哪些|怎样的|啥)(?:比喻|比方|说法|提法|角色|定位|口号|称呼|名称)|比喻成|比作|形容[为成]?什么|称为什么|叫做什么|概括为什么")
QUOTED_RE = re.compile(r"[“\"「『《]([^”\"」』》]{2,40})[”\"」』》]")
# "紧密型县域" and "县级" are not places: the suffix must not start a longer word.
REGION_SUFFIX_RE = re.compile(r"([\u4e00-\u9fff]{2,3}(?:省|自治区|市|县|旗|州|盟))(?![域级委直属长情里城乡]|医院|下来|下的|钱|掉)")
# Characters that never occur in a place name; a "…市/…县" match containing one is ordinary text.
_NOT_PLACE = set("等的了是在有和这那哪个些说得望觉次去么什怎谁为把被让给对从到与及或而要将该各本全每某其此上下中内外前后里多少几两不出型关没照改跟联院")
# Levels that end a place name; inside a candidate they mark a match straddling two names (州 is part of names).
_INNER_LEVELS = set("省区县旗盟")
_GENERIC_PLACES = {"城市", "县区", "市区", "辖区", "城区", "全区", "全市", "全省", "全县", "地区", "社区", "园区", "景区", "该区", "本区",
                   "我区", "各区", "各县", "本市", "本县", "全旗", "各市", "省市", "县市", "区县", "旗县", "市县", "各省", "新区",
                   "高新区", "自治区", "开发区", "县区内", "区域", "城乡", "县域", "一区", "街道区"}




@dataclass
class Claim:
    """A fact the question asserts: a ratio, percentage or number with unit."""

    kind: str  # ratio | percent | number | ordinal
    text: str
    unit: str = ""
    asked: bool = False  # "哪三项": a count the question presupposes while asking for the items

    @property
    def key(self) -> str:
        return number_form(self.text)


@dataclass
class QuestionInfo:
    text: str
    simplified: str
    qtype: str
    terms: list[str]
    traditional: bool
    regions: list[str] = field(default_factory=list)
    quoted: list[str] = field(default_factory=list)
    wants_label: bool = False  # "用什么比喻", "扮演什么角色": the answer is a coined phrase, usually in quotes
    claims: list[Claim] = field(default_factory=list)
    entities: list[tuple[str, str]] = field(default_factory=list)


# A ratio word that names an indicator or a rule ("药占比考核", "包干政策") is the subject, not the ask; nor is one in
# a clause that asks nothing ("有人说药占比就是个文字游戏，那…是啥"). A ratio is asked by the word itself (几成) or by
# an ask word in its clause (多少, 什么比例, 怎么分成).
_RATIO_TERM_RE = re.compile(r"(?:比例|比率|份额|占比|分成|包干|幅度)(?=考核|指标|管控|控制|政策|制度|机制|改革|考评|红线|目标|办法)")
_RATIO_ASKS_RE = re.compile(r"几成|百分之多少|几比几|率(?:是|为|有|达到|达)?多少")
_ASK_RE = re.compile(r"多少|几|什么|怎么|怎样|如何|咋|哪|啥|呢")


def _asks_ratio(simplified: str) -> bool:
    if _RATIO_ASKS_RE.search(simplified):
        return True
    rest = _RATIO_TERM_RE.sub("", simplified)
    if not _TYPE_RES_BY_NAME["ratio"].search(rest):
        return False  # "取消药占比考核后…多赚钱？": the ratio word only names an indicator
    if not _ASK_RE.search(simplified) and not re.search(r"吗|是否|对不对|是不是", simplified):
        return True  # a keyword query ("结余分配比例"): the ratio word is all it asks
    for clause in re.split(r"[，,。；;？?！!]", rest):
        m = _TYPE_RES_BY_NAME["ratio"].search(clause)
        if m and _ASK_RE.search(clause) and not re.match(r"的[^的]*?(?:是|为|有)?(?:什么|啥|哪)", clause[m.end() :]):
            return True  # "谈药占比的段政明是什么身份" asks about what follows 的, not for the ratio
    return False


def question_type(simplified: str) -> str:
    for name, pattern in _TYPE_RES:
        if pattern.search(simplified) and (name != "ratio" or _asks_ratio(simplified)):
            return name
    return "fact"


def extract_claims(text: str) -> list[Claim]:
    simp = t2s(text)
    claims = [Claim("ratio", m.group(0)) for m in RATIO_RE.finditer(simp)]
    claims += [Claim("percent", m.group(0)) for m in PERCENT_RE.finditer(simp)]
    claims += [Claim("ordinal", m.group(0), m.group(2)) for m in ORDINAL_RE.finditer(simp)]
    claims += [Claim("ordinal", m.group(0), m.group(1)) for m in re.finditer(r"首(批|届|次|轮|期)", simp)]  # 首批 = 第一批
    taken = " ".join(c.text for c in claims)
    for m in NUMBER_UNIT_RE.finditer(simp):
        if m.group(0) in taken or not re.search(r"\d|[一二三四五六七八九十两]", m.group(1)):
            continue
        if simp[: m.start()].endswith("第"):
            continue  # "第二批" is an ordinal, claimed as one above
        # "哪六个统一" presupposes the count but asks for the items: contradicted only by a count of the same thing.
        claims.append(Claim("number", m.group(0), m.group(2), asked=simp[: m.start()].endswith(("哪", "几"))))
    return claims


def place_core(region: str) -> str:
    """"准格尔旗" -> "准格尔", "裕安区" -> "裕安": the name without its level, as texts also write it."""
    return match_form(re.sub(r"(省|市|自治区|区|县|旗|州|盟)$", "", region))


def find_regions(simplified: str) -> list[str]:
    """Place names in a question: known regions and words ending in 省/市/区/县/旗…"""
    regions = [term for cls, term in find_entities(simplified) if cls == "region"]
    for m in REGION_SUFFIX_RE.finditer(simplified):
        name = m.group(1)
        known = place_names(name)
        if known and name.endswith(known[-1]):
            name = known[-1]  # "2014年宁波市": the span took a character before the name the gazetteer knows
        if set(name[:-1]) & _NOT_PLACE or name[-2:] in _GENERIC_PLACES:
            continue  # "推进城市" is a verb and a generic word, not a place
        if set(name[:-1]) & _INNER_LEVELS:
            continue  # "裕安区西市街道" yields "安区西市": a level inside the name means two places run together
        if len(name) >= 3 and name not in _GENERIC_PLACES and not any(name in r or r in name for r in regions):
            regions.append(name)
    # Any place of China by its name ("广州", "六安市"), so a question about a place no document speaks of is
    # declined and one about a newly added document's place is answered from it.
    for name in place_names(simplified):
        if not any(name in r or r in name for r in regions):
            regions.append(name)
    return regions


def analyze(question: str, tokenize) -> QuestionInfo:
    """Analyse a question; `tokenize` gives the keyword-side tokens (filler removed)."""
    simp = t2s(question)
    terms = []
    for tok in tokenize(question):
        if tok not in terms:
            terms.append(tok)
    return QuestionInfo(
        text=question,
        simplified=simp,
        qtype=question_type(simp),
        terms=terms,
        traditional=is_traditional(question),
        regions=find_regions(simp),
        quoted=[m.group(1) for m in QUOTED_RE.finditer(simp)],
        wants_label=bool(LABEL_ASK_RE.search(simp)),
        claims=extract_claims(simp),
        entities=find_entities(simp),
    )
