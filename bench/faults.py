"""Faults a running bot must survive, on SQLite and PostgreSQL: `kill -9`, a database outage, and
two processes on one database of which one is killed. Prints one table row per scenario.

Real `gridbot serve` processes on loopback with the bridge channel (signed JSON), a roster that
binds the bench's group chats to grids, and a fake gateway that receives the bot's replies. A
sender plays WeChat: each resident reports one problem in a group; a request that is not answered
200 (connection refused, 5xx while the database is down) is sent again a moment later — to the
other process in the two-process scenario, as a load balancer would — until it is acknowledged.

- `kill`:   `kill -9` the process a third of the way in, start it again at once.
- `outage`: the database is out of reach for `--outage` seconds a third of the way in
            (PostgreSQL: a TCP proxy between bot and database drops every connection and refuses
            new ones; SQLite: another process holds the write lock, so every write times out).
- `two`:    two processes share the database; one is killed a third of the way in, not restarted.

Columns: messages sent and acknowledged; acknowledged but not yet handled when the fault struck
(what recovery has to take over); `lost` (acknowledged but never handled, or handled
without its report reaching a ticket); `tickets doubled` (a resident on two tickets, or twice on
one); `replies doubled` (a reply the gateway got twice: only a send in flight at the `kill -9` may
be, and the gateway drops it by its `id`); `handled after` (seconds from the fault's end — the
database back, the process killed — until every acknowledged message was handled; target 30 s).

    .venv/bin/python bench/faults.py [--messages 240] [--outage 13] [--only kill,outage,two]
                                     [--pg postgresql://gridbot:gridbot@127.0.0.1:5432/gridbot_h16_faults]
                                     [--port 18160] [--backends sqlite,postgres] [--logs DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from aiohttp import ClientSession, ClientTimeout, web
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

ROOT = Path(__file__).resolve().parent.parent
GRIDBOT = str(ROOT / ".venv" / "bin" / "gridbot")
SECRET = "bench-faults-secret"
PROBLEMS = ("{b}号楼电梯坏了，老人下不了楼", "{b}号楼楼道灯不亮了", "{b}号楼门口垃圾没人清", "{b}号楼楼下有人飞线充电",
            "{b}号楼屋顶漏水了")
ROOMS = 8  # bench group chats, bound to grids of the demo roster


# ---------------------------------------------------------------- the world around the bot


class Gateway:
    """The bridge gateway: counts every reply the bot POSTs, by outbox id."""

    def __init__(self) -> None:
        self.received: Counter[int] = Counter()

    async def send(self, request: web.Request) -> web.Response:
        body = json.loads(await request.read())
        self.received[int(body["id"])] += 1
        return web.json_response({"ok": True})

    @property
    def doubled(self) -> int:
        return sum(n - 1 for n in self.received.values() if n > 1)


class Proxy:
    """A TCP proxy in front of PostgreSQL that can cut the database off (`down`) and restore it."""

    def __init__(self, port: int, target: tuple[str, int]) -> None:
        self.port, self.target = port, target
        self.server: asyncio.Server | None = None
        self.pipes: set[asyncio.StreamWriter] = set()

    async def up(self) -> None:
        self.server = await asyncio.start_server(self._client, "127.0.0.1", self.port, reuse_address=True)

    async def down(self) -> None:
        if self.server is not None:
            self.server.close()
            await self.server.wait_closed()
            self.server = None
        for writer in list(self.pipes):
            writer.transport.abort()
        self.pipes.clear()

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.transport.abort()
            return
        self.pipes |= {writer, up_writer}

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            with contextlib.suppress(Exception):
                while data := await src.read(65536):
                    dst.write(data)
                    await dst.drain()
            dst.transport.abort()
            self.pipes.discard(dst)

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))


class SqliteLock:
    """Another process holding SQLite's write lock: the bot's writes wait 5 s and fail."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.process: subprocess.Popen[bytes] | None = None

    def down(self) -> None:
        code = ("import sqlite3, sys, time\n"
                f"c = sqlite3.connect({str(self.path)!r}, isolation_level=None)\n"
                "c.execute('BEGIN EXCLUSIVE'); print('locked', flush=True); time.sleep(3600)\n")
        self.process = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE)
        assert self.process.stdout is not None
        self.process.stdout.readline()

    def up(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None


@dataclass
class Bot:
    """One `gridbot serve` process."""

    name: str
    config: Path
    port: int
    log: Path
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen([GRIDBOT, "serve", "--config", str(self.config)], stdout=out,
                                            stderr=subprocess.STDOUT, cwd=self.config.parent)

    def kill(self) -> None:
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait()
        self.process = None

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()
            self.process = None

    async def ready(self, http: ClientSession, within: float = 60.0) -> None:
        end = time.monotonic() + within
        while time.monotonic() < end:
            with contextlib.suppress(Exception):
                async with http.get(f"http://127.0.0.1:{self.port}/healthz") as response:
                    if response.status == 200:
                        return
            await asyncio.sleep(0.2)
        raise RuntimeError(f"{self.name} did not start; see {self.log}")


# ---------------------------------------------------------------- the sender (WeChat)


def sign(body: bytes) -> dict[str, str]:
    import hashlib
    import hmac

    return {"Content-Type": "application/json", "X-Gridbot-Timestamp": str(int(time.time())),
            "X-Gridbot-Signature": "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()}


@dataclass
class Sender:
    bots: list[Bot]
    fault_at: int
    acked: set[str] = field(default_factory=set)
    sent: int = 0
    attempts: int = 0
    reached: asyncio.Event = field(default_factory=asyncio.Event)  # fault_at messages acknowledged

    def body(self, i: int, run: str) -> bytes:
        message = {"msg_id": f"{run}-{i}", "chat_id": f"bench-room-{i % ROOMS}", "user_id": f"{run}-resident-{i}",
                   "user_name": f"居民{i}", "text": PROBLEMS[i % len(PROBLEMS)].format(b=1 + i % 30), "at": True}
        return json.dumps(message, ensure_ascii=False).encode()

    async def deliver(self, http: ClientSession, i: int, run: str) -> None:
        """Send until acknowledged; the first try goes to bot i % n, a retry to whichever is alive."""
        body, turn = self.body(i, run), i
        self.sent += 1
        while True:
            live = [b for b in self.bots if b.process is not None] or self.bots
            bot = live[turn % len(live)]
            self.attempts += 1
            with contextlib.suppress(Exception):
                async with http.post(f"http://127.0.0.1:{bot.port}/bridge/messages", data=body,
                                     headers=sign(body)) as response:
                    if response.status == 200:
                        self.acked.add(f"{run}-{i}")
                        if len(self.acked) >= self.fault_at:
                            self.reached.set()
                        return
            turn += 1
            await asyncio.sleep(0.3)


# ---------------------------------------------------------------- setting up a database


def run(*args: str) -> None:
    subprocess.run([GRIDBOT, *args], check=True, cwd=ROOT, stdout=subprocess.DEVNULL)


def prepare(url: str, work: Path) -> None:
    """Schema, and the demo roster with the bench's group chats bound to grids."""
    roster = work / "roster"
    run("roster", "export", str(roster), "--roster", "demo")
    with (roster / "units.csv").open(encoding="utf-8") as f:
        grids = [row["id"] for row in csv.DictReader(f) if row["level"] == "grid"]
    with (roster / "chats.csv").open("a", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        for k in range(ROOMS):
            writer.writerow([f"bench-room-{k}", grids[k % len(grids)], "bridge", f"压测群{k}"])
    run("db", "upgrade", "--db", url)
    run("roster", "import", str(roster), "--db", url)


async def reset_postgres(admin_url: str, name: str) -> None:
    engine = create_async_engine(admin_url, isolation_level="AUTOCOMMIT")
    async with engine.connect() as conn:
        await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await conn.execute(text(f'CREATE DATABASE "{name}"'))
    await engine.dispose()


def config(path: Path, url: str, port: int, gateway_port: int) -> Path:
    path.write_text(
        f'[database]\nurl = "{url}"\n\n[server]\nhost = "127.0.0.1"\nport = {port}\n\n'
        f'[bridge]\nsecret = "{SECRET}"\noutbound_url = "http://127.0.0.1:{gateway_port}/send"\n',
        encoding="utf-8")
    return path


# ---------------------------------------------------------------- measuring


async def states(url: str, run_id: str) -> dict[str, str]:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            rows = (await conn.execute(text("SELECT msg_id, status FROM inbound_log WHERE msg_id LIKE :p"),
                                       {"p": f"{run_id}-%"})).all()
    finally:
        await engine.dispose()
    return {m: s for m, s in rows}


async def wait_handled(url: str, run_id: str, acked: set[str], limit: float = 180.0) -> float | None:
    """Seconds until every acknowledged message is handled (None: not within `limit`)."""
    start = time.monotonic()
    while time.monotonic() - start < limit:
        with contextlib.suppress(Exception):
            seen = await states(url, run_id)
            if all(seen.get(m) in ("done", "failed") for m in acked):
                return time.monotonic() - start
        await asyncio.sleep(0.25)
    return None


async def tally(url: str, run_id: str, acked: set[str]) -> dict[str, int]:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            seen = dict((await conn.execute(text("SELECT msg_id, status FROM inbound_log WHERE msg_id LIKE :p"),
                                            {"p": f"{run_id}-%"})).all())
            reporters = Counter(u for (u,) in (await conn.execute(
                text("SELECT user_id FROM ticket_reporter WHERE user_id LIKE :p"),
                {"p": f"{run_id}-resident-%"})).all())
            replies = Counter(i for (i,) in (await conn.execute(text(
                "SELECT o.inbound_id FROM outbox o JOIN inbound_log i ON i.id = o.inbound_id "
                "WHERE i.msg_id LIKE :p AND o.platform = 'bridge' AND o.kind = 'reply'"), {"p": f"{run_id}-%"})).all())
    finally:
        await engine.dispose()
    handled_without_ticket = sum(1 for m in acked if f"{run_id}-resident-{m.rsplit('-', 1)[1]}" not in reporters)
    return {
        "lost": sum(1 for m in acked if seen.get(m) != "done") + handled_without_ticket,
        "tickets_doubled": sum(n - 1 for n in reporters.values() if n > 1),
        "reply_rows_doubled": sum(n - 1 for n in replies.values() if n > 1),
        "failed": sum(1 for s in seen.values() if s == "failed"),
    }


# ---------------------------------------------------------------- scenarios


@dataclass
class Result:
    backend: str
    scenario: str
    sent: int
    acked: int
    lost: int
    tickets_doubled: int
    replies_doubled: int
    handled_after: float | None
    backlog: int | None = None
    note: str = ""


async def scenario(name: str, backend: str, url: str, work: Path, args: argparse.Namespace,
                   fault_db: Proxy | SqliteLock | None) -> Result:
    gateway = Gateway()
    gw_app = web.Application()
    gw_app.router.add_post("/send", gateway.send)
    gw_runner = web.AppRunner(gw_app)
    await gw_runner.setup()
    await web.TCPSite(gw_runner, "127.0.0.1", args.port).start()
    bot_url = url
    if isinstance(fault_db, Proxy):  # the bots reach PostgreSQL through the proxy
        parsed = make_url(url)
        bot_url = parsed.set(host="127.0.0.1", port=fault_db.port).render_as_string(hide_password=False)
        await fault_db.up()
    count = 2 if name == "two" else 1
    bots = [Bot(f"bot{k}", config(work / f"bot{k}.toml", bot_url, args.port + 1 + k, args.port), args.port + 1 + k,
                work / f"{backend}-{name}-bot{k}.log") for k in range(count)]
    run_id = f"{name}{int(time.time())}"
    sender = Sender(bots, fault_at=args.messages // 3)
    handled_after: float | None = None
    note = ""
    try:
        async with ClientSession(timeout=ClientTimeout(total=10)) as http:
            for bot in bots:
                bot.start()
            for bot in bots:
                await bot.ready(http)
            queue = list(range(args.messages))
            pending: set[asyncio.Task[None]] = set()
            faulted = asyncio.Event()
            fault_ended = 0.0

            async def fault() -> None:
                nonlocal fault_ended
                await sender.reached.wait()
                with contextlib.suppress(Exception):
                    seen = await states(url, run_id)
                    backlog.append(sum(1 for m in sender.acked if seen.get(m) != "done"))
                if name == "kill":
                    bots[0].kill()
                    fault_ended = time.monotonic()
                    bots[0].start()
                    await bots[0].ready(http)
                elif name == "two":
                    bots[0].kill()
                    fault_ended = time.monotonic()
                else:
                    if isinstance(fault_db, Proxy):
                        await fault_db.down()
                    else:
                        assert fault_db is not None
                        fault_db.down()
                    await asyncio.sleep(args.outage)
                    if isinstance(fault_db, Proxy):
                        await fault_db.up()
                    else:
                        assert fault_db is not None
                        fault_db.up()
                    fault_ended = time.monotonic()
                faulted.set()

            backlog: list[int] = []
            fault_task = asyncio.create_task(fault())
            measured: list[float | None] = []

            async def measure() -> None:  # what was acknowledged by the fault's end: handled how soon after
                await faulted.wait()
                before = set(sender.acked)
                waited = await wait_handled(url, run_id, before)
                measured.append(None if waited is None else time.monotonic() - fault_ended)

            measure_task = asyncio.create_task(measure())
            limiter = asyncio.Semaphore(8)

            async def one(i: int) -> None:
                async with limiter:
                    await sender.deliver(http, i, run_id)

            for i in queue:
                task = asyncio.create_task(one(i))
                pending.add(task)
                await asyncio.sleep(1 / args.rate)
            await asyncio.gather(*pending)
            await fault_task
            await measure_task
            handled_after = measured[0]
            if await wait_handled(url, run_id, sender.acked) is None:
                note = "not all handled within 180 s"
            await asyncio.sleep(3)  # the outbox sends the last replies
            counts = await tally(url, run_id, sender.acked)
            if counts["failed"]:
                note += f"{counts['failed']} marked failed"
    finally:
        for bot in bots:
            bot.stop()
        if isinstance(fault_db, Proxy):
            await fault_db.down()
        elif fault_db is not None:
            fault_db.up()
        await gw_runner.cleanup()
    return Result(backend, name, sender.sent, len(sender.acked), counts["lost"], counts["tickets_doubled"],
                  gateway.doubled + counts["reply_rows_doubled"], handled_after, (backlog or [None])[0], note)


def show_logs(work: Path) -> None:
    for log in work.glob("*.log"):
        print(f"--- {log.name} (tail)", file=sys.stderr)
        print("\n".join(log.read_text(errors="replace").splitlines()[-30:]), file=sys.stderr)


def keep_logs(work: Path, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for log in work.glob("*.log"):
        (folder / log.name).write_bytes(log.read_bytes())


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=240)
    parser.add_argument("--outage", type=float, default=13.0)
    parser.add_argument("--rate", type=float, default=200.0, help="reports sent per second (at most 8 at a time)")
    parser.add_argument("--only", default="kill,outage,two")
    parser.add_argument("--pg", default="postgresql+asyncpg://gridbot:gridbot@127.0.0.1:5432/gridbot_h16_faults")
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--port", type=int, default=18160)
    parser.add_argument("--logs", type=Path, help="keep the bots' logs in this folder")
    args = parser.parse_args()
    results: list[Result] = []
    backends = args.backends.split(",")
    for backend in backends:
        for name in args.only.split(","):
            with tempfile.TemporaryDirectory(prefix="faults-") as tmp:
                work = Path(tmp)
                if backend == "sqlite":
                    path = work / "bot.db"
                    url = f"sqlite+aiosqlite:///{path}"
                    fault_db: Proxy | SqliteLock | None = SqliteLock(path)
                else:
                    url = args.pg.replace("postgresql://", "postgresql+asyncpg://")
                    parsed = make_url(url)
                    await reset_postgres(parsed.set(database="postgres").render_as_string(hide_password=False),
                                         str(parsed.database))
                    fault_db = Proxy(args.port + 5, (parsed.host or "127.0.0.1", parsed.port or 5432))
                prepare(url, work)
                result = await scenario(name, backend, url, work, args, fault_db if name == "outage" else None)
                results.append(result)
                print(json.dumps(result.__dict__, ensure_ascii=False), file=sys.stderr, flush=True)
                if result.lost or result.handled_after is None:
                    show_logs(work)
                if args.logs:
                    keep_logs(work, args.logs)
    print("| backend | scenario | sent | acknowledged | unhandled at the fault | lost | tickets doubled | "
          "replies doubled | handled after (s) | note |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---|")
    for r in results:
        after = f"{r.handled_after:.1f}" if r.handled_after is not None else "not within 180 s"
        print(f"| {'SQLite' if r.backend == 'sqlite' else 'PostgreSQL'} | {r.scenario} | {r.sent} | {r.acked} | "
              f"{r.backlog} | {r.lost} | {r.tickets_doubled} | {r.replies_doubled} | {after} | {r.note} |")


if __name__ == "__main__":
    asyncio.run(main())
