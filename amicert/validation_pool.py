"""CIM validation of a large fleet's messages in worker processes, with the serial verdicts.

Validation needs nothing but the message, the moment and the run's MessageID history. Worker
processes (one validator each, schemas compiled once) validate each message against an empty
history while the run goes on; the history is kept here and applied in record order (the
ledger): a message whose MessageID was seen before is validated again here against the run's
history, exactly as the serial pipeline does. A message whose verdict is needed before a
worker returned it (the matcher, a receiver) is validated here at once: nobody ever waits on a
worker for what they need now. A worker that fails or stops answering makes its messages
validated here, never lost.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import select
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING

from amicert.cim.validate import ValidationContext, Validator
from amicert.findings import Finding
from amicert.trace import Exchange, compact_info

if TYPE_CHECKING:
    from multiprocessing.process import BaseProcess

    from amicert.cim.model import MessageInfo

PARALLEL_FROM_METERS = 1000  # a scenario with at least this many meters validates in workers
PIPE_BYTES = 48 * 1024  # handed to one worker and not yet answered: a write never blocks
BATCH = 6  # messages sent to a worker together (one write, one wake-up)
WORKER_WAIT_S = 60.0  # the longest a worker may take to answer before it is given up

Outcome = tuple[list[Finding], "MessageInfo | None", list[str]]
# body, now, request MessageID, check_replay, replay window, request conforming, clock
# controlled, since (the ValidationContext fields a rule reads)
Work = tuple[bytes, datetime | None, str | None, bool, float, bool, bool, datetime | None]


def _validate(validator: Validator, work: Work, seen: set[str]) -> Outcome:
    body, now, request_id, check_replay, window, conforming, controlled, since = work
    context = ValidationContext(
        seen_message_ids=seen,
        request_message_id=request_id,
        now=now,
        replay_window_s=window,
        check_replay=check_replay,
        request_conforming=conforming,
        clock_controlled=controlled,
        since=since,
    )
    before = set(seen)
    result = validator.validate(body, context)
    return list(result.findings), result.info, sorted(seen - before)


def _worker(conn: Connection, factory: Callable[[], Validator]) -> None:
    """A worker's life: one validator, then batches of messages until the pipe closes."""
    validator = factory()
    while True:
        try:
            work: list[Work] = pickle.loads(conn.recv_bytes())
        except (EOFError, OSError):
            return
        out = [_validate(validator, w, set()) for w in work]
        conn.send_bytes(pickle.dumps(out, pickle.HIGHEST_PROTOCOL))


def default_workers() -> int:
    """One worker less than the cores this process may use (the run itself keeps one busy),
    at most four; none on one core."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(0, min(4, (cores or 1) - 1))


@dataclass
class _Item:
    """One recorded message on its way through validation and the ledger."""

    exchange: Exchange
    work: Work
    validator: Validator  # the recording bus's, for a message validated here
    seen: set[str]  # the run's MessageIDs
    outcome: Outcome | None = None
    own: int = 0  # how many of the exchange's findings are the validator's


@dataclass
class _Worker:
    conn: Connection
    process: BaseProcess
    waiting: deque[list[_Item]] = field(default_factory=deque)  # batches sent, in order
    sizes: deque[int] = field(default_factory=deque)  # their sizes on the pipe


class ValidationPool:
    """Worker processes validating recorded messages; one per run, shared by its scenarios."""

    def __init__(
        self,
        workers: int,
        factory: Callable[[], Validator] = Validator,
        *,
        parallel_from: int = PARALLEL_FROM_METERS,
    ) -> None:
        self.workers = workers
        self.factory = factory
        self.parallel_from = parallel_from
        self._started: list[_Worker] | None = None
        self._poller = select.poll()  # one system call tells which workers answered
        self._by_fd: dict[int, _Worker] = {}
        self._batch: list[_Item] = []
        self._ledger: deque[_Item] = deque()  # record order, until the history is applied
        self._next = 0
        self.broken: str | None = None  # why the workers are no longer used
        self.validated_here = 0  # messages needed before their worker answered
        self.validated_by_workers = 0

    def wanted(self, meters: int) -> bool:
        """Whether a scenario with ``meters`` in scope validates in the workers."""
        return self.workers > 0 and self.broken is None and meters >= self.parallel_from

    def _pool(self) -> list[_Worker]:
        if self._started is None:
            context = multiprocessing.get_context("forkserver")
            self._started = []
            for _ in range(self.workers):
                ours, theirs = context.Pipe()
                process = context.Process(
                    target=_worker, args=(theirs, self.factory), name="amicert validation"
                )
                process.daemon = True
                process.start()
                theirs.close()
                self._started.append(_Worker(ours, process))
                self._by_fd[ours.fileno()] = self._started[-1]
                self._poller.register(ours.fileno(), select.POLLIN)
        return self._started

    def submit(
        self, exchange: Exchange, body: bytes, context: ValidationContext, validator: Validator
    ) -> None:
        """Validate ``exchange`` in a worker; reading its info or findings before the worker
        answered validates it here instead."""
        work: Work = (
            body,
            context.now,
            context.request_message_id,
            context.check_replay,
            context.replay_window_s,
            context.request_conforming,
            context.clock_controlled,
            context.since,
        )
        item = _Item(exchange, work, validator, context.seen_message_ids)
        exchange.settle = lambda _: self._needed(item)
        self._batch.append(item)
        self._ledger.append(item)

    def poll(self) -> None:
        """Hand over what was recorded, take in every answer already back (never waits)."""
        self._flush()
        self._answers()
        self._advance()

    def _answers(self) -> None:
        """Take in every answer already back (never waits)."""
        while self._by_fd:
            ready = [self._by_fd[fd] for fd, _ in self._poller.poll(0) if fd in self._by_fd]
            ready = [w for w in ready if w.waiting]
            if not ready:
                return
            for worker in ready:
                self._receive(worker)

    def drain(self) -> None:
        """Every message handed over judged and through the ledger (before any analysis)."""
        for item in self._batch:  # not handed over yet: quicker here than a round trip
            if item.outcome is None:
                self._here(item)
        self._batch = []
        for worker in self._started or []:
            while worker.waiting:
                self._receive(worker, wait=True)
        for item in self._ledger:
            if item.outcome is None:
                self._here(item)
        self._advance()

    def _flush(self) -> None:
        """Hand the recorded messages to the least busy worker, if it can take them without
        the write waiting (a busy machine); else they wait for the next chance, or are
        validated here when needed first."""
        batch = [i for i in self._batch if i.outcome is None]
        self._batch = []
        if not batch:
            return
        if self.broken is not None:
            for item in batch:
                self._here(item)
            return
        try:
            worker = min(self._pool(), key=lambda w: sum(w.sizes))
            if len(batch) < BATCH:
                self._batch = batch  # every worker is busy: a larger batch, later
                return
            data = pickle.dumps([i.work for i in batch], pickle.HIGHEST_PROTOCOL)
            if worker.sizes and sum(worker.sizes) + len(data) > PIPE_BYTES:
                self._batch = batch  # the worker is behind: not now
                return
            worker.conn.send_bytes(data)
        except (OSError, ValueError, pickle.PicklingError) as exc:
            for item in batch:
                self._here(item)
            self._give_up(f"a worker cannot take work: {exc}")
            return
        worker.waiting.append(batch)
        worker.sizes.append(len(data))

    def _receive(self, worker: _Worker, *, wait: bool = False) -> None:
        batch = worker.waiting.popleft()
        worker.sizes.popleft()
        try:
            if wait and not worker.conn.poll(WORKER_WAIT_S):
                raise TimeoutError(f"no answer within {WORKER_WAIT_S:.0f} s")
            outcomes: list[Outcome] = pickle.loads(worker.conn.recv_bytes())
        except (EOFError, OSError, TimeoutError, pickle.UnpicklingError) as exc:
            for item in batch:
                if item.outcome is None:
                    self._here(item)
            self._give_up(f"a worker stopped answering: {exc}")
            return
        for item, outcome in zip(batch, outcomes, strict=True):
            if item.outcome is None:
                self.validated_by_workers += 1
                self._attach(item, outcome)

    def _needed(self, item: _Item) -> None:
        """Someone reads the message's verdict before its worker answered: validate it here."""
        self._answers()  # answers already back are taken first
        if item.outcome is None:
            self.validated_here += 1
            self._here(item)

    def _here(self, item: _Item) -> None:
        self._attach(item, _validate(item.validator, item.work, set()))

    def _attach(self, item: _Item, outcome: Outcome) -> None:
        item.outcome = outcome
        x = item.exchange
        x.settle = None
        findings, info, _ = outcome
        item.own = len(findings)
        x.info = compact_info(info)
        x.findings = list(findings)
        x.forget_tree()  # judged and delivered already: the bytes may go now

    def _advance(self) -> None:
        """The run's MessageID history, applied in record order as far as verdicts are in."""
        while self._ledger and self._ledger[0].outcome is not None:
            item = self._ledger.popleft()
            assert item.outcome is not None
            recorded = item.outcome[2]
            if not any(message_id in item.seen for message_id in recorded):
                item.seen.update(recorded)
                continue
            # a MessageID seen before: the serial verdict, against the run's history
            findings, _, _ = _validate(item.validator, item.work, item.seen)
            x = item.exchange
            x.findings = findings + x.findings[item.own :]

    def _give_up(self, why: str) -> None:
        """Validate here from now on; what the workers held is validated here too."""
        if self.broken is None:
            self.broken = why
        workers, self._started = self._started or [], []
        for fd in self._by_fd:
            self._poller.unregister(fd)
        self._by_fd = {}
        for worker in workers:
            worker.conn.close()
            worker.process.kill()
            for batch in worker.waiting:
                for item in batch:
                    if item.outcome is None:
                        self._here(item)

    def close(self) -> None:
        """Stop the workers (the run is over), after every message handed over is judged."""
        self.drain()
        for fd in self._by_fd:
            self._poller.unregister(fd)
        self._by_fd = {}
        for worker in self._started or []:
            worker.conn.close()
            worker.process.join(5)
            if worker.process.is_alive():
                worker.process.kill()
        self._started = None
