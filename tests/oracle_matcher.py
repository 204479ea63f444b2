"""The matcher as it was before indexing: re-matches the whole trace on every call.

Kept as an oracle: the indexed matcher in amicert.trace must give the same findings on every trace
(tests/test_trace_equivalence.py). Quadratic, so only for tests. What indexing changed (the match
loop and the per-meter order check) is kept here as it was; the rest is shared.
"""

from __future__ import annotations

from amicert.catalog import StepRow, UseCase
from amicert.findings import Finding, Severity, error
from amicert.trace import (
    Analysis,
    Exchange,
    Expected,
    Trace,
    _blame,
    _correlation_findings,
    _provoked,
    _with,
    content_deviations,
    extract_keys,
)


def analyse(
    trace: Trace,
    use_case: UseCase,
    rows: list[StepRow],
    devices: list[str],
    sut_roles: frozenset[str],
    *,
    final: bool,
) -> Analysis:
    """Match the trace against ``rows`` (one scenario) for the in-scope ``devices``.

    Each exchange of a row (most rows have one) is matched on producer, receiver and content;
    a synchronous reply belongs to its request's step unless a row declares it as a ``reply``
    exchange of its own. ``final`` adds what can only be said at the end: missing steps and
    extra exchanges.
    """
    expected = [
        Expected(row, dev, part=i)
        for row in rows
        for i, part in enumerate(row.exchanges)
        for dev in (devices if part.per == "device" else [None])
    ]
    slots = [(row, i, part) for row in rows for i, part in enumerate(row.exchanges)]
    findings: list[Finding] = []
    unmatched: list[Exchange] = []
    by_seq = {x.seq: x for x in trace.exchanges}
    for x in trace.exchanges:
        is_reply = x.in_reply_to is not None
        x.step = None
        pair = [
            s
            for s in slots
            if s[2].reply == is_reply
            and s[2].producer == x.producer
            and s[2].receiver == x.receiver
        ]
        if is_reply:
            # a reply is a row's own exchange only when its content is that row's message
            pair = [
                s
                for s in pair
                if s[2].message and not content_deviations(x, use_case.messages[s[2].message])
            ]
        if is_reply and not pair:
            # a reply carries its request's step, and its own findings
            req = by_seq.get(x.in_reply_to or 0)
            x.step = req.step if req else None
            if x.step:
                findings.extend(
                    _provoked(x, _with(f, x.step, _blame(x.producer, sut_roles)))
                    for f in x.findings
                )
            continue
        blame = _blame(x.producer, sut_roles)
        if not pair:
            unmatched.append(x)
            continue
        strict = [
            s
            for s in pair
            if s[2].message and not content_deviations(x, use_case.messages[s[2].message])
        ]
        if not strict and not any(
            e.exchange is None for s in pair for e in expected if e.row is s[0] and e.part == s[1]
        ):
            # a message of a row's kind after all its rows were seen, fitting none: an extra
            unmatched.append(x)
            continue
        candidates = strict or pair
        row, index, part = next(
            (
                s
                for s in candidates
                if any(e.exchange is None for e in expected if e.row is s[0] and e.part == s[1])
            ),
            candidates[0],
        )
        spec = use_case.messages[part.message or ""]
        x.step = row.number
        if not strict:
            findings.extend(_with(f, row.number, blame) for f in content_deviations(x, spec))
        findings.extend(_provoked(x, _with(f, row.number, blame, sut_roles)) for f in x.findings)
        targets: list[str | None] = [None]
        if part.per == "device":
            targets = list(extract_keys(x, spec).get("device") or [])
        if part.per == "device" and not targets:
            targets = [x.receiver_id or x.producer_id]
        for dev in targets:
            entry = next(
                (e for e in expected if e.row is row and e.part == index and e.device == dev), None
            )
            if entry is None:
                findings.append(
                    error(
                        "SEQ-UNEXPECTED-DEVICE",
                        f"exchange #{x.seq} concerns {dev!r}, which is not in scope of this scenario",
                        step=row.number,
                        expected=", ".join(devices),
                        received=str(dev),
                        blame=blame,
                    )
                )
            elif entry.exchange is None:
                entry.exchange = x
            else:
                findings.append(
                    Finding(
                        "SEQ-DUPLICATE",
                        Severity.WARNING if row.repeatable else Severity.ERROR,
                        f"step {row.number} seen again for {dev or 'the campaign'} "
                        f"(#{x.seq}, first #{entry.exchange.seq})",
                        step=row.number,
                        blame=blame,
                    )
                )
    findings.extend(_order_findings(expected, rows, devices, sut_roles))
    findings.extend(_correlation_findings(expected, use_case, sut_roles))
    if final:
        for e in expected:
            if e.exchange is None and not e.spec.optional:
                who = f" for meter {e.device}" if e.device else ""
                p = e.spec
                findings.append(
                    error(
                        "SEQ-MISSING",
                        f"step {e.row.number}: the {p.producer} never sent the "
                        f'"{p.information}" to the {p.receiver}{who}',
                        step=e.row.number,
                        blame=_blame(p.producer, sut_roles),
                    )
                )
        for x in unmatched:
            findings.append(
                error(
                    "SEQ-EXTRA",
                    f"exchange #{x.seq} ({x.label}) from {x.producer} to {x.receiver} "
                    "is no step of this scenario",
                    blame=_blame(x.producer, sut_roles),
                )
            )
    return Analysis(expected, findings, unmatched)


def _order_findings(
    expected: list[Expected], rows: list[StepRow], devices: list[str], sut_roles: frozenset[str]
) -> list[Finding]:
    """Per meter, the rows (and the exchanges of a row) must be observed in table order."""
    findings: list[Finding] = []
    reported: set[tuple[str, str | None]] = set()
    scopes: list[str | None] = list(devices) or [None]
    order = {r.number: i for i, r in enumerate(rows)}
    for dev in scopes:
        chain = [
            e for e in expected if e.exchange is not None and (e.device is None or e.device == dev)
        ]
        chain.sort(key=lambda e: (order[e.row.number], e.part))
        latest: Expected | None = None
        for e in chain:
            assert e.exchange is not None
            if (
                latest is not None
                and latest.exchange is not None
                and e.exchange.seq < latest.exchange.seq
                and (e.row.number, dev) not in reported
            ):
                reported.add((e.row.number, dev))
                who = f" for meter {dev}" if dev else ""
                findings.append(
                    error(
                        "SEQ-ORDER",
                        f"step {e.row.number}{who} (#{e.exchange.seq}) was observed before "
                        f"step {latest.row.number} (#{latest.exchange.seq}), which precedes it",
                        step=e.row.number,
                        expected=f"after step {latest.row.number}",
                        received=f"before step {latest.row.number}",
                        blame=_blame(e.spec.producer, sut_roles),
                    )
                )
                continue
            latest = e
    return findings
