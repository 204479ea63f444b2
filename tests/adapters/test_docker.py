"""The docker binding: container arguments, bounded health wait, clean stop.

The logic is tested with a stand-in client; the engine test runs where a Docker engine answers
and is skipped, with that reason, where none does.
"""

from __future__ import annotations

from typing import Any

import pytest

from amicert.adapters.docker import DockerBinding, DockerUnavailable, engine_problem
from amicert.config import Binding


class FakeContainer:
    def __init__(self, statuses: list[str]) -> None:
        self.statuses = statuses
        self.status = statuses[0]
        self.stopped = False

    def reload(self) -> None:
        if len(self.statuses) > 1:
            self.statuses.pop(0)
        self.status = self.statuses[0]

    def stop(self, timeout: int) -> None:
        self.stopped = True

    def remove(self) -> None:
        pass


class FakeClient:
    def __init__(self, container: FakeContainer) -> None:
        self.container = container
        self.kwargs: dict[str, Any] = {}
        self.containers = self

    def run(self, **kwargs: Any) -> FakeContainer:
        self.kwargs = kwargs
        return self.container


def binding(**kw: Any) -> Binding:
    return Binding(
        role="AMI Head-End", type="docker", image="vendor/hes:1.2", ports={"8711/tcp": 8711}, **kw
    )


def test_the_container_is_started_with_the_profiles_image_and_ports() -> None:
    client = FakeClient(FakeContainer(["created", "running"]))
    b = DockerBinding(binding(), factory=lambda: client, sleep=lambda s: None)
    b.start()
    assert client.kwargs["image"] == "vendor/hes:1.2"
    assert client.kwargs["ports"] == {"8711/tcp": 8711}
    assert client.kwargs["detach"] is True
    b.stop()
    assert client.container.stopped


def test_a_container_that_exits_during_start_is_reported() -> None:
    client = FakeClient(FakeContainer(["created", "exited"]))
    b = DockerBinding(binding(), factory=lambda: client, sleep=lambda s: None)
    with pytest.raises(DockerUnavailable, match="exited during start"):
        b.start()


def test_an_image_that_never_becomes_healthy_is_stopped_within_its_bound() -> None:
    container = FakeContainer(["running"])
    client = FakeClient(container)
    b = DockerBinding(
        binding(health_url="http://127.0.0.1:1/health", start_timeout_s=0.3),
        factory=lambda: client,
        sleep=lambda s: None,
    )
    with pytest.raises(DockerUnavailable, match=r"not healthy within 0\.3 s"):
        b.start()
    assert container.stopped


def test_no_engine_is_a_clear_reason() -> None:
    def broken() -> Any:
        raise ConnectionError("Error while fetching server API version")

    problem = engine_problem(broken)
    assert problem is not None and problem.startswith("no Docker engine reachable")


@pytest.mark.skipif(engine_problem() is not None, reason=str(engine_problem()))
def test_a_real_engine_runs_and_stops_a_container() -> None:  # pragma: no cover - needs an engine
    spec = Binding(role="MDM", type="docker", image="busybox:stable", command=("sleep", "30"))
    b = DockerBinding(spec)
    b.factory().images.pull("busybox:stable")
    b.start()
    assert b.container is not None
    b.stop()
    assert b.container is None
