"""消息: messages that could not be delivered (retry them), group chats the roster does not bind,
and the bot's health — for admins and street secretaries. No message text is shown: it may hold a
resident's details."""

from __future__ import annotations

from aiohttp import web

from bot.console.app import console_of, flash_and_go, lang_of, local_time, only, render
from bot.i18n import N_, _, using
from bot.services import access, operations

_OPERATORS = only(access.OPERATORS, N_("Only administrators and the street secretary see the message queue."))


@_OPERATORS
async def messages_page(request: web.Request) -> web.Response:
    bot = console_of(request).bot
    async with bot.db.session() as session:
        ops = await operations.overview(session)
    tz = bot.settings.tz
    failed = [{"id": m.id, "at": local_time(m.created_at, tz), "platform": m.platform,
               "to": m.chat_id or m.user_id or "", "kind": m.kind, "ticket": m.ticket_no or "",
               "attempts": m.attempts, "error": m.last_error or ""} for m in ops.failed]
    chats = [{"platform": c.platform, "chat_id": c.chat_id, "messages": c.messages,
              "last": local_time(c.last_at, tz)} for c in ops.unknown_chats]
    return render(request, "messages.html", health=ops.health, failed=failed, chats=chats)


@_OPERATORS
async def retry(request: web.Request) -> web.Response:
    bot = console_of(request).bot
    form = await request.post()
    ids = None if form.get("all") == "1" else [int(v) for v in form.getall("id", []) if str(v).isdigit()]
    with using(lang_of(request)):
        if ids == []:
            message = _("Tick the messages to send again.")
        else:
            async with bot.db.transaction() as session:
                queued = await operations.retry(session, ids, bot.clock.now())
            bot.outbox.wake()
            message = _("{n} message(s) queued again.").format(n=queued)
        return await flash_and_go(request, message, "/console/messages")


def add_routes(app: web.Application) -> None:
    app.router.add_get("/messages", messages_page)
    app.router.add_post("/messages/retry", retry)
