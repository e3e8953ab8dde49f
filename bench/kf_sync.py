"""How fast the 微信客服 reader takes a backlog: `kf/sync_msg` pages from the fake WeChat API on
loopback (the real JSON, 1000 messages a page), each page's messages recorded in the inbound log
and the cursor stored, until `has_more` is 0; then how long until every message has been handled
(parser, tickets, replies queued). A backlog like this is what the bot reads after being down.

    .venv/bin/python bench/kf_sync.py [--messages 5000] [--db URL]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from aiohttp import web
from sqlmodel import col, func, select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.app import build_app
from bot.clock import SystemClock
from bot.config import load_settings
from bot.demo_roster import demo_roster
from bot.nlp.parser import get_parser
from bot.server import make_web_app
from bot.transport.routes import CHANNELS_KEY, INTAKE_KEY, add_channels
from storage.models import InboundLog, InboundStatus
from tests.fakes.fake_wecom import FakeWeCom

TEXTS = ("3号楼电梯又坏了", "楼道里有人飞线充电", "收到", "谢谢书记", "小区门口路灯不亮了", "帮助")
KEY = "bKf0LyXQk2f8C1Zs7nRw4tTq9hVaE3dJmUpYgN6cW5x"


async def run(messages: int, db_url: str) -> dict[str, Any]:
    fake = FakeWeCom()
    await fake.start()
    for i in range(messages):
        fake.kf_customer_writes(f"wmBench{i % 200}", TEXTS[i % len(TEXTS)])
    settings = load_settings(None, database__url=db_url, wecom_kf__corp_id="wwcorp", wecom_kf__secret=fake.kf_secret,
                             wecom_kf__token="t", wecom_kf__encoding_aes_key=KEY,
                             wecom_kf__open_kfid=fake.open_kfid, wecom_kf__api_base=fake.url)
    transports: dict[str, Any] = {}
    bot = await build_app(settings, SystemClock(), transports, people_platform="wecom_app", roster=demo_roster())
    web_app: web.Application = make_web_app(bot)
    transports.update(add_channels(web_app, bot))
    get_parser()
    kf, intake = web_app[CHANNELS_KEY]["wecom_kf"], web_app[INTAKE_KEY]
    try:
        start = time.perf_counter()
        kf.kick(fake.kf_callback_token())
        await kf.drain()
        read = time.perf_counter() - start
        await intake.drain()
        handled = time.perf_counter() - start
        async with bot.db.session() as session:
            rows = (await session.exec(select(func.count()).select_from(InboundLog))).one()
            done = (await session.exec(select(func.count()).where(col(InboundLog.status) == InboundStatus.done))).one()
        return {"messages": messages, "pages": len(fake.calls("/cgi-bin/kf/sync_msg")), "read_s": read,
                "recorded": rows, "handled": done, "handled_s": handled}
    finally:
        web_app.freeze()
        await web_app.shutdown()
        await web_app.cleanup()
        await bot.close()
        await fake.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--db", help="database URL (default: a fresh SQLite file)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.db or f"sqlite+aiosqlite:///{tmp}/bench.db"
        r = asyncio.run(run(args.messages, url))
    backend = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    print("| backend | messages | pages | read and recorded s | recorded msg/s | all handled s | handled msg/s "
          "| lost |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    print(f"| {backend} | {r['messages']:,} | {r['pages']} | {r['read_s']:.2f} | {r['recorded'] / r['read_s']:,.0f} | "
          f"{r['handled_s']:.1f} | {r['handled'] / r['handled_s']:,.0f} | {r['messages'] - r['recorded']} |")


if __name__ == "__main__":
    main()
