"""HAN Device (HAN use cases): self-checks, is commissioned with the network key, joins the
Utility AMI Gateway, links with the registration application by its registration key,
acknowledges activation, and answers diagnostics.

What it can do depends on the premises (:class:`usecases.han.vocabulary.HanSite`): a device
whose radio is broken or which sits out of the HAN's coverage hears nothing and says nothing.
"""

from __future__ import annotations

import hmac
from datetime import timedelta

from lxml import etree

from amicert.actors.base import Actor, ActorContext, on
from amicert.trace import Exchange
from usecases.han.vocabulary import (
    ACCEPTED,
    ACTIVE,
    COMMUNICATION_FAILED,
    FAULTY,
    NOT_REGISTERED,
    REJECTED,
    SUBJECT_COMMISSIONING,
    SUBJECT_COMMUNICATION_FAILURE,
    SUBJECT_CONFIGURATION,
    SUBJECT_CONNECT,
    SUBJECT_CONTROL,
    SUBJECT_FIELD_TEST,
    SUBJECT_INSTALLED,
    SUBJECT_LINK,
    SUBJECT_PRECOMMISSIONING,
    SUBJECT_REGISTRATION,
    SUBJECT_SELF_CHECK,
    HanSite,
    SiteDevice,
    hq,
    message,
    read_han_message,
    subject_of,
)

INSTALLER = "Customer or Installer"
GATEWAY = "Utility AMI Gateway"
APP = "HAN Device Registration Application"
RDA = "Remote Diagnostics Application"


class HanDevice(Actor):
    role = "HAN Device"

    def __init__(self, ctx: ActorContext, instance: str | None = None) -> None:
        super().__init__(ctx, instance)
        self.placement: dict[str, str] = {}  # step 4: physical location, latitude, longitude
        mrid = instance or ""
        key = str(ctx.settings.get("han_network_key", ""))
        joined = mrid in (ctx.settings.get("han_commissioned") or ())
        program = (ctx.settings.get("han_registered") or {}).get(mrid)
        self.network_key: str | None = key if joined else None  # step 5: the key entered
        self.joined = joined
        self.configuration: dict[str, str] = {}
        self.linked_key: str | None = None  # step 10 of registration: the key it linked with
        self.program: str | None = program

    @property
    def site(self) -> HanSite:
        return self.ctx.settings["physical"]  # type: ignore[no-any-return]

    def me(self) -> SiteDevice:
        return self.site.devices[self.instance or ""]

    def _send(self, to: str, local: str, subject: str, **details: str) -> None:
        self.send(
            to,
            message(
                local,
                self.role,
                self.ctx.now(),
                subject,
                devices=[{"mRID": self.instance or ""}],
                details=details,
            ),
        )

    # --- installation ---------------------------------------------------------------------
    def power_on(self) -> None:
        """Step 3: connected to power, the device checks itself and shows the installer."""
        result = "PASSED" if self.me().self_check_ok else "FAILED"
        self._send(INSTALLER, "EquipmentNotice", SUBJECT_SELF_CHECK, result=result)

    @on(hq("SelectionNote"))
    def on_placement(self, root: etree._Element, exchange: Exchange) -> None:
        msg = read_han_message(root)
        if subject_of(msg) == SUBJECT_PRECOMMISSIONING:
            self.placement = {k: v for k, v in msg.details.items() if k != "subject"}

    @on(hq("ProvisioningSession"))
    def on_commissioning(self, root: etree._Element, exchange: Exchange) -> None:
        """Step 5: keyed in, the device asks the gateway to join (beaconing and discovery)."""
        msg = read_han_message(root)
        if subject_of(msg) != SUBJECT_COMMISSIONING or not self.site.reaches(self.instance or ""):
            return
        self.network_key = msg.details.get("networkKey") or None
        self.send(
            GATEWAY,
            message(
                "JoinRequest",
                self.role,
                self.ctx.now(),
                SUBJECT_COMMISSIONING,
                devices=[{"mRID": self.instance or "", "installCode": self.network_key or ""}],
            ),
        )

    @on(hq("CredentialResult"))
    def on_join_result(self, root: etree._Element, exchange: Exchange) -> None:
        self.joined = read_han_message(root).details.get("result") == ACCEPTED

    @on(hq("ProgramProvisioning"))
    def on_program(self, root: etree._Element, exchange: Exchange) -> bytes | None:
        msg = read_han_message(root)
        subject = subject_of(msg)
        if subject == SUBJECT_CONFIGURATION and self.joined:
            self.configuration = {k: v for k, v in msg.details.items() if k != "subject"}
            self._send(INSTALLER, "Confirmation", SUBJECT_INSTALLED)  # step 9
        elif subject == SUBJECT_REGISTRATION and self.linked_key is not None:
            self.program = msg.details.get("program") or None  # steps 12, 13
            ack = message(
                "ActivationAck",
                self.role,
                self.ctx.now(),
                SUBJECT_REGISTRATION,
                session=msg.session,
                devices=[{"mRID": self.instance or ""}],
                details={"state": ACTIVE, "program": self.program or ""},
            )
            # acknowledged once the provisioning is taken, never while its sender waits on it
            self.ctx.clock.call_later(timedelta(0), lambda: self.send(APP, ack))
        elif subject == SUBJECT_CONTROL:
            return self._control(msg.session)
        return None

    def _control(self, session: str) -> bytes:
        """Remote diagnostics step 10: act on the registered control signal, or say why not."""
        if self.program is None or self.me().registration_lost:
            state = NOT_REGISTERED
        elif not self.me().application_ok:
            state = FAULTY
        else:
            state = ACTIVE
        return message(
            "ActivationAck",
            self.role,
            self.ctx.now(),
            SUBJECT_CONTROL,
            session=session,
            devices=[{"mRID": self.instance or ""}],
            details={"state": state},
        )

    # --- registration ---------------------------------------------------------------------
    @on(hq("CredentialCheck"))
    def on_check(self, root: etree._Element, exchange: Exchange) -> bytes | None:
        msg = read_han_message(root)
        subject = subject_of(msg)
        if subject == SUBJECT_LINK:
            return self._link(msg.details.get("registrationKey", ""))
        if subject == SUBJECT_CONNECT and self.site.reaches(self.instance or ""):
            self.send(
                RDA,
                message(
                    "CredentialResult",
                    self.role,
                    self.ctx.now(),
                    SUBJECT_CONNECT,
                    session=msg.session,
                    devices=[{"mRID": self.instance or "", "installCode": self.network_key or ""}],
                    details={"result": ACCEPTED if self.joined else REJECTED},
                ),
            )
        if subject == SUBJECT_FIELD_TEST:
            return self._field_test()
        return None

    def _link(self, key: str) -> bytes:
        ok = bool(key) and hmac.compare_digest(key, self.me().registration_key)
        if ok:
            self.linked_key = key
        return message(
            "CredentialResult",
            self.role,
            self.ctx.now(),
            SUBJECT_LINK,
            devices=[{"mRID": self.instance or ""}],
            details={"result": ACCEPTED if ok else REJECTED},
        )

    # --- maintenance ----------------------------------------------------------------------
    def report_isolation(self) -> None:
        """Diagnostics and maintenance steps 1, 2: it cannot reach the AMI to self-register."""
        self._send(
            INSTALLER, "EquipmentNotice", SUBJECT_COMMUNICATION_FAILURE, code=COMMUNICATION_FAILED
        )

    def _field_test(self) -> bytes:
        d = self.me()
        link = "GOOD" if self.site.reaches(d.mrid) else ("MARGINAL" if d.radio_ok else "NONE")
        return message(
            "CredentialResult",
            self.role,
            self.ctx.now(),
            SUBJECT_FIELD_TEST,
            devices=[{"mRID": d.mrid}],
            details={"selfTest": "PASSED" if d.radio_ok else "FAILED", "link": link},
        )
