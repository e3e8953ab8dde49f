"""Photos on tickets: a picture someone sends is fetched from its channel, checked and cleaned
(bot.domain.photos), kept in the media store, and joined to the ticket it belongs to by the
pairing rule:

* a picture, then words that file (or join) a report within `PAIR_WINDOW`, from the same person in
  the same chat: the picture is the report's (the handler's and cadres' notices carry it);
* words that filed a report, then a picture within the window: the picture joins that ticket;
* `补充 <no>`, then a picture (or a picture, then `补充 <no>`): added to the ticket;
* a handler's picture shortly before or after `办结 <no>`: the evidence of the work, sent to the
  reporters with (or after) the 办结 notice;
* anything else is a picture on no ticket: in a group without an @ it is talk (no answer),
  privately or with an @ the bot asks what is wrong. Pictures on no ticket are purged after a day.

Pictures go only to people privately, never into a group: a photo is a resident's own words.
Fetching happens before the message's transaction (`PhotoDesk.take`), so no network wait holds a
database write lock; the rest runs inside the message's unit of work."""

from __future__ import annotations

import asyncio
import base64
import binascii
import logging
import os
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.config import Settings
from bot.domain.photos import AWAITING_PHOTO, PAIR_WINDOW, PhotoRefused, PhotoRole, Prepared, Refusal, prepare
from bot.domain.tickets import Action
from bot.events import InboundMessage, MediaRef, MessageKind
from bot.services.work import Work
from bot.transport.base import MediaError
from storage import photo_store
from storage.media_store import MediaStore, MediaStoreError
from storage.models import Photo, Ticket

log = logging.getLogger(__name__)

UNATTACHED_KEEP = timedelta(days=1)  # a picture whose words never came
OUTBOUND_COPY_DAYS = 3  # the copies notices carry (files_dir/photo-*.jpg) outlive their delivery retries

Fetch = Callable[[MediaRef, int], Awaitable[bytes]]  # (reference, byte cap) → bytes, or MediaError


class Problem(StrEnum):
    """Why a picture was not kept (the sender is told, privately or when they spoke to the bot)."""

    expired = "expired"
    too_large = "too_large"
    not_image = "not_image"
    unavailable = "unavailable"


@dataclass(frozen=True)
class Taken:
    """What became of a message's picture before its transaction: kept (`prepared`), or `problem`."""

    prepared: Prepared | None = None
    problem: Problem | None = None


@dataclass(frozen=True)
class Placed:
    """Where a picture went: its ticket and role."""

    ticket: Ticket
    role: PhotoRole


def read_file(ref: MediaRef, cap: int) -> Awaitable[bytes]:
    """A "file" reference (replay, the demo's upload): a path on this machine."""

    def read() -> bytes:
        path = Path(ref.ref)
        try:
            if path.stat().st_size > cap:
                raise MediaError("too_large", f"{path.name}: over {cap} bytes")
            return path.read_bytes()
        except FileNotFoundError:
            raise MediaError("expired", f"{path.name} is gone") from None
        except OSError as exc:
            raise MediaError("unavailable", exc.strerror or str(exc)) from None

    return asyncio.to_thread(read)


async def read_data(ref: MediaRef, cap: int) -> bytes:
    """A "data" reference: the picture itself, base64 (the bridge's `data_base64`)."""
    if len(ref.ref) > cap * 4 // 3 + 4:
        raise MediaError("too_large", f"over {cap} bytes")
    try:
        return base64.b64decode(ref.ref, validate=True)
    except (binascii.Error, ValueError):
        raise MediaError("not_image", "data_base64 is not base64") from None


class PhotoDesk:
    """The photo use-cases, with the media store and the channels that can fetch pictures."""

    def __init__(self, settings: Settings, store: MediaStore, channels: Mapping[str, Any] | None = None) -> None:
        """`channels`: the transports by platform (filled in as they start); one with a
        `fetch_media(ref, cap)` method fetches its own pictures."""
        self.settings, self.store = settings, store
        self.channels: Mapping[str, Any] = channels if channels is not None else {}
        self.fetchers: dict[str, Fetch] = {"file": read_file, "data": read_data}

    def fetcher(self, source: str) -> Fetch | None:
        return self.fetchers.get(source) or getattr(self.channels.get(source), "fetch_media", None)

    # ------------------------------------------------------------ before the transaction

    async def take(self, message: InboundMessage) -> Taken | None:
        """Fetch, check, clean and store the message's picture; None when it carries none (or
        its channel cannot fetch it: the old answer, words please, stands)."""
        ref = message.media
        if ref is None or message.kind not in (MessageKind.image, MessageKind.file, MessageKind.text):
            return None
        fetch = self.fetcher(ref.source)
        if fetch is None:
            log.info("no channel fetches %s media (message %s)", ref.source, message.msg_id)
            return None
        media = self.settings.media
        try:
            data = await fetch(ref, media.max_bytes)
            prepared = await asyncio.to_thread(prepare, data, max_bytes=media.max_bytes,
                                               max_pixels=media.max_pixels)
        except MediaError as exc:
            log.info("picture of %s/%s not fetched: %s", message.platform, message.msg_id, exc)
            return Taken(problem=Problem(exc.reason) if exc.reason in Problem.__members__ else Problem.unavailable)
        except PhotoRefused as exc:
            log.info("picture of %s/%s refused: %s", message.platform, message.msg_id, exc)
            return Taken(problem=Problem.not_image if exc.reason == Refusal.not_image else Problem.too_large)
        try:
            await self.store.put(prepared.key, prepared.display, "image/jpeg")
            await self.store.put(prepared.thumb_key, prepared.thumb, "image/jpeg")
        except MediaStoreError:
            log.exception("media store refused a picture (message %s)", message.msg_id)
            return Taken(problem=Problem.unavailable)
        return Taken(prepared=prepared)

    # ------------------------------------------------------------ inside the message's unit of work

    async def keep(self, work: Work, message: InboundMessage, prepared: Prepared) -> Photo:
        """The picture's row, on no ticket yet (the handlers place it)."""
        return await photo_store.add(work.session, Photo(
            inbound_id=work.inbound_id, platform=message.platform, user_id=message.user_id,
            chat_id=message.chat_id, key=prepared.key, thumb_key=prepared.thumb_key, width=prepared.width,
            height=prepared.height, size_bytes=len(prepared.display), sha256=prepared.sha256,
            created_at=work.now))

    def required(self, category: str) -> bool:
        """`[tickets] resolve_photo_required`: 办结 of this category needs a photo of the work."""
        return category in self.settings.tickets.resolve_photo_required

    async def waiting(self, work: Work, *, platform: str, user_id: str, chat_id: str | None) -> list[Photo]:
        """The person's pictures in this chat from the last `PAIR_WINDOW` that are on no ticket."""
        return list(await photo_store.waiting(work.session, platform=platform, user_id=user_id, chat_id=chat_id,
                                              since=work.now - PAIR_WINDOW))

    async def attach(self, work: Work, photos: Sequence[Photo], ticket: Ticket, role: PhotoRole) -> None:
        assert ticket.id is not None
        for photo in photos:
            photo.ticket_id, photo.role, photo.attached_at = ticket.id, role, work.now
            work.session.add(photo)
        if photos:
            await work.session.flush()

    async def files(self, photos: Sequence[Photo]) -> tuple[str, ...]:
        """Paths of copies of the pictures that notices can carry (files_dir/photo-<hash>.jpg: every
        channel reads its attachments from there), made from the store when missing. A picture the
        store no longer has is left out (logged): the notice still goes."""
        out: list[str] = []
        for photo in photos:
            path = self.settings.files_dir / f"photo-{photo.sha256[:24]}.jpg"
            if not await asyncio.to_thread(path.exists):
                try:
                    data = await self.store.get(photo.key)
                except (FileNotFoundError, MediaStoreError) as exc:
                    log.warning("photo %s not attached: %s", photo.id, exc)
                    continue
                await asyncio.to_thread(_write, path, data)
            out.append(str(path.resolve()))
        return tuple(dict.fromkeys(out))

    async def place(self, work: Work, photo: Photo) -> Placed | None:
        """A picture that came after its words: the ticket the sender just acted on (办结 → the
        evidence, 补充 → a supplement, a report → the report's), the latest within the window;
        None when there is none (the picture waits for words)."""
        since = work.now - PAIR_WINDOW
        found: list[tuple[datetime, Ticket, PhotoRole]] = []
        action = await photo_store.last_action(work.session, user_id=photo.user_id,
                                               actions=(Action.resolve, AWAITING_PHOTO), since=since)
        if action is not None:
            event, ticket = action
            found.append((event.at, ticket, PhotoRole.evidence if event.action == Action.resolve
                          else PhotoRole.supplement))
        report = await photo_store.last_report(work.session, platform=photo.platform, user_id=photo.user_id,
                                               chat_id=photo.chat_id, since=since)
        if report is not None:
            found.append((report[0], report[1], PhotoRole.report))
        if not found:
            return None
        _at, ticket, role = max(found, key=lambda f: f[0])
        await self.attach(work, [photo], ticket, role)
        return Placed(ticket, role)

    async def of_ticket(self, work: Work, ticket: Ticket, roles: Sequence[PhotoRole] | None = None) -> list[Photo]:
        assert ticket.id is not None
        return list(await photo_store.of_ticket(work.session, ticket.id, roles))

    # ------------------------------------------------------------ retention

    async def expire(self, work: Work) -> list[str]:
        """The retention rule, in the job's transaction: forget the photos kept past `[media]
        keep_days` after their ticket closed, and pictures on no ticket after a day; never a photo
        of a ticket not closed. Returns the store keys no remaining row keeps (the same picture
        may be on two rows), for `drop` once the transaction is committed."""
        keys: list[str] = []
        while True:
            batch = await photo_store.expired(
                work.session, closed_before=work.now - timedelta(days=self.settings.media.keep_days),
                unattached_before=work.now - UNATTACHED_KEEP)
            if not batch:
                return keys
            ids = {p.id for p in batch if p.id is not None}
            for key, thumb in sorted({(p.key, p.thumb_key) for p in batch}):
                if not await photo_store.key_still_used(work.session, key, besides=ids):
                    keys += [key, thumb]
            await photo_store.delete(work.session, batch)

    async def forget(self, work: Work, inbound_id: int) -> int:
        """A message taken back (撤回): its picture goes with its words, from the ticket and from the
        store (unless another message brought the same picture). How many photos went."""
        photos = list(await photo_store.of_inbound(work.session, inbound_id))
        ids = {p.id for p in photos if p.id is not None}
        for photo in photos:
            if not await photo_store.key_still_used(work.session, photo.key, besides=ids):
                await self.store.delete(photo.key)
                await self.store.delete(photo.thumb_key)
        await photo_store.delete(work.session, photos)
        return len(photos)

    async def drop(self, keys: Sequence[str]) -> None:
        """Remove the pictures `expire` let go from the store, and old outbound copies."""
        for key in keys:
            await self.store.delete(key)
        await asyncio.to_thread(_drop_old_copies, self.settings.files_dir, OUTBOUND_COPY_DAYS)

    async def listing(self, session: AsyncSession, ticket_id: int) -> list[Photo]:
        """A ticket's photos, oldest first (the console shows them to those who may act on it)."""
        return list(await photo_store.of_ticket(session, ticket_id))

    async def kept(self, session: AsyncSession) -> int:
        """How many photos are kept (on tickets or waiting for words)."""
        return (await photo_store.count_all(session))[0]

    async def health(self, session: AsyncSession) -> dict[str, Any]:
        """For /healthz: {"store" (local | s3), "ok", "where", "error"?, "photos", "waiting_for_words",
        "keep_days"}: where pictures are kept, whether the store answers, how many it keeps."""
        state = await self.store.check()
        total, loose = await photo_store.count_all(session)
        return {**state, "photos": total, "waiting_for_words": loose, "keep_days": self.settings.media.keep_days}


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".part")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _drop_old_copies(folder: Path, days: int) -> None:
    """The outbound copies older than `days` (by the file's own time: they are written now)."""
    if not folder.is_dir():
        return
    cutoff = time.time() - days * 86400
    for path in folder.glob("photo-*.jpg"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
        except FileNotFoundError:
            continue
