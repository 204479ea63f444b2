"""The actor base class: message handlers declared with ``@on``, sending through the bus.

An actor never talks to another actor directly: everything goes through the bus, which records
and validates each exchange. Handlers are keyed by what the bytes say (the root element of a
device message, or "verb Noun" of a CIM message), never by a label the sender chose.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from lxml import etree

if TYPE_CHECKING:
    from amicert.bus import Bus
    from amicert.clock import VirtualClock
    from amicert.trace import Exchange

F = TypeVar("F", bound=Callable[..., Any])
_HANDLER_ATTR = "_amicert_on"


def on(key: str) -> Callable[[F], F]:
    """Declare a handler: ``@on("{urn:example:protocol:1}Write")`` or ``@on("created EndDeviceEvents")``."""

    def mark(fn: F) -> F:
        setattr(fn, _HANDLER_ATTR, key)
        return fn

    return mark


@dataclass
class ActorContext:
    """What an actor needs from its run: the clock, the bus, an id source and its settings."""

    clock: VirtualClock
    bus: Bus
    rng: random.Random
    settings: dict[str, Any] = field(default_factory=dict)

    def new_id(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def now(self) -> datetime:
        return self.clock.now()


class Actor:
    """Base of every actor implementation. ``role`` is the actor name used in the use cases."""

    role: ClassVar[str] = ""
    _handlers: ClassVar[dict[str, str]]

    def __init_subclass__(cls, **kw: Any) -> None:
        super().__init_subclass__(**kw)
        handlers: dict[str, str] = {}
        for klass in reversed(cls.__mro__):
            for name, value in vars(klass).items():
                key = getattr(value, _HANDLER_ATTR, None)
                if key:
                    handlers[key] = name
        cls._handlers = handlers

    def __init__(self, ctx: ActorContext, instance: str | None = None) -> None:
        self.ctx = ctx
        self.instance = instance
        self.log: list[str] = []

    # --- sending ---------------------------------------------------------------------------
    def send(self, receiver: str, body: bytes, *, receiver_id: str | None = None) -> None:
        """One-way message, delivered through the bus."""
        self.ctx.bus.post(self, receiver, body, receiver_id=receiver_id)

    def call(self, receiver: str, body: bytes, *, receiver_id: str | None = None) -> bytes | None:
        """Request with a synchronous reply (CIM request/reply); None when no reply came."""
        return self.ctx.bus.call(self, receiver, body, receiver_id=receiver_id)

    # --- receiving -------------------------------------------------------------------------
    def handler_for(self, key: str) -> Callable[..., Any] | None:
        name = self._handlers.get(key)
        return getattr(self, name) if name else None

    def receive(self, root: etree._Element, key: str, exchange: Exchange) -> bytes | None:
        """Dispatch to the ``@on`` handler for ``key``; a handler may return a reply body."""
        handler = self.handler_for(key)
        if handler is None:
            return self.unhandled(root, key, exchange)
        result = handler(root, exchange)
        return result if isinstance(result, bytes) else None

    def unhandled(self, root: etree._Element, key: str, exchange: Exchange) -> bytes | None:
        """A message this actor does not take: noted and dropped (request/reply actors answer)."""
        self.note(f"no handler for {key!r}; message #{exchange.seq} dropped")
        return None

    def refuse(self, exchange: Exchange, rule: str, message: str, **kw: Any) -> None:
        """Refuse a received message that lacks what this actor needs to act on it.

        The finding is the sender's (at the sender's row), never this actor's: a product whose
        message a reference actor cannot act on fails at its own message, with the reason."""
        from amicert.findings import error

        exchange.findings.append(
            error(
                rule,
                f"{self.role} cannot act on it: {message}",
                extra={"actor": exchange.producer},
                **kw,
            )
        )
        self.note(f"refused #{exchange.seq}: {message}")

    def note(self, text: str) -> None:
        self.log.append(f"{self.ctx.now().isoformat()} {text}")
