"""Inline math of PDF-to-Markdown converters read back as plain figures."""
from __future__ import annotations

import pytest

from assistant.ingest.clean import clean_lines
from assistant.ingest.latex import unwrap_math


@pytest.mark.parametrize(
    "line, plain",
    [
        ("两周患病率为 $1 5 . 0 \\%$ 和 $69 . 5 \\%$", "两周患病率为 15.0% 和 69.5%"),
        ("以 $P { < } 0 . 0 5$ 为差异", "以 P<0.05 为差异"),
        ("抽取 $2 0 { \\sim } 3 0$ 户", "抽取 20~30 户"),
        ("$\\chi ^ { 2 } / \\mathrm { d f } { = } 1 . 8 3 5$", "χ^2/df=1.835"),
    ],
)
def test_figure_only_math_is_read_back(line, plain):
    assert unwrap_math(line)[0] == plain


@pytest.mark.parametrize("line", ["“ $1 + 1 + 1 \\stackrel {  } { }$ 签约服务模式", "变量 $x$ 的系数", "基础包 $^ +$ 个性包"])
def test_other_math_is_left_as_it_was(line):
    # an unknown command, or no figure at all: nothing is guessed
    assert unwrap_math(line) == (line, 0)


def test_cleaning_reads_the_math_back_and_reports_it():
    cleaned = clean_lines(["研究结果", "两周患病未就诊率为 $6 9 . 5 \\%$ ，高于全国水平。"])
    assert "69.5%" in cleaned.text and "$" not in cleaned.text
    assert cleaned.dropped.get("inline_math") == 1
