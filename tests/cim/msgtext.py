"""Message texts written for the tests: any noun, any form, any edition."""

from __future__ import annotations

MSG_2011 = "http://iec.ch/TC57/2011/schema/message"


def header(
    verb: str, noun: str, *, msg: str = MSG_2011, stamp: str = "2024-05-01T12:00:00Z"
) -> str:
    return (
        f'<Verb xmlns="{msg}">{verb}</Verb><Noun xmlns="{msg}">{noun}</Noun>'
        f'<Timestamp xmlns="{msg}">{stamp}</Timestamp><MessageID xmlns="{msg}">id-1</MessageID>'
    )


def generic(
    kind: str,
    verb: str,
    noun: str,
    payload: str = "",
    *,
    year: int = 2011,
    request: str | None = None,
    stamp: str = "2024-05-01T12:00:00Z",
) -> bytes:
    """A generic-form message (RequestMessage ...) in the message namespace of ``year``."""
    msg = f"http://iec.ch/TC57/{year}/schema/message"
    parts = f"<Header>{header(verb, noun, msg=msg, stamp=stamp)}</Header>"
    if request is not None:
        parts += f"<Request>{request}</Request>"
    if kind == "ResponseMessage":
        parts += "<Reply><Result>OK</Result></Reply>"
    if payload:
        parts += f"<Payload>{payload}</Payload>"
    return f'<{kind} xmlns="{msg}">{parts}</{kind}>'.encode()


def wrapped(
    local: str,
    ns_noun: str,
    verb: str | None,
    noun: str,
    payload: str = "",
    *,
    year: int = 2011,
    msg: str = MSG_2011,
    request: str | None = None,
    reply: bool = False,
    stamp: str = "2024-05-01T12:00:00Z",
) -> bytes:
    """A per-noun wrapper (``CreateX`` ...) in ``http://iec.ch/TC57/<year>/<ns_noun>Message``."""
    parts = ""
    if verb is not None:
        parts += f"<w:Header>{header(verb, noun, msg=msg, stamp=stamp)}</w:Header>"
    if request is not None:
        parts += f"<w:Request>{request}</w:Request>"
    if reply:
        parts += f'<w:Reply><Result xmlns="{msg}">OK</Result></w:Reply>'
    if payload:
        parts += f"<w:Payload>{payload}</w:Payload>"
    ns = f"http://iec.ch/TC57/{year}/{ns_noun}Message"
    return f'<w:{local} xmlns:w="{ns}">{parts}</w:{local}>'.encode()


def noun_doc(noun: str, body: str, *, year: int = 2011) -> str:
    """A payload document ``<Noun xmlns="http://iec.ch/TC57/<year>/<Noun>#">body</Noun>``."""
    return f'<{noun} xmlns="http://iec.ch/TC57/{year}/{noun}#">{body}</{noun}>'
