"""WeChat/WeCom callback signatures and message encryption (企业微信 apps, 智能机器人, 公众号 safe mode).

AES-256-CBC with wechatpy's cipher; the rest is done here because of wechatpy's pitfalls (see
shared/docs/wecom.md §6.2): signatures are compared in constant time, timestamps must be fresh,
the PKCS#7 padding (to 32 bytes) is checked before it is stripped, the random prefix comes from
`secrets`, and the outer XML is never handed to a parser we do not control.

Plaintext layout: random(16) | msg_len (4, big-endian) | msg | receive_id. The receive id is the
corp id (WeCom app), the app id (公众号) or empty (智能机器人)."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
import string
import struct
import time
from collections.abc import Callable

from wechatpy.crypto.cryptography import WeChatCipher

from bot.transport.xml import render_xml

BLOCK = 32
MAX_SKEW = 300  # seconds a callback's timestamp may differ from our clock
_ALNUM = string.ascii_letters + string.digits


class CryptoError(ValueError):
    """A callback that must not be processed. `status` is the HTTP answer (403 or 400)."""

    status = 400


class SignatureError(CryptoError):
    status = 403


class StaleTimestamp(CryptoError):
    status = 403


def same_signature(expected: str, given: str | None) -> bool:
    """Constant-time comparison of hex signatures; as bytes, so a forged one in any script is a
    plain mismatch (str comparison raises on non-ASCII)."""
    return hmac.compare_digest(expected.encode(), (given or "").strip().lower().encode("utf-8"))


def sha1_signature(*parts: str) -> str:
    """The WeChat signature: sha1 of the sorted parts joined, as lowercase hex."""
    return hashlib.sha1("".join(sorted(parts)).encode("utf-8")).hexdigest()


def check_fresh(timestamp: str, now: float, max_skew: float | None) -> None:
    try:
        ts = int(timestamp)
    except (TypeError, ValueError):
        raise StaleTimestamp("timestamp is not a number") from None
    if max_skew is not None and abs(now - ts) > max_skew:
        raise StaleTimestamp(f"timestamp {ts} is {int(now - ts)} s away from now (limit {max_skew:g} s)")


def check_plain_signature(
    token: str, signature: str, timestamp: str, nonce: str, *, now: float, max_skew: float | None = MAX_SKEW
) -> None:
    """公众号 GET verification and plaintext-mode posts: sha1(sort(token, timestamp, nonce))."""
    if not same_signature(sha1_signature(token, timestamp, nonce), signature):
        raise SignatureError("signature does not match")
    check_fresh(timestamp, now, max_skew)


class WeComCrypto:
    def __init__(
        self,
        token: str,
        encoding_aes_key: str,
        receive_id: str,
        *,
        strict_receive_id: bool = True,
        max_skew: float | None = MAX_SKEW,
        now: Callable[[], float] = time.time,
    ) -> None:
        if len(encoding_aes_key) != 43:
            raise ValueError("EncodingAESKey must have 43 characters")
        self.key = base64.b64decode(encoding_aes_key + "=")
        assert len(self.key) == 32
        self._cipher = WeChatCipher(self.key)  # reusable: each call takes a fresh encryptor/decryptor
        self.token, self.receive_id = token, receive_id
        self.strict_receive_id, self.max_skew, self.now = strict_receive_id, max_skew, now

    # ---------------------------------------------------------------- signatures

    def signature(self, timestamp: str, nonce: str, encrypt: str) -> str:
        return sha1_signature(self.token, timestamp, nonce, encrypt)

    def verify(self, signature: str, timestamp: str, nonce: str, encrypt: str) -> None:
        """Raise SignatureError / StaleTimestamp unless the request is authentic and fresh."""
        if not signature or not timestamp or not nonce or not encrypt:
            raise SignatureError("msg_signature, timestamp, nonce and the ciphertext are required")
        expected = self.signature(timestamp, nonce, encrypt)
        if not same_signature(expected, signature):
            raise SignatureError("msg_signature does not match")
        check_fresh(timestamp, self.now(), self.max_skew)

    # ---------------------------------------------------------------- AES

    def decrypt(self, encrypt: str) -> str:
        try:
            data = base64.b64decode(encrypt, validate=True)
        except (binascii.Error, ValueError):
            raise CryptoError("ciphertext is not base64") from None
        if not data or len(data) % 16:
            raise CryptoError("ciphertext length is not a multiple of the AES block")
        plain = self._cipher.decrypt(data)
        pad = plain[-1]
        if not 1 <= pad <= BLOCK or plain[-pad:] != bytes([pad]) * pad:
            raise CryptoError("bad padding (wrong EncodingAESKey?)")
        content = plain[16:-pad]
        if len(content) < 4:
            raise CryptoError("decrypted message too short")
        (length,) = struct.unpack(">I", content[:4])
        if length > len(content) - 4:
            raise CryptoError("decrypted message length out of range")
        try:
            msg = content[4 : 4 + length].decode("utf-8")
            from_id = content[4 + length :].decode("utf-8")
        except UnicodeDecodeError:
            raise CryptoError("decrypted message is not UTF-8") from None
        if from_id != self.receive_id and (self.strict_receive_id or self.receive_id):
            raise CryptoError(f"receive id {from_id!r} is not ours")
        return msg

    def encrypt(self, plaintext: str) -> str:
        msg = plaintext.encode("utf-8")
        prefix = "".join(secrets.choice(_ALNUM) for _ in range(16)).encode()
        raw = prefix + struct.pack(">I", len(msg)) + msg + self.receive_id.encode("utf-8")
        pad = BLOCK - len(raw) % BLOCK
        raw += bytes([pad]) * pad
        return base64.b64encode(self._cipher.encrypt(raw)).decode("ascii")

    # ---------------------------------------------------------------- whole requests and replies

    def open(self, signature: str, timestamp: str, nonce: str, encrypt: str) -> str:
        """Verify, then decrypt. The URL check uses this with `echostr`."""
        self.verify(signature, timestamp, nonce, encrypt)
        return self.decrypt(encrypt)

    def seal(self, plaintext: str, *, timestamp: str | None = None, nonce: str | None = None) -> dict[str, str]:
        timestamp = timestamp or str(int(self.now()))
        nonce = nonce or str(secrets.randbelow(10**10))
        encrypt = self.encrypt(plaintext)
        return {"encrypt": encrypt, "msgsignature": self.signature(timestamp, nonce, encrypt),
                "timestamp": timestamp, "nonce": nonce}

    def seal_xml(self, plaintext: str, **kw: str | None) -> str:
        """An encrypted passive reply: <xml><Encrypt/><MsgSignature/><TimeStamp/><Nonce/></xml>."""
        s = self.seal(plaintext, **kw)
        return render_xml({"Encrypt": s["encrypt"], "MsgSignature": s["msgsignature"],
                           "TimeStamp": s["timestamp"], "Nonce": s["nonce"]})

    def seal_json(self, plaintext: str, **kw: str | None) -> str:
        """An encrypted JSON reply (智能机器人): {"encrypt","msgsignature","timestamp","nonce"}."""
        return json.dumps(self.seal(plaintext, **kw))
