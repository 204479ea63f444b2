"""Third Party (C4): an energy management company reaching customer equipment through the CCS.
It identifies itself in Header/User (its ID and organization), signs each request to the CCS
(WS-Security, when the run gives it a signing identity), keeps the answers and results it
receives, and reports problems to the utility's customer representative."""

from __future__ import annotations

from datetime import timedelta

from lxml import etree

from amicert.actors.base import Actor, ActorContext, on
from amicert.cim.envelope import build_request
from amicert.trace import Exchange
from amicert.transport.soap import envelope
from amicert.transport.wssecurity import STRANGER_CA, Signer, altered_signature, demo_signer
from usecases.third_party_access import vocabulary as v

FORGED = ("SOAP-WSS-SIGNATURE",)  # what the harness's forged requests break, on purpose


class ThirdParty(Actor):
    role = "Third Party"

    def __init__(self, ctx: ActorContext, instance: str | None = None) -> None:
        super().__init__(ctx, instance)
        self.replies: list[bytes] = []
        self.results: list[Exchange] = []

    def identity(self, third_party: str) -> tuple[str, str]:
        return third_party, str(self.ctx.settings.get("third_parties", {}).get(third_party, ""))

    def monitor(self, third_party: str, service_point: str, device: str) -> None:
        """Step 3.1 row 1: an on-demand request for a customer device's energy data."""
        self._monitor(self.identity(third_party), service_point, device)

    def monitor_as(
        self, third_party: str, organization: str, service_point: str, device: str
    ) -> None:
        """A request under another's third-party ID with an organization not its own (spoofing)."""
        self._monitor((third_party, organization), service_point, device)

    def _monitor(self, user: tuple[str, str], service_point: str, device: str) -> None:
        self._request(self._query(user, service_point, device))

    def _request(self, body: bytes) -> None:
        reply = self.call("CCS", self._signed(body))
        if reply is not None:
            self.replies.append(reply)

    def _signed(self, body: bytes) -> bytes:
        """``body`` in a SOAP envelope signed with the run's identity (as it is without one)."""
        signer = self.ctx.settings.get("wss_signer")
        return signer.sign(envelope(body)) if isinstance(signer, Signer) else body

    def control(self, third_party: str, service_point: str, device: str, command: str) -> None:
        """Step 3.2 row 3: a control command to a customer device."""
        header = v.cim_header(
            third_party,
            "create",
            "EndDeviceControls",
            self.ctx.new_id(),
            self.ctx.now(),
            user=self.identity(third_party),
        )
        payload = v.control(self.ctx.new_id(), service_point, device, command)
        self._request(build_request(header, payload))

    def send_requests(
        self,
        third_party: str,
        service_point: str,
        device: str,
        count: int,
        spacing_s: float,
        first_after_s: float = 0,
    ) -> None:
        """``count`` monitoring requests, ``spacing_s`` apart (limits, alarms, refusals)."""
        for i in range(int(count)):
            delay = timedelta(seconds=float(first_after_s) + i * float(spacing_s))
            self.ctx.clock.call_later(
                delay, lambda: self.monitor(third_party, service_point, device)
            )

    def probe(self, third_party: str, service_point: str, device: str) -> None:
        """The security pack: a request, the same bytes again ten minutes later (same MessageID
        and Nonce, a stale ReplayDetection/Created), then one that breaks its schema."""
        body = self._signed(
            self._query(self.identity(third_party), service_point, device, replayable=True)
        )
        self.call("CCS", body)
        # the same bytes ten minutes on: a used MessageID, a stale ReplayDetection and Timestamp
        replayed = (
            "ENV-MESSAGE-ID-UNIQUE",
            "ENV-REPLAY",
            "ENV-TIMESTAMP-SKEW",
            "ENV-TIMESTAMP-CLOCK",
        )
        self.ctx.clock.call_later(timedelta(minutes=10), lambda: self._provoke(body, replayed))
        self.ctx.clock.call_later(
            timedelta(minutes=15),
            lambda: self._provoke(
                self._signed(self._malformed(third_party, service_point, device)),
                ("XSD-PAYLOAD",),
            ),
        )

    def tamper(self, third_party: str, service_point: str, device: str, redirect_to: str) -> None:
        """A monitoring request signed for ``device`` whose Body a man in the middle changes
        after signing to name ``redirect_to``, another device of the same service point that
        the third party may reach too: every check but the signature's admits it, and its
        signature no longer verifies."""
        body = self._signed(self._query(self.identity(third_party), service_point, device))
        signed, changed = f">{device}<".encode(), f">{redirect_to}<".encode()
        if body.count(signed) != 1 or device == redirect_to:
            raise ValueError(
                f"cannot redirect the signed request from {device} to {redirect_to}: it must "
                f"name {device} once, and the two devices must differ"
            )
        self._provoke(body.replace(signed, changed), FORGED)

    def forge(self, third_party: str, service_point: str, device: str, redirect_to: str) -> None:
        """The security pack's four requests whose signature must not verify, each otherwise
        admissible (its own fresh MessageID, an enabled third party and device): one changed
        after signing (``tamper``), one signed by a CA the CCS was not told to trust, one whose
        signature value is altered (its digest intact), one not signed at all."""
        user = self.identity(third_party)
        self.tamper(third_party, service_point, device, redirect_to)
        stranger = demo_signer(STRANGER_CA)
        self._provoke(stranger.sign(envelope(self._query(user, service_point, device))), FORGED)
        # the value altered does not depend on who signed: without the run's identity (a Third
        # Party product's run), the one made up for this process signs it
        signer = self.ctx.settings.get("wss_signer")
        own = signer if isinstance(signer, Signer) else demo_signer()
        query = envelope(self._query(user, service_point, device))
        self._provoke(altered_signature(own.sign(query)), FORGED)
        self._provoke(envelope(self._query(user, service_point, device)), FORGED)

    def _malformed(self, third_party: str, service_point: str, device: str) -> bytes:
        """A monitoring request whose query carries an element its schema does not have."""
        user = self.identity(third_party)
        return self._query(user, service_point, device, unexpected="x")

    def _query(
        self,
        user: tuple[str, str],
        service_point: str,
        device: str,
        *,
        replayable: bool = False,
        unexpected: str | None = None,
    ) -> bytes:
        """A monitoring request; with a ReplayDetection, or an element its schema lacks."""
        nonce = self.ctx.new_id() if replayable else None
        mid, now = self.ctx.new_id(), self.ctx.now()
        header = v.cim_header(user[0], "get", "MeterReadings", mid, now, user=user, nonce=nonce)
        query = v.monitor_query(service_point, device)
        if unexpected is not None:
            etree.SubElement(query, f"{{{v.GET_METER_READINGS_NS}}}Unexpected").text = unexpected
        return build_request(header, None, query)

    def _provoke(self, body: bytes, rules: tuple[str, ...]) -> None:
        with self.ctx.bus.provoking(self.role, rules):
            self.call("CCS", body)

    def report_problem(self, third_party: str, service_point: str, account: str) -> None:
        """Step 3.4 row 1: the third party reports it cannot reach the customer's equipment."""
        self.send(
            "Customer Representative",
            v.tpa_message(
                "ProblemReport",
                third_party,
                self.ctx.now(),
                self.ctx.new_id(),
                third_party=third_party,
                service_point=service_point,
                details={"account": account, "problem": "no answer from customer equipment"},
            ),
        )

    @on("created MeterReadings")
    def on_data(self, root: etree._Element, exchange: Exchange) -> None:
        self.results.append(exchange)

    @on("created EndDeviceControls")
    def on_confirmation(self, root: etree._Element, exchange: Exchange) -> None:
        self.results.append(exchange)

    @on(v.tq("Warning"))
    def on_warning(self, root: etree._Element, exchange: Exchange) -> None:
        self.results.append(exchange)
