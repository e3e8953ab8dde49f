"""`parse_xml` drives expat itself for speed; defusedxml (the reference) must agree on every
document it accepts, and everything it refuses must be refused here too."""

from __future__ import annotations

import pytest
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from bot.transport.xml import XmlError, parse_xml, render_xml


def reference(body: bytes) -> dict[str, str]:
    root = fromstring(body, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    assert root.tag == "xml"
    return {child.tag: (child.text or "") if len(child) == 0 else "" for child in root}


ACCEPTED = [
    b"<xml><ToUserName><![CDATA[ww1]]></ToUserName><CreateTime>1409659813</CreateTime></xml>",
    '<xml><Content><![CDATA[3号楼电梯又坏了 😀]]></Content><MsgId>1</MsgId></xml>'.encode(),
    b'<?xml version="1.0" encoding="utf-8"?>\n<xml>\n  <A>1</A>\n  <B></B>\n  <C/>\n</xml>',
    b"<xml><A>x &amp; y &lt;z&gt; &#20320;</A></xml>",  # predefined and character references
    b"<xml><A>before<![CDATA[ in ]]>after</A></xml>",
    b"<xml><A>1</A><A>2</A></xml>",  # a repeated field: the last one wins
    b"<xml><Nested><Inner>x</Inner>tail</Nested><B>b</B></xml>",  # a child with children reads as ""
    b'<xml attr="1"><A k="v">a</A>stray text</xml>',
    render_xml({"Content": "a]]>b", "CreateTime": 1}).encode(),
]


@pytest.mark.parametrize("body", ACCEPTED)
def test_same_fields_as_defusedxml(body: bytes) -> None:
    assert parse_xml(body) == reference(body)


REFUSED = [
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><xml><A>&lol2;</A></xml>',
    b'<!doctype xml SYSTEM "http://example.com/x.dtd"><xml><A>1</A></xml>',
    b"<xml><A>&undefined;</A></xml>",
    b"<xml><A>1</A>",
    b"<xml><A>1</B></xml>",
    b"<html><A>1</A></html>",
    b"",
    b"not xml at all",
    b'<?xml version="1.0" encoding="GBK"?><xml><A>1</A></xml>',  # expat has no multi-byte codecs
    b'<?xml version="1.0" encoding="UTF-7"?><xml><A>1</A></xml>',
    # UTF-16 hides the DOCTYPE from the byte check: expat's own guard must refuse it
    '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE x [<!ENTITY e "boom">]><xml><A>&e;</A></xml>'.encode("utf-16"),
    '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE x SYSTEM "http://example.com/x.dtd"><xml/>'.encode("utf-16"),
]


@pytest.mark.parametrize("body", REFUSED)
def test_refused_like_defusedxml(body: bytes) -> None:
    with pytest.raises(XmlError):
        parse_xml(body)
    with pytest.raises((DefusedXmlException, SyntaxError, ValueError, AssertionError)):
        reference(body)


def test_a_document_over_the_limit_is_refused_before_parsing() -> None:
    with pytest.raises(XmlError, match="too large"):
        parse_xml(b"<xml><A>" + b"x" * 100 + b"</A></xml>", max_bytes=50)
