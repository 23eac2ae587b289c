"""Pipeline wiring: evidence for questions that compare sources reaches every source the question names."""
from __future__ import annotations

import pytest


# One speech says a lot about village doctors, in every passage naming 红山旗 among other places, so its passages
# crowd the ranking; the short report on 红山旗 (named in its title) says one thing.
TALK = "在全市医共体推进会上的讲话\n\n" + "".join(
    f"{i}.红山旗等各旗区的乡村医生管理办法要抓好第{i}项工作,落实乡村医生待遇,稳定乡村医生队伍。\n\n" for i in range(1, 13)
)
REPORT = "红山旗医共体建设纪实\n\n红山旗推行乡村医生旗招乡管村用,由旗卫生健康局统一招聘。\n\n红山旗新建了三所卫生院。\n"
OTHER = "医保支付方式改革要点\n\n" + "".join(f"{i}.医保基金按月预拨,年终结算,结余留用。\n\n" for i in range(1, 6))


@pytest.fixture(scope="module")
def app(assistant_over):
    return assistant_over({"talk.txt": TALK, "report.txt": REPORT, "other.txt": OTHER}, chunk_size=60)


def test_plain_ranking_is_crowded_by_one_source(app):
    # The premise of the next test: without help, the report does not make the top passages.
    hits, _ = app.search("讲话提的乡村医生管理办法和红山旗的做法有什么不同？", k=8)
    assert "report.txt" not in {h.chunk.source for h in hits[:4]}


def test_comparison_cites_each_source_it_names(app):
    ans = app.ask("讲话提的乡村医生管理办法和红山旗的做法有什么不同？")
    assert not ans.abstained
    assert {"talk.txt", "report.txt"} <= {c.source for c in ans.citations}
    assert "旗招" in ans.answer


def test_source_filter_is_respected_when_widening(app):
    ans = app.ask("讲话提的乡村医生管理办法和红山旗的做法有什么不同？", filters={"source": ["talk.txt"]})
    assert {c.source for c in ans.citations} <= {"talk.txt"}


def test_single_source_question_is_not_widened(app):
    q = "讲话对乡村医生队伍建设有什么要求？"
    assert [h.chunk.id for h in app._evidence(q)] == [h.chunk.id for h in app.retriever.search(q, k=8)]
