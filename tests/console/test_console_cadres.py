"""干部履职: the cadres of the viewer's area, the ranking and indicators, 附件5 / 附件6 downloads;
nobody else's cadre by URL, and only roles that watch cadres."""

from __future__ import annotations

import io
import re

from openpyxl import load_workbook

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
