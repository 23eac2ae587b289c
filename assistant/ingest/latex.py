"""Inline math from PDF-to-Markdown converters ("$1 5 . 0 \\%$", "$P { < } 0 . 0 5$") read back as the plain figures
it stands for ("15.0%", "P<0.05"), so that a figure is found, compared and quoted as the document prints it."""
from __future__ import annotations

import re

# Converters (MinerU, Marker, Nougat) put every figure of a scanned table or paper into $…$ with a space between
# characters. Only math made of figures, signs and these few commands is unwrapped; anything else
# ("$1 + 1 + 1 \stackrel { } { }$", a formula) is left as it was.
_COMMANDS = {r"\%": "%", r"\sim": "~", r"\times": "×", r"\pm": "±", r"\cdot": "·", r"\le": "≤", r"\ge": "≥",
             r"\leq": "≤", r"\geq": "≥", r"\approx": "≈", r"\chi": "χ", r"\mathrm": "", r"\;": "", r"\,": "", r"\ ": ""}
_INLINE = re.compile(r"\$([^$\n]{1,120}?)\$")
_COMMAND = re.compile(r"\\(?:[A-Za-z]+|[%;, ])")
_PLAIN = re.compile(r"[0-9A-Za-z.,:/+\-−=<>()\[\]{}~^_%×±·≤≥≈χ' ]*")


def unwrap_math(line: str) -> tuple[str, int]:
    """(the line with its figure-only inline math as plain text, how many spans were unwrapped).

    >>> unwrap_math("两周患病率为 $1 5 . 0 \\\\%$ ；以 $P { < } 0 . 0 5$ 为差异有统计学意义")
    ('两周患病率为 15.0% ；以 P<0.05 为差异有统计学意义', 2)
    """
    count = 0

    def plain(m: re.Match[str]) -> str:
        nonlocal count
        body = m.group(1)
        commands = _COMMAND.findall(body)
        if any(c not in _COMMANDS for c in commands):
            return m.group(0)
        for c in sorted(set(commands), key=len, reverse=True):
            body = body.replace(c, _COMMANDS[c])
        if not _PLAIN.fullmatch(body) or not re.search(r"\d", body):
            return m.group(0)
        body = body.replace("{", "").replace("}", "")
        body = re.sub(r"\s+", "", body)  # the converter's spaces: "1 . 8 3 5", "d f"
        count += 1
        return body

    return _INLINE.sub(plain, line), count
