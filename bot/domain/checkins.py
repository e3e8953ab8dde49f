"""Cadres' duty records (签到/签退, 夜访, 走访, 党课, 会议, 联系卡, 请假, 谈话) and the month's running
totals that reminders, the monthly report (附件5) and the red-line indicators read."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo


class Kind(StrEnum):
    day = "day"  # 签到 … 签退: a day in the community
    night_visit = "night_visit"  # 夜访夜谈
    visit = "visit"  # 走访 n households
    party_lecture = "party_lecture"  # 党课
    meeting = "meeting"  # 支委会 / 两委联席 / 居民代表
    contact_card = "contact_card"  # 联系卡 handed out
    leave = "leave"  # 请假 from … to
    talk = "talk"  # 谈心谈话 (recorded by the secretary)
    report_confirmed = "report_confirmed"  # the month's 附件5 confirmed by the cadre
    report_field = "report_field"  # a 附件5 item the cadre filled in or corrected in chat
    absence = "absence"  # a spot check (抽查) found the cadre absent without leave
    pending = "pending"  # understood from plain words, waiting for the cadre's “确认”


MEETING_TYPES = {
    "支委会": "branch_committee", "两委联席": "joint_committee", "居民代表": "residents",
    "交流会": "exchange",  # the street's quarterly exchange meeting of stationed cadres
}
VISIT_TAGS = ("困难家庭", "空巢老人", "独居老人", "留守儿童", "重点户", "危重病人", "残疾人")
_CN_DIGITS = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def parse_count(text: str) -> int | None:
    """'5', '五', '十二', '二十' → int; None if it is not a small number."""
    text = text.strip()
    if text.isdigit():
        return int(text)
    if not text or any(c not in _CN_DIGITS and c != "十" for c in text):
        return None
    if "十" in text:
        tens, _, ones = text.partition("十")
        return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[ones] if ones else 0)
    return _CN_DIGITS[text] if len(text) == 1 else None


_DATE = re.compile(r"^(?:(\d{4})[-/.年])?(\d{1,2})[-/.月](\d{1,2})日?$")


def parse_day(text: str, today: date) -> date | None:
    """2026-12-01, 12-01, 12.1, 12月1日 (this year unless given)."""
    match = _DATE.match(text.strip())
    if not match:
        return None
    try:
        return date(int(match[1] or today.year), int(match[2]), int(match[3]))
    except ValueError:
        return None


_LEAVE_RANGE = re.compile(
    r"(?:(\d{1,2})\s?[月.\-/]\s?)?(\d{1,2}|[一二三四五六七八九十]{1,3})\s?(?:日|号)?"
    r"(?:\s?(?:到|至|~|～|—|-)\s?(?:(\d{1,2})\s?[月.\-/]\s?)?(\d{1,2}|[一二三四五六七八九十]{1,3})\s?(?:日|号)?)?")
_RELATIVE = {"今天": 0, "明天": 1, "后天": 2}


def leave_days(text: str, today: date) -> tuple[date, date] | None:
    """The first and last day of a leave told in words: "12月8日到10日", "12.8-12.10", "本月15号",
    "明天", "明后天" (this year, or next when the month has passed); None when no day is named."""
    if "明后天" in text:
        return today + timedelta(days=1), today + timedelta(days=2)
    for word, offset in _RELATIVE.items():
        if word in text:
            return today + timedelta(days=offset), today + timedelta(days=offset)
    for match in _LEAVE_RANGE.finditer(text):
        if not (match[1] or "日" in match[0] or "号" in match[0]):
            continue  # a bare number ("两天") is not a day
        month1 = int(match[1]) if match[1] else today.month
        day1 = parse_count(match[2])
        month2 = int(match[3]) if match[3] else month1
        day2 = parse_count(match[4]) if match[4] else day1
        if day1 is None or day2 is None:
            continue
        try:
            year = today.year + (1 if month1 < today.month else 0)
            first = date(year, month1, day1)
            last = date(year + (1 if month2 < month1 else 0), month2, day2)
        except ValueError:
            continue
        if last >= first:
            return first, last
    return None


def names_year(text: str) -> bool:
    match = _DATE.match(text.strip())
    return bool(match and match[1])


@dataclass(frozen=True)
class Record:
    kind: str
    at: datetime
    ended_at: datetime | None = None
    count: int | None = None
    data: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class MonthTotals:
    days_in_community: int = 0
    hours: float = 0.0
    night_visits: int = 0
    visits: int = 0
    households: int = 0
    key_household_visits: int = 0
    contact_cards: int = 0
    party_lectures: int = 0
    meetings: dict[str, int] = field(default_factory=dict)
    leave_days: int = 0
    leave_dates: frozenset[date] = frozenset()
    absences: int = 0


NIGHT_ENDS = 5  # a visit logged after midnight (before 05:00) still belongs to the evening


def is_evening(at: datetime, tz: ZoneInfo, evening_hour: int) -> bool:
    hour = at.astimezone(tz).hour
    return hour >= evening_hour or hour < NIGHT_ENDS


def month_totals(
    records: Iterable[Record], tz: ZoneInfo, evening_hour: int, *, first: date, last: date,
) -> MonthTotals:
    """Totals for the days first..last (a month, a week, a quarter) from a cadre's records."""
    days: set[date] = set()
    hours = 0.0
    counts = {"night": 0, "visits": 0, "households": 0, "key": 0, "cards": 0, "lectures": 0, "absent": 0}
    meetings: dict[str, int] = {}
    leave: set[date] = set()
    for r in records:
        local = r.at.astimezone(tz)
        if r.kind == Kind.leave and r.ended_at is not None:
            start, end = local.date(), r.ended_at.astimezone(tz).date()
            leave.update(d for d in _days(max(start, first), min(end, last)))
            continue
        if not first <= local.date() <= last:
            continue
        match r.kind:
            case Kind.day:
                days.add(local.date())
                if r.ended_at is not None and r.ended_at > r.at:
                    hours += (r.ended_at - r.at).total_seconds() / 3600
            case Kind.night_visit if is_evening(r.at, tz, evening_hour):
                counts["night"] += 1
            case Kind.visit:
                counts["visits"] += 1
                counts["households"] += r.count or 0
                if r.data.get("tags"):
                    counts["key"] += 1
            case Kind.contact_card:
                counts["cards"] += r.count or 0
            case Kind.party_lecture:
                counts["lectures"] += 1
            case Kind.absence:
                counts["absent"] += 1
            case Kind.meeting:
                kind = str(r.data.get("type", ""))
                meetings[kind] = meetings.get(kind, 0) + 1
    return MonthTotals(
        days_in_community=len(days), hours=round(hours, 1), night_visits=counts["night"],
        visits=counts["visits"], households=counts["households"], key_household_visits=counts["key"],
        contact_cards=counts["cards"], party_lectures=counts["lectures"], meetings=meetings,
        leave_days=len(leave), leave_dates=frozenset(leave), absences=counts["absent"],
    )


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]
