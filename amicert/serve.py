"""``amicert serve``: the reference implementation of a profile's vendor boundary, on the wire.

The same profile that describes a vendor's product lets the harness stand in for it: a self-test
of the wire path, a demo, and a reference peer for a vendor's own tests. ``--fault`` makes the
served system misbehave in one named way, so a run against it must end in the expected non-PASS
verdict.
"""

from __future__ import annotations

import dataclasses
import json
import secrets
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from lxml import etree
from werkzeug.wrappers import Request, Response

from amicert.adapters.endpoint import CONTROL_PATH, Endpoint, WireFaults
from amicert.catalog import UseCase
from amicert.cim.envelope import MESSAGE_NS
from amicert.cim.nouns import END_DEVICE_EVENTS_NS
from amicert.cim.validate import Validator
from amicert.cim.xmlsafe import XmlSafetyError, parse_xml
from amicert.config import SutProfile
from amicert.control_schema import OPERATIONS
from amicert.driver import Driver
from amicert.packages import driver_for
from amicert.transport.http import HttpServer
from amicert.transport.tls import ClientAuth
from amicert.world import RunOptions, World

EDE = END_DEVICE_EVENTS_NS


@dataclass(frozen=True)
class Fault:
    name: str
    description: str
    applies_to: str  # "outgoing" (messages the served system sends), "replies", or "wire"


FAULTS = {
    f.name: f
    for f in (
        Fault(
            "wrong-correlation",
            "CIM messages and replies carry a CorrelationID matching nothing",
            "cim",
        ),
        Fault(
            "soap-fault", "every request to the served system is answered with a SOAP Fault", "wire"
        ),
        Fault("invalid-payload", "CIM messages and replies violate their XSD", "cim"),
        Fault(
            "wrong-event-code",
            "EndDeviceEvents carry another of the use case's event codes than the one they report",
            "events",
        ),
        Fault("no-async-result", "events the served system should send are never sent", "events"),
        Fault("slow-reply", "replies come later than the profile's read timeout", "wire"),
        Fault("drop-connection", "the connection is closed half-way through each reply", "wire"),
        Fault(
            "client-cert-optional",
            "TLS lets in a client without a certificate (one it presents is still verified)",
            "tls",
        ),
        Fault(
            "client-cert-ignored",
            "TLS neither asks for nor checks a client certificate",
            "tls",
        ),
        Fault("crl-ignored", "TLS lets in a client whose certificate the CRL revokes", "tls"),
    )
}


def _mutate(body: bytes, change: Callable[[etree._Element], None]) -> bytes:
    try:
        root = parse_xml(body)
    except XmlSafetyError:
        return body
    change(root)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


def _garble_correlation(root: etree._Element) -> None:
    for el in root.iter(f"{{{MESSAGE_NS}}}CorrelationID"):
        el.text = "00000000-0000-4000-8000-00000000dead"


def _break_schema(root: etree._Element) -> None:
    """Remove a required element: createdDateTime of events, Result of a reply."""
    for el in list(root.iter(f"{{{EDE}}}createdDateTime", f"{{{MESSAGE_NS}}}Result")):
        parent = el.getparent()
        if parent is not None:
            parent.remove(el)


def _wrong_code(codes: list[str]) -> Callable[[etree._Element], None]:
    """Each event type swapped for the next code the use case's catalog uses: plausible, wrong."""

    def change(root: etree._Element) -> None:
        for el in root.iter(f"{{{EDE}}}EndDeviceEventType"):
            ref = el.get("ref") or ""
            others = [c for c in codes if c != ref]
            if others:
                el.set("ref", others[(codes.index(ref) if ref in codes else 0) % len(others)])

    return change


def _event_codes(catalog: dict[str, UseCase]) -> list[str]:
    codes = {
        str(code)
        for uc in catalog.values()
        for spec in uc.messages.values()
        for code in spec.cim.get("event_codes", ())
    }
    return sorted(codes)


def _sends_events(body: bytes) -> bool:
    return b"EndDeviceEvents" in body and b"<" in body


class ServedSystem:
    """The boundary's reference actors in a World whose other actors are the harness's."""

    def __init__(self, profile: SutProfile, catalog: dict[str, UseCase], fault: str | None) -> None:
        self.profile = profile
        self.catalog = catalog
        self.fault = fault
        self.world: World | None = None
        self.lock = threading.RLock()
        self.validator = Validator()
        self.wire = WireFaults()
        self.outgoing: list[Callable[[bytes], bytes | None]] = []
        if fault == "soap-fault":
            self.wire.soap_fault = True
        elif fault == "slow-reply":
            self.wire.slow_reply_s = min(profile.timeouts.read_s * 2 + 1, 60.0)
        elif fault == "drop-connection":
            self.wire.drop_connection = True
        elif fault == "wrong-correlation":
            self.outgoing.append(lambda b: _mutate(b, _garble_correlation))
            self.wire.reply_hooks.append(lambda b: _mutate(b, _garble_correlation))
        elif fault == "invalid-payload":
            self.outgoing.append(lambda b: _mutate(b, _break_schema))
            self.wire.reply_hooks.append(lambda b: _mutate(b, _break_schema))
        elif fault == "wrong-event-code":
            change = _wrong_code(_event_codes(catalog))
            self.outgoing.append(lambda b: _mutate(b, change))
        elif fault == "no-async-result":
            self.outgoing.append(lambda b: None if _sends_events(b) else b)

    # --- test-control operations ---------------------------------------------------------
    def reset(self, use_case_id: str) -> World:
        if use_case_id not in self.catalog:
            raise ValueError(f"unknown use case {use_case_id!r}")
        use_case = self.catalog[use_case_id]
        scenario = next(iter(use_case.scenarios.values()))
        # its own random seed: the served system's message IDs must never repeat the harness's
        options = RunOptions(profile=self.profile, served=True, seed=secrets.randbits(64))
        world = World(use_case, scenario, self.validator, options)
        assert world.link is not None
        world.link.outgoing.extend(self.outgoing)
        # only the harness's clock/advance runs this world's clock
        world.bus.defer_while_answering = self.profile.claims("clock_control")
        world.settings.update(driver_for(use_case_id).defaults)
        self.world = world  # started once configured (its actors read the settings when built)
        return world

    def _world(self) -> World:
        if self.world is None:
            raise ValueError("no use case loaded: call reset first")
        self.world.start()
        return self.world

    def configure(self, settings: dict[str, Any]) -> World:
        """Take the scenario's settings, put its meters in scope, then start the actors."""
        if self.world is None:
            raise ValueError("no use case loaded: call reset first")
        world = self.world
        meters = dict(settings.pop("meters", {}) or {})
        world.settings.update(settings)
        for mrid, identity in meters.items():
            if mrid not in world.devices:
                world.add_device(str(mrid), dict(identity))
        world.start()
        return world

    def control(self, request: Request) -> Response:
        """The test-control interface (JSON), as documented in docs/vendor-guide.md."""
        op = request.path.rstrip("/")[len(CONTROL_PATH) + 1 :]
        try:
            payload: dict[str, Any] = request.get_json(silent=True) or {}
            with self.lock:
                answer = self._operation(request.method, op, payload)
        except Exception as exc:  # any failure is the caller's answer, never a traceback page
            return _json({"error": f"{type(exc).__name__}: {exc}"}, 400)
        return _json(answer, 200)

    def _operation(self, method: str, op: str, payload: dict[str, Any]) -> dict[str, Any]:
        if op == "capabilities" and method == "GET":
            return {
                "product": {"name": self.profile.name, "version": self.profile.version},
                "actors": list(self.profile.boundary),
                "operations": list(OPERATIONS),
                "faults": sorted({n for d in self._drivers() for n in d.faults if n != "none"}),
                "states": [
                    *sorted({q for d in self._drivers() for q in d.state_queries}),
                    "inspect",
                    "invoke",
                ],
            }
        if op == "reset":
            world = self.reset(str(payload["use_case"]))
            return {"now": world.clock.now().isoformat()}
        if op == "configure":
            world = self.configure(dict(payload["settings"]))
            return {"meters": list(world.devices)}
        world = self._world()
        if op == "provision":
            for meter in payload["meters"]:
                identity = dict(meter)
                mrid = str(identity.pop("mRID"))
                if mrid not in world.devices:
                    world.add_device(mrid, identity)
            return {"meters": list(world.devices)}
        if op == "fault":
            driver_for(world.use_case.id).inject(world, str(payload["name"]))
            return {"injected": payload["name"]}
        if op == "state":
            return self._state(world, payload)
        if op == "clock" and method == "GET":
            nxt = world.clock.next_at()
            return {
                "now": world.clock.now().isoformat(),
                "next_event": nxt.isoformat() if nxt else None,
            }
        if op == "clock/advance":
            if "to" in payload:
                target = datetime.fromisoformat(str(payload["to"]))
            else:
                from datetime import timedelta

                target = world.clock.now() + timedelta(seconds=float(payload["seconds"]))
            world.clock.run_until(lambda: False, target)
            nxt = world.clock.next_at()
            return {
                "now": world.clock.now().isoformat(),
                "next_event": nxt.isoformat() if nxt else None,
            }
        raise ValueError(f"unknown test-control operation {method} {op!r}")

    def _drivers(self) -> list[Driver]:
        """The drivers of the use cases whose actors the served boundary plays."""
        boundary = set(self.profile.boundary)
        return [driver_for(uc.id) for uc in self.catalog.values() if boundary & set(uc.actors)]

    def _state(self, world: World, payload: dict[str, Any]) -> dict[str, Any]:
        query = payload.get("query")
        named = driver_for(world.use_case.id).state_queries.get(str(query))
        if named is not None:
            instance = payload.get(named.instance_arg) if named.instance_arg else None
            actor = world.actor(named.role, None if instance is None else str(instance))
            missing = [a for a in named.args if a not in payload]
            if missing:
                raise ValueError(f"state {named.name}: missing {', '.join(missing)}")
            return named.encode(getattr(actor, named.method)(*(payload[a] for a in named.args)))
        if query in ("inspect", "invoke"):
            # the reference actors' own state, for checks that have no named query
            actor = world.actor(str(payload["actor"]), payload.get("instance"))
            name = str(payload["name"])
            if name.startswith("_"):
                raise ValueError(f"{name!r} is not inspectable")
            value = getattr(actor, name)
            if query == "inspect" and callable(value):
                return {"kind": "method"}
            if query == "invoke":
                value = value(*list(payload.get("args", [])))
            return {"kind": "value", "value": _plain(value)}
        raise ValueError(f"unknown state query {query!r}")


def fault_applies(fault: Fault, profile: SutProfile, catalog: dict[str, UseCase]) -> bool:
    """Whether the served boundary can show this fault at all (else it would change nothing)."""
    if fault.applies_to == "tls":
        auth = profile.sut_client_auth
        return auth is not None and (fault.name != "crl-ignored" or auth.crl is not None)
    boundary = set(profile.boundary)
    for uc in catalog.values():
        for row in uc.rows.values():
            spec = uc.messages.get(row.message or "")
            if spec is None or not spec.cim:
                continue
            sends = row.producer in boundary and row.receiver not in boundary
            answers = row.receiver in boundary and row.producer not in boundary
            if fault.applies_to == "events" and sends and spec.cim.get("noun") == "EndDeviceEvents":
                return True
            if fault.applies_to == "cim" and (sends or answers):
                return True
    return fault.applies_to == "wire"


def served_client_auth(profile: SutProfile, fault: str | None) -> ClientAuth | None:
    """The profile's client authentication, loosened the way a TLS fault says."""
    auth = profile.sut_client_auth
    if auth is None or fault == "client-cert-ignored":
        return None
    if fault == "client-cert-optional":
        return dataclasses.replace(auth, required=False)
    if fault == "crl-ignored":
        return dataclasses.replace(auth, crl=None)
    return auth


def _plain(value: Any) -> Any:
    """JSON-ready form of actor state: dataclasses, datetimes, sets, enums included."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_plain(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if hasattr(value, "value"):  # an enum
        return _plain(value.value)
    return str(value)


def _json(data: dict[str, Any], status: int) -> Response:
    return Response(json.dumps(data), status=status, content_type="application/json")


def serve(
    profile: SutProfile,
    catalog: dict[str, UseCase],
    fault: str | None,
    ready: Callable[[str], None] = print,
) -> int:
    """Serve until interrupted (SIGINT/SIGTERM)."""
    import logging

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per request is noise
    system = ServedSystem(profile, catalog, fault)
    from urllib.parse import urlparse

    url = urlparse(profile.address)
    endpoint = Endpoint(
        lambda: system.world,
        control=system.control,
        faults=system.wire,
        max_body_bytes=profile.timeouts.max_body_bytes,
    )
    from amicert.config import server_context

    if url.scheme == "https" and profile.sut_tls is None:
        raise OSError("an https sut.address needs sut.tls_cert and sut.tls_key to be served")
    server = HttpServer(
        url.hostname or "127.0.0.1",
        int(url.port or 0),
        endpoint,
        profile.timeouts.max_body_bytes,
        ssl_context=server_context(profile.sut_tls, served_client_auth(profile, fault)),
    )
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    server.start()
    what = f" with fault {fault!r}" if fault else ""
    if profile.sut_client_auth is not None and profile.sut_client_auth.required:
        what = f", TLS client certificate required{what}"
    ready(
        f"amicert serve: {', '.join(profile.boundary)} of {profile.name!r} at {server.address}{what}"
    )
    try:
        while not stop.wait(0.5):
            pass
    finally:
        server.stop()
    return 0
