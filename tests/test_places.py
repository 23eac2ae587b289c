"""Place names (places.py) and the places a question names (answer/analyze.find_regions): garbage regions rejected."""
from __future__ import annotations

from assistant.answer.analyze import find_regions
from assistant.places import gazetteer, place_names


def test_a_short_name_read_across_two_words_is_no_place():
    assert place_names("医保定点医疗机构") == []  # 医保 + 定点, not 保定
    assert place_names("保定市医保定点医疗机构") == ["保定市"]
    assert place_names("到保定看病") == ["保定"]


def test_short_names_that_run_together_stay_places():
    assert place_names("吉林长春的医联体，湖北武汉一些医生，安徽六安") == ["吉林", "长春", "湖北", "武汉", "安徽", "六安"]


def test_a_question_region_is_the_name_not_the_character_before_it():
    assert find_regions("2014年宁波市开展了什么试点？") == ["宁波市"]
    assert find_regions("去年宁波市的医保有什么变化？") == ["宁波市"]
    assert find_regions("医保定点医疗机构有哪些？") == []
    assert find_regions("上海那场发布会说了什么？") == ["上海"]


def test_locate_stops_at_the_city_when_a_county_is_named_in_passing():
    g = gazetteer()
    text = "宁波市卫生局介绍，宁波市签约百万居民，宁波市医保局调整，宁波市推广。余姚市患者两例，余姚市疾控跟进。"
    assert g.full_name(g.locate(text)) == "浙江省宁波市"
    assert g.full_name(g.locate("准格尔旗医共体。准格尔旗医院牵头，鄂尔多斯市支持。准格尔旗卫健委。")) == (
        "内蒙古自治区鄂尔多斯市准格尔旗")
