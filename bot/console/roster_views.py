"""花名册: download the roster, upload a new one, see what it would change (added, changed,
deactivated) or the errors by row, then apply it — the same reader, checks and storage as
`gridbot roster import`. Only admins and street secretaries change the roster."""

from __future__ import annotations

import asyncio
import logging
import secrets
import shutil
import time
from pathlib import Path

from aiohttp import web
from multidict import MultiDictProxy

from bot.console.app import Viewer, console_of, flash_and_go, lang_of, only, render, viewer_of
from bot.console.export import written, xlsx_download
from bot.i18n import N_, _, using
from bot.roster import Roster, RosterError, read_roster, write_roster
from bot.services import access, roster_changes

log = logging.getLogger(__name__)
MAX_UPLOAD = 5 * 1024 * 1024
KEEP_UPLOAD = 3600.0  # seconds a previewed file waits to be applied


_ROSTER_EDITORS = only(access.ROSTER_EDITORS, N_("Only administrators and the street secretary change the roster."))


def _pending(request: web.Request, token: str) -> Path:
    """Where an uploaded roster waits for its apply: its own folder, the file under the name the
    errors are reported with. Previews older than KEEP_UPLOAD are swept away on the way."""
    folder = console_of(request).bot.settings.files_dir / "console-uploads"
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.iterdir():
        if old.is_dir() and time.time() - old.stat().st_mtime > KEEP_UPLOAD:
            shutil.rmtree(old, ignore_errors=True)
    return folder / token / "roster.xlsx"


def _binding(request: web.Request, viewer: Viewer, token: str) -> str:
    signer = console_of(request).signer
    assert signer is not None
    return signer.mac("roster:" + viewer.signed.im_user, token)


@_ROSTER_EDITORS
async def roster_page(request: web.Request) -> web.Response:
    return await _again(request, [], status=200)


@_ROSTER_EDITORS
async def roster_download(request: web.Request) -> web.Response:
    async with console_of(request).bot.db.session() as session:
        current = await roster_changes.current(session)
    return xlsx_download(await written(lambda path: write_roster(current, path)), "roster.xlsx", "花名册.xlsx")


@_ROSTER_EDITORS
async def roster_preview(request: web.Request) -> web.Response:
    viewer = viewer_of(request)
    form: MultiDictProxy[object] = await request.post()
    upload = form.get("file")
    with using(lang_of(request)):
        data = upload.file.read(MAX_UPLOAD + 1) if isinstance(upload, web.FileField) else b""
        if not data:
            return await _again(request, [_("Choose the roster file (.xlsx) to upload.")])
        if len(data) > MAX_UPLOAD:
            return await _again(request, [_("The file is larger than 5 MB; a roster is much smaller.")])
        token = secrets.token_hex(16)
        path = _pending(request, token)
        path.parent.mkdir(parents=True)
        path.write_bytes(data)
        try:
            new = await _read(path)
        except RosterError as exc:
            shutil.rmtree(path.parent, ignore_errors=True)
            return await _again(request, exc.problems)
        async with console_of(request).bot.db.session() as session:
            changes = await roster_changes.preview(session, new)
            summary = (await roster_changes.current(session)).summary()
        return render(request, "roster.html", summary=summary, errors=[], changes=changes, token=token,
                      binding=_binding(request, viewer, token), new_summary=new.summary())


async def _read(path: Path) -> Roster:
    try:
        return await asyncio.to_thread(read_roster, path)
    except RosterError:
        raise
    except Exception as exc:  # not a workbook at all (openpyxl's many error types)
        raise RosterError([_("The file is not an .xlsx workbook ({error}).").format(error=type(exc).__name__)]) \
            from None


async def _again(request: web.Request, errors: list[str], status: int = 400) -> web.Response:
    """The roster page with the upload form: the stored roster's summary and these errors."""
    async with console_of(request).bot.db.session() as session:
        summary = (await roster_changes.current(session)).summary()
    return render(request, "roster.html", status=status, summary=summary, errors=errors, changes=None, token=None,
                  binding=None)


@_ROSTER_EDITORS
async def roster_apply(request: web.Request) -> web.Response:
    viewer = viewer_of(request)
    console = console_of(request)
    form = await request.post()
    token, binding = str(form.get("token") or ""), str(form.get("binding") or "")
    path = _pending(request, token) if token.isalnum() else None
    with using(lang_of(request)):
        if path is None or not secrets.compare_digest(binding, _binding(request, viewer, token)) or not path.is_file():
            return await _again(request, [_("That preview has expired; upload the file again.")])
        try:
            new = await _read(path)
        except RosterError as exc:
            return await _again(request, exc.problems)
        async with console.bot.db.transaction() as session:
            changes = await roster_changes.apply(session, new)
        shutil.rmtree(path.parent, ignore_errors=True)
        log.info("console: %s applied a roster (%d added, %d changed, %d deactivated)", viewer.signed.im_user,
                 len(changes.added), len(changes.changed), len(changes.deactivated))
        message = _("Roster applied: {added} added, {changed} changed, {deactivated} deactivated.").format(
            added=len(changes.added), changed=len(changes.changed), deactivated=len(changes.deactivated))
        return await flash_and_go(request, message, "/console/roster")


def add_routes(app: web.Application) -> None:
    app.router.add_get("/roster", roster_page)
    app.router.add_get("/roster.xlsx", roster_download)
    app.router.add_post("/roster/preview", roster_preview)
    app.router.add_post("/roster/apply", roster_apply)
