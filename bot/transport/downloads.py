"""Fetching a picture from a URL a channel gave us (a smart robot's, a bridge's `media.url`): GET
with the client's timeout, never reading more than a byte cap, and the smart robot's decryption
(AES-256-CBC under the message's own aeskey, IV its first 16 bytes, PKCS#7 padding to 32 bytes,
as Tencent's aibot SDKs decrypt). Failures are `MediaError`s saying what the sender is told."""

from __future__ import annotations

import base64
import binascii

import aiohttp
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from bot.transport.base import MediaError
from bot.transport.wecom_api import HttpClient, read_capped

PAD_BLOCK = 32  # WeCom pads to 32 bytes, not AES's 16


async def download(http: HttpClient, url: str, max_bytes: int) -> bytes:
    """The body at `url` (http or https only). MediaError "expired" for 403/404/410 (a robot's
    picture URL lives about 5 minutes), "too_large" past `max_bytes`, "unavailable" otherwise."""
    if not url.lower().startswith(("http://", "https://")):
        raise MediaError("not_image", "not an http(s) URL")
    try:
        async with http.session.get(url, allow_redirects=True, max_redirects=3) as resp:
            if resp.status in (403, 404, 410):
                raise MediaError("expired", f"HTTP {resp.status}")
            if resp.status >= 400:
                raise MediaError("unavailable", f"HTTP {resp.status}")
            return await read_capped(resp, max_bytes)
    except (TimeoutError, aiohttp.ClientError) as exc:
        raise MediaError("unavailable", type(exc).__name__) from None


def aes_key(aeskey: str) -> bytes:
    """A message's aeskey (base64 of 32 bytes, its trailing "=" often left off) as the key."""
    try:
        key = base64.b64decode(aeskey + "=" * (-len(aeskey) % 4), validate=True)
    except (binascii.Error, ValueError):
        raise MediaError("not_image", "aeskey is not base64") from None
    if len(key) != 32:
        raise MediaError("not_image", f"aeskey is {len(key)} bytes, not 32")
    return key


def decrypt_media(data: bytes, key: bytes) -> bytes:
    """A smart robot's encrypted picture: AES-256-CBC, IV = key[:16], PKCS#7 padding to 32."""
    if not data or len(data) % 16:
        raise MediaError("not_image", "encrypted picture is not whole AES blocks")
    decryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).decryptor()
    plain = decryptor.update(data) + decryptor.finalize()
    pad = plain[-1]
    if not 1 <= pad <= PAD_BLOCK or plain[-pad:] != bytes([pad]) * pad:
        raise MediaError("not_image", "bad padding (wrong aeskey?)")
    return plain[:-pad]


async def fetch_robot_picture(http: HttpClient, url: str, aeskey: str | None, fallback: bytes | None,
                              max_bytes: int) -> bytes:
    """Download and decrypt a smart robot's picture: with the message's aeskey (long connection), or
    the robot's EncodingAESKey (`fallback`, callback mode)."""
    key = aes_key(aeskey) if aeskey else fallback
    if key is None:
        raise MediaError("unavailable", "no aeskey for the picture")
    return decrypt_media(await download(http, url, max_bytes + PAD_BLOCK), key)
