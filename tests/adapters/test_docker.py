"""The docker binding's logic, with a stand-in engine: container arguments, bounded health wait,
reasons quoting the container's log, and removal on every way out.

The same paths against a real engine and the reference image are in tests/test_docker_engine.py.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import docker.errors  # type: ignore[import-untyped]
import pytest

from amicert.adapters.docker import (
    Containers,
    DockerBinding,
    DockerUnavailable,
    engine_problem,
    run_with_containers,
)
from amicert.catalog import load_catalog
from amicert.config import Binding, ProfileError, load_profile


class FakeContainer:
    """Walks through ``statuses`` on each reload; records what was done to it."""

    def __init__(self, statuses: list[str], log: bytes = b"", exit_code: int = 0) -> None:
        self.statuses = statuses
        self.status = "created"
        self.log = log
        self.attrs: dict[str, Any] = {"State": {"ExitCode": exit_code}}
        self.started = self.stopped = self.removed = False
        self.fail_start: BaseException | None = None

    def start(self) -> None:
        if self.fail_start is not None:
            raise self.fail_start
        self.started = True

    def reload(self) -> None:
        if self.removed:
            raise docker.errors.NotFound("No such container")
        self.status = self.statuses[0]
        if len(self.statuses) > 1:
            self.statuses.pop(0)

    def logs(self, stdout: bool, stderr: bool, tail: Any) -> bytes:
        lines = self.log.splitlines(keepends=True)
        return b"".join(lines if tail == "all" else lines[-int(tail) :])

    def stop(self, timeout: int) -> None:
        self.stopped = True

    def remove(self, force: bool) -> None:
        self.removed = True


class FakeClient:
    def __init__(self, *containers: FakeContainer, pull_error: Exception | None = None) -> None:
        self.queue = list(containers)
        self.created: list[FakeContainer] = []
        self.kwargs: dict[str, Any] = {}
        self.missing_image = False
        self.pull_error = pull_error
        self.containers = self
        self.images = self

    def ping(self) -> bool:
        return True

    def create(self, **kwargs: Any) -> FakeContainer:
        if self.missing_image:
            raise docker.errors.ImageNotFound(f"No such image: {kwargs['image']}")
        self.kwargs = kwargs
        container = self.queue.pop(0)
        self.created.append(container)
        return container

    def pull(self, repository: str, tag: str) -> None:
        if self.pull_error is not None:
            raise self.pull_error
        self.missing_image = False


def binding(**kw: Any) -> Binding:
    spec: dict[str, Any] = {"role": "AMI Head-End", "type": "docker", "image": "vendor/hes:1.2"}
    return Binding(**{**spec, **kw})


def started(client: FakeClient, spec: Binding, **kw: Any) -> DockerBinding:
    b = DockerBinding(spec, factory=lambda: client, sleep=lambda s: None, **kw)
    b.start()
    return b


def test_the_container_runs_on_the_host_network_with_the_profiles_settings(
    tmp_path: Path,
) -> None:
    client = FakeClient(FakeContainer(["running"]))
    spec = binding(
        environment={"AMICERT_FAULT": "soap-fault"},
        volumes={str(tmp_path): "/etc/amicert"},
        command=("--sut", "/etc/amicert/p.toml"),
    )
    b = started(client, spec)
    assert client.kwargs == {
        "image": "vendor/hes:1.2",
        "environment": {"AMICERT_FAULT": "soap-fault"},
        "labels": {"amicert.role": "AMI Head-End"},
        "network_mode": "host",
        "volumes": {str(tmp_path): {"bind": "/etc/amicert", "mode": "ro"}},
        "command": ["--sut", "/etc/amicert/p.toml"],
    }
    assert client.created[0].started
    b.stop()
    assert client.created[0].stopped and client.created[0].removed and b.container is None


def test_ports_are_published_only_on_a_named_network() -> None:
    client = FakeClient(FakeContainer(["running"]))
    started(client, binding(network="vendor-net", ports={"8711/tcp": 8711}))
    assert client.kwargs["network_mode"] == "vendor-net"
    assert client.kwargs["ports"] == {"8711/tcp": 8711}


def test_the_whole_log_is_kept_with_the_evidence_and_secrets_are_redacted(tmp_path: Path) -> None:
    log = b"amicert serve: ready\nlogin with hunter2\n"
    client = FakeClient(FakeContainer(["running"], log=log))
    b = started(client, binding(), log_dir=tmp_path / "containers", secrets=["hunter2"])
    b.stop()
    kept = (tmp_path / "containers" / "vendor_hes_1.2.log").read_text()
    assert kept.startswith("amicert serve: ready\n")
    assert "hunter2" not in kept and "login with" in kept


def test_a_container_that_exits_during_start_is_reported_with_its_last_log_lines() -> None:
    log = b"".join(b"line %d\n" % i for i in range(30)) + b"error: license file missing\n"
    container = FakeContainer(["created", "exited"], log=log, exit_code=3)
    client = FakeClient(container)
    with pytest.raises(DockerUnavailable) as caught:
        started(client, binding())
    reason = str(caught.value)
    assert "vendor/hes:1.2 exited during start (exit code 3)" in reason
    assert reason.endswith("error: license file missing")
    assert "line 29" in reason and "line 5\n" not in reason  # the last lines only
    assert container.removed


def test_a_container_the_engine_cannot_start_is_removed_and_reported() -> None:
    container = FakeContainer(["created"], log=b"")
    container.fail_start = docker.errors.APIError("OCI runtime create failed: not a directory")
    client = FakeClient(container)
    with pytest.raises(DockerUnavailable) as caught:
        started(client, binding())
    reason = str(caught.value)
    assert "vendor/hes:1.2 did not start: " in reason and "not a directory" in reason
    assert reason.endswith("the container logged nothing")
    assert container.removed


def test_an_image_that_is_absent_and_cannot_be_pulled_is_a_clear_reason() -> None:
    client = FakeClient(pull_error=docker.errors.APIError("no such host"))
    client.missing_image = True
    with pytest.raises(DockerUnavailable, match=r"vendor/hes:1.2 is not on this engine and cannot"):
        started(client, binding())


def test_an_absent_image_is_pulled_then_started() -> None:
    client = FakeClient(FakeContainer(["running"]))
    client.missing_image = True
    b = started(client, binding())
    assert b.container is client.created[0] and client.created[0].started


def test_an_image_that_never_becomes_healthy_is_removed_within_its_bound() -> None:
    container = FakeContainer(["running"], log=b"waiting for the database\n")
    client = FakeClient(container)
    spec = binding(health_url="http://127.0.0.1:1/health", start_timeout_s=0.3)
    with pytest.raises(DockerUnavailable) as caught:
        started(client, spec)
    reason = str(caught.value)
    assert "vendor/hes:1.2 not healthy within 0.3 s (http://127.0.0.1:1/health" in reason
    assert reason.endswith("last log lines:\n  waiting for the database")
    assert container.removed


def test_a_container_removed_by_someone_else_during_start_is_reported() -> None:
    container = FakeContainer(["created"])
    container.removed = True  # reload raises NotFound, as the engine does
    with pytest.raises(DockerUnavailable, match=r"vendor/hes:1.2 vanished during start: No such"):
        started(FakeClient(container), binding())


def test_an_interrupted_start_removes_the_container() -> None:
    container = FakeContainer(["running"])
    container.fail_start = KeyboardInterrupt()
    client = FakeClient(container)
    with pytest.raises(KeyboardInterrupt):
        started(client, binding())
    assert container.removed


def test_no_engine_is_a_clear_reason() -> None:
    def broken() -> Any:
        raise ConnectionError("Error while fetching server API version")

    problem = engine_problem(broken)
    assert problem == "no Docker engine reachable: Error while fetching server API version"
    with pytest.raises(DockerUnavailable, match="AMI Head-End: no Docker engine reachable"):
        DockerBinding(binding(), factory=broken).start()


def two_image_profile(tmp_path: Path) -> Path:
    path = tmp_path / "sut.toml"
    path.write_text(
        """
[product]
name = "p"
version = "1"
[boundary]
actors = ["MDM", "AMI Head-End"]
[bindings]
"MDM" = { type = "docker", image = "vendor/mdm:1" }
"AMI Head-End" = { type = "docker", image = "vendor/hes:1" }
[sut]
address = "http://127.0.0.1:9000"
[security]
password_env = "AMICERT_TEST_DOCKER_PASSWORD"
username = "u"
[pics]
firmware_upgrade = true
"""
    )
    return path


def test_when_the_second_container_fails_the_first_is_removed_too(tmp_path: Path) -> None:
    first, second = FakeContainer(["running"]), FakeContainer(["exited"], exit_code=1)
    client = FakeClient(first, second)
    profile = load_profile(two_image_profile(tmp_path))
    containers = Containers(profile, tmp_path / "r", factory=lambda: client, sleep=lambda s: None)
    with pytest.raises(DockerUnavailable, match="vendor/hes:1 exited during start"):
        containers.start()
    assert first.removed and second.removed


def test_a_run_that_raises_still_removes_its_containers(tmp_path: Path) -> None:
    first, second = FakeContainer(["running"]), FakeContainer(["running"])
    client = FakeClient(first, second)
    profile = load_profile(two_image_profile(tmp_path))

    def crash() -> int:
        assert first.started and second.started and not first.removed
        raise RuntimeError("the run broke")

    with pytest.raises(RuntimeError, match="the run broke"):
        run_with_containers(profile, {}, [], tmp_path / "r", crash, factory=lambda: client)
    assert first.removed and second.removed
    assert sorted(p.name for p in (tmp_path / "r" / "containers").iterdir()) == [
        "vendor_hes_1.log",
        "vendor_mdm_1.log",
    ]


def test_a_container_that_stops_during_the_run_is_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = FakeContainer(["running", "exited"], exit_code=137)
    client = FakeClient(first, FakeContainer(["running"]))
    profile = load_profile(two_image_profile(tmp_path))
    code = run_with_containers(profile, {}, [], tmp_path / "r", lambda: 0, factory=lambda: client)
    assert code == 0
    err = capsys.readouterr().err
    assert "MDM (vendor/mdm:1): the container stopped during the run (exit code 137)" in err
    assert "vendor_mdm_1.log" in err


def test_containers_that_do_not_come_up_make_every_scenario_inconclusive(tmp_path: Path) -> None:
    client = FakeClient(FakeContainer(["exited"], log=b"fatal: bad config\n", exit_code=2))
    profile = load_profile(two_image_profile(tmp_path))
    catalog = load_catalog()
    ran: list[bool] = []

    def run() -> int:
        ran.append(True)
        return 0

    code = run_with_containers(
        profile, catalog, ["AEP-5.8"], tmp_path / "r", run, factory=lambda: client
    )
    assert code is None and not ran
    summary = json.loads((tmp_path / "r" / "summary.json").read_text())
    assert len(summary["scenarios"]) == len(catalog["AEP-5.8"].scenarios)
    for scenario in summary["scenarios"]:
        assert scenario["verdict"] == "INCONCLUSIVE" and scenario["rule"] == "DOCKER"
        assert "vendor/mdm:1 exited during start (exit code 2)" in scenario["reason"]
        assert scenario["reason"].endswith("fatal: bad config")


def test_no_engine_for_the_run_is_one_plain_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken() -> Any:
        raise docker.errors.DockerException("Error while fetching server API version: ...")

    monkeypatch.setenv("DOCKER_HOST", "unix:///run/elsewhere.sock")
    profile = load_profile(two_image_profile(tmp_path))
    code = run_with_containers(
        profile, load_catalog(), ["AEP-5.8"], tmp_path / "r", lambda: 0, factory=broken
    )
    assert code is None
    summary = json.loads((tmp_path / "r" / "summary.json").read_text())
    assert {s["reason"] for s in summary["scenarios"]} == {
        "no Docker engine answers at unix:///run/elsewhere.sock: start Docker (or set "
        "DOCKER_HOST) to run vendor/mdm:1 (MDM), vendor/hes:1 (AMI Head-End)"
    }
    assert (tmp_path / "r" / "junit.xml").exists()


def test_a_run_without_docker_bindings_touches_no_engine(tmp_path: Path) -> None:
    def no_engine() -> Any:
        raise AssertionError("no engine call expected")

    assert run_with_containers(None, {}, [], tmp_path, lambda: 7, factory=no_engine) == 7


@pytest.mark.parametrize(
    ("spec", "key", "message"),
    [
        (
            '{ type = "docker", image = "x", ports = { "8711/tcp" = 8711 } }',
            'bindings."MDM".ports',
            'network other than "host"',
        ),
        (
            '{ type = "docker", image = "x", volumes = { "." = "etc" } }',
            'bindings."MDM".volumes."."',
            "absolute path in the container",
        ),
        (
            '{ type = "docker", image = "x", volumes = { "absent.toml" = "/etc/a" } }',
            'bindings."MDM".volumes."absent.toml"',
            "file not found",
        ),
        ('{ type = "docker", image = "x", network = 1 }', 'bindings."MDM".network', "expected str"),
    ],
)
def test_docker_binding_mistakes_name_the_key(
    tmp_path: Path, spec: str, key: str, message: str
) -> None:
    path = tmp_path / "sut.toml"
    path.write_text(
        f'[product]\nname = "p"\nversion = "1"\n[boundary]\nactors = ["MDM"]\n'
        f'[bindings]\n"MDM" = {spec}\n[sut]\naddress = "http://127.0.0.1:9000"\n'
        "[pics]\nfirmware_upgrade = true\n"
    )
    with pytest.raises(ProfileError) as caught:
        load_profile(path)
    assert caught.value.key == key and message in str(caught.value)
