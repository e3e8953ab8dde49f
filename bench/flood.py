"""A fire report in the middle of a flood: does the P0 notice still go out at once?

The real bot (server, parser, outbox worker on the real clock) with a fake WeCom API that keeps
WeCom's real per-member limit (30 app messages a minute to one member, then errcode 45033) and a
fake bridge gateway. 1,000 messages go into one grid's group through the bridge within seconds
(a water outage reported again and again, many other problems, chatter), then one resident
reports a fire. Printed: the fire's P0 notices' latency (from the report's POST until the fake API
received each one: the grid worker, the cadre, the secretaries, and the reporter's own answer in
the group), how many notices each person got, the most "another report" notices one person got
about one ticket in one minute, and how many messages ended failed or are still waiting for a
rate-limit slot (they go as slots free: 25 a minute per member, 5 kept for urgent ones).

    .venv/bin/python bench/flood.py [--messages 1000] [--drain 60] [--db URL]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import re
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

from aiohttp import ClientSession, web
from sqlmodel import func, select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests.fakes

from bot.app import build_app
from bot.clock import SystemClock
from bot.config import load_settings
from bot.demo_roster import demo_roster
from bot.nlp.parser import get_parser
from bot.roster import Chat
from bot.server import make_web_app
from bot.transport.bridge import signed_headers
from bot.transport.routes import INTAKE_KEY, add_channels
from storage.models import InboundLog, Outbox
from tests.fakes.fake_wecom import FakeWeCom

SECRET, GROUP, GRID = "flood-secret", "flood-group@chatroom", "g-baxianlou-1"
APP_TOKEN, APP_KEY = "QDG6eK", "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"  # wecom.md vector A's key
PORT = 18151
NUMBER = re.compile(r"\d{6}-\d{3}")
WATER = ("8号楼停水了，一直没有水", "8号楼又停水了，什么时候来水", "我们8号楼也没水了", "8号楼停水一上午了")
PROBLEMS = ("电梯坏了", "楼道灯不亮", "垃圾没人清运", "下水道堵了", "有人飞线充电", "路灯坏了", "墙皮脱落", "门禁坏了")
CHATTER = ("收到", "谢谢网格员", "好的", "辛苦了", "👍", "明白")
FIRE = "5号楼2单元着火了，浓烟很大，有人被困"


def flood_text(i: int) -> str:
    kind = i % 10
    if kind < 4:
        return WATER[i % len(WATER)]
    if kind < 7:
        return f"{i % 30 + 1}号楼{PROBLEMS[i % len(PROBLEMS)]}"
    return CHATTER[i % len(CHATTER)]


async def post(session: ClientSession, url: str, msg_id: str, user: str, text: str) -> None:
    body = json.dumps({"msg_id": msg_id, "chat_id": GROUP, "user_id": user, "user_name": user, "text": text,
                       "at": False}, ensure_ascii=False).encode()
    async with session.post(url, data=body, headers=signed_headers(SECRET, body, time.time())) as resp:
        if resp.status != 200:
            raise RuntimeError(f"bridge answered {resp.status}: {await resp.text()}")


async def main(messages: int, drain: float, db: str | None) -> None:
    fake = FakeWeCom()  # the real per-member limit, on real time
    await fake.start()
    tmp = tempfile.mkdtemp(prefix="gridbot-flood-")
    settings = load_settings(
        None, database__url=db or f"sqlite:///{tmp}/flood.db", wecom__corp_id=fake.corp_id, wecom__agent_id=1000002,
        wecom__secret=fake.secret, wecom__token=APP_TOKEN, wecom__encoding_aes_key=APP_KEY, wecom__api_base=fake.url,
        bridge__secret=SECRET, bridge__outbound_url=f"{fake.url}/gateway/outbound",
    )
    roster = demo_roster()
    roster.chats.append(Chat(GROUP, GRID, "bridge", "八仙楼社区第一网格居民群"))
    transports: dict = {}
    bot = await build_app(settings, SystemClock(), transports, people_platform="wecom_app", roster=roster)
    web_app = make_web_app(bot)
    transports.update(add_channels(web_app, bot))
    await asyncio.to_thread(get_parser)
    runner = web.AppRunner(web_app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", PORT).start()
    worker = asyncio.create_task(bot.outbox.run(interval=0.5))
    url = f"http://127.0.0.1:{PORT}/bridge/messages"
    try:
        async with ClientSession() as session:
            start = time.monotonic()
            for first in range(0, messages, 25):  # 25 at a time, as fast as they are acknowledged
                await asyncio.gather(*(post(session, url, f"flood-{i}", f"resident-{i}", flood_text(i))
                                       for i in range(first, min(first + 25, messages))))
            flood_seconds = time.monotonic() - start
            await asyncio.sleep(1.0)  # the flood's notices queue up and the rate limits bite
            fired = time.monotonic()
            await post(session, url, "fire-1", "resident-fire", FIRE)
            latency = await p0_latencies(fake, fired)
        await web_app[INTAKE_KEY].drain()
        await asyncio.sleep(drain)  # what the per-member limit lets through meanwhile
        async with bot.db.session() as s:
            status = dict((await s.exec(select(Outbox.status, func.count()).group_by(Outbox.status))).all())
            fire = (await s.exec(select(InboundLog).where(InboundLog.msg_id == "fire-1"))).one()
        handled = (fire.processed_at - fire.received_at).total_seconds() if fire.processed_at else float("nan")
        report(messages, flood_seconds, latency, fake, status, drain)
        print(f"the fire report was handled (ticket filed, notices queued) {handled:.2f} s after it was recorded")
    finally:
        worker.cancel()
        await asyncio.gather(worker, return_exceptions=True)
        await runner.cleanup()
        await bot.close()
        await fake.close()


async def p0_latencies(fake: FakeWeCom, fired: float, limit: float = 30.0) -> dict[str, float]:
    """Seconds from the fire's POST until each of its notices reached the fake API (and its answer
    reached the group through the gateway)."""
    ticket: str | None = None
    found: dict[str, float] = {}
    deadline = fired + limit
    while time.monotonic() < deadline:
        for seen in [s for s in fake.requests if s.at >= fired]:
            if seen.path == "/gateway/outbound":
                body = json.loads(seen.raw)
                if body.get("user_id") == "resident-fire" and ticket is None:
                    match = NUMBER.search(body.get("text") or "")
                    ticket = match.group(0) if match else None
                    found["reporter (group answer, 119)"] = seen.at - fired
            elif seen.path == "/cgi-bin/message/send" and ticket and ticket in json.dumps(seen.body,
                                                                                          ensure_ascii=False):
                found.setdefault(str(seen.body["touser"]), seen.at - fired)
        if ticket and len(found) >= 4:  # reporter, grid worker, cadre, secretary
            await asyncio.sleep(0.5)  # late stragglers (the street secretary's 五必报)
            for seen in fake.requests:
                if seen.path == "/cgi-bin/message/send" and seen.at >= fired and ticket in json.dumps(
                        seen.body, ensure_ascii=False):
                    found.setdefault(str(seen.body["touser"]), seen.at - fired)
            return found
        await asyncio.sleep(0.02)
    return found


def report(messages: int, flood_seconds: float, latency: dict[str, float], fake: FakeWeCom,
           status: dict[str, int], drain: float) -> None:
    refused = {id(s) for s in fake.refused}
    sent = [s for s in fake.requests if s.path == "/cgi-bin/message/send" and id(s) not in refused]
    per_person = Counter(str(s.body["touser"]) for s in sent)
    joined: dict[tuple[str, str], list[float]] = defaultdict(list)  # (person, ticket) → when
    for s in sent:
        content = str(s.body.get("text", {}).get("content", ""))
        if "又有居民反映同一问题" in content and (match := NUMBER.search(content)):
            joined[(str(s.body["touser"]), match.group(0))].append(s.at)
    gaps = [b - a for times in joined.values() for a, b in itertools.pairwise(sorted(times))]
    print(f"{messages} bridge messages in {flood_seconds:.1f} s, then the fire; counted after {drain:.0f} s more\n")
    print("| P0 recipient | latency |")
    print("|---|---|")
    for who, seconds in sorted(latency.items(), key=lambda kv: kv[1]):
        print(f"| {who} | {seconds:.2f} s |")
    print("\n| person | notices received |")
    print("|---|---|")
    for who, n in per_person.most_common():
        print(f"| {who} | {n} |")
    print(f"\n'another report' notices: {sum(map(len, joined.values()))} to {len({p for p, _ in joined})} people "
          f"about {len({t for _, t in joined})} tickets; shortest gap between two to one person about one ticket: "
          + (f"{min(gaps):.1f} s" if gaps else "none (never a second one)"))
    print(f"group answers through the gateway: {sum(s.path == '/gateway/outbound' for s in fake.requests)}")
    print(f"refused by WeCom (45033): {len(fake.refused)}")
    print(f"outbox: sent {status.get('sent', 0)}, failed {status.get('failed', 0)}, "
          f"waiting for a rate-limit slot {status.get('pending', 0)}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--drain", type=float, default=60.0, help="seconds to let the outbox work after the fire")
    parser.add_argument("--db", default=None, help="database URL (default: a fresh SQLite file)")
    args = parser.parse_args()
    asyncio.run(main(args.messages, args.drain, args.db))
