"""Cookies, signatures and CSRF tokens of the web console (the wire side of bot.services.console_auth).

Cookies are `token.signature` (HMAC-SHA256 with the console key), HttpOnly, SameSite=Lax (the WeCom
login comes back by a cross-site redirect), Secure when the request came over HTTPS (or always /
never, by config), and scoped to /console. A form's CSRF token is an HMAC of the session token (or,
before login, of a random pre-session cookie), so it needs no storage and cannot be forged without
the key."""

from __future__ import annotations

import hmac
import ipaddress
import secrets
from hashlib import sha256

from aiohttp import web

SESSION_COOKIE = "gridbot_console"
PRE_COOKIE = "gridbot_pre"  # before login: binds the login form's CSRF token and the WeCom state
LANG_COOKIE = "gridbot_lang"
COOKIE_PATH = "/console"


class Signer:
    def __init__(self, key: str) -> None:
        self._key = key.encode()

    def mac(self, purpose: str, value: str) -> str:
        return hmac.new(self._key, f"{purpose}:{value}".encode(), sha256).hexdigest()

    def sign(self, value: str) -> str:
        return f"{value}.{self.mac('cookie', value)}"

    def unsign(self, signed: str | None) -> str | None:
        """The value of a signed cookie, or None when missing or tampered with."""
        if not signed or "." not in signed:
            return None
        value, _sep, mac = signed.rpartition(".")
        return value if value and hmac.compare_digest(mac, self.mac("cookie", value)) else None

    def csrf(self, bound_to: str) -> str:
        return self.mac("csrf", bound_to)

    def check_csrf(self, bound_to: str | None, given: str | None) -> bool:
        return bool(bound_to and given) and hmac.compare_digest(self.csrf(bound_to or ""), given or "")


def is_https(request: web.Request, policy: str) -> bool:
    if policy != "auto":
        return policy == "always"
    forwarded = request.headers.get("X-Forwarded-Proto", "").split(",")[0].strip().lower()
    return request.scheme == "https" or forwarded == "https"


def set_cookie(response: web.StreamResponse, request: web.Request, policy: str, name: str, value: str,
               *, max_age: int | None = None) -> None:
    response.set_cookie(name, value, path=COOKIE_PATH, httponly=True, samesite="Lax",
                        secure=is_https(request, policy), max_age=max_age)


def drop_cookie(response: web.StreamResponse, name: str) -> None:
    response.del_cookie(name, path=COOKIE_PATH)


def new_pre_token() -> str:
    return secrets.token_urlsafe(24)


def client_address(request: web.Request) -> str:
    """The browser's address for login limits: the peer, or the last X-Forwarded-For hop when the
    peer is a proxy on this machine (a forwarded header from anyone else is not trusted)."""
    peer = request.remote or ""
    try:
        local = ipaddress.ip_address(peer).is_loopback
    except ValueError:
        local = False
    if local:
        hops = [h.strip() for h in request.headers.get("X-Forwarded-For", "").split(",") if h.strip()]
        if hops:
            return hops[-1]
    return peer


SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
                                "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"),
}
