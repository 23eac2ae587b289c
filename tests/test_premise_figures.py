"""Figures by kind and comparable value (answer.premise_figures)."""
from __future__ import annotations

from assistant.answer.premise_figures import figures, same_value


def test_figures_have_a_kind_and_a_value():
    kinds = {(f.kind, f.value) for f in figures("结余按6:3:1分配，报销80%，七成市民，4月12日，2000元")}
    assert {("ratio", "6:3:1"), ("%", "80%"), ("%", "70%"), ("date", "?-4-12"), ("元", "2000")} <= kinds


def test_shares_people_and_bare_large_counts_compare_with_their_like():
    one = lambda t: figures(t)[0]  # noqa: E731
    assert same_value(one("近三成"), one("28.5%")) and not same_value(one("七成多"), one("63.51%"))
    assert not same_value(one("一半以上"), one("14.8%"))
    assert same_value(one("28万"), one("28万元")) and not same_value(one("20万"), one("28万元"))
    assert same_value(one("9名"), one("9人")) and same_value(one("23位患者"), one("23人"))
    assert not same_value(one("20多个专家"), one("9人"))
    assert one("8个科室").kind == "个"  # 个 counts people only before a word for them


def test_a_date_without_its_year_is_the_same_date():
    a, b = figures("2017年4月12日")[0], figures("4月12日")[0]
    assert same_value(a, b)
    assert not same_value(figures("4月21日")[0], b)


def test_the_end_of_a_span_of_years_is_no_date():
    assert not [f for f in figures("(2018-2020年)") if f.value.startswith("2020")]
