"""Specification of the message parser (bot/nlp): uses the committed model, no shared data."""

from __future__ import annotations

import io
import json

import pytest

from bot.nlp.cli import run
from bot.nlp.location import find_location
from bot.nlp.parser import get_parser
from bot.nlp.pii import find_pii, mask

DEPARTMENTS = {"城乡建设", "环境保护", "交通运输", "教育文体", "劳动和社会保障", "商贸旅游", "卫生计生"}
CATEGORIES = {"emergency", "safety_hazard", "illegal_building", "dispute", "unrest", "life_event", "care_request",
              "sanitation", "public_facility", "utilities", "nuisance_order", "property_mgmt", "service_consult",
              "opinion", "other"}


@pytest.fixture(scope="module")
def parser():
    return get_parser()


def test_singleton():
    assert get_parser() is get_parser()


# ------------------------------------------------------------------ places


@pytest.mark.parametrize(("text", "expected"), [
    ("三号楼二单元501漏水", {"building": "3", "unit": "2", "room": "501", "text": "三号楼二单元501"}),
    ("3-2-501有人飞线", {"building": "3", "unit": "2", "room": "501", "text": "3-2-501"}),
    ("5栋1203室", {"building": "5", "room": "1203"}),
    ("十二幢的电梯", {"building": "12"}),
    ("A座电梯", {"building": "A"}),
    ("３号楼２单元５０１", {"building": "3", "unit": "2", "room": "501"}),  # full-width digits
    ("八仙楼社区3号楼电梯坏了", {"community": "八仙楼社区", "building": "3"}),
    ("阳光花园7幢二单元", {"community": "阳光花园", "building": "7", "unit": "2"}),
    ("8号院门口", {"courtyard": "8"}),
    ("幸福路12号门口", {"door": "幸福路12号"}),
    ("兴隆超市门口乱停车", {"shop": "兴隆超市"}),
    ("楼下烧烤店油烟熏死人", {"shop": "烧烤店"}),
])
def test_location(text, expected):
    loc = find_location(text)
    assert loc is not None
    got = loc.to_dict()
    assert {"community", "building", "unit", "room", "text"} <= got.keys()
    for key, value in expected.items():
        assert got[key] == value, (key, got)


def test_no_location():
    assert find_location("收到") is None
    assert find_location("") is None


# ------------------------------------------------------------------ PII


def test_pii_kinds_and_masks():
    text = "我电话13812345678，座机0731-84567890，身份证110101199003071234"
    kinds = [p.kind for p in find_pii(text)]
    assert kinds == ["phone", "landline", "id_card"]
    masked = mask(text)
    assert "138****5678" in masked
    assert "13812345678" not in masked and "84567890" not in masked and "19900307" not in masked


def test_pii_spaced_and_full_width_mobile():
    for text in ("打我电话 138 1234 5678", "号码１３８１２３４５６７８", "+86-138-1234-5678 找我"):
        assert [p.kind for p in find_pii(text)] == ["phone"], text
        assert "1234" not in mask(text).replace("5678", "")


def test_mask_rooms_keeps_buildings():
    assert mask("3号楼2单元501漏水") == "3号楼2单元***漏水"
    assert mask("3-2-501漏水") == "3-2-***漏水"
    assert mask("5栋1203室") == "5栋***室"
    assert mask("3号楼2单元501漏水", rooms=False) == "3号楼2单元501漏水"


def test_no_false_pii():
    assert find_pii("打12345热线，3号楼2单元501，2024年12月") == []


def test_pii_in_parse_result_never_has_digits(parser):
    out = parser.parse("5栋电梯坏了，联系我13812345678").to_dict()
    assert out["pii"] == [{"kind": "phone", "start": 10, "end": 21}]
    assert "13812345678" not in json.dumps(out)


# ------------------------------------------------------------------ requests and chatter


@pytest.mark.parametrize("text", [
    "收到", "谢谢书记", "@所有人 今晚7点开会", "好的👌", "【通知】因管网维修，本周三停水，请提前储水",
    "转发：关于开展城乡居民医保缴费工作的通知", "辛苦了🙏", "👍👍", "[强][强]", "电梯修好了，感谢物业",
    "大家早上好", "哈哈哈", "OK 收到", "网恋了怎么办", "手机没电了耶", "早上起不来",
])
def test_chatter_is_not_a_request(parser, text):
    r = parser.parse(text)
    assert not r.is_request, (text, r)
    assert r.category == "other" and r.nature is None
    assert r.department in DEPARTMENTS


@pytest.mark.parametrize(("text", "category", "urgency"), [
    ("3号楼电梯又坏了", "public_facility", "P2"),
    ("楼道里有人飞线充电", "safety_hazard", "P1"),
    ("3栋楼道着火了！", "emergency", "P0"),
    ("电梯困人了快来人", "emergency", "P0"),
    ("2单元一楼好大的燃气味", "emergency", "P0"),
    ("楼下有个老人晕倒了", "emergency", "P0"),
    ("有人拿刀砍人", "emergency", "P0"),
    ("有人要跳河", "emergency", "P0"),
    ("4号楼煤气泄漏，味道很大", "emergency", "P0"),
    ("天然气管道漏气了", "emergency", "P0"),
    ("7号楼电梯又坏了，困了两个人在里面", "emergency", "P0"),
    ("一楼在院子里搭棚子", "illegal_building", "P1"),
    ("楼上漏水到我家，他不管", "dispute", "P1"),
    ("工人围着工地讨薪", "unrest", "P0"),
    ("他说再不解决就去上访", "unrest", "P1"),
    ("5号楼王大爷今早去世了", "life_event", "P2"),
    ("隔壁独居老人两天没开门了", "care_request", "P1"),
    ("垃圾三天没人清了", "sanitation", "P2"),
    ("井盖丢了", "public_facility", "P1"),
    ("又停水了也没通知", "utilities", "P2"),
    ("装修晚上十点还在砸", "nuisance_order", "P2"),
    ("物业费涨价没开会", "property_mgmt", "P3"),
    ("老人高龄补贴怎么领", "service_consult", "P3"),
    ("建议小区装个充电棚", "opinion", "P3"),
])
def test_requests(parser, text, category, urgency):
    r = parser.parse(text)
    assert r.is_request, text
    assert (r.category, r.urgency) == (category, urgency), (text, r)
    assert r.nature in {"咨询", "求助", "投诉", "举报", "建议"}
    assert r.keywords


def test_talk_about_gas_checks_and_moods_is_not_an_emergency(parser):
    assert parser.parse("燃气泄漏检测什么时候做").urgency != "P0"
    assert parser.parse("我想不开心").category != "emergency"


def test_hypothetical_fire_is_a_hazard_not_an_emergency(parser):
    r = parser.parse("楼梯间堆满纸箱，万一着火了跑都跑不出去")
    assert r.is_request and r.category == "safety_hazard" and r.urgency == "P1"


@pytest.mark.parametrize(("text", "nature"), [
    ("低保怎么申请", "咨询"), ("我要投诉楼下烧烤店油烟", "投诉"), ("举报有人在楼顶加盖", "举报"),
    ("建议在东门加个快递柜", "建议"), ("电梯困人了快来人", "求助"),
])
def test_nature(parser, text, nature):
    assert parser.parse(text).nature == nature


def test_department_best_guess(parser):
    assert parser.parse("孩子入学要哪些材料").department == "教育文体"
    assert parser.parse("社保断交了怎么补").department == "劳动和社会保障"
    assert parser.parse("收到").department in DEPARTMENTS


@pytest.mark.parametrize("text", [
    "", "   ", "🙂🙂", "x" * 20000, "电梯坏了" * 3000, "the street light at building 3 is broken 路灯不亮",
    "３号楼电梯坏了！！", "\n\t", "😡😡 楼道灯又坏了 😡",
])
def test_odd_inputs(parser, text):
    r = parser.parse(text)
    d = r.to_dict(id=5)
    assert d["id"] == 5
    assert d["category"] in CATEGORIES and d["department"] in DEPARTMENTS
    assert d["urgency"] in {"P0", "P1", "P2", "P3"}
    json.dumps(d, ensure_ascii=False)
    if not text.strip():
        assert not r.is_request and r.location is None


def test_mixed_english_and_full_width(parser):
    assert parser.parse("the street light at building 3 is broken 路灯不亮").category == "public_facility"
    r = parser.parse("３号楼电梯坏了！！")
    assert r.is_request and r.location.building == "3"


def test_to_dict_contract(parser):
    d = parser.parse("三号楼二单元501着火了").to_dict(id="m1")
    for key in ("id", "is_request", "category", "department", "urgency", "nature", "location", "keywords"):
        assert key in d
    assert d["location"]["building"] == "3" and d["location"]["room"] == "501"
    assert isinstance(d["keywords"], list)


# ------------------------------------------------------------------ check-ins


@pytest.mark.parametrize(("text", "kind", "households", "tags", "meeting"), [
    ("今晚去3号楼夜访了两户独居老人", "night_visit", 2, ("独居老人",), None),
    ("上午在社区值班", "duty_day", None, (), None),
    ("走访了5户困难家庭", "visit", 5, ("困难家庭",), None),
    ("走访了五户空巢老人", "visit", 5, ("空巢老人",), None),
    ("今天给居民上了党课", "party_lesson", None, (), None),
    ("下午开了支委会", "meeting", None, (), "支委会"),
    ("参加了社区两委联席会议", "meeting", None, (), "两委联席"),
    ("晚上召开居民代表会议，商量停车收费", "meeting", None, (), "居民代表"),
    ("看望了十二户留守儿童家庭", "visit", 12, ("留守儿童",), None),
])
def test_checkin(parser, text, kind, households, tags, meeting):
    guess = parser.checkin(text)
    assert guess is not None, text
    assert (guess.kind, guess.households, guess.tags, guess.meeting_type) == (kind, households, tags, meeting)
    assert guess.note == text


@pytest.mark.parametrize("text", [
    "3号楼电梯又坏了", "收到", "谢谢书记", "书记什么时候来走访？", "明天下午开支委会，请各位委员准时参加",
    "@所有人 本周五晚上夜访，请网格员做好准备", "隔壁独居老人两天没开门了", "", "希望干部多来走访困难家庭",
])
def test_not_a_checkin(parser, text):
    assert parser.checkin(text) is None


def test_checkins_are_not_requests(parser):
    assert not parser.parse("今晚去3号楼夜访了两户独居老人").is_request
    assert not parser.parse("走访了5户困难家庭").is_request


# ------------------------------------------------------------------ CLI


def test_cli_texts():
    out, err = io.StringIO(), io.StringIO()
    assert run(["3号楼电梯又坏了", "收到"], None, out, err) == 0
    lines = [json.loads(x) for x in out.getvalue().splitlines()]
    assert [x["id"] for x in lines] == [1, 2]
    assert [x["is_request"] for x in lines] == [True, False]
    assert "电梯" in out.getvalue()  # ensure_ascii=False


def test_cli_jsonl_keeps_order_and_reports_bad_lines(tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_text('{"id": "a", "text": "井盖丢了"}\nnot json\n{"id": 7}\n{"id": 8, "text": "谢谢"}\n',
                    encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    assert run([], str(path), out, err) == 1
    lines = [json.loads(x) for x in out.getvalue().splitlines()]
    assert [x["id"] for x in lines] == ["a", None, 7, 8]
    assert "error" in lines[1] and "error" in lines[2]
    assert lines[0]["is_request"] and not lines[3]["is_request"]
    assert "line 2" in err.getvalue() and "line 3" in err.getvalue()


def test_cli_stdin(monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO('{"id": 1, "text": "楼道里有人飞线充电"}\n'))
    out, err = io.StringIO(), io.StringIO()
    assert run([], "-", out, err) == 0
    assert json.loads(out.getvalue())["category"] == "safety_hazard"


def test_cli_missing_file(tmp_path):
    out, err = io.StringIO(), io.StringIO()
    assert run([], str(tmp_path / "nope.jsonl"), out, err) == 1
    assert err.getvalue()


def test_stuck_at_home_by_a_broken_lift_is_a_facility_report(parser):
    r = parser.parse("5号楼的电梯坏了，困在家里下不去")
    assert r.category == "public_facility" and r.location.building == "5"
    assert parser.parse("电梯卡住了，里面被困了人").category == "emergency"


@pytest.mark.parametrize("text", [
    "出租：8栋2单元 三室两厅 拎包入住", "有没有人拼车去机场 明早6点", "3栋的快递到了 快递员在门口",
    "物业通知：明早9点电梯维保 暂停使用2小时", "明天社区组织去敬老院看望老人 报名接龙", "捡到一张公交卡 在物业前台",
    "今天网格巡查 发现2处飞线充电 已督促整改", "今天新闻说隔壁市有个小区着火了 大家注意",
])
def test_group_business_that_is_not_a_request(parser, text):
    assert not parser.parse(text).is_request


def test_the_model_never_raises_an_alarm_by_itself(parser):
    for text in ("出售九成新婴儿车 200 自提 12号楼", "业主群里说的那个团购的水果到了没"):
        assert parser.parse(text).urgency not in ("P0", "P1")


@pytest.mark.parametrize(("text", "category", "urgency"), [
    ("电梯里困了两个人 按警铃没人应", "emergency", "P0"),
    ("车库有辆车自燃了", "emergency", "P0"),
    ("外墙一大块瓷砖松了 随时掉下来", "safety_hazard", "P1"),
])
def test_field_test_alarms(parser, text, category, urgency):
    r = parser.parse(text)
    assert (r.category, r.urgency) == (category, urgency)


def test_rooms_before_upstairs_and_no_junk_community_names():
    from bot.nlp.location import find_location

    loc = find_location("３栋２单元５０１楼上漏水")
    assert loc is not None and (loc.building, loc.unit, loc.room) == ("3", "2", "501")
    for text in ("能不能社区派人来看看", "明天社区开会", "老旧小区改造"):
        found = find_location(text)
        assert found is None or found.community is None, text


@pytest.mark.parametrize(("text", "category"), [
    ("晚上十一点了楼上还在电钻 还让不让人睡了", "nuisance_order"),
    ("谁家的狗半夜一直叫 好几天了 睡不着", "nuisance_order"),
    ("单元门上贴满小广告", "sanitation"),
    ("单元门坏了关不上", "public_facility"),
])
def test_the_problem_decides_not_the_object(parser, text, category):
    r = parser.parse(text)
    assert r.is_request and r.category == category


def test_department_cue_words():
    from bot.nlp.dept_cues import CUES, cue_features

    words = [w for ws in CUES.values() for w in ws]
    assert len(words) == len(set(words))  # every cue word points to one department
    assert cue_features("公交车没有站台") == ["#dept:交通运输"] * 2  # longest match: 公交车, not 公交 + 车
    assert cue_features("在4S店买车被收了预付卡") == ["#dept:商贸旅游", "#dept:商贸旅游"]  # normalised (4 → 0)
    assert cue_features("收到") == []


def test_department_cues_do_not_touch_the_request_score(parser):
    # the cue features feed the department model only: the request score is the one of the plain features
    from bot.nlp.features import features, vectorise

    assert parser.dept_cues
    text = "景区门票涨价了，公交也不通"
    idx, _ = vectorise(features(parser.tokenizer, text), parser.vocab, parser.idf)
    assert not any(parser.terms[i].startswith("#dept:") for i in idx)
    assert all(parser.req_w[parser.vocab["#dept:" + d]] == 0 for d in parser.departments)
    assert all(parser.cat_w[parser.vocab["#dept:" + d]].max() == 0 == parser.cat_w[parser.vocab["#dept:" + d]].min()
               for d in parser.departments)
    assert parser.parse(text).department in ("商贸旅游", "交通运输")


def test_jiebas_cache_goes_to_the_configured_directory_not_the_temp_dir(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import tempfile

    from bot.nlp.parser import Parser

    shared_tmp = tmp_path / "tmp"
    shared_tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(shared_tmp))  # what jieba would use by default
    own = tmp_path / "var" / "cache"
    tokenizer = Parser.make_tokenizer(cache_dir=own)
    assert tokenizer.lcut("楼道里有人飞线充电")
    assert (own / "jieba.cache").stat().st_size > 1_000_000
    assert list(shared_tmp.iterdir()) == []  # nothing in the shared temp dir, no leftover
    again = Parser.make_tokenizer(cache_dir=own)  # loads the cache
    assert again.lcut("飞线充电") == tokenizer.lcut("飞线充电")
