"""C4 checks read on the observed traffic: message limits per contract tier, warnings to the third
party, alarms and reports on unauthorized attempts, refusals. Each reads the exchanges the
harness recorded, never what an actor says it did, and blames the actor whose traffic was wrong.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from amicert.findings import Blame, Finding, error
from amicert.trace import Exchange
from amicert.world import World
from usecases.third_party_access import vocabulary as v

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
CLOCK_TOLERANCE = timedelta(seconds=60)  # a logged time may differ this much from the wire's
SPG = "Service Point Gateway"
RELAYS = (v.tq("RelayedRequest"), v.tq("RelayedControl"))
RECEIPTS = (v.tq("RequestReceipt"), v.tq("ControlReceipt"))
_RELAY_KEYS = {("CCS", SPG, kind) for kind in RELAYS}


@dataclass(frozen=True)
class Request:
    """A third party's request as the CCS received it, and how the CCS answered it."""

    exchange: Exchange
    message_id: str
    third_party: str
    service_point: str
    device: str
    result: str  # the synchronous reply's Result ('' when unanswered)
    command: str = ""  # a control's command ('' for a monitoring request)

    @property
    def at(self) -> datetime:
        return self.exchange.virtual_time


@dataclass
class _Index:
    """What the checks read, gathered in one pass over the trace (each check of each service
    point of a fleet reads it again: the pass is made once per trace length)."""

    size: int
    requests: list[Request]
    by_point: dict[str, list[Request]]
    tpa: dict[tuple[str, str, str], list[Exchange]]
    messages: dict[int, v.TpaMessage]
    by_id: dict[str, Request]  # MessageID -> the first request that carried it
    # service point a third party addressed -> the CCS's relays of its requests to a gateway,
    # and the CCS's answers (created events) correlated to them
    relays: dict[str, list[tuple[Request, Exchange]]]
    answers: dict[str, list[tuple[Request, Exchange]]]


def _index(world: World) -> _Index:
    cached = world.params.get("_c4_index")
    if isinstance(cached, _Index) and cached.size == len(world.trace):
        return cached
    everything = _requests(world)
    by_point: dict[str, list[Request]] = {}
    by_id: dict[str, Request] = {}
    for r in everything:
        by_point.setdefault(r.service_point, []).append(r)
        if r.message_id:
            by_id.setdefault(r.message_id, r)
    grouped: dict[tuple[str, str, str], list[Exchange]] = {}
    messages: dict[int, v.TpaMessage] = {}
    relays: dict[str, list[tuple[Request, Exchange]]] = {}
    answers: dict[str, list[tuple[Request, Exchange]]] = {}
    for x in world.trace.exchanges:
        if x.info is not None and x.info.root.startswith(f"{{{v.TPA_NS}}}"):
            grouped.setdefault((x.producer, x.receiver, x.info.root), []).append(x)
            root = x.root()
            msg = v.read_tpa(root) if root is not None else v.TpaMessage("", "", "", "")
            messages[x.seq] = msg
            asked = by_id.get(msg.transaction)
            if asked is not None and (x.producer, x.receiver, x.info.root) in _RELAY_KEYS:
                relays.setdefault(asked.service_point, []).append((asked, x))
        elif x.producer == "CCS" and x.receiver == "Third Party" and x.info is not None:
            asked = by_id.get(x.info.correlation_id or "")
            if asked is not None and x.info.verb == "created":
                answers.setdefault(asked.service_point, []).append((asked, x))
    index = _Index(
        len(world.trace), everything, by_point, grouped, messages, by_id, relays, answers
    )
    world.params["_c4_index"] = index
    return index


def requests(world: World, service_point: str | None = None) -> list[Request]:
    """Every request a third party sent the CCS (for one service point), oldest first."""
    index = _index(world)
    return index.requests if service_point is None else index.by_point.get(service_point, [])


def _requests(world: World) -> list[Request]:
    replies = {
        x.in_reply_to: (x.info.result or "") if x.info else ""
        for x in world.trace.exchanges
        if x.in_reply_to is not None and x.producer == "CCS"
    }
    found: list[Request] = []
    for x in world.trace.exchanges:
        if x.producer != "Third Party" or x.receiver != "CCS" or x.info is None:
            continue
        root = x.root()
        if root is None or not x.info.verb:
            continue
        req = v.read_request(root)
        found.append(
            Request(
                x,
                req.message_id,
                req.third_party,
                req.service_point,
                req.device,
                replies.get(x.seq, ""),
                req.command,
            )
        )
    return found


def tpa(world: World, producer: str, receiver: str, kinds: tuple[str, ...]) -> list[Exchange]:
    """The harness-protocol messages of ``kinds`` (Clark names) from producer to receiver."""
    grouped = _index(world).tpa
    found = [x for kind in kinds for x in grouped.get((producer, receiver, kind), [])]
    return sorted(found, key=lambda x: x.seq)


def read(x: Exchange) -> v.TpaMessage:
    root = x.root()
    return v.read_tpa(root) if root is not None else v.TpaMessage("", "", "", "")


def read_in(world: World, x: Exchange) -> v.TpaMessage:
    """``read``, from the index: no parse again."""
    return _index(world).messages.get(x.seq) or read(x)


def relayed(world: World) -> dict[str, Exchange]:
    """Transaction -> the CCS's relay of it to a gateway."""
    out: dict[str, Exchange] = {}
    for x in tpa(world, "CCS", SPG, RELAYS):
        out.setdefault(read_in(world, x).transaction, x)
    return out


def _time(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None


def _in(times: list[datetime], now: datetime, span: timedelta) -> int:
    return sum(1 for t in times if now - span < t <= now)


# --- message limits (C4NFR1, C4FR4, C4FR32, C4FR38) ------------------------------------------


def limits_kept(world: World, sp: str) -> Finding | None:
    """Admitted requests keep the service point within the tier (two transactions each), and no
    request of an enabled third party is refused while the service point is under it."""
    tiers: dict[str, dict[str, int]] = world.settings.get("tiers", {})
    tier_of: dict[str, str] = world.params.get("tier_of", {}).get(sp, {})
    admitted: list[datetime] = []
    relays = relayed(world)
    per = v.TRANSACTIONS_PER_REQUEST
    for r in requests(world, sp):
        if r.third_party not in tier_of:
            continue  # not enabled here: refused for another reason
        tier = tier_of[r.third_party]
        limits = tiers.get(tier, v.DOCUMENT_TIER)
        used = {
            "hour": per * _in(admitted, r.at, HOUR),
            "day": per * _in(admitted, r.at, DAY),
        }
        allowed = {"hour": limits["transactions_per_hour"], "day": limits["transactions_per_day"]}
        fits = all(used[k] + per <= allowed[k] for k in used)
        state = f"{used['hour']} of {allowed['hour']} per hour, {used['day']} of {allowed['day']} per day"
        if r.message_id in relays:
            admitted.append(r.at)
            if not fits:
                return _limit(world, r, f"admitted with {state} already used", tier)
        elif fits:
            return _limit(world, r, f"refused with only {state} used", tier)
        elif r.result != "FAILED":
            return _limit(world, r, f"answered {r.result or 'nothing'}, not rejected", tier)
    return None


def _limit(world: World, r: Request, what: str, tier: str) -> Finding:
    return error(
        "NFR-C4NFR1",
        f"request {r.message_id} of {r.third_party} to {r.service_point} at "
        f"{r.at.isoformat()} was {what} (tier {tier!r}, {v.TRANSACTIONS_PER_REQUEST} "
        "transactions per request)",
        step=r.exchange.step,
        expected="admitted while the tier's transactions per hour and per day allow it, else "
        "rejected (FAILED)",
        received=what,
        blame=world.blame("CCS"),
    )


def warnings_name_requests(world: World, sp: str, reason: str) -> Finding | None:
    """Every warning names a request (message ID), its destination and when it was received; a
    request refused for the limit is warned of."""
    by_id = {r.message_id: r for r in requests(world)}
    warned: set[str] = set()
    for x in tpa(world, "CCS", "Third Party", (v.tq("Warning"),)):
        msg = read_in(world, x)
        if msg.details.get("reason") != reason:
            continue
        mid = msg.details.get("messageId", "")
        warned.add(mid)
        r = by_id.get(mid)
        if (r.service_point if r else msg.service_point) not in (sp, ""):
            continue  # another service point's warning: judged there
        got = _time(msg.details.get("receivedDateTime", ""))
        wrong = []
        if r is None:
            wrong.append(f"message ID {mid or '(none)'} names no request of the third party")
        else:
            if msg.details.get("destination") != r.device:
                wrong.append(f"destination ID {msg.details.get('destination') or '(none)'}")
            if got is None or abs(got - r.at) > CLOCK_TOLERANCE:
                wrong.append(
                    f"date/time received {msg.details.get('receivedDateTime') or '(none)'}"
                )
        if wrong:
            return error(
                "PROFILE-C4-WARNING",
                f"the warning #{x.seq} ({reason}) is wrong: {'; '.join(wrong)}",
                step=x.step,
                expected=(
                    f"message ID {r.message_id}, destination ID {r.device}, received "
                    f"{r.at.isoformat()}"
                    if r
                    else "the message ID of a request the third party sent"
                ),
                received=str(msg.details)[:300],
                blame=world.blame("CCS"),
            )
    if reason != "LIMIT_EXCEEDED":
        return None
    relays = relayed(world)
    tier_of = world.params.get("tier_of", {}).get(sp, {})
    for r in requests(world, sp):
        if r.third_party in tier_of and r.message_id not in relays and r.message_id not in warned:
            return error(
                "PROFILE-C4-WARNING",
                f"request {r.message_id} was rejected without a warning to the third party",
                step=r.exchange.step,
                expected="a warning naming the message ID, destination ID and date/time received",
                received="(no warning)",
                blame=world.blame("CCS"),
            )
    return None


# --- alarms and reports on unauthorized attempts (C4FR25-C4FR28) -----------------------------


def _first_excess(times: list[datetime], limit: int) -> datetime | None:
    """When attempts first exceed ``limit`` within an hour."""
    ordered = sorted(times)
    for t in ordered:
        if _in(ordered, t, HOUR) > limit:
            return t
    return None


def alarm_raised(
    world: World, rule: str, role: str, attempts: list[datetime], alarms: list[Exchange]
) -> Finding | None:
    """An alarm once attempts exceed the limit within an hour, and none before."""
    limit = int(
        world.settings.get("unauthorized_per_hour", world.use_case.limits["unauthorized_per_hour"])
    )
    due = _first_excess(attempts, limit)
    early = [x for x in alarms if due is None or x.virtual_time < due]
    if early:
        return error(
            rule,
            f"the {role} raised an alarm (#{early[0].seq}) before unauthorized attempts exceeded "
            f"{limit} in an hour ({len(attempts)} attempts seen)",
            step=early[0].step,
            expected=f"an alarm only after more than {limit} attempts within an hour",
            received=early[0].virtual_time.isoformat(),
            blame=world.blame(role),
        )
    if due is not None and not alarms:
        return error(
            rule,
            f"the {role} raised no alarm although {limit + 1} unauthorized attempts came within "
            f"an hour (the last at {due.isoformat()})",
            expected=f"an alarm once attempts exceed {limit} in an hour",
            received="(no alarm)",
            blame=world.blame(role),
        )
    return None


def ccs_alarm(world: World, sp: str) -> Finding | None:
    enabled = world.params.get("tier_of", {}).get(sp, {})
    attempts = [r.at for r in requests(world) if r.third_party not in enabled]
    alarms = tpa(world, "CCS", "Other Utility Systems", (v.tq("Alarm"),))
    return alarm_raised(world, "STATE-C4-ALARM", "CCS", attempts, alarms)


def _gateway_attempts(world: World, sp: str) -> list[Exchange]:
    """The CCS's relays to the gateway of third parties the gateway was not provisioned for."""
    admitted = world.params.get("spg_enabled", {}).get(sp, set())
    return [
        x
        for x in tpa(world, "CCS", SPG, RELAYS)
        if x.receiver_id in (sp, None) and read_in(world, x).third_party not in admitted
    ]


def gateway_alarm(world: World, sp: str) -> Finding | None:
    attempts = [x.virtual_time for x in _gateway_attempts(world, sp)]
    alarms = [x for x in tpa(world, SPG, "CCS", (v.tq("Alarm"),)) if x.producer_id in (sp, None)]
    return alarm_raised(world, "STATE-C4-SPG-ALARM", SPG, attempts, alarms)


def gateway_reports(world: World, sp: str) -> Finding | None:
    """Every unauthorized attempt appears in a report to the CCS within the configured period."""
    period = timedelta(seconds=float(world.settings.get("spg_report_s", 3600)))
    reports = [
        (x, read_in(world, x))
        for x in tpa(world, SPG, "CCS", (v.tq("UnauthorizedReport"),))
        if x.producer_id in (sp, None)
    ]
    for attempt in _gateway_attempts(world, sp):
        tx = read_in(world, attempt).transaction
        on_time = [
            x
            for x, msg in reports
            if attempt.virtual_time
            <= x.virtual_time
            <= attempt.virtual_time + period + CLOCK_TOLERANCE
            and any(tx in text.split() for text in msg.details.values())
        ]
        if not on_time:
            return error(
                "STATE-C4-SPG-REPORT",
                f"the gateway of {sp} reported the unauthorized attempt {tx} (#{attempt.seq}) to "
                f"the CCS in no report within {period.total_seconds():.0f} s",
                step=attempt.step,
                expected=f"an UnauthorizedReport naming {tx} within the configured period",
                received=f"{len(reports)} report(s), none naming it in time",
                blame=world.blame(SPG),
            )
    return None


# --- refusals (C4FR6, C4FR23, C4BR2) ------------------------------------------------------------


def refused(world: World, sp: str, third_party: str, rule: str) -> Finding | None:
    """Every request of ``third_party`` for ``sp`` is answered FAILED and none reaches a gateway."""
    relays = relayed(world)
    mine = [r for r in requests(world, sp) if r.third_party == third_party]
    if not mine:
        return error(
            "NFR-NOT-MEASURED",
            f"{rule} could not be judged: third party {third_party} sent no request for {sp}",
            blame=Blame.INFRASTRUCTURE,
        )
    for r in mine:
        if r.result != "FAILED" or r.message_id in relays:
            subject = f"request {r.message_id} of {third_party} for {sp}"
            return _unrefused(world, rule, r, relays.get(r.message_id), subject)
    return None


def _unrefused(
    world: World, rule: str, r: Request, leaked: Exchange | None, subject: str
) -> Finding:
    """The CCS answered ``r`` other than FAILED, or passed it to the gateway (``leaked``)."""
    got = (
        f"passed to the gateway (#{leaked.seq})" if leaked else f"answered {r.result or 'nothing'}"
    )
    return error(
        rule,
        f"the CCS did not refuse {subject}: {got}",
        step=r.exchange.step,
        expected="Result FAILED, and nothing of it passed to the gateway",
        received=got,
        blame=world.blame("CCS"),
    )


# --- replayed and malformed requests (C4FR3, C4FR8) ---------------------------------------------


def hostile_refused(world: World, sp: str) -> Finding | None:
    """Every request the harness sent broken on purpose is answered FAILED, and nothing of its
    transaction reaches the gateway after it (a replay copies a transaction already relayed)."""
    relays = [(read_in(world, x).transaction, x) for x in tpa(world, "CCS", SPG, RELAYS)]
    probes = [r for r in requests(world, sp) if r.exchange.provoked]
    if not probes:
        return error(
            "NFR-NOT-MEASURED",
            "STATE-C4-HOSTILE could not be judged: no replayed or malformed request was sent",
            blame=Blame.INFRASTRUCTURE,
        )
    for r in probes:
        what = " and ".join(sorted(r.exchange.provoked))
        leaked = [x for tx, x in relays if tx == r.message_id and x.seq > r.exchange.seq]
        if r.result != "FAILED" or leaked:
            subject = f"request #{r.exchange.seq} ({r.message_id}), which breaks {what}"
            return _unrefused(world, "STATE-C4-HOSTILE", r, leaked[0] if leaked else None, subject)
    return None


# --- what the CCS passes on (C4FR1, C4FR15, C4FR6, C4FR18) -------------------------------------


def _differs(
    world: World, rule: str, x: Exchange, what: str, want: dict[str, str], got: dict[str, str]
) -> Finding | None:
    """A finding on ``x`` (the CCS's) where it carries other values than the request asked."""
    wrong = [k for k in want if want[k] != got.get(k, "")]
    if not wrong:
        return None
    return error(
        rule,
        f"{what} with another {' and '.join(wrong)} than the request asked for",
        step=x.step,
        expected=", ".join(f"{k} {want[k] or '(none)'}" for k in wrong),
        received=", ".join(f"{k} {got.get(k) or '(none)'}" for k in wrong),
        blame=world.blame("CCS"),
    )


def relays_carry_requests(world: World, sp: str) -> Finding | None:
    """Every relay to a gateway of a request for ``sp`` carries what the third party asked: its
    ID as the source, the service point and the device it addressed (only that device) and, for
    a control, its command."""
    for r, x in _index(world).relays.get(sp, []):
        msg = read_in(world, x)
        want = {"third party": r.third_party, "service point": sp, "device": r.device}
        got = {
            "third party": msg.third_party,
            "service point": msg.service_point,
            "device": ", ".join(msg.devices),
        }
        if r.command:
            want["command"], got["command"] = r.command, msg.details.get("command", "")
        what = (
            f"the CCS passed request {r.message_id} (#{r.exchange.seq}) to the gateway (#{x.seq})"
        )
        found = _differs(world, "PROFILE-C4-RELAY", x, what, want, got)
        if found is not None:
            return found
    return None


def answers_carry_requests(world: World, sp: str) -> Finding | None:
    """Every answer the CCS sends a third party, correlated to a request for ``sp``, is about
    what that request addressed: the same service point and customer device (another's data
    under a third party's request reaches a party the customer never enabled for it)."""
    for r, x in _index(world).answers.get(sp, []):
        root = x.root()
        point, device = v.read_addressed(root) if root is not None else ("", "")
        what = f"the CCS answered request {r.message_id} of {r.third_party} (#{r.exchange.seq}) with #{x.seq}"
        want = {"service point": sp, "device": r.device}
        found = _differs(
            world, "PROFILE-C4-ANSWER", x, what, want, {"service point": point, "device": device}
        )
        if found is not None:
            return found
    return None
