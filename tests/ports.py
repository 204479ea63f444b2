"""Free loopback ports for tests that start servers in other processes.

A port the kernel hands out for ``bind(0)`` comes from the ephemeral range, where every outgoing
connection of every parallel test also takes its local port: between the moment a test picks a
port and the moment a child process listens on it, a client socket elsewhere can take it. Ports
are therefore picked below the ephemeral range, in a band of its own for each test worker, and
checked free by binding them.
"""

from __future__ import annotations

import os
import random
import socket
import zlib

_LOW, _HIGH = 10000, 32000  # below Linux's default ephemeral range (32768-60999)
_BAND = 1000


_GIVEN: set[int] = set()  # handed out by this process: never twice, even once free again


def _band() -> range:
    """This worker's band: the workers of one session get distinct bands, and each session its
    own offset (its run id), so that two sessions at once rarely share one either."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw")
    index = int(worker) if worker.isdigit() else 0
    session = zlib.crc32(os.environ.get("PYTEST_XDIST_TESTRUNUID", str(os.getpid())).encode())
    bands = (_HIGH - _LOW) // _BAND
    start = _LOW + (session + index) % bands * _BAND
    return range(start, start + _BAND)


def free_ports(n: int) -> list[int]:
    """``n`` distinct ports nobody listens on now, held together so none is handed out twice."""
    band = [p for p in _band() if p not in _GIVEN]
    random.shuffle(band)
    held: list[socket.socket] = []
    try:
        for port in band:
            s = socket.socket()
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                s.close()
                continue
            held.append(s)
            if len(held) == n:
                ports = [int(h.getsockname()[1]) for h in held]
                _GIVEN.update(ports)
                return ports
    finally:
        for h in held:
            h.close()
    raise RuntimeError(f"no {n} free ports in {band[0]}..{band[-1]}")


def free_port() -> int:
    """One port nobody listens on now (see the module's docstring for why not ``bind(0)``)."""
    return free_ports(1)[0]
