"""A building, unit or room is never read out of a longer number: the digits just before 号楼/栋/
单元 may be the tail of a phone or ID number written without a comma, and a building is shown in a
group ("已并入工单…（2417号楼…）") where those digits must not appear."""

from __future__ import annotations

import pytest

from bot.nlp.location import find_location
from bot.nlp.pii import find_pii, mask, number_spans


@pytest.mark.parametrize("text", [
    "手机15866002417号楼下水管爆了",  # a mobile glued to 号楼
    "打我电话158 6600 2417栋门口垃圾满了",  # grouped with spaces
    "联系158-6600-2417幢的电梯又停了",  # with dashes
    "１５８６６００２４１７号楼道灯坏了",  # full-width
    "幺五八六六零零二四一七号楼电梯坏了",  # in Chinese digits, 幺 for 1
    "电话壹伍捌陆陆零零贰肆壹柒栋楼道灯不亮",  # capital numerals
    "身份证33030219870615241X号楼下面有人吵架",  # an ID number
    "96385号楼电梯坏了",  # five digits in a row are one number
])
def test_no_building_from_inside_a_longer_number(text: str) -> None:
    location = find_location(text)
    assert location is None or location.building is None, location


@pytest.mark.parametrize("text", [
    "158660024172单元门禁坏了",  # a phone then a unit
    "五号楼幺五八六六零零二四一七",  # a phone where a room could follow the building
    "七栋 158 6600 2417",
])
def test_no_unit_or_room_from_inside_a_longer_number(text: str) -> None:
    location = find_location(text)
    assert location is None or (location.unit is None and location.room is None), location


@pytest.mark.parametrize(("text", "building", "unit", "room"), [
    ("电话15866002417，7号楼电梯坏了", "7", None, None),  # the phone stands apart: 7号楼 is read
    ("15866002417 9栋2单元1102漏水", "9", "2", "1102"),
    ("六号楼四单元三零二", "6", "4", "302"),
    ("4-1-602楼上漏水", "4", "1", "602"),
])
def test_places_next_to_a_number_are_still_read(text: str, building: str, unit: str | None,
                                                 room: str | None) -> None:
    location = find_location(text)
    assert location is not None
    assert (location.building, location.unit, location.room) == (building, unit, room)


def test_number_spans_cover_phones_however_grouped_and_long_runs_only() -> None:
    text = "8号楼 158 6600 2417 再打96385"
    spans = [text[a:b] for a, b in number_spans(text)]
    assert spans == ["158 6600 2417", "96385"]


def test_an_id_numbers_check_letter_counts_when_chinese_follows_at_once() -> None:
    [found] = find_pii("身份证33030219870615241X号楼下面")
    assert found.kind == "id_card" and found.end == len("身份证33030219870615241X")


@pytest.mark.parametrize(("text", "place"), [
    ("暖气片冰凉 7号楼2门401", ("7", "2", "401")),  # the northern way: a unit named by its door
    ("二号楼三门楼道灯坏了", ("2", "3", None)),
    ("10号楼4门 停水一天了", ("10", "4", None)),
    ("3号楼门口堆满了纸箱", ("3", None, None)),  # a door, not a unit
])
def test_a_unit_named_by_its_door_after_the_building(text, place):
    loc = find_location(text)
    assert loc is not None and (loc.building, loc.unit, loc.room) == place, (text, loc)


@pytest.mark.parametrize(("text", "place"), [
    ("到1502看了 老人在床上躺着", (None, None, "1502")),  # a room gone to
    ("顶楼2801那家在露台上砌墙", (None, None, "2801")),  # a room on the top floor, "that home"
    ("一楼104 水冒到插座了", (None, None, "104")),  # a floor, then its room
    ("门口 1603 一股煤气味", (None, None, "1603")),  # at the door of a room
    ("后坊里32号301 门敲不开", (None, None, "301")),  # a lane's house number is not a building
    ("错怪6栋了 是我家楼上 我住7栋", ("7", None, None)),  # wrongly blamed: the building named last
])
def test_rooms_told_by_where_one_stands(text, place):
    loc = find_location(text)
    assert loc is not None and (loc.building, loc.unit, loc.room) == place, (text, loc)


@pytest.mark.parametrize(("text", "place"), [
    ("桃源新村23号402 下水道返水", ("23", None, "402")),  # a 新村's block by its 号, then a room
    ("门口的树倒了 枫林新村7号", ("7", None, None)),  # the block alone, at the end
    ("外面吵得睡不着 已经十二点了 1504", (None, None, "1504")),  # signed with the door at the end
    ("楼道里一股糊味！！1302", (None, None, "1302")),  # after the exclamation marks
    ("隔壁好像没人 802好像也没人", (None, None, "802")),  # a clause opened by the door
    ("7洞2单元路灯不亮", ("7", "2", None)),  # 洞 for 栋 by voice
    ("4dong menkou you ren shuai dao le", ("4", None, None)),  # dong in pinyin
    ("汇贤里18号 门口堆了好多垃圾", (None, None, None)),  # a lane's house number is not a block
])
def test_an_estates_blocks_doors_signed_at_the_end_and_voice_slips(text, place):
    loc = find_location(text)
    got = (loc.building, loc.unit, loc.room) if loc else (None, None, None)
    assert got == place, (text, loc)


@pytest.mark.parametrize("text", ["#接龙\n团购苹果\n1. 李\n2. 1503", "买了三斤 花了 15.20", "等到 1230 还没来"])
def test_a_list_item_a_price_or_a_time_is_not_a_door(text):
    loc = find_location(text)
    assert loc is None or loc.room is None, (text, loc)


@pytest.mark.parametrize(("text", "place"), [
    ("东区3排7号的烟囱倒烟", ("3", None, "7")),  # a row of single-storey houses and its door
    ("我是西区12排的", ("12", None, None)),
    ("新塘村三组15号 路被冲断了", ("15", None, None)),  # a village group's house
    ("和平路2巷9号302 楼道灯坏了", ("9", None, "302")),  # a numbered lane's house, then a room
    ("声控灯不亮 B5-3", ("5", "3", None)),  # a lettered block and its unit
    ("交了电费还是没电 12-1804", ("12", None, "1804")),  # a block and its room
    ("5栋1梯一楼大堂的门坏了", ("5", "1", None)),  # a tower's lift core as the unit
])
def test_rows_village_groups_lanes_and_dashes(text, place):
    loc = find_location(text)
    got = (loc.building, loc.unit, loc.room) if loc else (None, None, None)
    assert got == place, (text, loc)


@pytest.mark.parametrize("text", [
    "楼道里一排电动车在充电", "一梯两户的房子采光好", "门口排队的人好多", "车位 B2-118 转让",
])
def test_a_row_of_bikes_a_floor_plan_a_queue_or_a_parking_bay_is_not_a_place(text):
    loc = find_location(text)
    assert loc is None or (loc.building, loc.unit, loc.room) == (None, None, None), (text, loc)


@pytest.mark.parametrize(("text", "building", "unit", "room"), [
    ("T7-1803那家空调外机一直滴水", "7", None, "1803"),  # a tower and its room after a dash
    ("T2-3-1501卫生间往楼下渗水", "2", "3", "1501"),  # tower, unit, room
    ("T9电梯里困了两个人", "9", None, None),  # a tower named alone
    ("1单元6-3门口全是纸箱子", None, "1", "603"),  # floor 6, door 3 after a unit
    ("8栋3单元11-1的狗天天叫", "8", "3", "1101"),
    ("21号院5户的大爷几天没出门了", None, None, "5"),  # a courtyard's household
])
def test_towers_floor_doors_and_courtyard_households(text: str, building: str | None, unit: str | None,
                                                      room: str | None) -> None:
    location = find_location(text)
    assert location is not None
    assert (location.building, location.unit, location.room) == (building, unit, room)


@pytest.mark.parametrize("text", [
    "不知道是603还是604在装修 一早上电钻声",
    "702或者802的水管在滴水",
    "1102和1202都有人在楼道抽烟",
])
def test_rooms_offered_as_a_choice_name_no_room(text: str) -> None:
    location = find_location(text)
    assert location is None or location.room is None, location


@pytest.mark.parametrize(("text", "hidden"), [
    ("1单元6-3门口全是纸箱子", "6-3"),
    ("21号院5户的大爷几天没出门了", "5户"),
    ("T7-1803那家空调外机一直滴水", "1803"),
])
def test_mask_hides_a_room_where_it_is_written_in_parts(text: str, hidden: str) -> None:
    assert hidden not in mask(text)


@pytest.mark.parametrize(("text", "building", "unit", "room"), [
    ("化肥厂宿舍4栋5-1 暖气不热", "4", None, "501"),  # a floor-door after a building
    ("T6单元门口那辆车 停了一天了", "6", None, None),  # a tower's number is not a unit
    ("8号楼1单元 1101到1104这一层全是装修垃圾", "8", "1", None),  # a range of rooms names none
])
def test_more_floor_doors_towers_and_ranges(text, building, unit, room):
    location = find_location(text)
    assert location is not None
    assert (location.building, location.unit, location.room) == (building, unit, room)
