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


def test_a_document_named_by_its_kind_is_searched_on_its_own(assistant_over):
    # Many passages of the talk outrank the comment's one passage on the question's words; the question
    # names the comment ("评论"), so its best passage joins the evidence.
    talk = "\n\n".join(f"要加强医共体建设第{i}项工作,团队建设要探索创新,医共体建设要久久为功,"
                         "各级各部门要统一思想、提高认识,切实把医共体建设各项任务落到实处,"
                         "确保团队建设取得实效,探索形成可复制可推广的经验做法。" for i in range(1, 25))
    app = assistant_over({
        "talk.txt": "市推进会讲话\n\n" + talk + "\n",
        "comment.txt": "强基层评论\n\n我们十几年如一日耕耘,也对医共体建设长达8年探索。\n",
        "manifest.toml": ('[[documents]]\nsource = "talk.txt"\nkind = "讲话"\n\n'
                          '[[documents]]\nsource = "comment.txt"\nkind = "评论"\n'),
    })
    ans = app.ask("评论作者的团队在医共体建设上探索了多久？")
    assert ans.abstained is False, ans.answer
    assert "8年" in ans.answer
