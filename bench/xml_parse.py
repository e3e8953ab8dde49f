"""Callback XML: `bot.transport.xml.parse_xml` (expat with defusedxml's guards) beside defusedxml's
ElementTree on the same documents, the signed envelopes and the decrypted messages of
`bench/callbacks.py`. Prints microseconds per document, best of 5 passes.

    .venv/bin/python bench/xml_parse.py [--documents 5000]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

from callbacks import AES_KEY, CORP, TOKEN, wecom_bodies
from defusedxml.ElementTree import fromstring

from bot.transport.wecom_crypto import WeComCrypto
from bot.transport.xml import parse_xml


def with_defusedxml(raw: bytes) -> dict[str, str]:
    root = fromstring(raw, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    return {child.tag: child.text or "" for child in root}


def best_of(parse: Callable[[bytes], dict[str, str]], documents: list[bytes], passes: int = 5) -> float:
    best = float("inf")
    for _ in range(passes):
        began = time.perf_counter()
        for document in documents:
            parse(document)
        best = min(best, (time.perf_counter() - began) / len(documents) * 1e6)
    return best


def main(count: int) -> None:
    crypto = WeComCrypto(TOKEN, AES_KEY, CORP)
    bodies = wecom_bodies(crypto, "xml-bench")
    envelopes = [bodies()[1] for _ in range(count)]
    messages = [crypto.decrypt(parse_xml(e)["Encrypt"]).encode() for e in envelopes]
    print("| document | parse_xml µs | defusedxml µs |\n|---|---:|---:|")
    for name, documents in (("envelope", envelopes), ("decrypted message", messages)):
        print(f"| {name} | {best_of(parse_xml, documents):.1f} | {best_of(with_defusedxml, documents):.1f} |")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=5000)
    main(parser.parse_args().documents)
