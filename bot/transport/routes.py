"""Wire every configured channel into the web app: one call from the server.

    transports = add_channels(web_app, bot)   # routes added; transports for the outbox

A channel is on when its config section is filled in ([wecom], [wecom_robot], [mp], [wecom_kf],
[bridge]);
the smart robot runs in callback mode (a route) or long-connection mode (a WebSocket client
started with the app and stopped at shutdown), whichever its section configures;
the webhook sender (platform `webhook`, send-only) comes with either WeCom section. Time and
sleeping are injectable so tests run channels at full speed on a fake clock."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import TYPE_CHECKING

from aiohttp import web

from bot.services.kf import KfLedger
from bot.services.passive import CustomerServiceWindow
from bot.transport.aibot import default_welcome
from bot.transport.base import Transport
from bot.transport.bridge import BridgeChannel
from bot.transport.intake import Intake
from bot.transport.mp import MpChannel
from bot.transport.webhook import PER_MINUTE, URGENT_RESERVE, WebhookSender, WebhookTransport
from bot.transport.wecom_api import HttpClient, Monotonic, RateLimiter, Sleep, TokenSource, WeComApi
from bot.transport.wecom_app import WeComAppChannel, member_limiter
from bot.transport.wecom_crypto import WeComCrypto
from bot.transport.wecom_kf import WeComKfChannel
from bot.transport.wecom_robot import WeComRobotChannel
from bot.transport.wecom_robot_ws import WeComRobotWs

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)

INTAKE_KEY = web.AppKey("gridbot_intake", Intake)
CHANNELS_KEY = web.AppKey("gridbot_channels", dict)


def add_channels(
    web_app: web.Application,
    bot: App,
    *,
    http: HttpClient | None = None,
    monotonic: Monotonic = time.monotonic,
    sleep: Sleep = asyncio.sleep,
    mp_api_base: str | None = None,
) -> dict[str, Transport]:
    settings = bot.settings
    intake = Intake(bot.dispatcher, bot.outbox.wake)
    http = http or HttpClient()

    def now() -> float:
        return bot.clock.now().timestamp()

    def api(base: str, tokens: TokenSource | None) -> WeComApi:
        return WeComApi(base, tokens, http=http, monotonic=monotonic, sleep=sleep)

    channels: dict[str, Transport] = {}
    wecom = settings.wecom
    if wecom.configured:
        assert wecom.token is not None
        assert wecom.encoding_aes_key is not None
        crypto = WeComCrypto(wecom.token.get_secret_value(), wecom.encoding_aes_key.get_secret_value(),
                             wecom.corp_id, now=now)
        secret = wecom.secret.get_secret_value() if wecom.secret else ""
        app_api = api(wecom.api_base, TokenSource.wecom(wecom.corp_id, secret)) if secret else None
        if app_api is None or wecom.agent_id is None:
            log.warning("[wecom] secret/agent_id missing: the app receives but cannot send")
        app_channel = WeComAppChannel(crypto, intake, app_api, wecom.agent_id,
                                      per_member=member_limiter(monotonic))
        app_channel.add_routes(web_app)
        channels[app_channel.platform] = app_channel

    robot = settings.wecom_robot

    def welcome() -> str:
        return default_welcome() if robot.welcome is None else robot.welcome

    robot_ws: WeComRobotWs | None = None
    if robot.mode == "websocket":  # long connection: no route, a client started with the app
        assert robot.secret is not None
        robot_ws = WeComRobotWs(robot.bot_id, robot.secret.get_secret_value(), intake, url=robot.ws_url,
                                monotonic=monotonic, sleep=sleep, welcome=welcome)
        channels[robot_ws.platform] = robot_ws
    elif robot.mode == "callback":
        assert robot.token is not None
        assert robot.encoding_aes_key is not None
        robot_crypto = WeComCrypto(robot.token.get_secret_value(), robot.encoding_aes_key.get_secret_value(), "",
                                   strict_receive_id=False, now=now)
        robot_channel = WeComRobotChannel(robot_crypto, intake, api(wecom.api_base, None), monotonic=monotonic,
                                          welcome=welcome)
        robot_channel.add_routes(web_app)
        channels[robot_channel.platform] = robot_channel

    if wecom.configured or robot.configured:
        limiter = RateLimiter(PER_MINUTE, 60.0, reserve=URGENT_RESERVE, monotonic=monotonic)
        webhook = WebhookTransport(WebhookSender(api(wecom.api_base, None), limiter))
        channels[webhook.platform] = webhook

    mp = settings.mp
    if mp.configured:
        assert mp.token is not None
        mp_crypto = (WeComCrypto(mp.token.get_secret_value(), mp.encoding_aes_key.get_secret_value(), mp.app_id,
                                 now=now) if mp.encoding_aes_key and mp.encoding_aes_key.get_secret_value() else None)
        base = mp_api_base or mp.api_base
        mp_api = (api(base, TokenSource.mp(mp.app_id, mp.app_secret.get_secret_value()))
                  if mp.app_secret and mp.app_secret.get_secret_value() else None)
        mp_channel = MpChannel(mp.token.get_secret_value(), mp_crypto, intake, mp_api,
                               CustomerServiceWindow(bot.db, bot.clock), bot.clock)
        mp_channel.add_routes(web_app)
        channels[mp_channel.platform] = mp_channel

    kf = settings.wecom_kf
    kf_channel: WeComKfChannel | None = None
    if kf.configured:
        assert kf.token is not None
        assert kf.encoding_aes_key is not None
        kf_crypto = WeComCrypto(kf.token.get_secret_value(), kf.encoding_aes_key.get_secret_value(), kf.corp_id,
                                now=now)
        kf_secret = kf.secret.get_secret_value() if kf.secret else ""
        kf_api = api(kf.api_base, TokenSource.wecom(kf.corp_id, kf_secret)) if kf_secret else None
        if kf_api is None:
            log.warning("[wecom_kf] secret missing: 微信客服 callbacks are verified but nothing can be read or sent")

        def kf_welcome() -> str:
            return default_welcome() if kf.welcome is None else kf.welcome

        kf_channel = WeComKfChannel(kf_crypto, intake, kf_api, KfLedger(bot.db, bot.clock), kf.open_kfid,
                                    window=CustomerServiceWindow(bot.db, bot.clock, platform="wecom_kf"),
                                    now=bot.clock.now, welcome=kf_welcome, sleep=sleep,
                                    holder=bot.dispatcher.lease.owner)
        kf_channel.add_routes(web_app)
        channels[kf_channel.platform] = kf_channel

    bridge = settings.bridge
    if bridge.configured:
        assert bridge.secret is not None
        bridge_channel = BridgeChannel(bridge.secret.get_secret_value(), bridge.outbound_url, intake, http=http,
                                       now=now)
        bridge_channel.add_routes(web_app)
        channels[bridge_channel.platform] = bridge_channel

    web_app[INTAKE_KEY] = intake
    web_app[CHANNELS_KEY] = channels

    async def start_robot_ws(_: web.Application) -> None:
        assert robot_ws is not None
        await robot_ws.start()

    async def start_kf(_: web.Application) -> None:
        assert kf_channel is not None
        await kf_channel.start()

    async def shutdown(_: web.Application) -> None:
        if robot_ws is not None:  # stop taking messages before the intake winds down
            await robot_ws.stop()
        if kf_channel is not None:
            await kf_channel.stop()
        await intake.close()

    async def cleanup(_: web.Application) -> None:
        await http.close()

    if robot_ws is not None:
        web_app.on_startup.append(start_robot_ws)
    if kf_channel is not None:
        web_app.on_startup.append(start_kf)
    web_app.on_shutdown.append(shutdown)
    web_app.on_cleanup.append(cleanup)
    if channels:
        log.info("channels: %s", ", ".join(sorted(channels)))
    return channels
