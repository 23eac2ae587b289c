"""Chinese place names (province, prefecture, county) from the bundled gazetteer: found in text, resolved to a chain.

The list is `assistant/data/places.tsv` (six-digit adcode and name, from cpca's 2020 data). A place is written in
full ("广州市", "裕安区") or, for provinces and prefecture cities, without its level ("广州", "内蒙古"). Two-character
counties ("寿县", "和县") are words too often ("…和县级医院"): they count only where a name starts (after
punctuation) or right after their prefecture or province ("六安市寿县").

>>> g = gazetteer()
>>> [m.surface for m in g.mentions("广州市卫生健康委员会")]
['广州市']
>>> g.full_name(g.most_specific("裕安区深化区域医共体建设实施方案"))
'安徽省六安市裕安区'
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from .textnorm import t2s

# Short forms that are ordinary words or better known as something else ("长治久安", "大庆", "开封", "中山医院").
_NOT_SHORT = frozenset({"大同", "长治", "来宾", "安康", "白银", "中山", "朝阳", "日照", "四平", "山南", "白山", "大庆",
                        "开封", "吉林市", "东方", "通化", "黄南", "海西", "海北", "海南州"})
# Districts named by a common word ("城区", "郊区"): as text they are that word.
_NOT_NAMES = frozenset({"城区", "郊区", "矿区", "东区", "西区"})
_PROVINCE_SUFFIX = re.compile(r"(?:省|市|特别行政区|壮族自治区|回族自治区|维吾尔自治区|自治区)$")
# "区域", "县域": the level is the start of another word, not the end of a name.
_NOT_AFTER = {"区": "域", "县": "域级"}


@dataclass(frozen=True)
class Place:
    code: str  # six-digit administrative code: 440100
    name: str  # full name: 广州市

    @property
    def level(self) -> int:
        """0 province, 1 prefecture, 2 county."""
        return 0 if self.code.endswith("0000") else 1 if self.code.endswith("00") else 2

    def within(self, other: "Place") -> bool:
        """True when self lies inside other (or is other)."""
        return self.code.startswith(other.code[: 2 * (other.level + 1)])


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    surface: str
    places: tuple[Place, ...]  # every place of that name, most likely first


class Gazetteer:
    """Place names of China; `mentions` finds them in text, `locate` says which place a text is about."""

    def __init__(self, path: Path | None = None) -> None:
        path = path or Path(str(resources.files("assistant.data").joinpath("places.tsv")))
        self.by_code: dict[str, Place] = {}
        self._names: dict[str, list[Place]] = {}
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip() or line.startswith("#"):
                continue
            code, name = line.split("\t")[:2]
            place = Place(code.strip(), name.strip())
            if place.name in _NOT_NAMES:
                continue
            self.by_code[place.code] = place
            self._names.setdefault(place.name, []).append(place)
            short = self._short(place)
            if short:
                self._names.setdefault(short, []).append(place)
        for places in self._names.values():  # a province before a city of the same short name ("吉林")
            places.sort(key=lambda p: p.level)
        # The name lengths that start with each character, longest first: the scan tries only those.
        lengths: dict[str, set[int]] = {}
        for name in self._names:
            lengths.setdefault(name[0], set()).add(len(name))
        self._lengths = {ch: sorted(v, reverse=True) for ch, v in lengths.items()}

    @staticmethod
    def _short(place: Place) -> str:
        if place.level == 0:
            short = _PROVINCE_SUFFIX.sub("", place.name)
        elif place.level == 1 and place.name.endswith("市"):
            short = place.name[:-1]
        else:
            return ""
        return short if len(short) >= 2 and short != place.name and short not in _NOT_SHORT else ""

    def mentions(self, text: str) -> list[Mention]:
        """Place names in text, longest first at each position, left to right (Traditional text is read as
        Simplified; offsets are the text's own)."""
        simp = t2s(text or "")
        out: list[Mention] = []
        i = 0
        while i < len(simp):
            for size in self._lengths.get(simp[i], ()):
                word = simp[i : i + size]
                places = self._names.get(word)
                if not places or not self._fits(simp, i, word, places, out):
                    continue
                out.append(Mention(i, i + size, word, tuple(places)))
                i += size
                break
            else:
                i += 1
        return out

    @staticmethod
    def _fits(text: str, i: int, word: str, places: list[Place], before: list[Mention]) -> bool:
        after = text[i + len(word) : i + len(word) + 1]
        if after and after in _NOT_AFTER.get(word[-1], ""):
            return False
        if all(word != p.name for p in places) and _cuts_word(text, i, i + len(word)):
            return False  # a short name read across two words: "医保定点" is 医保 + 定点, not 保定
        if len(word) == 2 and all(p.level == 2 for p in places):
            # "寿县" where a name starts (text start, after punctuation or 《“) or right after its prefecture or
            # province ("六安市寿县"); inside a run of words "和县" is "和" + "县级".
            if i == 0 or not re.match(r"[\u4e00-\u9fff]", text[i - 1]):
                return True
            return bool(before) and before[-1].end == i and any(
                p.within(q) for p in places for q in before[-1].places)
        return True

    def chain(self, place: Place) -> list[Place]:
        """Province, prefecture and the place itself, as far as they exist."""
        codes = [place.code[:2] + "0000", place.code[:4] + "00", place.code]
        out: list[Place] = []
        for code in codes[: place.level + 1]:
            p = self.by_code.get(code)
            if p is not None and p not in out:
                out.append(p)
        return out

    def full_name(self, place: Place | None) -> str:
        """"安徽省六安市裕安区"; "" for None."""
        return "".join(p.name for p in self.chain(place)) if place else ""

    def resolve(self, mentions: list[Mention], context: list[Mention] = ()) -> list[Place]:
        """One place per mention: of several places of one name ("鼓楼区"), the one whose province or
        prefecture the mentions and their context also name."""
        support: Counter[str] = Counter()
        for m in [*mentions, *context]:
            for p in m.places:
                support[p.code] += 1 / len(m.places)
        out = []
        for m in mentions:
            out.append(max(m.places, key=lambda p: (sum(support[a.code] for a in self.chain(p)[:-1]), -m.places.index(p))))
        return out

    def most_specific(self, text: str, context: str = "") -> Place | None:
        """The deepest place a short text (an issuer, a title) names, its name resolved against context;
        None when it names none. Of two places at one depth the first named wins."""
        found = self.mentions(text)
        if not found:
            return None
        places = self.resolve(found, self.mentions(context) if context else [])
        return max(places, key=lambda p: (p.level, -places.index(p)))

    def locate(self, text: str, min_count: int = 2, share: float = 0.4) -> Place | None:
        """The place a long text is about: the province named most often (with its cities and counties),
        then the city of that province named most often, then the county; a city or county counts only when
        named at least min_count times and more often than any other of its level; a county also needs `share` of
        the mentions of its city (with everything inside it)."""
        found = self.mentions(text)
        if not found:
            return None
        places = self.resolve(found)
        count: Counter[str] = Counter()
        for p in places:
            for a in self.chain(p):
                count[a.code] += 1
        best: Place | None = None
        for level in range(3):
            options = [self.by_code[c] for c in count if self.by_code[c].level == level
                       and (best is None or self.by_code[c].within(best))]
            if not options:
                continue  # a municipality's district or a county-level city has no prefecture of its own
            ranked = sorted(options, key=lambda p: -count[p.code])
            top = ranked[0]
            if count[top.code] < min_count or (len(ranked) > 1 and count[ranked[1].code] == count[top.code]):
                break
            if level == 2 and best is not None and count[top.code] < share * count[best.code]:
                break  # a county named in passing in a text about its city ("余姚市" twice in a 宁波 digest)
            best = top
        return best


def _cuts_word(text: str, start: int, end: int, margin: int = 4) -> bool:
    """True when a word of the text (jieba, domain dictionary) begins before start and ends inside the span, or
    begins inside it and ends after end: the span is then the tail of one word and the head of another."""
    from .lexicon import default_lexicon  # deferred: places are also read where no tokeniser is needed

    lo = max(0, start - margin)
    pos = lo
    for w in default_lexicon().words(text[lo : end + margin]):
        w_start, pos = pos, pos + len(w)
        if w_start < start < pos < end or start < w_start < end < pos:
            return True
    return False


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    return Gazetteer()


def place_names(text: str) -> list[str]:
    """The place names written in a text, as written ("广州", "裕安区"), each once, in order."""
    out: list[str] = []
    for m in gazetteer().mentions(text):
        if m.surface not in out:
            out.append(m.surface)
    return out
