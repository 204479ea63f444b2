"""Safe XML parsing for bytes that come from a system under test.

Input from a vendor is hostile until proven otherwise: no DTD is loaded, no entity is expanded, no
network is touched, and the size is bounded before the parser sees a byte. A DOCTYPE is refused
outright (61968-100 messages never need one), which also defuses entity bombs and XXE.
"""

from __future__ import annotations

import codecs
import re
import threading
from typing import Any

from lxml import etree

MAX_BYTES = 10 * 1024 * 1024

SOAP11_NS = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP12_NS = "http://www.w3.org/2003/05/soap-envelope"
SOAP_VERSIONS = {SOAP11_NS: "1.1", SOAP12_NS: "1.2"}

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_PROLOG_SCAN = 64 * 1024
_DOCTYPE = re.compile(r"<!DOCTYPE", re.IGNORECASE)


class XmlSafetyError(Exception):
    """Bytes the harness refuses to parse; ``rule`` is the finding's rule ID."""

    def __init__(self, rule: str, message: str) -> None:
        super().__init__(f"{rule}: {message}")
        self.rule = rule
        self.message = message


_local = threading.local()


def _parser() -> etree.XMLParser:
    """One parser per thread: lxml parsers are not thread-safe, and building one per message
    costs as much as parsing a small message."""
    parser: etree.XMLParser | None = getattr(_local, "parser", None)
    if parser is None:
        parser = etree.XMLParser(
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            dtd_validation=False,
            huge_tree=False,
            remove_comments=False,
        )
        _local.parser = parser
    return parser


def _prolog_text(data: bytes) -> str:
    """The start of the document as text, decoded well enough to look for a DOCTYPE."""
    head = data[:_PROLOG_SCAN]
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            return head[len(bom) :].decode(encoding, errors="replace")
    if head[:4] in (b"<\x00?\x00", b"\x00<\x00?"):
        return head.decode("utf-16-le" if head[0] == 0x3C else "utf-16-be", errors="replace")
    return head.decode("latin-1")


_DOCTYPE_BYTES = re.compile(rb"<!DOCTYPE", re.IGNORECASE)
_WIDE_STARTS = (b"\xff\xfe", b"\xfe\xff", b"\x00\x00", b"<\x00", b"\x00<")


def _has_doctype(data: bytes) -> bool:
    """True when a DOCTYPE appears in the prolog (before the first element)."""
    if not data.startswith(_WIDE_STARTS) and (
        data.find(b"!", 0, _PROLOG_SCAN) < 0 or not _DOCTYPE_BYTES.search(data, 0, _PROLOG_SCAN)
    ):
        return False  # an 8-bit or UTF-8 prolog without the word cannot declare one
    text = _prolog_text(data)
    pos = 0
    length = len(text)
    while pos < length:
        while pos < length and text[pos].isspace():
            pos += 1
        if text.startswith("<?", pos):
            close = "?>"
        elif text.startswith("<!--", pos):
            close = "-->"
        else:
            return _DOCTYPE.match(text, pos) is not None
        end = text.find(close, pos)
        if end < 0:
            return False
        pos = end + len(close)
    return False


def parse_xml(data: bytes, *, max_bytes: int = MAX_BYTES) -> etree._Element:
    """Parse untrusted bytes into an element, or raise :class:`XmlSafetyError`."""
    if len(data) > max_bytes:
        raise XmlSafetyError("XML-SIZE", f"message of {len(data)} bytes exceeds {max_bytes} bytes")
    if not data or data.isspace():  # no copy, unlike strip()
        raise XmlSafetyError("XML-EMPTY", "message body is empty")
    if _has_doctype(data):
        raise XmlSafetyError("XML-DOCTYPE", "a DOCTYPE declaration is not allowed")
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        raise XmlSafetyError("XML-SYNTAX", f"not well-formed XML: {exc}") from None
    except ValueError as exc:  # e.g. an encoding lxml cannot handle
        raise XmlSafetyError("XML-SYNTAX", f"not parseable as XML: {exc}") from None
    if len(data) <= _PROLOG_SCAN and data.find(b"!") < 0 and not data.startswith(_WIDE_STARTS):
        # the whole document was seen: without a "!" it holds no declaration of any kind
        # (searching "!" alone is a single memchr; "<!" would stop at every tag)
        return root
    docinfo: Any = root.getroottree().docinfo  # stubs lack DocInfo.doctype
    if docinfo.doctype or docinfo.internalDTD is not None:
        raise XmlSafetyError("XML-DOCTYPE", "a DOCTYPE declaration is not allowed")
    return root


def soap_version(root: etree._Element) -> str | None:
    """ "1.1" or "1.2" when ``root`` is a SOAP Envelope, else None."""
    tag = root.tag
    if not isinstance(tag, str) or not tag.endswith("}Envelope"):
        return None  # a string check: this runs on every message
    return SOAP_VERSIONS.get(tag[1 : tag.index("}")])


def unwrap_soap(root: etree._Element) -> tuple[etree._Element, str | None]:
    """The message inside a SOAP Envelope (the Body's first element child) and the SOAP version.

    A document that is not a SOAP Envelope comes back unchanged with version None. A SOAP Fault is
    returned as is. An Envelope without a Body, or with an empty Body, returns the Envelope or Body
    itself so that the caller can report it.
    """
    version = soap_version(root)
    if version is None:
        return root, None
    ns = etree.QName(root).namespace
    body = root.find(f"{{{ns}}}Body")
    if body is None:
        return root, version
    for child in body:
        if isinstance(child.tag, str):
            return child, version
    return body, version
