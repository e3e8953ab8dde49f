"""How fast `/wecom/callback` acknowledges, beside a bare aiohttp handler on the same machine.

Drives the real server on loopback with encrypted, signed text messages (the real crypto, a
fresh MsgId each) at increasing concurrency; prints throughput and p50/p99 time-to-acknowledge and
the ratio to a handler that only answers. Both servers get the same untimed warm-up first (for the
bot: the parser's one-off load). Each level runs several rounds, the bare handler and the bot in
turn, so a slow moment of the machine hits both alike (a round of 600 at the bare handler lasts
under 0.1 s); the medians are printed. Throughput is the acknowledgement rate of a burst: the bot
handles the burst's messages right after it (see bot/dispatch.py), and `handled msg/s` is the
whole round, from the first request until every message has been handled and its reply queued.
After the rounds it counts this run's inbound rows (a reused PostgreSQL database may hold older
ones): nothing may be lost at any load, and every message must have been handled (`unhandled`).

    .venv/bin/python bench/callbacks.py [--requests 600] [--rounds 5] [--concurrency 1,8,64] [--db URL]
                                        [--no-freeze-gc]

Like `gridbot serve`, it loads the parser and then moves everything alive after start-up out of the
collector's reach (`gc.freeze()`): the imports leave ~200k objects, and a full collection over them
stalls the loop ~100 ms, which shows as p99 outliers. `--no-freeze-gc` shows the difference.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import statistics
import tempfile
import time
from collections.abc import Callable
from itertools import count

from aiohttp import ClientSession, TCPConnector, web
from sqlmodel import col, func, select

from bot.app import build_app
from bot.clock import SystemClock
from bot.config import load_settings
from bot.demo_roster import demo_roster
from bot.nlp.parser import get_parser
from bot.server import make_web_app
from bot.transport.routes import INTAKE_KEY, add_channels
from bot.transport.wecom_crypto import WeComCrypto
from bot.transport.xml import render_xml
from storage.models import InboundLog, InboundStatus

TOKEN, AES_KEY, CORP = "QDG6eK", "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C", "wwbenchcorp"  # wecom.md vector A's key
TEXTS = ("3号楼电梯又坏了", "楼道里有人飞线充电", "收到", "谢谢书记", "小区门口路灯不亮了", "帮助")
Body = Callable[[], tuple[dict[str, str], bytes]]


def wecom_bodies(crypto: WeComCrypto, run: str) -> Body:
    ids = count(1)

    def next_body() -> tuple[dict[str, str], bytes]:
        i = next(ids)
        plain = render_xml({"ToUserName": CORP, "FromUserName": f"resident-{i % 50}", "CreateTime": int(time.time()),
                            "MsgType": "text", "Content": TEXTS[i % len(TEXTS)], "MsgId": f"{run}-{i}",
                            "AgentID": 1000002})
        ts, nonce = str(int(time.time())), str(i)
        encrypt = crypto.encrypt(plain)
        params = {"msg_signature": crypto.signature(ts, nonce, encrypt), "timestamp": ts, "nonce": nonce}
        return params, render_xml({"ToUserName": CORP, "Encrypt": encrypt, "AgentID": 1000002}).encode()

    return next_body


async def load(url: str, body: Body, requests: int, concurrency: int) -> tuple[float, list[float]]:
    """(requests per second, latencies in ms). Bodies are built before timing starts."""
    prepared = [body() for _ in range(requests)]
    latencies: list[float] = []
    queue: asyncio.Queue[tuple[dict[str, str], bytes]] = asyncio.Queue()
    for item in prepared:
        queue.put_nowait(item)
    async with ClientSession(connector=TCPConnector(limit=concurrency)) as http:

        async def worker() -> None:
            while not queue.empty():
                params, data = queue.get_nowait()
                began = time.perf_counter()
                async with http.post(url, params=params, data=data) as response:
                    await response.read()
                    assert response.status == 200, response.status
                latencies.append((time.perf_counter() - began) * 1000)

        began = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return requests / (time.perf_counter() - began), latencies


def pct(values: list[float], p: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(p) - 1]


async def serve(app: web.Application, port: int) -> web.AppRunner:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return runner


async def main(requests: int, levels: list[int], url: str | None, freeze_gc: bool = True, rounds: int = 5) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(None, database__url=url or f"sqlite:///{tmp}/bench.db", wecom__corp_id=CORP,
                                 wecom__token=TOKEN, wecom__encoding_aes_key=AES_KEY)
        bot = await build_app(settings, SystemClock(), {}, people_platform="wecom_app", roster=demo_roster())
        web_app = make_web_app(bot)
        add_channels(web_app, bot)  # no secret: it receives, and replies wait in the outbox
        intake = web_app[INTAKE_KEY]
        if freeze_gc:  # as bot.server does at start-up
            get_parser()
            gc.freeze()

        async def bare_handler(request: web.Request) -> web.Response:
            await request.read()
            return web.Response(text="")

        bare = web.Application()
        bare.router.add_post("/wecom/callback", bare_handler)
        runners = [await serve(web_app, 18181), await serve(bare, 18182)]
        run = f"bench-{time.time_ns()}"
        bodies = wecom_bodies(WeComCrypto(TOKEN, AES_KEY, CORP), run)
        print(f"{rounds} rounds of {requests} requests per level, {bot.db.engine.dialect.name}"
              f"{'' if freeze_gc else ', gc not frozen'}\n")
        print("| concurrency | gridbot req/s | p50 ms | p99 ms | bare req/s | bare p99 ms | throughput ratio "
              "| handled msg/s | lost | unhandled |")
        print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        sent = 0
        for level in levels:
            warm_up = min(requests, 100)
            await load("http://127.0.0.1:18182/wecom/callback", bodies, warm_up, level)
            await load("http://127.0.0.1:18181/wecom/callback", bodies, warm_up, level)
            await intake.drain()
            sent += warm_up
            bare_rates, rates, bare_lat, lat, handled = [], [], [], [], []
            for _ in range(rounds):  # interleaved, so a slow moment of the machine hits both alike
                bare_rps, bare_l = await load("http://127.0.0.1:18182/wecom/callback", bodies, requests, level)
                began = time.perf_counter()
                rps, latencies = await load("http://127.0.0.1:18181/wecom/callback", bodies, requests, level)
                await intake.drain()  # untimed for the acknowledgements, timed for the handling
                handled.append(requests / (time.perf_counter() - began))
                bare_rates.append(bare_rps)
                rates.append(rps)
                bare_lat += bare_l
                lat += latencies
                sent += requests
            ours = col(InboundLog.msg_id).startswith(f"{run}-")
            async with bot.db.session() as session:
                stored = (await session.exec(select(func.count()).where(ours))).one()
                unhandled = (await session.exec(
                    select(func.count()).where(ours, InboundLog.status != InboundStatus.done))).one()
            rps, bare_rps = statistics.median(rates), statistics.median(bare_rates)
            print(f"| {level} | {rps:.0f} | {statistics.median(lat):.1f} | {pct(lat, 99):.1f} | {bare_rps:.0f} | "
                  f"{pct(bare_lat, 99):.1f} | {rps / bare_rps:.0%} | {statistics.median(handled):.0f} | "
                  f"{sent - stored} | {unhandled} |", flush=True)
        for runner in runners:
            await runner.cleanup()
        await bot.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=600, help="requests per round")
    parser.add_argument("--rounds", type=int, default=5, help="rounds per level (medians are printed)")
    parser.add_argument("--concurrency", default="1,8,64")
    parser.add_argument("--db", default=None, help="database URL (default: a temporary SQLite file)")
    parser.add_argument("--no-freeze-gc", dest="freeze_gc", action="store_false",
                        help="skip gc.freeze() after start-up (gridbot serve does freeze)")
    args = parser.parse_args()
    asyncio.run(main(args.requests, [int(x) for x in args.concurrency.split(",")], args.db, args.freeze_gc,
                     args.rounds))
