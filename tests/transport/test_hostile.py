"""One hostile-request set, run against every door on both databases (the `rig` runs on SQLite and
again on PostgreSQL): each request gets a clear 400 (or is accepted cleaned), never a 500, and the
inbound log holds exactly what the door accepted — nothing half-way, the same on both databases."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest
from sqlmodel import col, select

from bot.transport.bridge import sign
from bot.transport.wecom_crypto import WeComCrypto
from bot.transport.xml import render_xml
from storage.models import InboundLog, InboundStatus
from tests.transport.conftest import AGENT_ID, BRIDGE_SECRET, CORP, ROBOT_KEY, ROBOT_TOKEN, Rig, text_xml

DEEP = 30_000
Send = Callable[[Rig], Awaitable[tuple[int, str]]]


async def bridge(rig: Rig, body: bytes | dict[str, Any]) -> tuple[int, str]:
    raw = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
    response = await rig.client.post("/bridge/messages", data=raw, headers={
        "Content-Type": "application/json", "X-Gridbot-Timestamp": rig.ts,
        "X-Gridbot-Signature": sign(BRIDGE_SECRET, raw)})
    return response.status, await response.text()


def bridge_msg(**fields: Any) -> dict[str, Any]:
    return {"msg_id": "b-1", "chat_id": "room1", "user_id": "wxid_1", "user_name": "老王", "text": "楼道灯坏了",
            "at": True} | fields


async def robot(rig: Rig, payload: dict[str, Any] | str) -> tuple[int, str]:
    crypto = WeComCrypto(ROBOT_TOKEN, ROBOT_KEY, "", strict_receive_id=False, now=lambda: float(rig.ts))
    plain = payload if isinstance(payload, str) else json.dumps(payload, ensure_ascii=False)
    encrypt = crypto.encrypt(plain)
    response = await rig.client.post("/wecom/robot/callback", params={
        "msg_signature": crypto.signature(rig.ts, "5", encrypt), "timestamp": rig.ts, "nonce": "5"},
        json={"encrypt": encrypt})
    return response.status, await response.text()


def robot_msg(**fields: Any) -> dict[str, Any]:
    return {"msgid": "r-1", "aibotid": "bot1", "chatid": "wrgroup1", "chattype": "group",
            "from": {"userid": "zhangsan"}, "msgtype": "text", "text": {"content": "@网格通 楼道灯坏了"}} | fields


async def app_xml(rig: Rig, plain: str) -> tuple[int, str]:
    crypto = WeComCrypto("QDG6eK", "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C", CORP)
    encrypt = crypto.encrypt(plain)
    body = render_xml({"ToUserName": CORP, "Encrypt": encrypt, "AgentID": AGENT_ID})
    response = await rig.client.post("/wecom/callback", data=body.encode(), params={
        "msg_signature": crypto.signature(rig.ts, "9", encrypt), "timestamp": rig.ts, "nonce": "9"})
    return response.status, await response.text()


async def raw(rig: Rig, path: str, body: bytes) -> tuple[int, str]:
    response = await rig.client.post(path, data=body, params={"msg_signature": "x", "timestamp": rig.ts,
                                                              "nonce": "1"})
    return response.status, await response.text()


@dataclass(frozen=True)
class Case:
    name: str
    send: Send
    status: int
    stored: dict[str, Any] | None = None  # the one row the door stored (fields checked), None: nothing stored
    says: str = ""  # in the answer of a refusal: what was wrong


CASES = [
    # ---- the bridge (signed JSON)
    Case("bridge NUL in text", lambda r: bridge(r, bridge_msg(text="电梯\x00坏了\x07")), 200,
         {"text": "电梯坏了", "status": InboundStatus.done}),
    Case("bridge name over 100", lambda r: bridge(r, bridge_msg(user_name="王" * 300)), 200,
         {"user_name": "王" * 100}),
    Case("bridge name with NUL", lambda r: bridge(r, bridge_msg(user_name="王\x00五")), 200, {"user_name": "王五"}),
    Case("bridge msg_id over 128", lambda r: bridge(r, bridge_msg(msg_id="m" * 129)), 400, says="msg_id"),
    Case("bridge user_id over 128", lambda r: bridge(r, bridge_msg(user_id="u" * 200)), 400, says="user_id"),
    Case("bridge chat_id over 128", lambda r: bridge(r, bridge_msg(chat_id="c" * 129)), 400, says="chat_id"),
    Case("bridge NUL in user_id", lambda r: bridge(r, bridge_msg(user_id="wx\x00id")), 400, says="control"),
    Case("bridge chat_id a number", lambda r: bridge(r, bridge_msg(chat_id=12345)), 400, says="chat_id"),
    Case("bridge text a list", lambda r: bridge(r, bridge_msg(text=["电梯", "坏了"])), 400, says="text"),
    Case("bridge text too long", lambda r: bridge(r, bridge_msg(text="长" * 4001)), 400, says="4000"),
    Case("bridge lone surrogate", lambda r: bridge(r, b'{"msg_id":"s","user_id":"u","text":"\\ud800","at":false}'),
         400, says="Unicode"),
    Case("bridge at a string", lambda r: bridge(r, bridge_msg(at="yes")), 400, says="at"),
    Case("bridge unknown kind", lambda r: bridge(r, bridge_msg(kind="sticker", text="")), 400, says="kind"),
    Case("bridge user_name an object", lambda r: bridge(r, bridge_msg(user_name={"a": 1})), 400, says="user_name"),
    Case("bridge deep array", lambda r: bridge(r, b"[" * DEEP + b"]" * DEEP), 400, says="nested"),
    Case("bridge deep text", lambda r: bridge(r, b'{"msg_id":"d","user_id":"u","text":' + b"[" * 5000
                                              + b"]" * 5000 + b"}"), 400, says="nested"),
    Case("bridge not UTF-8", lambda r: bridge(r, b'{"msg_id":"g","user_id":"u","text":"\xb5\xe7\xcc\xdd"}'), 400,
         says="UTF-8"),
    Case("bridge body a list", lambda r: bridge(r, b"[1, 2]"), 400, says="object"),
    Case("bridge brackets inside a string are words", lambda r: bridge(r, bridge_msg(text="[" * 100 + "灯")), 200,
         {"text": "[" * 100 + "灯"}),
    # ---- the smart robot (JSON, the deep body before any signature check)
    Case("robot deep array unsigned", lambda r: raw(r, "/wecom/robot/callback", b"[" * DEEP + b"]" * DEEP), 400,
         says="nested"),
    Case("robot deep object unsigned", lambda r: raw(r, "/wecom/robot/callback", b'{"a":' * 10_000 + b"1"
                                                     + b"}" * 10_000), 400, says="nested"),
    Case("robot encrypt a list", lambda r: raw(r, "/wecom/robot/callback", b'{"encrypt": [1]}'), 400,
         says="encrypt"),
    Case("robot text a list", lambda r: robot(r, robot_msg(text=["@网格通 帮助"])), 400, says="text"),
    Case("robot content an object", lambda r: robot(r, robot_msg(text={"content": {"x": 1}})), 400,
         says="text.content"),
    Case("robot from a string", lambda r: robot(r, robot_msg(**{"from": "zhangsan"})), 400, says="from"),
    Case("robot userid over 128", lambda r: robot(r, robot_msg(**{"from": {"userid": "z" * 129}})), 400,
         says="user_id"),
    Case("robot msgid over 128", lambda r: robot(r, robot_msg(msgid="r" * 200)), 400, says="msg_id"),
    Case("robot msgid a number", lambda r: robot(r, robot_msg(msgid=12345)), 400, says="msgid"),
    Case("robot mixed items not a list", lambda r: robot(r, robot_msg(msgtype="mixed", mixed={"msg_item": "x"})),
         400, says="msg_item"),
    Case("robot deep decrypted", lambda r: robot(r, "[" * 5000 + "]" * 5000), 400, says="nested"),
    Case("robot NUL in words", lambda r: robot(r, robot_msg(text={"content": "@网格通 灯\x00坏了"})), 200,
         {"text": "灯坏了", "status": InboundStatus.done}),
    # ---- the WeCom app (XML)
    Case("app FromUserName over 128", lambda r: app_xml(r, text_xml("u" * 129, "帮助", "x-1")), 400,
         says="user_id"),
    Case("app MsgId over 128", lambda r: app_xml(r, text_xml("zhangsan", "帮助", "7" * 129)), 400, says="msg_id"),
    Case("app control character in text", lambda r: app_xml(r, text_xml("zhangsan", "帮\x01助", "x-2")), 400),
    Case("app entity", lambda r: app_xml(r, '<!DOCTYPE x [<!ENTITY a "b">]><xml><Content>&a;</Content></xml>'),
         400),
    Case("app text too long", lambda r: app_xml(r, text_xml("zhangsan", "长" * 4001, "x-3")), 400, says="4000"),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
async def test_hostile_request(rig: Rig, case: Case) -> None:
    status, answer = await case.send(rig)
    assert status == case.status, answer
    if case.says:
        assert case.says in answer
    await rig.settle()
    async with rig.bot.db.session() as session:
        rows = (await session.exec(select(InboundLog).order_by(col(InboundLog.id)))).all()
    if case.stored is None:
        assert rows == []
        return
    [row] = rows
    for field, value in case.stored.items():
        assert getattr(row, field) == value, field
    assert row.status != InboundStatus.failed
