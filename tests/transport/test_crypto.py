"""Signatures and AES against Tencent's published vectors (shared/docs/wecom.md §7)."""

from __future__ import annotations

import hashlib

import pytest

from bot.transport.wecom_crypto import (
    CryptoError,
    SignatureError,
    StaleTimestamp,
    WeComCrypto,
    check_plain_signature,
)
from bot.transport.xml import XmlError, parse_xml, render_xml

A_TOKEN, A_KEY, A_CORP = "QDG6eK", "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C", "wx5823bf96d3bd56c7"
A_ECHO = "P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ=="
A_ENCRYPT = (
    "RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/sYYvuJTs3"
    "TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5g"
    "sijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQU"
    "ax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2YoyyH2uyP"
    "IGHBZZIs2pDBS8R07+qN+E7Q=="
)
B_TOKEN, B_KEY = "hJqcu3uJ9Tn2gXPmxx2w9kkCkCE2EPYo", "6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt"
B_CORP = "ww1436e0e65a779aee"
B_ECHO = "fsi1xnbH4yQh0+PJxcOdhhK6TDXkjMyhEPA7xB2TGz6b+g7xyAbEkRxN/3cNXW9qdqjnoVzEtpbhnFyq6SVHyA=="
B_ENCRYPT = (
    "Kl7kjoSf6DMD1zh7rtrHjFaDapSCkaOnwu3bqLc5tAybhhMl9pFeK8NslNPVdMwmBQTNoW4mY7AIjeLvEl3NyeTkAgGzBhzTtRLNshw2AEew+kkY"
    "cD+Fq72Kt00fT0WnN87hGrW8SqGc+NcT3mu87Ha3dz1pSDi6GaUA6A0sqfde0VJPQbZ9U+3JWcoD4Z5jaU0y9GSh010wsHF8KZD24YhmZH4ch4Ka7"
    "ilEbjbfvhKkNL65HHL0J6EYJIZUC2pFrdkJ7MhmEbU2qARR4iQHE7wy24qy0cRX3Mfp6iELcDNfSsPGjUQVDGxQDCWjayJOpcwocugux082f49HKY"
    "g84EpHSGXAyh+/oxwaWbvL6aSDPOYuPDGOCI8jmnKiypE+"
)


def crypto_a(now: float = 1409659813) -> WeComCrypto:
    return WeComCrypto(A_TOKEN, A_KEY, A_CORP, now=lambda: now)


def test_vector_a_url_verification() -> None:
    c = crypto_a(1409659589)
    plain = c.open("5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3", "1409659589", "263014780", A_ECHO)
    assert plain == "1616140317555161061"


def test_vector_a_message() -> None:
    plain = crypto_a().open("477715d11cdb4164915debcba66cb864d751f3e6", "1409659813", "1372623149", A_ENCRYPT)
    assert len(plain.encode()) == 284
    assert hashlib.sha256(plain.encode()).hexdigest() == (
        "62f23e2db9188b2883215b599af3d8ffcaa3fae68770c8f84529cfc560683f32")
    assert parse_xml(plain)["Content"] == "hello"


def test_vector_b_url_and_message() -> None:
    c = WeComCrypto(B_TOKEN, B_KEY, B_CORP, now=lambda: 1476416373)
    assert c.open("012bc692d0a58dd4b10f8dfe5c4ac00ae211ebeb", "1476416373", "47744683", B_ECHO) == "1288432023552776189"
    c = WeComCrypto(B_TOKEN, B_KEY, B_CORP, now=lambda: 1476422779)
    plain = c.open("0c3914025cb4b4d68103f6bfc8db550f79dcf48e", "1476422779", "1597212914", B_ENCRYPT)
    assert hashlib.sha256(plain.encode()).hexdigest() == (
        "554670fb6698d0f2e8020699846f4e16a590d05d4454cc1cbe76153f8b940ba4")
    assert parse_xml(plain)["Content"] == "你好"


def test_mp_plain_signature_vectors() -> None:
    check_plain_signature("AAAAA", "f464b24fc39322e44b38aa78f5edd27bd1441696", "1714036504", "1514711492",
                          now=1714036504)
    check_plain_signature("AAAAA", "899cf89e464efb63f54ddac96b0a0a235f53aa78", "1714037059", "486452656",
                          now=1714037059)
    with pytest.raises(SignatureError):
        check_plain_signature("AAAAB", "899cf89e464efb63f54ddac96b0a0a235f53aa78", "1714037059", "486452656",
                              now=1714037059)


def test_forged_signature_and_stale_timestamp() -> None:
    with pytest.raises(SignatureError):
        crypto_a().open("0" * 40, "1409659813", "1372623149", A_ENCRYPT)
    with pytest.raises(StaleTimestamp):  # authentic, but replayed an hour later
        crypto_a(1409659813 + 3600).open("477715d11cdb4164915debcba66cb864d751f3e6", "1409659813", "1372623149",
                                          A_ENCRYPT)


def test_wrong_receive_id_and_wrong_key_are_refused() -> None:
    other = WeComCrypto(A_TOKEN, A_KEY, "wwsomeoneelse", now=lambda: 1409659813)
    with pytest.raises(CryptoError, match="receive id"):
        other.decrypt(A_ENCRYPT)
    wrong_key = WeComCrypto(A_TOKEN, B_KEY, A_CORP)
    with pytest.raises(CryptoError):
        wrong_key.decrypt(A_ENCRYPT)
    with pytest.raises(CryptoError, match="base64"):
        crypto_a().decrypt("not*base64")


def test_round_trip_and_lenient_empty_receive_id() -> None:
    c = crypto_a()
    sealed = c.seal("回复 reply", nonce="42")
    assert c.open(sealed["msgsignature"], sealed["timestamp"], sealed["nonce"], sealed["encrypt"]) == "回复 reply"
    robot = WeComCrypto(A_TOKEN, A_KEY, "", strict_receive_id=False)
    assert robot.decrypt(c.encrypt("x")) == "x"  # a non-empty trailing id is tolerated when ours is empty
    assert parse_xml(c.seal_xml("<xml/>", nonce="1"))["Nonce"] == "1"


@pytest.mark.parametrize("body", [
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
    b"<xml><Encrypt>&lol2;</Encrypt></xml>",
    b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><xml><Encrypt>&xxe;</Encrypt></xml>',
    b"<xml><Encrypt>unclosed",
    b"<html><Encrypt>x</Encrypt></html>",
    b"",
])
def test_hostile_or_broken_xml_is_refused(body: bytes) -> None:
    with pytest.raises(XmlError):
        parse_xml(body)


def test_render_xml_escapes_cdata_end() -> None:
    assert parse_xml(render_xml({"Content": "a]]>b", "CreateTime": 1}))["Content"] == "a]]>b"
