"""The docker binding: start a vendor image, wait until it is healthy, bind it as soap, stop it.

The container's published ports must match the profile's [sut] address; health is an HTTP GET on
``health_url`` answering 2xx (the test-control ``capabilities`` URL is a good choice). Every wait
is bounded by ``start_timeout_s``; a missing engine or an image that never becomes healthy is an
infrastructure problem (INCONCLUSIVE), never a verdict on the product.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import requests

from amicert.config import Binding


class DockerUnavailable(Exception):
    """No Docker engine answers, or the container did not start or become healthy."""


def engine_problem(factory: Callable[[], Any] | None = None) -> str | None:
    """Why no Docker engine can be used here, or None when one answers."""
    try:
        client = (factory or _from_env)()
        client.ping()
    except Exception as exc:
        return f"no Docker engine reachable: {str(exc).splitlines()[0][:200]}"
    return None


def _from_env() -> Any:
    import docker  # type: ignore[import-untyped]

    return docker.from_env()


class DockerBinding:
    """One vendor container for the run."""

    def __init__(
        self,
        binding: Binding,
        factory: Callable[[], Any] | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if binding.type != "docker" or not binding.image:
            raise ValueError(f"{binding.role}: not a docker binding with an image")
        self.binding = binding
        self.factory = factory or _from_env
        self.sleep = sleep
        self.container: Any = None

    def run_arguments(self) -> dict[str, Any]:
        return {
            "image": self.binding.image,
            "detach": True,
            "ports": dict(self.binding.ports),
            "environment": dict(self.binding.environment),
            "labels": {"amicert.role": self.binding.role},
            **({"command": list(self.binding.command)} if self.binding.command else {}),
        }

    def start(self) -> None:
        try:
            client = self.factory()
            self.container = client.containers.run(**self.run_arguments())
        except Exception as exc:
            raise DockerUnavailable(
                f"{self.binding.role}: cannot start {self.binding.image}: {str(exc)[:200]}"
            ) from None
        self.wait_healthy()

    def wait_healthy(self) -> None:
        url = self.binding.health_url
        deadline = time.monotonic() + self.binding.start_timeout_s
        last = "no health check answered"
        while time.monotonic() < deadline:
            self.container.reload()
            if self.container.status in ("exited", "dead"):
                raise DockerUnavailable(
                    f"{self.binding.role}: container {self.binding.image} exited during start"
                )
            if url is None:
                if self.container.status == "running":
                    return
            else:
                try:
                    if requests.get(url, timeout=2).ok:
                        return
                    last = f"{url} not healthy yet"
                except requests.RequestException as exc:
                    last = f"{url}: {str(exc).splitlines()[0][:120]}"
            self.sleep(0.5)
        self.stop()
        raise DockerUnavailable(
            f"{self.binding.role}: {self.binding.image} not healthy within "
            f"{self.binding.start_timeout_s} s ({last})"
        )

    def stop(self) -> None:
        if self.container is None:
            return
        try:
            self.container.stop(timeout=10)
            self.container.remove()
        except Exception:  # a container already gone is what stop wanted
            pass
        self.container = None
