"""Character-level normalisation: Traditional/Simplified conversion and forms used for matching."""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
CJK_RE = re.compile(f"[{CJK}]")
# Ratio colons in policy texts come in several widths: 6:3:1, 6：3：1, 6∶3∶1.
_COLONS = str.maketrans({"：": ":", "∶": ":", "﹕": ":"})
_SPACE_RE = re.compile(r"\s+")


@lru_cache(maxsize=None)
def _converter(config: str):
    import opencc  # deferred: loading dictionaries costs ~50 ms

    return opencc.OpenCC(config)


def t2s(text: str) -> str:
    """Traditional to Simplified; lengths stay equal for the characters we meet here."""
    return _converter("t2s").convert(text) if text else text


def s2t(text: str) -> str:
    return _converter("s2t").convert(text) if text else text


def is_traditional(text: str) -> bool:
    """True when the text reads as Traditional Chinese (more t2s changes than s2t changes)."""
    if not CJK_RE.search(text or ""):
        return False
    to_s = t2s(text)
    to_t = s2t(text)
    changed_t = sum(1 for a, b in zip(text, to_s) if a != b)
    changed_s = sum(1 for a, b in zip(text, to_t) if a != b)
    return changed_t > changed_s


def match_form(text: str) -> str:
    """The form used for comparing strings: Simplified, NFKC (full-width digits/letters), ASCII colons, no spaces."""
    text = unicodedata.normalize("NFKC", t2s(text or "")).translate(_COLONS)
    return _SPACE_RE.sub("", text).lower()


def cjk_count(text: str) -> int:
    return len(CJK_RE.findall(text))


CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def cn_int(s: str) -> int | None:
    """Value of a small Chinese numeral (up to 百), None when it is not one.

    >>> cn_int("二十五"), cn_int("十四"), cn_int("四"), cn_int("大")
    (25, 14, 4, None)
    """
    if s and all(ch in CN_DIGITS for ch in s):
        return int("".join(str(CN_DIGITS[ch]) for ch in s))
    m = re.fullmatch(r"(?:([一二两三四五六七八九])?百)?(?:([零一二两三四五六七八九])?(十))?([一二三四五六七八九])?", s)
    if not m or not s:
        return None
    hundreds = CN_DIGITS[m.group(1)] if m.group(1) else (1 if "百" in s else 0)
    tens = (CN_DIGITS[m.group(2)] if m.group(2) and m.group(2) != "零" else 1) if m.group(3) else 0
    ones = CN_DIGITS[m.group(4)] if m.group(4) else 0
    return hundreds * 100 + tens * 10 + ones


def _cn_number(m: re.Match) -> str:
    value = cn_int(m.group(0))
    return m.group(0) if value is None else str(value)


def number_form(text: str) -> str:
    """match_form with Chinese numerals as digits: "四大" and "4大", "十四个" and "14个", "一百二十多家" and "120多家"
    compare equal. It lives here, not in answer/, because the index stores documents in this form: a change to this
    module changes build.rules_fingerprint, and the next build re-processes them."""
    return re.sub(r"[一二三四五六七八九两]百(?:[一二三四五六七八九]?十[一二三四五六七八九]?)?(?![零一二三四五六七八九])"
                  r"|[一二三四五六七八九两]?十[一二三四五六七八九]?|[零一二三四五六七八九两]+(?=[^\u4e00-\u9fff]|[年月日天家个项条名人届岁次所本大种类级元万周])",
                  _cn_number, match_form(text))
