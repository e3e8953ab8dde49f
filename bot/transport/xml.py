"""XML of the WeChat callbacks, parsed with defusedxml: no DTD, no entities, no external references.

WeChat's payloads are one flat `<xml>` element with text children (CDATA or not), so that is all
this module reads and writes. Anything else (a DOCTYPE, an entity, a bomb, a different root, broken
markup) is an `XmlError`, which the adapters answer with 400."""

from __future__ import annotations

from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

MAX_XML_BYTES = 256 * 1024  # WeChat's messages are a few KiB; the web app's own cap is 1 MiB


class XmlError(ValueError):
    """The body is not a well-formed, entity-free WeChat XML document."""


def parse_xml(body: bytes | str, *, max_bytes: int = MAX_XML_BYTES) -> dict[str, str]:
    """`<xml><A>1</A><B><![CDATA[x]]></B></xml>` → {"A": "1", "B": "x"}. Raises XmlError."""
    raw = body.encode("utf-8") if isinstance(body, str) else body
    if len(raw) > max_bytes:
        raise XmlError(f"XML body too large ({len(raw)} bytes)")
    if b"<!DOCTYPE" in raw.upper() or b"<!ENTITY" in raw.upper():
        raise XmlError("DTDs and entities are not accepted")  # cheap check before any parsing
    try:
        root: Element = fromstring(raw, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except (DefusedXmlException, ParseError, ValueError) as exc:
        raise XmlError(f"malformed XML: {exc}") from None
    if root.tag != "xml":
        raise XmlError(f"unexpected root element <{root.tag}>")
    fields: dict[str, str] = {}
    for child in root:
        fields[child.tag] = (child.text or "") if len(child) == 0 else ""
    return fields


def _cdata(value: str) -> str:
    return "<![CDATA[" + value.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def render_xml(fields: dict[str, str | int]) -> str:
    """The inverse of `parse_xml`: ints bare, strings in CDATA (safe for any content)."""
    parts = ["<xml>"]
    for key, value in fields.items():
        parts.append(f"<{key}>{value if isinstance(value, int) else _cdata(value)}</{key}>")
    parts.append("</xml>")
    return "".join(parts)
