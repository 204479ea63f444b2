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

_LOW, _HIGH = 10000, 32000  # below Linux's default ephemeral range (32768-60999)
_BAND = 1000


def _band() -> range:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw")
    index = int(worker) if worker.isdigit() else 0
    bands = (_HIGH - _LOW) // _BAND
    start = _LOW + (index * 7 + os.getpid()) % bands * _BAND
    return range(start, start + _BAND)


def free_ports(n: int) -> list[int]:
    """``n`` distinct ports nobody listens on now, held together so none is handed out twice."""
    band = list(_band())
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
                return [int(h.getsockname()[1]) for h in held]
    finally:
        for h in held:
            h.close()
    raise RuntimeError(f"no {n} free ports in {band[0]}..{band[-1]}")


def free_port() -> int:
    """One port nobody listens on now (see the module's docstring for why not ``bind(0)``)."""
    return free_ports(1)[0]
