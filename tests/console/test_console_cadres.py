"""干部履职: the cadres of the viewer's area, the ranking and indicators, 附件5 / 附件6 downloads;
nobody else's cadre by URL, and only roles that watch cadres."""

from __future__ import annotations

import io
import re
from datetime import timedelta

from openpyxl import load_workbook

from storage import checkin_store
from tests.console.conftest import Rig


async def test_a_community_secretary_sees_their_cadre_and_downloads_the_forms(rig: Rig) -> None:
    await rig.say("cadre-baxianlou", "签到")
    secretary = await rig.as_user("sec-baxianlou")
    page = await secretary.get("/console/cadres?month=2026-11")
    assert page.status == 200
    assert re.findall(r'data-testid="cadre-([\w-]+)"', page.text) == ["p-cadre-baxianlou"]
    assert "八仙楼社区" in page.text and "百里坊社区" not in page.text
    assert 'data-testid="indicators"' in page.text and "2026-11" in page.text
    status, body, headers = await secretary.get_bytes("/console/cadres/p-cadre-baxianlou/monthly.xlsx?month=2026-11")
    assert status == 200 and "attachment" in headers["Content-Disposition"]
    assert load_workbook(io.BytesIO(body))["附件5"]["A2"].value == "（2026年11月）"
    assert (await secretary.get_bytes("/console/cadres/p-cadre-bailifang/monthly.xlsx?month=2026-11"))[0] == 404
    status, body, _h = await secretary.get_bytes("/console/cadres/projects.xlsx?year=2026")
    assert status == 200 and len(body) > 1000


async def test_the_street_sees_every_cadre_and_others_see_none(rig: Rig) -> None:
    street = await rig.as_user("street-secretary")
    page = await street.get("/console/cadres")
    assert len(re.findall(r'data-testid="cadre-', page.text)) == 14
    assert 'data-testid="ranking"' in page.text
    worker = await rig.as_user("gw-baxianlou-1")
    assert 'href="/console/cadres"' not in (await worker.get("/console/tickets")).text
    assert (await worker.get("/console/cadres")).status == 403
    assert (await worker.get_bytes("/console/cadres/p-cadre-baxianlou/monthly.xlsx"))[0] == 403
    assert (await worker.get_bytes("/console/cadres/projects.xlsx"))[0] == 403
    liaison = await rig.as_user("dept-zhujian")
    assert (await liaison.get("/console/cadres")).status == 403


async def test_a_community_secretary_records_a_talk_and_a_spot_check_as_chat_does(rig: Rig) -> None:
    secretary = await rig.as_user("sec-baxianlou")
    page = await secretary.get("/console/cadres")
    assert 'data-testid="talk-p-cadre-baxianlou"' in page.text
    assert 'data-testid="absent-p-cadre-baxianlou"' in page.text
    done = await secretary.post("/console/cadres/p-cadre-baxianlou/talk", {"month": "2026-11"})
    assert done.status == 200 and "/console/cadres?month=2026-11" in done.url
    assert "叶国海" in done.text and 'data-testid="flash"' in done.text
    # the page opens on last month (for 附件5); a talk recorded today counts in the year's column there
    last_month = await secretary.get("/console/cadres")
    assert "2026-10" in last_month.text and "2026年谈心谈话" in last_month.text
    assert _cells(last_month.text, "p-cadre-baxianlou")[7:9] == ["已谈话", "0"]
    await secretary.post("/console/cadres/p-cadre-baxianlou/absent", {})
    # chat's 不在岗 counts the console's record: one store, one service
    said = await rig.say("sec-baxianlou", "不在岗 叶国海")
    assert any("2" in m.text and "叶国海" in m.text for m in said), [m.text for m in said]
    assert _cells((await secretary.get("/console/cadres")).text, "p-cadre-baxianlou")[7:9] == ["已谈话", "2"]


def _cells(html: str, person_id: str) -> list[str]:
    row = re.search(rf'data-testid="cadre-{person_id}">(.*?)</tr>', html, re.S)
    assert row is not None
    return re.findall(r"<td[^>]*>([^<]*)</td>", row[1])


async def test_talks_and_spot_checks_only_for_secretaries_and_their_own_cadres(rig: Rig) -> None:
    secretary = await rig.as_user("sec-baxianlou")
    await secretary.get("/console/cadres")
    assert (await secretary.post("/console/cadres/p-cadre-bailifang/absent", {})).status == 404  # another community
    assert (await secretary.post("/console/cadres/p-cadre-baxianlou/talk", {}, csrf=False)).status == 403
    cadre = await rig.as_user("cadre-baxianlou")
    page = await cadre.get("/console/cadres")
    assert page.status == 200 and 'data-testid="absent-' not in page.text and 'data-testid="talk-' not in page.text
    assert (await cadre.post("/console/cadres/p-cadre-baxianlou/absent", {})).status == 403
    worker = await rig.as_user("gw-baxianlou-1")
    await worker.get("/console/tickets")
    assert (await worker.post("/console/cadres/p-cadre-baxianlou/talk", {})).status == 403
    street = await rig.as_user("street-secretary")
    await street.get("/console/cadres")
    recorded = await street.post("/console/cadres/p-cadre-bailifang/absent", {})
    # the count is 1: none of the refused posts recorded anything
    assert re.search(r'data-testid="flash"[^>]*>[^<]*1[^<]*<', recorded.text), recorded.text[:2000]


async def _meetings(rig: Rig, person_id: str) -> list[str]:
    async with rig.bot.db.session() as session:
        rows = await checkin_store.records_between(session, person_id, rig.clock.now() - timedelta(days=1),
                                                   rig.clock.now() + timedelta(days=1), kinds=("meeting",))
    return [str((r.data or {}).get("type")) for r in rows]


async def test_a_secretary_records_a_meeting_as_chat_s_会议_does(rig: Rig) -> None:
    street = await rig.as_user("street-secretary")
    page = await street.get("/console/cadres")
    assert 'data-testid="meeting-form"' in page.text and "<option>交流会</option>" in page.text
    done = await street.post("/console/cadres/meeting", {"kind": "交流会"})
    assert done.status == 200 and 'data-testid="flash"' in done.text and "交流会" in done.text
    assert await _meetings(rig, "p-street-secretary") == ["exchange"]  # what the quarterly duty counts
    refused = await street.post("/console/cadres/meeting", {"kind": "茶话会"})
    assert "会议 支委会" in refused.text and await _meetings(rig, "p-street-secretary") == ["exchange"]


async def test_only_chat_s_会议_roles_get_the_meeting_form(rig: Rig) -> None:
    admin = await rig.as_user("admin")  # sees the cadres' page, but chat's 会议 is not an admin's
    page = await admin.get("/console/cadres")
    assert page.status == 200 and 'data-testid="meeting-form"' not in page.text
    assert (await admin.post("/console/cadres/meeting", {"kind": "支委会"})).status == 403
    liaison = await rig.as_user("dept-zhujian")
    await liaison.get("/console/tickets")
    assert (await liaison.post("/console/cadres/meeting", {"kind": "支委会"})).status == 403
    assert await _meetings(rig, "p-admin") == [] and await _meetings(rig, "p-dept-zhujian") == []


async def test_a_cadre_confirms_their_own_附件5_as_chat_s_确认报表_does(rig: Rig) -> None:
    cadre = await rig.as_user("cadre-baxianlou")
    page = await cadre.get("/console/cadres?month=2026-10")
    assert 'data-testid="confirm-form"' in page.text and 'data-testid="blanks-seen"' in page.text  # a bare month
    unseen = await cadre.post("/console/cadres/confirm", {"month": "2026-10"})  # the blanks not ticked as seen
    assert _cells(unseen.text, "p-cadre-baxianlou")[5] == "未确认"
    done = await cadre.post("/console/cadres/confirm", {"month": "2026-10", "blanks_seen": "1"})
    assert "/console/cadres?month=2026-10" in done.url and "2026-10" in done.text
    assert _cells(done.text, "p-cadre-baxianlou")[5] == "2026-11-02" and 'data-testid="confirm-form"' not in done.text
    said = "\n".join(m.text for m in await rig.say("cadre-baxianlou", "确认报表 2026-10"))
    assert "已" in said and "2026-11-02" in said, said  # chat sees the console's confirmation
    not_over = await cadre.post("/console/cadres/confirm", {"month": "2026-11", "blanks_seen": "1"})
    assert _cells(not_over.text, "p-cadre-baxianlou")[5] == "未确认"  # the month is not over: refused


async def test_only_the_cadre_confirms_their_附件5(rig: Rig) -> None:
    secretary = await rig.as_user("sec-baxianlou")
    page = await secretary.get("/console/cadres?month=2026-10")
    assert page.status == 200 and 'data-testid="confirm-form"' not in page.text
    assert (await secretary.post("/console/cadres/confirm", {"month": "2026-10", "blanks_seen": "1"})).status == 403
    other = await rig.as_user("cadre-bailifang")  # confirms only their own, whatever the page shows
    await other.get("/console/cadres?month=2026-10")
    await other.post("/console/cadres/confirm", {"month": "2026-10", "blanks_seen": "1"})
    row = _cells((await secretary.get("/console/cadres?month=2026-10")).text, "p-cadre-baxianlou")
    assert row[5] == "未确认"
