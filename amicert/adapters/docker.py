"""The docker binding: start a vendor image, wait until it is healthy, bind it as soap, remove it.

The container runs on the machine's network (``network = "host"``, the default) or on a named
network with published ports; either way the profile's [sut] address must reach it. Health is an
HTTP GET on ``health_url`` answering 2xx (the test-control ``capabilities`` URL is a good choice).
Every wait is bounded: engine calls by :data:`API_TIMEOUT_S`, the start by ``start_timeout_s``.
A missing engine, an image that does not start, exits early or never becomes healthy is an
infrastructure problem (INCONCLUSIVE, rule ``DOCKER``), never a verdict on the product; its reason
ends with the container's last log lines, since that is where a vendor sees why. The container's
whole log is kept with the evidence, and the container is removed whatever happens: a failed
run, an exception, Ctrl-C or SIGTERM.
"""

from __future__ import annotations

import os
import re
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from types import FrameType
from typing import Any

import requests

from amicert.catalog import UseCase
from amicert.config import Binding, SutProfile
from amicert.transport.http import redact

API_TIMEOUT_S = 30  # one call to the engine (create, start, inspect, logs, stop)
STOP_TIMEOUT_S = 10  # SIGTERM, then SIGKILL: `amicert serve` stops well within it
LOG_LINES = 12  # how much of the container's log a reason quotes
LABEL = "amicert.role"  # every container the harness starts carries it (``docker ps -f label=``)


class DockerUnavailable(Exception):
    """No Docker engine answers, or the container did not start or become healthy."""


def engine_problem(factory: Callable[[], Any] | None = None) -> str | None:
    """Why no Docker engine can be used here, or None when one answers."""
    try:
        client = (factory or _from_env)()
        client.ping()
    except Exception as exc:
        return f"no Docker engine reachable: {_first_line(exc)}"
    return None


def _from_env() -> Any:
    import docker  # type: ignore[import-untyped]

    return docker.from_env(timeout=API_TIMEOUT_S)


def _first_line(exc: BaseException, limit: int = 200) -> str:
    """The engine's own words for an API error (not the URL around them), else the message."""
    text = str(getattr(exc, "explanation", None) or exc).strip() or type(exc).__name__
    return text.splitlines()[0][:limit]


def _image_not_found(exc: Exception) -> bool:
    import docker

    return isinstance(exc, docker.errors.ImageNotFound)


class DockerBinding:
    """One vendor container for the run."""

    def __init__(
        self,
        binding: Binding,
        factory: Callable[[], Any] | None = None,
        sleep: Callable[[float], None] = time.sleep,
        log_dir: Path | None = None,
        secrets: Sequence[str] = (),
        verify: bool | str = True,
    ) -> None:
        if binding.type != "docker" or not binding.image:
            raise ValueError(f"{binding.role}: not a docker binding with an image")
        self.binding = binding
        self.image: str = binding.image
        self.factory = factory or _from_env
        self.sleep = sleep
        self.log_dir = log_dir
        self.secrets = list(secrets)
        self.verify = verify
        self.container: Any = None
        self.log_file: Path | None = None

    def run_arguments(self) -> dict[str, Any]:
        """What ``containers.create`` is given: the profile's image, command, environment,
        network (host by default, else a named one with published ports) and read-only mounts."""
        b = self.binding
        return {
            "image": self.image,
            "environment": dict(b.environment),
            "labels": {LABEL: b.role},
            "network_mode": b.network,
            **({"ports": dict(b.ports)} if b.ports and b.network != "host" else {}),
            **(
                {"volumes": {src: {"bind": dst, "mode": "ro"} for src, dst in b.volumes.items()}}
                if b.volumes
                else {}
            ),
            **({"command": list(b.command)} if b.command else {}),
        }

    def start(self) -> None:
        """Create and start the container, then wait until it is healthy; on any failure the
        container is removed before the exception leaves."""
        role = self.binding.role
        try:
            client = self.factory()
        except Exception as exc:
            raise DockerUnavailable(
                f"{role}: no Docker engine reachable: {_first_line(exc)}"
            ) from None
        try:
            self.container = self._create(client)
        except DockerUnavailable:
            raise
        except Exception as exc:
            raise DockerUnavailable(
                f"{role}: cannot create a container of {self.image}: {_first_line(exc)}"
            ) from None
        try:
            try:
                self.container.start()
            except Exception as exc:
                raise DockerUnavailable(
                    f"{role}: {self.image} did not start: {_first_line(exc, 300)}"
                    f"{self.last_lines()}"
                ) from None
            self.wait_healthy()
        except BaseException:
            self.stop()
            raise

    def _create(self, client: Any) -> Any:
        arguments = self.run_arguments()
        try:
            return client.containers.create(**arguments)
        except Exception as exc:
            if not _image_not_found(exc):
                raise
        from docker.utils import parse_repository_tag  # type: ignore[import-untyped]

        repository, tag = parse_repository_tag(self.image)
        try:
            client.images.pull(repository, tag=tag or "latest")
        except Exception as exc:
            raise DockerUnavailable(
                f"{self.binding.role}: image {self.image} is not on this engine and cannot be "
                f"pulled: {_first_line(exc)}"
            ) from None
        return client.containers.create(**arguments)

    def wait_healthy(self) -> None:
        """Poll until the container runs and ``health_url`` answers 2xx, within the bound."""
        role, url = self.binding.role, self.binding.health_url
        bound = self.binding.start_timeout_s
        deadline = time.monotonic() + bound
        last = "the container is not running yet"
        while True:
            try:
                self.container.reload()
            except Exception as exc:  # removed by someone else, or the engine went away
                raise DockerUnavailable(
                    f"{role}: {self.image} vanished during start: {_first_line(exc)}"
                ) from None
            status = self.container.status
            if status in ("exited", "dead"):
                raise DockerUnavailable(
                    f"{role}: {self.image} exited during start ({self.exit_code()})"
                    f"{self.last_lines()}"
                )
            if status == "running":
                if url is None:
                    return
                try:
                    answer = requests.get(
                        url,
                        timeout=max(0.1, min(2.0, deadline - time.monotonic())),
                        allow_redirects=False,
                        verify=self.verify,
                    )
                    if 200 <= answer.status_code < 300:
                        return
                    last = f"{url} answered HTTP {answer.status_code}"
                except requests.RequestException as exc:
                    last = f"{url}: {_first_line(exc, 120)}"
            if time.monotonic() >= deadline:
                raise DockerUnavailable(
                    f"{role}: {self.image} not healthy within {bound:g} s ({last})"
                    f"{self.last_lines()}"
                )
            self.sleep(0.25)

    def exit_code(self) -> str:
        state = (getattr(self.container, "attrs", None) or {}).get("State", {})
        code = state.get("ExitCode")
        return f"exit code {code}" if code is not None else "no exit code"

    def logs(self, tail: int | None = None) -> str:
        """The container's output (stdout and stderr), secrets redacted; empty when unreadable."""
        if self.container is None:
            return ""
        try:
            raw = self.container.logs(stdout=True, stderr=True, tail=tail if tail else "all")
        except Exception:
            return ""
        return redact(bytes(raw), self.secrets).decode("utf-8", "replace")

    def last_lines(self) -> str:
        """The end of the container's log, as the tail of a reason."""
        lines = [line.rstrip() for line in self.logs(LOG_LINES).splitlines() if line.strip()]
        if not lines:
            return "; the container logged nothing"
        return "; last log lines:\n" + "\n".join(f"  {line[:300]}" for line in lines)

    def exited_note(self) -> str | None:
        """Why the container is no longer running, when it stopped on its own during the run."""
        if self.container is None:
            return None
        try:
            self.container.reload()
        except Exception as exc:
            return f"the container is gone ({_first_line(exc)})"
        if self.container.status in ("exited", "dead"):
            return f"the container stopped during the run ({self.exit_code()})"
        return None

    def keep_logs(self) -> Path | None:
        """Write the container's whole log beside the evidence; the path, or None."""
        if self.log_dir is None or self.container is None:
            return None
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", self.image).strip("_") or "container"
        self.log_dir.mkdir(parents=True, exist_ok=True)
        path = self.log_dir / f"{name}.log"
        path.write_text(self.logs(), encoding="utf-8")
        self.log_file = path
        return path

    def stop(self) -> None:
        """Keep the log, then stop and remove the container (already gone is fine)."""
        if self.container is None:
            return
        with suppress(OSError):  # an unwritable report folder must not leave the container
            self.keep_logs()
        with suppress(Exception):  # stopped or gone already: removal below settles it
            self.container.stop(timeout=STOP_TIMEOUT_S)
        with suppress(Exception):  # already gone is what stop wanted
            self.container.remove(force=True)
        self.container = None


def _raise_interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


@contextmanager
def _terminate_as_interrupt() -> Iterator[None]:
    """SIGTERM unwinds like Ctrl-C while containers run, so ``finally`` removes them."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _raise_interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextmanager
def _no_interrupts() -> Iterator[None]:
    """Clean-up is bounded by the engine's timeouts; a second Ctrl-C must not cut it short."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {s: signal.signal(s, signal.SIG_IGN) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


class Containers:
    """The profile's docker bindings for one run: one container per image, started before the
    scenarios and removed after them, with their logs kept in ``<report dir>/containers/``."""

    def __init__(
        self,
        profile: SutProfile,
        report_dir: Path,
        factory: Callable[[], Any] | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        security = profile.security
        verify: bool | str = security.verify_tls
        if security.verify_tls and security.ca_bundle is not None:
            verify = str(security.ca_bundle)
        self.bindings: list[DockerBinding] = []
        images: set[str] = set()
        for binding in profile.bindings.values():
            if binding.type == "docker" and binding.image and binding.image not in images:
                images.add(binding.image)
                self.bindings.append(
                    DockerBinding(
                        binding,
                        factory=factory,
                        sleep=sleep,
                        log_dir=report_dir / "containers",
                        secrets=security.secrets(),
                        verify=verify,
                    )
                )

    def start(self) -> None:
        """Start every container; if one fails (or the start is interrupted), remove them all."""
        try:
            for container in self.bindings:
                container.start()
        except BaseException:
            self.stop()
            raise

    def stop(self) -> list[str]:
        """Remove every container; notes on any that stopped by itself during the run."""
        notes: list[str] = []
        with _no_interrupts():
            for container in self.bindings:
                if container.container is None:
                    continue
                note = container.exited_note()
                container.stop()
                if note:
                    where = f"; its log: {container.log_file}" if container.log_file else ""
                    notes.append(f"{container.binding.role} ({container.image}): {note}{where}")
        return notes


def run_with_containers(
    profile: SutProfile | None,
    catalog: dict[str, UseCase],
    use_cases: Sequence[str],
    report_dir: Path,
    run: Callable[[], int],
    factory: Callable[[], Any] | None = None,
) -> int | None:
    """``run()`` with the profile's containers up. When they cannot be started, every selected
    scenario is INCONCLUSIVE (rule DOCKER) in the summary and None is returned. The containers are
    removed on every way out, SIGTERM included."""
    if profile is None or not any(b.type == "docker" for b in profile.bindings.values()):
        return run()
    containers = Containers(profile, report_dir, factory=factory)
    with _terminate_as_interrupt():
        try:
            no_engine = engine_problem(factory)
            if no_engine is not None:  # said plainly, once, not as each binding's failure
                where = os.environ.get("DOCKER_HOST") or "unix:///var/run/docker.sock"
                needed = ", ".join(
                    f"{b.image} ({b.role})" for b in profile.bindings.values() if b.type == "docker"
                )
                raise DockerUnavailable(
                    f"no Docker engine answers at {where}: start Docker (or set DOCKER_HOST) to "
                    f"run {needed}"
                )
            containers.start()
        except DockerUnavailable as exc:
            write_inconclusive(exc, catalog, use_cases, report_dir)
            return None
        try:
            return run()
        finally:
            for note in containers.stop():
                print(f"amicert: warning: {note}", file=sys.stderr)


def write_inconclusive(
    exc: DockerUnavailable, catalog: dict[str, UseCase], use_cases: Sequence[str], report_dir: Path
) -> None:
    """The summary of a run whose product never came up: each selected scenario INCONCLUSIVE."""
    from amicert.findings import Blame, error
    from amicert.report.junit import write_junit
    from amicert.report.summary import ScenarioResult, write_summary
    from amicert.verdicts import Verdict

    finding = error("DOCKER", str(exc), blame=Blame.INFRASTRUCTURE)
    results = [
        ScenarioResult(
            uc.id,
            s.id,
            s.name,
            s.harness_added,
            Verdict.INCONCLUSIVE,
            str(exc),
            "DOCKER",
            None,
            [finding],
        )
        for uc in catalog.values()
        if not use_cases or uc.id in use_cases
        for s in uc.scenarios.values()
    ]
    write_summary(report_dir, results)
    write_junit(report_dir, results)
    print(f"amicert: INCONCLUSIVE: {exc}", file=sys.stderr)
