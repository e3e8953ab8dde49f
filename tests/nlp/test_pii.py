"""`mask()` hides phones, ID numbers, rooms and names however they are written, and leaves alone
what a group needs to read (ticket numbers, buildings, dates, times, hotlines)."""

from __future__ import annotations

import random

import pytest

from bot.nlp.pii import find_pii, mask, readable_digits
from tests.nlp.number_writings import random_id15, random_id18, random_mobile, write_number

MOBILE = "15967124830"

# 27+ ways a mobile number is written in chat (invented examples)
MOBILE_WRITINGS = [
    "15967124830", "159 6712 4830", "159-6712-4830", "159.6712.4830", "159/6712/4830",
    "159_6712_4830", "159—6712—4830", "１５９６７１２４８３０", "１５９ ６７１２ ４８３０",
    "一五九六七一二四八三零", "一五九六七一二四八三〇", "壹伍玖陆柒壹贰肆捌叁零", "幺五九六七幺二四八三零",
    "159六七一二4830", "+86 159 6712 4830", "+8615967124830", "86-159-6712-4830",
    "0086 15967124830", "(+86)159-6712-4830", "（0086）15967124830", "(159)6712-4830",
    "【159】6712 4830", "159\u200b6712\u200b4830",
    "1\u200b5\u200b9\u200b6\u200b7\u200b1\u200b2\u200b4\u200b8\u200b3\u200b0",
    "1 5 9 6 7 1 2 4 8 3 0", "1-5-9-6-7-1-2-4-8-3-0", "159　6712　4830", "159 - 6712 - 4830",
    "159\u200c67\u200d124830", "一五九 六七一二 四八三零",
    # read aloud (幺 1, 两 2, 洞 0, 拐 7), circled and keycap digits, commas, 、 and line breaks
    "幺五九六拐幺两四八三洞", "①⑤⑨⑥⑦①②④⑧③⓪",
    "1\ufe0f\u20e35\ufe0f\u20e39\ufe0f\u20e36\ufe0f\u20e37\ufe0f\u20e31\ufe0f\u20e32\ufe0f\u20e34\ufe0f\u20e38\ufe0f\u20e33\ufe0f\u20e30\ufe0f\u20e3",
    "1,5,9,6,7,1,2,4,8,3,0", "159、6712、4830", "159\n6712\n4830",
]
ID18 = "320106198807153427"
ID_WRITINGS = [
    "320106198807153427", "320106 19880715 3427", "3201 0619 8807 1534 27", "320106-19880715-3427",
    "三二零一零六一九八八零七一五三四二七", "３２０１０６１９８８０７１５３４２７", "32010619880715342Ｘ"[:-1] + "X",
    "320106 1988 0715 342x", "叁贰零壹零陆壹玖捌捌零柒壹伍叁肆贰柒",
]


@pytest.mark.parametrize("written", MOBILE_WRITINGS)
def test_every_way_of_writing_a_mobile_is_masked(written: str) -> None:
    masked = mask(f"我的电话{written}，晚上打")
    seen = readable_digits(masked)
    assert MOBILE not in seen.replace(" ", "")
    assert "6712" not in seen and "67124" not in seen  # the middle is gone whatever the script
    assert [p.kind for p in find_pii(f"电话{written}")] == ["phone"]


ID15_WRITINGS = ["320106880715342", "320106 880715 342", "三二零一零六八八零七一五三四二"]


@pytest.mark.parametrize("written", [*ID_WRITINGS, *ID15_WRITINGS])
def test_every_way_of_writing_an_id_number_is_masked(written: str) -> None:
    masked = mask(f"身份证{written}。")
    seen = readable_digits(masked)
    assert "19880715" not in seen and "880715" not in seen  # the birth date is hidden
    assert all(len(group) <= 3 for group in seen.split())
    assert [p.kind for p in find_pii(written)] == ["id_card"]


@pytest.mark.parametrize(("text", "expected"), [
    ("6号楼3单元402漏水", "6号楼3单元***漏水"),
    ("6-3-402漏水", "6-3-***漏水"),
    ("6/3/402漏水", "6/3/***漏水"),
    ("6#402漏水", "6#***漏水"),
    ("6#楼402漏水", "6#楼***漏水"),
    ("6-402漏水", "6-***漏水"),
    ("7栋1506室吵", "7栋***室吵"),
    ("四零二室漏水", "***室漏水"),
    ("四〇二房间", "***房间"),
    ("六号楼三单元四零二", "六号楼三单元***"),
    ("住在1506的人", "住在***的人"),
    ("家住1506", "家住***"),
    ("隔壁好像是602着火了", "隔壁好像是***着火了"),
    ("楼上的803天天半夜剁肉", "楼上的***天天半夜剁肉"),
    ("对门1105又在装修", "对门***又在装修"),
    ("C座2208", "C座***"),
    ("9栋的702", "9栋的***"),
    ("解放路27号门口", "解放路**号门口"),
    ("解放路二十七号门口", "解放路**号门口"),
    ("门牌号是56", "门牌号是***"),
    ("1506号房", "***号房"),
    ("6栋302和303", "6栋***和***"),
    ("6号楼 3 单元 402 室", "6号楼 3 单元 *** 室"),
    ("6号楼3单元四〇二", "6号楼3单元***"),
    ("住6－3－４０２", "住6－3－***"),
    ("他住九楼三号，门口有鞋柜", "他住*楼*号，门口有鞋柜"),
    ("14楼2号天天半夜拖椅子", "*楼*号天天半夜拖椅子"),
])
def test_rooms_and_doors_are_masked_wherever_they_are(text: str, expected: str) -> None:
    assert mask(text) == expected


@pytest.mark.parametrize("text", [
    "工单 261130-004 已受理，12/1 17:30 前答复",
    "6号楼电梯坏了",
    "拨打12345热线",
    "有人受伤请立即拨打119/120/110",
    "2025年12月的报表",
    "走访了120户，花了300元，共15人",
    "查询261130004",
    "十二号院门口",
    "两户人家吵起来了，3栋、5栋都听见",
    "井盖那个洞有半米深",
])
def test_what_a_group_needs_stays_readable(text: str) -> None:
    assert mask(text) == text


def test_a_phone_typed_right_after_a_ticket_number_is_masked_alone() -> None:
    assert mask("查询 261130-004 15967124830") == "查询 261130-004 159****4830"


def test_names_are_masked_keeping_the_surname() -> None:
    assert mask("刘春燕说赵大爷家漏水", names=["刘春燕", "赵大爷", "x"]) == "刘**说赵**家漏水"


def test_mask_without_rooms_keeps_rooms_but_hides_numbers() -> None:
    assert mask("6号楼3单元402，电话15967124830", rooms=False) == "6号楼3单元402，电话159****4830"


@pytest.mark.parametrize(("kind", "make", "kept"), [
    ("mobile", random_mobile, 4), ("id", random_id18, 3), ("id", random_id15, 3),
])
def test_random_numbers_written_at_random_are_all_hidden(kind: str, make, kept: int) -> None:  # type: ignore[no-untyped-def]
    """Property: every random number, in any of the writings, loses all but the digits mask keeps
    (bench/mask_eval.py measures the same over 20,000 of each)."""
    rng = random.Random(14)
    for _ in range(400):
        number = make(rng)
        text, start, end = write_number(rng, number, kind)
        seen = readable_digits(mask(text)[start:end]).upper()
        leaked = [number[i:i + kept + 1] for i in range(len(number) - kept) if number[i:i + kept + 1] in seen]
        assert not leaked, (text, mask(text))


def test_a_line_without_a_digit_in_any_script_never_asks_the_place_reader(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """mask runs on every group line: the place reader (half its cost) is asked only when a room
    could be written, in digits or Chinese numerals."""
    import bot.nlp.pii as pii

    asked: list[str] = []
    real = pii.places.find_location
    monkeypatch.setattr(pii.places, "find_location", lambda text: asked.append(text) or real(text))
    assert mask("东门的路灯坏了 刘春燕说的", names=["刘春燕"]) == "东门的路灯坏了 刘**说的"
    assert asked == []
    assert mask("住八零三 卫生间一直滴水") == "住*** 卫生间一直滴水"
    assert asked == ["住八零三 卫生间一直滴水"]


def test_the_place_a_report_names_is_read_once_for_its_parse_and_its_mask() -> None:
    from bot.nlp.location import find_location
    from bot.nlp.parser import get_parser

    text = "住在23栋的1504 阳台顶上渗水"
    find_location.cache_clear()
    get_parser().parse(text)
    assert mask(text) == "住在23栋的*** 阳台顶上渗水"
    assert (find_location.cache_info().misses, find_location.cache_info().hits) == (1, 1)
