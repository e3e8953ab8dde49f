"""XML of the WeChat callbacks: no DTD, no entities, no external references.

WeChat's payloads are one flat `<xml>` element with text children (CDATA or not), so that is all
this module reads and writes. Anything else (a DOCTYPE, an entity, a bomb, a different root, broken
markup) is an `XmlError`, which the adapters answer with 400.

Parsing runs on every callback's critical path (twice: the envelope and the decrypted message), so
it drives expat directly with the guards defusedxml installs (a DOCTYPE, an entity or an external
reference raises) and collects the flat fields as they stream past: 5–7 µs a document instead of
defusedxml's 9–14 µs, most of which go to building its parser and an element tree
(`bench/xml_parse.py`). The tests check it against defusedxml on the same documents."""

from __future__ import annotations

from xml.parsers import expat

MAX_XML_BYTES = 256 * 1024  # WeChat's messages are a few KiB; the web app's own cap is 1 MiB


class XmlError(ValueError):
    """The body is not a well-formed, entity-free WeChat XML document."""


def _forbidden(*_args: object) -> None:
    raise XmlError("DTDs, entities and external references are not accepted")


class _FlatFields:
    """expat handlers for `<xml><A>1</A>…</xml>`: a child's text, or "" if it has children."""

    def __init__(self) -> None:
        self.fields: dict[str, str] = {}
        self.root: str | None = None
        self._depth = 0
        self._tag = ""
        self._text: list[str] = []
        self._nested = False

    def start(self, tag: str, _attrs: object) -> None:
        self._depth += 1
        if self._depth == 1:
            self.root = tag
        elif self._depth == 2:
            self._tag, self._text, self._nested = tag, [], False
        else:
            self._nested = True

    def end(self, _tag: str) -> None:
        if self._depth == 2:
            self.fields[self._tag] = "" if self._nested else "".join(self._text)
        self._depth -= 1

    def text(self, data: str) -> None:
        if self._depth == 2 and not self._nested:
            self._text.append(data)


def parse_xml(body: bytes | str, *, max_bytes: int = MAX_XML_BYTES) -> dict[str, str]:
    """`<xml><A>1</A><B><![CDATA[x]]></B></xml>` → {"A": "1", "B": "x"}. Raises XmlError."""
    raw = body.encode("utf-8") if isinstance(body, str) else body
    if len(raw) > max_bytes:
        raise XmlError(f"XML body too large ({len(raw)} bytes)")
    upper = raw.upper()
    if b"<!DOCTYPE" in upper or b"<!ENTITY" in upper:
        raise XmlError("DTDs and entities are not accepted")  # cheap check before any parsing
    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartDoctypeDeclHandler = _forbidden
    parser.EntityDeclHandler = _forbidden
    parser.UnparsedEntityDeclHandler = _forbidden
    parser.ExternalEntityRefHandler = _forbidden
    fields = _FlatFields()
    parser.StartElementHandler = fields.start
    parser.EndElementHandler = fields.end
    parser.CharacterDataHandler = fields.text
    try:
        parser.Parse(raw, True)
    except (expat.ExpatError, ValueError) as exc:  # an undefined entity; an encoding expat lacks (GBK)
        raise XmlError(f"malformed XML: {exc}") from None
    if fields.root != "xml":
        raise XmlError(f"unexpected root element <{fields.root}>")
    return fields.fields


def _cdata(value: str) -> str:
    return "<![CDATA[" + value.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def render_xml(fields: dict[str, str | int]) -> str:
    """The inverse of `parse_xml`: ints bare, strings in CDATA (safe for any content)."""
    parts = ["<xml>"]
    for key, value in fields.items():
        parts.append(f"<{key}>{value if isinstance(value, int) else _cdata(value)}</{key}>")
    parts.append("</xml>")
    return "".join(parts)
