"""The claim a question asserts, aligned with its evidence clause (answer/premise_claim.py)."""
from __future__ import annotations

from assistant.answer.evidence import Sentence
from assistant.answer.premise_claim import align, claim_clauses, claim_features, denies_what_other_says, figures
from assistant.answer.premise_names import swapped_name

CORPUS = "县医保局负责基金监管。结余按6:3:1分配。医务人员流动执业一般不需办理相关手续。"


def _s(text: str, coverage: float = 0.6) -> Sentence:
    return Sentence("d1", 0, len(text), text, 1, 0, "", coverage=coverage)


def _is_term(word: str) -> bool:
    return word in CORPUS + "县卫健局"


def _cut(text: str) -> list[str]:
    """A stand-in word cutter: the test names its words."""
    out, i = [], 0
    words = ["县卫健局", "县医保局", "负责", "基金", "监管", "结余", "分配"]
    while i < len(text):
        w = next((w for w in words if text.startswith(w, i)), text[i])
        out.append(w)
        i += len(w)
    return out


def test_the_asking_frame_is_not_part_of_the_claim():
    assert claim_clauses("文件要求结余按5:3:2分配，对吗？") == ["文件要求结余按5:3:2分配"]
    assert claim_clauses("国务院是不是鼓励居民去三级医院首诊？") == ["国务院鼓励居民去三级医院首诊"]


def test_a_clause_that_asks_is_not_a_claim():
    assert claim_clauses("最高支付限额提到了20万，超过部分还能报多少？") == ["最高支付限额提到了20万"]


def test_a_share_in_cheng_contradicts_a_percentage():
    a, f = claim_features("医院自费处方只占三成左右，对吗？", [_s("自费病人的处方大概占了50%。")], _is_term)
    assert a.conflicts == [("50%", "三成")]


def test_a_wrong_ratio_is_a_figure_conflict():
    a, f = claim_features("文件要求结余按5:3:2分配，对吗？", [_s("结余按6:3:1分配。")], _is_term)
    assert f["fig_conflict"] == 1.0 and f["asserts"] == 1.0
    assert a.conflicts == [("6:3:1", "5:3:2")]


def test_the_same_ratio_supports_the_claim():
    a, f = claim_features("文件要求结余按6:3:1分配，对吗？", [_s("结余按6:3:1分配。")], _is_term)
    assert f["fig_conflict"] == 0.0 and f["fig_support"] == 1.0


def test_a_swapped_body_is_a_replaced_word():
    a, f = claim_features("县卫健局负责基金监管，是吧？", [_s("县医保局负责基金监管。")], _is_term, cut=_cut)
    assert a.replaced == ("县医保局", "县卫健局")
    assert f["replaced"] == 1.0 and f["same_head"] == 1.0


def test_a_colloquial_word_the_documents_never_use_is_not_shown():
    a, f = claim_features("县里管钱的负责基金监管，是吧？", [_s("县医保局负责基金监管。")], _is_term, cut=_cut)
    assert a.replaced is None


def test_negation_in_the_evidence_only():
    a, f = claim_features("医务人员流动执业必须办理相关手续，对吗？",
                          [_s("医务人员流动执业一般不需办理相关手续。")], _is_term)
    assert f["neg_diff"] == 1.0 and f["neg_added"] == 1.0 and f["modal_diff"] == 1.0


def test_a_negation_denies_the_words_the_claim_states():
    a, f = claim_features("福建的改革还设起付线，对吗？", [_s("收付费一体化改革也不设起付线。")], _is_term)
    assert f["neg_scoped"] == 1.0
    # Both sides negate, worded apart ("不需" / "不需要"): no denial.
    assert not denies_what_other_says("一般不需办理相关手续", "一般不需要办理相关手续")
    # What follows the negation is not what the claim says; "未来" is no negation.
    assert not denies_what_other_says("未就诊者中采取自我医疗的有908例", "有908例是自我医疗的")
    assert not denies_what_other_says("同时未来也会与一些酒店合作", "以后和一些酒店合作")


def test_a_clause_naming_who_says_it_is_not_the_claim():
    assert claim_clauses("宁夏研究发现，务农的人未就诊率更高，对吗？") == ["务农的人未就诊率更高"]
    assert claim_clauses("报道称，论坛在济南举行？") == ["论坛在济南举行"]


def test_a_shortened_or_ordinal_wording_is_not_a_replaced_word():
    a, _ = claim_features("6个协会在京开了座谈会，对吧？", [_s("6个协会在京召开了座谈会。")], lambda w: True, cut=list)
    assert a.replaced is None
    def cut(text):
        return [w for w in ("首届", "第一届", "第二届", "城市", "论坛", "举行") if w in text]

    assert swapped_name("首届城市论坛举行", "第一届城市论坛举行", cut, lambda w: True) is None
    assert swapped_name("首届城市论坛举行", "第二届城市论坛举行", cut, lambda w: True) == ("第二届城市", "首届城市")


def test_the_best_aligned_clause_is_chosen():
    found = align("结余按5:3:2分配吧", [_s("县医保局负责基金监管。"), _s("年底结余按6:3:1分配。")])
    assert found[0].e_clause == "年底结余按6:3:1分配"


def test_a_predicate_clauses_after_its_subject_is_in_the_window():
    text = "张三等研究了竞争程度的影响，发现市场集中度较高的地区，风险调整后的医院死亡率反而升高。"
    claim = "张三等研究发现市场集中度高的地区医院死亡率下降了"
    a, f = claim_features(claim + "，对吗？", [_s(text)], _is_term)
    assert a.antonym == ("升高", "下降") and f["antonym"] == 1.0
    # the tightest window that matches still wins: one clause, not the whole sentence
    assert align("医院死亡率下降了", [_s(text)])[0].e_clause == "风险调整后的医院死亡率反而升高"
    # within two clauses (the place checks' window) the predicate is out of reach
    assert "升高" not in align(claim, [_s(text)], window=2, widen_cost=0.0)[0].e_clause


def test_grades_of_different_things_do_not_conflict():
    a, f = claim_features("三级综合医院的小儿外科是必须设置的科目吗？", [_s("一级诊疗科目包括小儿外科。")], _is_term)
    assert f["fig_conflict"] == 0.0
    a, f = claim_features("交通接送补助3级失能就能申请，对吧？", [_s("交通接送补助限4级失能以上。")], _is_term)
    assert a.conflicts == [("4级", "3级")]


def test_a_body_named_elsewhere_in_the_sentence_is_a_swapped_name():
    cut = _words
    assert swapped_name("扣除额是卫福部增订的", "财政部特别增订扣除额", cut, lambda w: True) == ("财政部", "卫福部")
    # "计委" is "计生委" shortened: the same body
    assert swapped_name("培训费是卫计委出的", "培训费由卫生计生委承担", cut, lambda w: True) is None


def _cutter(words: list[str]):
    """A word cutter that knows only `words` (the first listed that starts at a position wins) and cuts the rest into
    characters: the alignment under test, without jieba's dictionary."""

    def cut(text: str) -> list[str]:
        out, i = [], 0
        while i < len(text):
            w = next((w for w in words if text.startswith(w, i)), text[i])
            out.append(w)
            i += len(w)
        return out

    return cut


_words = _cutter(["财政部", "卫福部", "卫计委", "卫生计生委", "扣除额", "培训费", "增订", "特别", "承担"])
_words2 = _cutter(["论坛", "卫健委", "主办", "名医主刀", "承办"])


def test_a_body_is_not_swapped_for_a_verb():
    # "承办" / "卫健委": a name on one side and a verb on the other is a paraphrase, not a replaced word
    a, f = claim_features("论坛是卫健委主办的吧？", [_s("论坛由名医主刀承办的。")], lambda w: True, cut=_words2)
    assert a.replaced is None


def test_a_change_in_the_other_direction_is_an_opposite():
    a, f = claim_features("引入竞争后转诊变少了吧？", [_s("竞争的引入导致转诊数量的增加。")], _is_term)
    assert a.antonym == ("增加", "变少")


def test_counts_of_different_things_do_not_conflict():
    a, f = claim_features("派了20多个专家常驻，是吗？", [_s("8个科室的主任由专家担任。")], _is_term)
    assert f["fig_conflict"] == 0.0


def test_a_year_or_a_number_written_without_unit_is_a_figure():
    assert [(f.kind, f.value) for f in figures("政府早在2007就推出长照1.0")] == [("date", "2007-?-?")]
    assert [(f.kind, f.value) for f in figures("拨打专线12320")] == [("bare", "12320")]
    assert [f.text for f in figures("共2000次")] == ["2000次"]  # a count keeps its unit
    assert not [f for f in figures("(2018-2020年)") if "2018" in f.value]  # a span's start is no date
    a, f = claim_features("长照专线是1957吗？", [_s("拨打长照专线1966。")], _is_term)
    assert a.conflicts == [("1966", "1957")]


def test_a_value_the_sentence_gives_to_another_thing_is_not_stated():
    s = _s("共收到超过2000次的医生上门预约订单，实际提供了40多次上门服务。")
    a, f = claim_features("活动实际上门服务了2000多次吧？", [s], _is_term)
    assert a.conflicts == [("40多次", "2000多次")] and f["fig_matched"] == 1.0
    a, f = claim_features("活动收到了2000多次医生上门预约订单吧？", [s], _is_term)
    assert a.conflicts == [] and f["fig_support"] == 1.0


def test_a_numeral_in_a_set_phrase_is_no_claimed_figure():
    # "已经是一家了" is "one family", not a count: the sentence's other count of 家 does not contradict it
    a, f = claim_features("卫生院跟牵头医院已经是一家了吧？", [_s("牵头医院两家为市三级医院，一家为民营医院。")], _is_term)
    assert f["fig_conflict"] == 0.0


def test_a_window_stating_the_claimed_figure_is_the_one_compared():
    ranked = [_s("其中生活补助经费标准为每生每年4000元。"), _s("公费医学生在校期间免除学费，并给予一定的生活补助。")]
    a, f = claim_features("公费医学生每年生活补助是1万元吗？", ranked, _is_term)
    assert a.conflicts == [("4000元", "1万元")]


def test_a_body_the_documents_never_name_can_be_swapped():
    # "卫福部" is in no document (the test's terms say no word is), yet it names who acts
    assert swapped_name("扣除额是卫福部增订的", "财政部特别增订扣除额", _words, lambda w: False) == ("财政部", "卫福部")
    assert swapped_name("扣除额是卫福部增订的", "财政部特别增订扣除额", _words, lambda w: w != "卫福部") == ("财政部", "卫福部")


def test_a_figure_stated_in_passing_is_told_from_the_scope_of_the_ask():
    _, f = claim_features("三成市民不接受医联体，卫生局怎么回应的？", [_s("民调显示有七成市民对医联体暂时还是不能接受。")], _is_term)
    assert f["fig_conflict"] and f["stated_conflict"]
    _, f = claim_features("2011年全国药品集中采购的总金额是多少？", [_s("2001年11月全国推开药品集中采购，总金额逐年增长。")], _is_term)
    assert f["fig_conflict"] and not f["stated_conflict"]


def test_a_bare_one_before_a_unit_claims_no_figure():
    a, _ = claim_features("喘息服务一年最多可以用几天？", [_s("喘息服务每年最多21天，106年起扩大。")], _is_term)
    assert not a.conflicts
