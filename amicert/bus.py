"""The in-process transport between actors: every message is recorded and validated here.

Delivery goes through the virtual clock (never a direct call), so causality is kept and no actor
can recurse into another. Synchronous CIM request/reply is the one exception, as on the wire.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from amicert.cim.validate import ValidationContext, Validator
from amicert.cim.xmlsafe import XmlSafetyError, parse_xml, unwrap_soap
from amicert.findings import error
from amicert.trace import Exchange, Trace, compact_info

if TYPE_CHECKING:
    from amicert.actors.base import Actor
    from amicert.clock import VirtualClock
    from amicert.validation_pool import ValidationPool


class DeliveryError(Exception):
    """No actor is bound to the receiving role (or instance)."""


def message_key(root: object) -> str:
    """The dispatch key of a parsed message: "verb Noun" for CIM, the root Clark name otherwise."""
    from lxml import etree

    assert isinstance(root, etree._Element)
    tag = etree.QName(root)
    if tag.namespace and "iec.ch/TC57" in tag.namespace:
        verb = noun = ""
        for el in root.iter():
            local = etree.QName(el).localname
            if local == "Verb" and not verb:
                verb = (el.text or "").strip()
            elif local == "Noun" and not noun:
                noun = (el.text or "").strip()
            if verb and noun:
                break
        return f"{verb} {noun}"
    return root.tag if isinstance(root.tag, str) else ""


class Bus:
    """Routes messages between bound actors, recording and validating each one.

    Thread-safe where it must be: wire endpoints record from their own threads, so recording and
    validation (lxml schemas keep their error log on the shared schema) happen under ``lock``.
    """

    def __init__(self, clock: VirtualClock, trace: Trace, validator: Validator) -> None:
        self.clock = clock
        self.trace = trace
        self.validator = validator
        self.context = ValidationContext(seen_message_ids=set())
        self._actors: dict[tuple[str, str | None], Actor] = {}
        self.lock = threading.RLock()
        # validation in worker processes (a large fleet); None: here, as each message is recorded
        self.pool: ValidationPool | None = None
        # set while a wire endpoint hands a message to a local actor (see deliver_now)
        self._answering = threading.local()
        # what is sent while answering waits for the clock: only where something runs the clock
        # (the harness always; a served system when the harness controls its clock)
        self.defer_while_answering = True
        # a self-test of the checks: changes what an actor sends (see amicert.mutations)
        self.mutate: Callable[[str, str, bytes], list[bytes]] | None = None
        self._provoking: tuple[str, frozenset[str]] | None = None
        # requests ("verb Noun") whose conforming instances must be accepted (ENV-REPLY-FAILED)
        self.accepted: frozenset[str] = frozenset()
        # under clock control: the time the product's clock was last advanced to (None: unknown)
        self.product_clock: Callable[[], datetime | None] | None = None

    @contextmanager
    def provoking(self, role: str, rules: Iterable[str]) -> Iterator[None]:
        """What ``role`` sends meanwhile breaks ``rules`` on purpose (a harness actor probing how
        the product answers a replayed or malformed message): those findings are not errors."""
        previous, self._provoking = self._provoking, (role, frozenset(rules))
        try:
            yield
        finally:
            self._provoking = previous

    def _sent(self, producer: Actor, receiver: str, body: bytes) -> list[bytes]:
        """What actually goes out for ``body``: itself, unless a mutation changes it."""
        if self.mutate is None:
            return [body]
        return self.mutate(producer.role, receiver, body)

    def bind(self, actor: Actor) -> None:
        self._actors[(actor.role, actor.instance)] = actor

    def actor(self, role: str, instance: str | None = None) -> Actor:
        found = self._actors.get((role, instance)) or self._actors.get((role, None))
        if found is None:
            where = f" ({instance})" if instance else ""
            raise DeliveryError(f"no actor bound for {role}{where}")
        return found

    def instances(self, role: str) -> list[Actor]:
        return [a for (r, _), a in self._actors.items() if r == role]

    def record(
        self,
        producer: str,
        receiver: str,
        body: bytes,
        *,
        producer_id: str | None = None,
        receiver_id: str | None = None,
        in_reply_to: Exchange | None = None,
        transport: str = "in-process",
    ) -> Exchange:
        """Record and validate one message. Also used by wire transports for what they capture."""
        with self.lock:
            exchange = self.trace.record(
                producer,
                receiver,
                body,
                self.clock.now(),
                producer_id=producer_id,
                receiver_id=receiver_id,
                in_reply_to=in_reply_to.seq if in_reply_to else None,
                transport=transport,
            )
            self.context.now = self.clock.now()
            self.context.clock_controlled = transport == "http" and self.product_clock is not None
            self.context.since = (
                self.product_clock()
                if self.context.clock_controlled and self.product_clock is not None
                else None
            )
            self.context.request_message_id = (
                in_reply_to.info.message_id
                if in_reply_to is not None and in_reply_to.info
                else None
            )
            asked = in_reply_to.info if in_reply_to is not None else None
            self.context.request_conforming = (
                in_reply_to is not None
                and asked is not None
                and f"{asked.verb} {asked.noun}" in self.accepted
                and self.mutate is None
                and not in_reply_to.provoked
                and not any(f.is_error for f in in_reply_to.findings)
            )
            if self._provoking is not None and self._provoking[0] == producer:
                exchange.provoked = self._provoking[1]
            if self.pool is not None:
                self.pool.submit(exchange, body, self.context, self.validator)
                return exchange
            result = self.validator.validate(body, self.context)
            exchange.info = compact_info(result.info)
            exchange.findings = list(result.findings)
            return exchange

    def _parse(self, exchange: Exchange) -> tuple[object, str] | None:
        root = exchange.root()  # one parse, shared with the matcher
        if root is None:
            return None
        return root, message_key(root)

    def post(
        self,
        producer: Actor,
        receiver: str,
        body: bytes,
        *,
        receiver_id: str | None = None,
        delay: timedelta = timedelta(0),
    ) -> None:
        """One-way message; with ``delay`` it is sent (and recorded) only when the delay is over."""
        target = self.actor(receiver, receiver_id)

        def transmit() -> None:
            for sent in self._sent(producer, receiver, body):
                one(sent)

        def one(body: bytes) -> None:
            if getattr(target, "remote", False):
                self._over_wire(producer, receiver, receiver_id, body, target)
                return
            exchange = self.record(
                producer.role,
                receiver,
                body,
                producer_id=producer.instance,
                receiver_id=receiver_id,
            )
            exchange.awaiting_delivery = True
            self.clock.call_later(timedelta(0), lambda: _discard(self._deliver(target, exchange)))

        if delay > timedelta(0):
            self.clock.call_later(delay, transmit, f"{producer.role} -> {receiver}")
        elif self.defer_while_answering and getattr(self._answering, "active", False):
            # sent while answering a request from the other side, which waits for that answer
            # and holds its actors meanwhile: the message leaves once the answer has gone, and
            # so do the ones sent with it (their order kept)
            self.clock.call_later(timedelta(0), transmit, f"{producer.role} -> {receiver}")
        else:
            transmit()

    def call(
        self, producer: Actor, receiver: str, body: bytes, *, receiver_id: str | None = None
    ) -> bytes | None:
        """Request with a synchronous reply; the reply's message bytes, or None."""
        sent = self._sent(producer, receiver, body)
        if not sent:
            return None  # nothing went out: no reply can come
        reply = self._call(producer, receiver, sent[0], receiver_id)
        for extra in sent[1:]:  # a repeated request: answered too, the first answer counts
            self._call(producer, receiver, extra, receiver_id)
        return reply

    def _call(
        self, producer: Actor, receiver: str, body: bytes, receiver_id: str | None
    ) -> bytes | None:
        target = self.actor(receiver, receiver_id)
        if getattr(target, "remote", False):
            return self._over_wire(producer, receiver, receiver_id, body, target)
        exchange = self.record(
            producer.role, receiver, body, producer_id=producer.instance, receiver_id=receiver_id
        )
        reply = self._deliver(target, exchange)
        if reply is None:
            exchange.findings.append(
                error(
                    "MSG-NO-REPLY",
                    f"{receiver} sent no synchronous reply",
                    extra={"actor": receiver},
                )
            )
            return None
        self.record(
            receiver,
            producer.role,
            reply,
            producer_id=receiver_id,
            receiver_id=producer.instance,
            in_reply_to=exchange,
        )
        return reply

    def _over_wire(
        self, producer: Actor, receiver: str, receiver_id: str | None, body: bytes, target: Actor
    ) -> bytes | None:
        """Send through a remote proxy and record the HTTP bodies that actually crossed."""
        prepared = target.prepare(producer.role, receiver, receiver_id, body)  # type: ignore[attr-defined]
        if prepared is None:
            return None  # a served fault dropped the message: nothing crossed the wire
        exchange = self.record(
            producer.role,
            receiver,
            prepared.kept,
            producer_id=producer.instance,
            receiver_id=receiver_id,
            transport="http",
        )
        exchange.note = "; ".join(prepared.notes)
        result = target.put_on_wire(prepared)  # type: ignore[attr-defined]
        if result.finding is not None:
            with self.lock:
                exchange.findings.append(result.finding)
        if not result.received:
            return None
        self.record(
            receiver,
            producer.role,
            result.received,
            producer_id=receiver_id,
            receiver_id=producer.instance,
            in_reply_to=exchange,
            transport="http",
        )
        if result.finding is not None:
            return None
        try:
            root, _ = unwrap_soap(parse_xml(result.received))
        except XmlSafetyError:
            return None
        from lxml import etree

        return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))

    def deliver_now(
        self, receiver: str, receiver_id: str | None, exchange: Exchange
    ) -> bytes | None:
        """Hand an exchange recorded by a wire endpoint to the local actor; its reply, if any."""
        self._answering.active = True
        try:
            return self._deliver(self.actor(receiver, receiver_id), exchange)
        finally:
            self._answering.active = False

    def _deliver(self, target: Actor, exchange: Exchange) -> bytes | None:
        """Hand the message to its receiver; whatever the receiver makes of it, the run goes on."""
        try:
            return self._hand_over(target, exchange)
        finally:
            exchange.awaiting_delivery = False
            exchange.forget_tree()

    def _hand_over(self, target: Actor, exchange: Exchange) -> bytes | None:
        parsed = self._parse(exchange)
        if parsed is None:
            exchange.note = f"{exchange.receiver} could not parse the message; dropped"
            return None
        root, key = parsed
        try:
            return target.receive(root, key, exchange)  # type: ignore[arg-type]
        except Exception as exc:  # a receiver choking on a message must not stop the run
            exchange.note = f"{exchange.receiver} could not process the message: {exc!r}"
            if not any(f.is_error for f in exchange.findings):
                # a valid message the receiver cannot process: the receiver is at fault
                exchange.findings.append(
                    error(
                        "MSG-UNPROCESSABLE",
                        f"{exchange.receiver} failed on a valid message: {exc!r}",
                        extra={"actor": exchange.receiver},
                    )
                )
            return None


def _discard(_: object) -> None:
    """A one-way delivery has no reply to keep."""
