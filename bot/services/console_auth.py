"""Signing in to the web console: local passwords (argon2), refused-login limits, and sessions.

A session is a random token; the browser keeps it (signed, in a cookie) and the database keeps only
its SHA-256, its owner and its clock: it ends at logout, `session_hours` after login, or after
`idle_minutes` without a request. Only active roster people may sign in, whatever the method, and
the roster is read again on every request, so someone removed from the roster is out at once."""

from __future__ import annotations

import asyncio
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.config import ConsoleConfig
from bot.i18n import _
from storage import console_store
from storage.models import ConsoleSession
from storage.roster_store import Member, find_member

MIN_PASSWORD = 10
ADDRESS_FACTOR = 4  # one address (an office NAT) may fail this many times more than one account
TOUCH_EVERY = timedelta(minutes=1)  # last_seen is written at most this often


@dataclass(frozen=True)
class Limits:
    attempts: int
    window: timedelta
    session_age: timedelta
    idle: timedelta
    hasher: PasswordHasher

    @classmethod
    def of(cls, config: ConsoleConfig) -> Limits:
        return cls(config.login_attempts, timedelta(minutes=config.login_window_minutes),
                   timedelta(hours=config.session_hours), timedelta(minutes=config.idle_minutes),
                   hasher_for(config))


@dataclass(frozen=True)
class LoginResult:
    """A token for the cookie, or the refusal to show (and, when rate-limited, seconds to wait)."""

    token: str | None = None
    refusal: str | None = None
    retry_after: int = 0


def hasher_for(config: ConsoleConfig) -> PasswordHasher:
    """argon2id with the configured cost (default: RFC 9106's low-memory profile, t=3, 64 MiB)."""
    return _hasher(config.argon2_time_cost, config.argon2_memory_kib)


@cache
def _hasher(time_cost: int, memory_kib: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=4)


@cache
def _dummy_hash(hasher: PasswordHasher) -> str:
    return hasher.hash(secrets.token_hex(16))


def password_problem(password: str) -> str | None:
    """Why a new password is refused, or None."""
    if len(password) < MIN_PASSWORD:
        return _("A password needs at least {n} characters.").format(n=MIN_PASSWORD)
    if password.strip() != password or not password.isprintable():
        return _("A password cannot start or end with spaces or hold control characters.")
    return None


async def hash_password(hasher: PasswordHasher, password: str) -> str:
    """argon2id hash, computed off the event loop (slow by design)."""
    return await asyncio.to_thread(hasher.hash, password)


async def _verify(hasher: PasswordHasher, stored: str | None, password: str) -> bool:
    def check() -> bool:
        try:
            # An unknown account is checked against a dummy hash: the answer takes as long.
            return hasher.verify(stored or _dummy_hash(hasher), password) and stored is not None
        except (VerificationError, InvalidHashError):
            return False

    return await asyncio.to_thread(check)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def set_password(session: AsyncSession, im_user: str, password: str, now: datetime,
                       hasher: PasswordHasher) -> bool:
    """Create or reset a local account for a roster person; signs them out everywhere. True when
    created. Raises ValueError (a sentence) for someone not in the roster or a weak password."""
    if await find_member(session, im_user) is None:
        raise ValueError(_("{user} is not an active person in the roster.").format(user=im_user))
    problem = password_problem(password)
    if problem:
        raise ValueError(problem)
    created = await console_store.set_password(session, im_user, await hash_password(hasher, password), now)
    await console_store.end_sessions_of(session, im_user)
    return created


async def password_login(
    session: AsyncSession, im_user: str, password: str, *, address: str, now: datetime, limits: Limits,
) -> LoginResult:
    """Check a password login against the limits, then the account and the roster. Refusals say
    the same thing whether the account, the person or the password was wrong."""
    keys = (f"user:{im_user}"[:160], f"ip:{address}"[:160])
    since = now - limits.window
    for key, allowed in zip(keys, (limits.attempts, limits.attempts * ADDRESS_FACTOR), strict=True):
        count, oldest = await console_store.failures_since(session, key, since)
        if count >= allowed:
            wait = int(((oldest or now) + limits.window - now).total_seconds()) + 1
            return LoginResult(refusal=_("Too many failed logins. Try again in {minutes} minutes.").format(
                minutes=max(1, -(-wait // 60))), retry_after=max(1, wait))
    account = await console_store.account(session, im_user) if im_user else None
    ok = await _verify(limits.hasher, account.password_hash if account else None, password)
    if ok and await find_member(session, im_user) is None:
        ok = False
    if not ok:
        await console_store.add_failures(session, keys, now)
        return LoginResult(refusal=_("Wrong user name or password."))
    await console_store.clear_failures(session, keys[0])
    return LoginResult(token=await start_session(session, im_user, "password", now=now, limits=limits))


async def start_session(session: AsyncSession, im_user: str, method: str, *, now: datetime, limits: Limits) -> str:
    token = secrets.token_urlsafe(32)
    await console_store.purge_expired(session, now, now - limits.window)
    await console_store.add_session(session, ConsoleSession(
        token_hash=token_hash(token), im_user=im_user, method=method, created_at=now, last_seen_at=now,
        expires_at=now + limits.session_age))
    return token


@dataclass(frozen=True)
class Signed:
    """A live session and the roster member behind it."""

    row: ConsoleSession
    member: Member
    im_user: str


async def resume(session: AsyncSession, token: str, *, now: datetime, limits: Limits) -> Signed | None:
    """The session for a cookie's token, or None (unknown, expired, idle too long, or its person no
    longer in the roster: those sessions are ended)."""
    row = await console_store.get_session(session, token_hash(token))
    if row is None:
        return None
    member = await find_member(session, row.im_user)
    if row.expires_at <= now or row.last_seen_at + limits.idle <= now or member is None:
        await console_store.end_session(session, row.token_hash)
        return None
    if now - row.last_seen_at >= TOUCH_EVERY:
        row.last_seen_at = now
        session.add(row)
    return Signed(row, member, row.im_user)


async def end(session: AsyncSession, token: str) -> None:
    await console_store.end_session(session, token_hash(token))


async def take_flash(session: AsyncSession, signed: Signed) -> str | None:
    text = signed.row.flash
    if text is not None:
        signed.row.flash = None
        session.add(signed.row)
    return text


async def set_flash(session: AsyncSession, signed: Signed, text: str) -> None:
    row = await console_store.get_session(session, signed.row.token_hash)
    if row is not None:
        row.flash = text
        session.add(row)


async def signing_key(session: AsyncSession, configured: str | None, now: datetime) -> str:
    return configured or await console_store.signing_key(session, secrets.token_urlsafe(48), now)
