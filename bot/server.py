"""The long-running process: HTTP routes (health and channel callbacks), the outbox worker, the
scheduler, recovery of unfinished messages at start-up, and a clean shutdown."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import gc
import logging
import socket
from collections.abc import AsyncIterator, Callable

from aiohttp import web
from aiohttp.typedefs import Handler

from bot.app import App, build_app
from bot.clock import SystemClock
from bot.config import Settings
from bot.console.app import mount_console
from bot.dispatch import RecordingFailed
from bot.nlp.parser import get_parser
from bot.recovery import Recovery
from bot.services import health
from bot.transport.base import Transport
from bot.transport.routes import CHANNELS_KEY, add_channels
from scheduler.runner import catch_up, start_scheduler

log = logging.getLogger(__name__)
APP_KEY = web.AppKey("gridbot", App)


async def healthz(request: web.Request) -> web.Response:
    """For monitoring: `ok`, or `degraded` with its reasons (HTTP 200 either way), and 503 only when
    the database cannot be reached (bot.services.health)."""
    bot = request.app[APP_KEY]
    try:
        body = await health.check(bot.db, bot.settings, bot.clock.now())
    except Exception as exc:
        log.warning("health check: database unreachable (%s)", type(exc).__name__)
        return web.json_response({"status": "error", "database": False, "reasons": ["database_unreachable"],
                                  "error": type(exc).__name__}, status=503)
    # A channel that can say how it is (the smart robot's long connection: up, taken over by another
    # connection of the same bot, subscribe refused …); one that cannot work makes the status degraded.
    for name, channel in request.app.get(CHANNELS_KEY, {}).items():
        if not callable(getattr(channel, "health", None)):
            continue
        connection = channel.health()
        body.setdefault("channels", {}).setdefault(name, {})["connection"] = connection
        if connection.get("state") in ("taken_over", "refused"):
            body["status"] = "degraded"
            body.setdefault("reasons", []).append(f"{name}_{connection['state']}")
    if bot.dispatcher.photos is not None:  # where pictures are kept, and whether the store answers
        async with bot.db.session() as session:
            body["media"] = await bot.dispatcher.photos.health(session)
        if not body["media"]["ok"]:
            body["status"] = "degraded"
            body.setdefault("reasons", []).append(f"media_store_failing: {body['media'].get('error', '')}".strip())
    return web.json_response(body)


def background(bot: App) -> Callable[[web.Application], AsyncIterator[None]]:
    """aiohttp cleanup context: catch up, then run the outbox, the recovery sweep (its first sweep at
    once takes over what the last run left, handled in the background while callbacks are already
    answered) and the scheduler."""

    async def ctx(_: web.Application) -> AsyncIterator[None]:
        # Load the parser (jieba's dictionary, the model) before the first message, off the event
        # loop, then move everything loaded so far out of the garbage collector's sight: a full
        # collection over those objects would stall callbacks for ~100 ms.
        await asyncio.to_thread(get_parser)
        gc.freeze()
        # Recovery first: what the last run left is handled while the scheduler catches up.
        recovery = asyncio.create_task(Recovery(bot.dispatcher, bot.outbox.wake).run(), name="recovery")
        worker = asyncio.create_task(bot.outbox.run(), name="outbox")
        await catch_up(bot.jobs, bot.job_context)
        scheduler = start_scheduler(bot.jobs, bot.job_context)
        yield
        scheduler.shutdown(wait=False)
        for task in (worker, recovery):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await bot.close()

    return ctx


@web.middleware
async def unavailable(request: web.Request, handler: Handler) -> web.StreamResponse:
    """A callback whose message could not be recorded (the database is out of reach) is answered
    503 with a one-line reason, not a 500 with a traceback: it was not acknowledged, and the
    platform sends it again."""
    try:
        return await handler(request)
    except RecordingFailed as exc:
        log.warning("%s %s: not recorded (%s); answered 503", request.method, request.path, exc)
        return web.json_response({"ok": False, "error": "the database is unavailable; send it again later"},
                                 status=503)


def make_web_app(bot: App) -> web.Application:
    web_app = web.Application(client_max_size=1024 * 1024, middlewares=[unavailable])
    web_app[APP_KEY] = bot
    web_app.router.add_get("/healthz", healthz)
    return web_app


class PortInUse(RuntimeError):
    """Another program listens on the port: the command line says so in one line."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        super().__init__(f"port {port} is in use")


def check_port(host: str, port: int) -> None:
    """Raise PortInUse before anything starts when `host:port` cannot be listened on."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as aiohttp does
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno in (errno.EADDRINUSE, errno.EACCES):
                raise PortInUse(host, port) from None
            raise


async def serve_forever(web_app: web.Application, settings: Settings) -> None:
    check_port(settings.server.host, settings.server.port)
    runner = web.AppRunner(web_app, handle_signals=True)
    await runner.setup()
    site = web.TCPSite(runner, settings.server.host, settings.server.port)
    await site.start()
    log.info("listening on http://%s:%d", settings.server.host, settings.server.port)
    try:
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()


async def run_server(settings: Settings) -> None:
    """`gridbot serve`: every channel whose config section is filled in."""
    transports: dict[str, Transport] = {}
    bot = await build_app(settings, SystemClock(), transports, people_platform="wecom_app")
    web_app = make_web_app(bot)
    mount_console(web_app, bot)
    transports.update(add_channels(web_app, bot))  # the outbox worker holds this same dict
    if not transports:
        log.warning("no channel is configured: fill in [wecom], [wecom_robot], [mp], [wecom_kf] or [bridge]")
    web_app.cleanup_ctx.append(background(bot))
    await serve_forever(web_app, settings)
