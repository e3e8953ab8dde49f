"""An asyncio client for the WeCom and 公众号 REST APIs (wechatpy's client is synchronous).

* access_token cached per app, refreshed a margin before expiry, one refresh at a time
  (single-flight: concurrent senders wait for the same fetch);
* bounded retries: 42001/40014 (and 40001 for 公众号) drop the token and refresh it once,
  45009 and -1 back off, HTTP 5xx and network errors back off; after the budget a retryable
  `TransportError` leaves the message in the outbox for a later attempt;
* any other errcode is a permanent `TransportError` (bad recipient, IP not trusted, ...);
* a timeout on every call, token fetches included;
* 45033 (over a per-member limit) raises `RateLimited`: no retry in the call, the outbox waits;
* `RateLimiter`: per-destination sliding windows (30/min per member for app messages, 20/min per
  webhook robot) with slots reserved for urgent messages, on an injectable clock; it never sleeps;
* `upload_media`: temporary media (`media/upload`, multipart) for image and file messages, through
  the same retries; the media_id is kept (by content) for a day so a retried message re-uses it;
* `get_media`: a picture a member or follower sent (`media/get` by MediaId), read up to a byte cap;
  40007 (invalid media_id: temporary media lives 3 days) is `MediaError("expired")`.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import logging
import mimetypes
import time
from collections import OrderedDict, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import aiohttp

from bot.transport.base import MediaError, RateLimited, TransportError

log = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]
Monotonic = Callable[[], float]

TOKEN_EXPIRED = {42001, 40014}
MP_TOKEN_EXPIRED = {42001, 40014, 40001}
BUSY = {45009, -1}
# Over a per-member limit (message/send: 30 a minute to one member): retrying now cannot help, and
# the call must not hold a sender: the message waits for the destination's next slot.
RATE_LIMITED = {45033}
RATE_LIMIT_PAUSE = 10.0  # seconds, when the platform does not say how long

MEDIA_PATH = "/cgi-bin/media/upload"
MEDIA_GET_PATH = "/cgi-bin/media/get"
MEDIA_EXPIRED = {40007}  # invalid media_id: it expired (3 days) or never was
# WeCom's limits for temporary media (公众号 alike): images up to 10 MB, files up to 20 MB, and
# nothing under 5 bytes (WeCom refuses it: refused here before the call).
MEDIA_LIMITS = {"image": 10 * 1024 * 1024, "file": 20 * 1024 * 1024}
MEDIA_MIN = 5
MEDIA_REUSE = 24 * 3600.0  # temporary media lives 3 days; re-use a media_id for one
MEDIA_CACHE_SIZE = 256
UPLOAD_RATE = 256 * 1024  # bytes/s we at least expect on an upload: the timeout grows with the file


class WeComApiError(TransportError):
    def __init__(self, message: str, *, errcode: int | None = None, retryable: bool = True) -> None:
        super().__init__(message, retryable=retryable)
        self.errcode = errcode


class RateLimiter:
    """At most `limit` events per `period` seconds per key (sliding window), of which the last
    `reserve` only for urgent messages: a flood of normal notices to one member leaves room for a
    P0 notice to that member at once.

    It never waits: with no free slot `acquire` raises `RateLimited` saying when one frees, and the
    outbox puts the message back until then and serves other destinations meanwhile."""

    def __init__(self, limit: int, period: float, *, reserve: int = 0, monotonic: Monotonic = time.monotonic) -> None:
        self.limit, self.period, self.reserve, self.monotonic = limit, period, min(reserve, limit - 1), monotonic
        self._events: dict[str, deque[float]] = {}

    def wait_time(self, key: str, *, urgent: bool = False) -> float:
        """Seconds until a slot frees for `key` (0: one is free now)."""
        now = self.monotonic()
        events = self._events.get(key)
        if events is None:
            return 0.0
        while events and events[0] <= now - self.period:
            events.popleft()
        if not events:
            del self._events[key]
            return 0.0
        allowed = self.limit if urgent else self.limit - self.reserve
        if len(events) < allowed:
            return 0.0
        return events[len(events) - allowed] + self.period - now

    def acquire(self, key: str, *, urgent: bool = False) -> None:
        """Take a slot now, or raise RateLimited."""
        wait = self.wait_time(key, urgent=urgent)
        if wait > 0:
            raise RateLimited(f"rate limit for {key}: next slot in {wait:.0f} s", retry_after=wait)
        self._events.setdefault(key, deque()).append(self.monotonic())

    def saturate(self, key: str) -> float:
        """The platform refused `key` for its rate (another process, or its window differs from
        ours): count its window as full from now. Seconds until a slot frees."""
        events = self._events.setdefault(key, deque())
        now = self.monotonic()
        while len(events) < self.limit:
            events.append(now)
        return self.wait_time(key, urgent=True)



async def read_capped(resp: aiohttp.ClientResponse, max_bytes: int) -> bytes:
    """A response's body, never holding more than `max_bytes` (a declared length over the cap is
    refused before reading). MediaError "too_large" past the cap."""
    if resp.content_length is not None and resp.content_length > max_bytes:
        raise MediaError("too_large", f"{resp.content_length} bytes, limit {max_bytes}")
    body = bytearray()
    async for chunk in resp.content.iter_chunked(64 * 1024):
        body += chunk
        if len(body) > max_bytes:
            raise MediaError("too_large", f"over {max_bytes} bytes")
    return bytes(body)

@dataclass(frozen=True)
class TokenSource:
    """How an app gets its access_token: WeCom `gettoken` (GET, query) or 公众号 `stable_token`
    (POST, JSON body)."""

    path: str
    params: dict[str, str]
    expired_codes: frozenset[int]
    body: dict[str, Any] | None = None

    @classmethod
    def wecom(cls, corp_id: str, secret: str) -> TokenSource:
        return cls("/cgi-bin/gettoken", {"corpid": corp_id, "corpsecret": secret}, frozenset(TOKEN_EXPIRED))

    @classmethod
    def mp(cls, app_id: str, secret: str) -> TokenSource:
        """`stable_token` without force_refresh: unlike `/cgi-bin/token`, fetching one does not
        invalidate the token every other system using the same AppID holds (and theirs does not
        invalidate ours)."""
        return cls("/cgi-bin/stable_token", {}, frozenset(MP_TOKEN_EXPIRED),
                   {"grant_type": "client_credential", "appid": app_id, "secret": secret, "force_refresh": False})


class HttpClient:
    """One aiohttp session, opened lazily inside the running loop, with a default timeout."""

    def __init__(self, timeout: float = 10.0) -> None:
        self.timeout = aiohttp.ClientTimeout(total=timeout, sock_connect=min(timeout, 5.0))
        self._session: aiohttp.ClientSession | None = None

    @property
    def session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self.timeout)
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()


class WeComApi:
    """One app's API: `await api.post("/cgi-bin/message/send", {...})` → the JSON answer (errcode 0)."""

    REFRESH_MARGIN = 300.0  # refresh this long before WeChat says the token expires

    def __init__(
        self,
        base_url: str,
        tokens: TokenSource | None,
        *,
        http: HttpClient | None = None,
        max_attempts: int = 4,
        backoff: float = 1.0,
        monotonic: Monotonic = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.tokens, self.http = tokens, http or HttpClient()
        self.max_attempts, self.backoff = max_attempts, backoff
        self.monotonic, self.sleep = monotonic, sleep
        self._token: str | None = None
        self._expires_at = 0.0
        self._refresh: asyncio.Lock | None = None
        self.token_fetches = 0
        self._media: OrderedDict[tuple[str, str, str], tuple[str, float]] = OrderedDict()

    # ---------------------------------------------------------------- access_token

    async def access_token(self, *, stale: str | None = None) -> str:
        """The cached token; fetched when missing, near expiry, or equal to `stale` (rejected)."""
        if self._valid(stale):
            assert self._token is not None
            return self._token
        if self._refresh is None:
            self._refresh = asyncio.Lock()
        async with self._refresh:  # single flight: later callers find the fresh token
            if self._valid(stale):
                assert self._token is not None
                return self._token
            return await self._fetch_token()

    def _valid(self, stale: str | None) -> bool:
        return self._token is not None and self._token != stale and self.monotonic() < self._expires_at

    async def _fetch_token(self) -> str:
        assert self.tokens is not None
        last: Exception | None = None
        for attempt in range(self.max_attempts):
            if attempt:
                await self.sleep(self._delay(attempt))
            self.token_fetches += 1
            try:
                if self.tokens.body is not None:
                    data = await self._request("POST", self.tokens.path, json=self.tokens.body)
                else:
                    data = await self._request("GET", self.tokens.path, params=self.tokens.params)
            except _Retry as exc:
                last = exc
                continue
            code = int(data.get("errcode", 0) or 0)
            if code in BUSY:
                last = WeComApiError(f"gettoken busy: {data.get('errmsg')}", errcode=code)
                continue
            if code or not data.get("access_token"):
                raise WeComApiError(f"gettoken failed: errcode {code} {data.get('errmsg', '')}".strip(),
                                    errcode=code, retryable=False)
            self._token = str(data["access_token"])
            expires_in = float(data.get("expires_in") or 7200)
            self._expires_at = self.monotonic() + max(expires_in - self.REFRESH_MARGIN, expires_in / 2)
            return self._token
        raise WeComApiError(f"gettoken failed after {self.max_attempts} attempts: {last}", retryable=True)

    # ---------------------------------------------------------------- calls

    async def post(self, path: str, payload: dict[str, Any], *, params: dict[str, str] | None = None,
                   with_token: bool = True, url: str | None = None) -> dict[str, Any]:
        """POST JSON with bounded retries; returns the answer when errcode is 0."""
        return await self._call(path, lambda: {"json": payload}, params=params, with_token=with_token, url=url)

    async def get(self, path: str, params: dict[str, str]) -> dict[str, Any]:
        """GET with the token and the same retries (look-ups such as `auth/getuserinfo`)."""
        return await self._call(path, dict, params=params, method="GET")

    async def upload_media(self, kind: str, filename: str, data: bytes, *, reuse: bool = True) -> str:
        """Upload temporary media (`type=image|file`) and return its media_id.

        Too large a file is refused before anything is sent (retrying cannot help). With `reuse`, the
        same bytes under the same name uploaded within `MEDIA_REUSE` give the same media_id without a
        new upload, so an outbox retry after a failed send does not upload again."""
        limit = MEDIA_LIMITS.get(kind)
        if limit is None:
            raise TransportError(f"media type {kind!r} is not supported", retryable=False)
        if len(data) < MEDIA_MIN:
            raise TransportError(f"{filename}: {len(data)} bytes; WeCom refuses files under {MEDIA_MIN} bytes",
                                 retryable=False)
        if len(data) > limit:
            raise TransportError(f"{filename}: {kind} of {len(data)} bytes is over the {limit // 2**20} MB "
                                 "WeCom accepts", retryable=False)
        key = (kind, filename, hashlib.sha256(data).hexdigest())
        cached = self._media.get(key)
        if reuse and cached is not None and self.monotonic() < cached[1]:
            return cached[0]
        timeout = aiohttp.ClientTimeout(total=(self.http.timeout.total or 10.0) + len(data) / UPLOAD_RATE,
                                        sock_connect=self.http.timeout.sock_connect)
        answer = await self._call(MEDIA_PATH, lambda: {"data": _media_form(filename, data)},
                                  params={"type": kind}, client_timeout=timeout)
        media_id = str(answer.get("media_id") or "")
        if not media_id:
            raise WeComApiError(f"{MEDIA_PATH}: answer without media_id", retryable=True)
        self._media[key] = (media_id, self.monotonic() + MEDIA_REUSE)
        self._media.move_to_end(key)
        while len(self._media) > MEDIA_CACHE_SIZE:
            self._media.popitem(last=False)
        return media_id

    async def get_media(self, media_id: str, max_bytes: int) -> tuple[bytes, str]:
        """The bytes and Content-Type of temporary media (`media/get`). MediaError "expired"
        (40007), "too_large" (over `max_bytes`, by Content-Length or while reading: never more is
        read), "unavailable" (other errors, or the retries spent). The token is refreshed like
        every call's; an error answer is JSON, a file answer is not."""
        refreshed, last, token = 0, "", None
        for attempt in range(self.max_attempts):
            if attempt and not (refreshed and last.startswith("token")):
                await self.sleep(self._delay(attempt))
            token = await self.access_token()
            try:
                answer = await self._download(media_id, token, max_bytes)
            except _Retry as exc:
                last = str(exc)
                continue
            if isinstance(answer, tuple):
                return answer
            code, errmsg = int(answer.get("errcode", 0) or 0), str(answer.get("errmsg", ""))
            if code in MEDIA_EXPIRED:
                raise MediaError("expired", f"errcode {code} {errmsg}")
            if self.tokens is not None and code in self.tokens.expired_codes and refreshed < 2:
                refreshed += 1
                await self.access_token(stale=token)
                last = f"token {code}"
                continue
            if code in BUSY:
                last = f"errcode {code} {errmsg}"
                continue
            raise MediaError("unavailable", f"{MEDIA_GET_PATH}: errcode {code} {errmsg}")
        raise MediaError("unavailable", f"{MEDIA_GET_PATH}: gave up after {self.max_attempts} attempts ({last})")

    async def _download(self, media_id: str, token: str, max_bytes: int) -> tuple[bytes, str] | dict[str, Any]:
        """One media/get: (bytes, content type), or the JSON error answer."""
        try:
            async with self.http.session.get(f"{self.base_url}{MEDIA_GET_PATH}",
                                             params={"access_token": token, "media_id": media_id}) as resp:
                if resp.status >= 500 or resp.status == 429:
                    raise _Retry(f"HTTP {resp.status}")
                if resp.status >= 400:
                    raise MediaError("unavailable", f"{MEDIA_GET_PATH}: HTTP {resp.status}")
                kind = resp.headers.get("Content-Type", "").split(";")[0].strip().lower()
                if kind in ("application/json", "text/plain"):
                    answer = await resp.json(content_type=None)
                    if not isinstance(answer, dict):
                        raise _Retry("answer is not a JSON object")
                    return answer
                return await read_capped(resp, max_bytes), kind
        except (TimeoutError, aiohttp.ClientError) as exc:
            raise _Retry(f"{type(exc).__name__}: {exc}".rstrip(": ")) from None
        except ValueError:
            raise _Retry("answer is not JSON") from None

    async def _call(self, path: str, body: Callable[[], dict[str, Any]], *, params: dict[str, str] | None = None,
                    with_token: bool = True, url: str | None = None,
                    client_timeout: aiohttp.ClientTimeout | None = None, method: str = "POST") -> dict[str, Any]:
        """One API call with the token and retry rules; `body` makes the request body afresh for
        every attempt (a multipart form can be sent only once)."""
        last: str = ""
        refreshed = 0
        token: str | None = None
        for attempt in range(self.max_attempts):
            if attempt and not (refreshed and last.startswith("token")):
                await self.sleep(self._delay(attempt))
            query = dict(params or {})
            if with_token:
                token = await self.access_token()
                query["access_token"] = token
            try:
                data = await self._request(method, path, params=query, url=url, client_timeout=client_timeout, **body())
            except _Retry as exc:
                last = str(exc)
                continue
            code = int(data.get("errcode", 0) or 0)
            if code == 0:
                return data
            errmsg = str(data.get("errmsg", ""))
            if with_token and self.tokens is not None and code in self.tokens.expired_codes:
                if refreshed >= 2:
                    raise WeComApiError(f"access_token rejected again after refresh: {code} {errmsg}",
                                        errcode=code, retryable=True)
                refreshed += 1
                log.info("access_token rejected (%s); refreshing", code)
                await self.access_token(stale=token)
                last = f"token {code}"
                continue
            if code in BUSY:
                last = f"errcode {code} {errmsg}"
                continue
            if code in RATE_LIMITED:
                raise RateLimited(f"{path}: errcode {code} {errmsg}", retry_after=RATE_LIMIT_PAUSE)
            raise WeComApiError(f"{path}: errcode {code} {errmsg}", errcode=code, retryable=False)
        raise WeComApiError(f"{path}: gave up after {self.max_attempts} attempts ({last})", retryable=True)

    def _delay(self, attempt: int) -> float:
        return min(self.backoff * 2 ** (attempt - 1), 30.0)

    async def _request(self, method: str, path: str, *, params: dict[str, str] | None = None,
                       json: dict[str, Any] | None = None, data: Any = None, url: str | None = None,
                       client_timeout: aiohttp.ClientTimeout | None = None) -> dict[str, Any]:
        target = url or f"{self.base_url}{path}"
        extra: dict[str, Any] = {"timeout": client_timeout} if client_timeout is not None else {}
        try:
            async with self.http.session.request(method, target, params=params, json=json, data=data,
                                                 **extra) as resp:
                if resp.status >= 500 or resp.status == 429:
                    raise _Retry(f"HTTP {resp.status}")
                if resp.status >= 400:
                    raise WeComApiError(f"{path}: HTTP {resp.status}", retryable=False)
                answer = await resp.json(content_type=None)
        except (TimeoutError, aiohttp.ClientError) as exc:
            raise _Retry(f"{type(exc).__name__}: {exc}".rstrip(": ")) from None
        except ValueError:
            raise _Retry("answer is not JSON") from None
        if not isinstance(answer, dict):
            raise _Retry("answer is not a JSON object")
        return answer


def _media_form(filename: str, data: bytes) -> aiohttp.MultipartWriter:
    """The multipart body WeCom and 公众号 expect: one part `media` with filename and filelength."""
    name = "".join(ch for ch in filename if ch.isprintable()) or "file"  # no header injection
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    form = aiohttp.MultipartWriter("form-data")
    part = form.append(io.BytesIO(data), {"Content-Type": content_type})  # bytes would warn over 1 MB
    # Unquoted 8-bit filename: WeCom shows the name as given (percent-encoding would show as such).
    part.set_content_disposition("form-data", quote_fields=False, name="media", filename=name,
                                 filelength=str(len(data)))
    return form


class _Retry(Exception):
    """A transient failure (network, timeout, 5xx): back off and try again."""
