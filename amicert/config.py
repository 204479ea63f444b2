"""The SUT profile (sut.toml): which actors a product covers, how to reach them, what it claims.

Every problem is reported as file, key and what was expected, so a vendor can fix a profile
without reading code. Secrets are never held in the profile itself: it names the environment
variable that carries them.
"""

from __future__ import annotations

import math
import os
import ssl
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from amicert.errors import FileKeyError
from amicert.transport.tls import (
    ClientAuth,
    Identity,
    identity_problem,
    pem_problem,
    trust_problem,
)

BINDING_TYPES = ("reference", "soap", "python", "docker")
TOP_LEVEL = ("product", "boundary", "bindings", "sut", "harness", "security", "timeouts", "pics")
# capabilities of the test-control interface; each use case's catalog declares its own
CORE_CAPABILITIES = {
    "fault_injection": "the test-control interface injects named faults",
    "test_control": "the vendor test-control interface exists (reset, provision, state)",
    "clock_control": "the test-control interface reads and advances the SUT's clock",
}


class ProfileError(FileKeyError):
    """A profile that cannot be used: names the file, the key and the problem."""


@dataclass(frozen=True)
class Binding:
    """How one boundary actor is reached."""

    role: str
    type: str
    cls: str | None = None
    image: str | None = None
    ports: dict[str, int] = field(default_factory=dict)
    environment: dict[str, str] = field(default_factory=dict)
    health_url: str | None = None
    start_timeout_s: float = 60.0
    command: tuple[str, ...] = ()
    network: str = "host"  # docker: "host" shares the machine's ports; another name publishes ports
    volumes: dict[str, str] = field(default_factory=dict)  # docker: absolute host path -> container


@dataclass(frozen=True)
class Security:
    verify_tls: bool = True
    ca_bundle: Path | None = None
    client_cert: Path | None = None
    client_key: Path | None = None
    username: str | None = None
    password_env: str | None = None
    # identities a product demanding client certificates must refuse (expired, revoked ...)
    refused_clients: tuple[Identity, ...] = ()
    # the harness's WS-Security signing identity, and the CA of the signatures: what a product
    # must trust to verify the harness's, or what the harness trusts of a product's
    signing_cert: Path | None = None
    signing_key: Path | None = None
    signing_ca: Path | None = None

    def password(self) -> str | None:
        """The WS-Security password, read from the environment at the moment it is needed."""
        return os.environ.get(self.password_env) if self.password_env else None

    def secrets(self) -> list[str]:
        """Values that must never appear in a report or a log."""
        value = self.password()
        return [value] if value else []


@dataclass(frozen=True)
class Timeouts:
    connect_s: float = 2.0
    read_s: float = 10.0
    scenario_wall_s: float = 120.0
    max_body_bytes: int = 10 * 1024 * 1024


@dataclass(frozen=True)
class SutProfile:
    path: Path
    name: str
    version: str
    boundary: tuple[str, ...]
    bindings: dict[str, Binding]
    address: str
    test_control: str | None
    wsdl_dir: Path | None
    harness_host: str
    harness_port: int
    security: Security
    timeouts: Timeouts
    pics: dict[str, bool]
    harness_tls: tuple[Path, Path] | None = None  # (certificate, key) of the harness's endpoints
    sut_tls: tuple[Path, Path] | None = None  # (certificate, key) for `amicert serve`
    sut_client_auth: ClientAuth | None = None  # how `amicert serve` authenticates its clients

    @property
    def harness_address(self) -> str:
        scheme = "https" if self.harness_tls else "http"
        return f"{scheme}://{self.harness_host}:{self.harness_port}"

    def claims(self, capability: str) -> bool:
        return self.pics.get(capability, False)

    def remote_roles(self) -> frozenset[str]:
        """Boundary actors reached over the wire (soap, docker)."""
        return frozenset(r for r, b in self.bindings.items() if b.type in ("soap", "docker"))

    def python_bindings(self) -> dict[str, str]:
        return {r: b.cls for r, b in self.bindings.items() if b.type == "python" and b.cls}


def _table(data: dict[str, Any], key: str, path: Path, *, required: bool = True) -> dict[str, Any]:
    value = data.get(key)
    if value is None:
        if required:
            raise ProfileError(path, f"[{key}]", "missing section")
        return {}
    if not isinstance(value, dict):
        raise ProfileError(path, key, f"expected a table, got {type(value).__name__}")
    return value


def _get(
    table: dict[str, Any],
    section: str,
    key: str,
    kind: type | tuple[type, ...],
    path: Path,
    default: Any = ...,
) -> Any:
    if key not in table:
        if default is ...:
            raise ProfileError(path, f"{section}.{key}", "missing")
        return default
    value = table[key]
    if isinstance(value, bool) and kind in (int, float, (int, float)):
        raise ProfileError(path, f"{section}.{key}", f"expected a number, got {value!r}")
    if not isinstance(value, kind):
        expected = (
            kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
        )
        raise ProfileError(path, f"{section}.{key}", f"expected {expected}, got {value!r}")
    return value


def _url(value: str, path: Path, key: str) -> str:
    parsed = urlparse(value)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise ProfileError(path, key, f"expected an http(s) URL, got {value!r}")
    try:
        parsed.port  # noqa: B018 - raises on a port that is no number
    except ValueError:
        raise ProfileError(path, key, f"invalid port in {value!r}") from None
    return value.rstrip("/")


def _unknown(table: dict[str, Any], allowed: tuple[str, ...], section: str, path: Path) -> None:
    for key in table:
        if key not in allowed:
            raise ProfileError(
                path,
                f"{section}.{key}" if section else key,
                f"unknown key (expected one of: {', '.join(allowed)})",
            )


def _tls_pair(table: dict[str, Any], section: str, path: Path) -> tuple[Path, Path] | None:
    """(certificate, key) for serving HTTPS, both or neither, paths relative to the profile."""
    cert = _get(table, section, "tls_cert", str, path, None)
    key = _get(table, section, "tls_key", str, path, None)
    if cert is None and key is None:
        return None
    if cert is None or key is None:
        missing = "tls_key" if key is None else "tls_cert"
        raise ProfileError(path, f"{section}.{missing}", "tls_cert and tls_key go together")
    pair = ((path.parent / cert).resolve(), (path.parent / key).resolve())
    for name, p in zip(("tls_cert", "tls_key"), pair, strict=True):
        if not p.is_file():
            raise ProfileError(path, f"{section}.{name}", f"file not found: {p}")
    problem = identity_problem(*pair)
    if problem is not None:
        raise ProfileError(path, f"{section}.tls_cert", problem)
    return pair


def _client_auth(
    table: dict[str, Any], section: str, path: Path, served: tuple[Path, Path] | None
) -> ClientAuth | None:
    """How a served endpoint authenticates its clients: ``client_ca`` (the CA bundle their
    certificates chain to), ``require_client_cert``, ``client_crl`` (revoked certificates)."""
    required = _get(table, section, "require_client_cert", bool, path, False)
    ca = _get(table, section, "client_ca", str, path, None)
    crl = _get(table, section, "client_crl", str, path, None)
    if ca is None:
        for key, value in (("require_client_cert", required or None), ("client_crl", crl)):
            if value is not None:
                raise ProfileError(
                    path, f"{section}.{key}", "needs client_ca (the CA bundle of the clients)"
                )
        return None
    if served is None:
        raise ProfileError(
            path, f"{section}.client_ca", "client authentication needs tls_cert and tls_key"
        )
    ca_path = (path.parent / ca).resolve()
    problem = trust_problem(ca_path)
    if problem is not None:
        raise ProfileError(path, f"{section}.client_ca", problem)
    crl_path = (path.parent / crl).resolve() if crl is not None else None
    if crl_path is not None:
        problem = pem_problem(crl_path, "crl")
        if problem is not None:
            raise ProfileError(path, f"{section}.client_crl", problem)
    return ClientAuth(ca_path, required, crl_path)


def server_context(
    pair: tuple[Path, Path] | None, client_auth: ClientAuth | None = None
) -> ssl.SSLContext | None:
    """A server-side TLS context for a (certificate, key) pair, or None for plain HTTP."""
    if pair is None:
        return None
    from amicert.transport.tls import server_context as tls_context

    return tls_context(pair, client_auth)


def _check_signing(security: Security, path: Path) -> None:
    """``signing_cert`` and ``signing_key`` go together, with the ``signing_ca`` that issued
    them; ``signing_ca`` alone names the CA of a product's own signatures."""
    cert, key, ca = security.signing_cert, security.signing_key, security.signing_ca
    if (cert is None) != (key is None):
        missing = "signing_cert" if cert is None else "signing_key"
        raise ProfileError(path, f"security.{missing}", "signing_cert and signing_key go together")
    if cert is not None and ca is None:
        raise ProfileError(
            path, "security.signing_ca", "signing_cert needs signing_ca (the CA a product trusts)"
        )
    if cert is not None:
        problem = identity_problem(cert, key)
        if problem is not None:
            raise ProfileError(path, "security.signing_cert", problem)
    if ca is not None:
        problem = trust_problem(ca)
        if problem is not None:
            raise ProfileError(path, "security.signing_ca", problem)


def _refused_clients(sec: dict[str, Any], path: Path) -> tuple[Identity, ...]:
    """``refused_client_certs``: client identities the product must refuse, each
    ``{ why = "expired", cert = "...", key = "..." }``."""
    entries = _get(sec, "security", "refused_client_certs", list, path, [])
    found: list[Identity] = []
    for n, entry in enumerate(entries):
        key_name = f"security.refused_client_certs[{n}]"
        if not isinstance(entry, dict):
            raise ProfileError(
                path, key_name, 'expected { why = "...", cert = "...", key = "..." }'
            )
        _unknown(entry, ("why", "cert", "key"), key_name, path)
        why = _get(entry, key_name, "why", str, path)
        cert = (path.parent / _get(entry, key_name, "cert", str, path)).resolve()
        key = (path.parent / _get(entry, key_name, "key", str, path)).resolve()
        problem = identity_problem(cert, key)
        if problem is not None:
            raise ProfileError(path, f"{key_name}.cert", problem)
        found.append(Identity(f"with a certificate {why}", cert, key))
    return tuple(found)


def _ports(table: dict[str, Any], path: Path, key: str) -> dict[str, int]:
    ports: dict[str, int] = {}
    for name, value in table.items():
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 65535:
            raise ProfileError(path, f"{key}.{name}", f"expected a port 1-65535, got {value!r}")
        ports[str(name)] = value
    return ports


def _volumes(table: dict[str, Any], path: Path, section: str) -> dict[str, str]:
    """Files or folders mounted read-only into a container: host path (relative to the profile)
    -> absolute path inside the container."""
    volumes: dict[str, str] = {}
    for host, inside in table.items():
        key = f'{section}.volumes."{host}"'
        if not isinstance(inside, str) or not inside.startswith("/"):
            raise ProfileError(
                path, key, f"expected an absolute path in the container, got {inside!r}"
            )
        source = (path.parent / str(host)).resolve()
        if not source.exists():
            raise ProfileError(path, key, f"file not found: {source}")
        volumes[str(source)] = inside
    return volumes


def known_capabilities() -> dict[str, str]:
    """What a profile's [pics] may claim: the core's and every use case's (from its catalog)."""
    from amicert.catalog import load_catalog

    found = dict(CORE_CAPABILITIES)
    for uc in load_catalog().values():
        found.update(uc.capabilities)
    return found


def load_profile(
    path: Path,
    known_actors: set[str] | None = None,
    capabilities: dict[str, str] | None = None,
) -> SutProfile:
    """Read and check a SUT profile; ``known_actors`` (from the catalog) checks actor names and
    ``capabilities`` (default: :func:`known_capabilities`) the PICS keys."""
    known = capabilities if capabilities is not None else known_capabilities()
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ProfileError(path, "(file)", f"cannot read: {exc.strerror or exc}") from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ProfileError(path, "(document)", f"not valid TOML: {exc}") from None
    _unknown(data, TOP_LEVEL, "", path)

    product = _table(data, "product", path)
    name = _get(product, "product", "name", str, path)
    version = _get(product, "product", "version", str, path)

    boundary_t = _table(data, "boundary", path)
    actors = _get(boundary_t, "boundary", "actors", list, path)
    if not actors or not all(isinstance(a, str) for a in actors):
        raise ProfileError(path, "boundary.actors", "expected a non-empty list of actor names")
    if known_actors is not None:
        for a in actors:
            if a not in known_actors:
                raise ProfileError(
                    path,
                    "boundary.actors",
                    f"{a!r} is no actor of any use case (known: {', '.join(sorted(known_actors))})",
                )

    bindings_t = _table(data, "bindings", path)
    bindings: dict[str, Binding] = {}
    for role in actors:
        spec = bindings_t.get(role)
        if spec is None:
            raise ProfileError(
                path, f'bindings."{role}"', "missing: every boundary actor needs a binding"
            )
        if not isinstance(spec, dict):
            raise ProfileError(
                path, f'bindings."{role}"', 'expected a table like { type = "soap" }'
            )
        section = f'bindings."{role}"'
        _unknown(
            spec,
            (
                "type",
                "class",
                "image",
                "ports",
                "environment",
                "health_url",
                "start_timeout_s",
                "command",
                "network",
                "volumes",
            ),
            section,
            path,
        )
        btype = _get(spec, section, "type", str, path)
        if btype not in BINDING_TYPES:
            raise ProfileError(
                path,
                f"{section}.type",
                f"expected one of {', '.join(BINDING_TYPES)}, got {btype!r}",
            )
        binding = Binding(
            role=role,
            type=btype,
            cls=_get(spec, section, "class", str, path, None),
            image=_get(spec, section, "image", str, path, None),
            ports=_ports(_get(spec, section, "ports", dict, path, {}), path, f"{section}.ports"),
            environment={
                str(k): str(v)
                for k, v in _get(spec, section, "environment", dict, path, {}).items()
            },
            health_url=_get(spec, section, "health_url", str, path, None),
            start_timeout_s=float(_get(spec, section, "start_timeout_s", (int, float), path, 60.0)),
            command=tuple(str(c) for c in _get(spec, section, "command", list, path, [])),
            network=_get(spec, section, "network", str, path, "host"),
            volumes=_volumes(_get(spec, section, "volumes", dict, path, {}), path, section),
        )
        if binding.network == "host" and binding.ports:
            raise ProfileError(
                path,
                f"{section}.ports",
                'ports are published only on a network other than "host" (the default); '
                'with network = "host" the container listens on the machine\'s own ports',
            )
        if btype == "python" and not binding.cls:
            raise ProfileError(
                path,
                f"{section}.class",
                'a python binding needs class = "module:Class" (or an amicert.actors entry point)',
            )
        if btype == "docker" and not binding.image:
            raise ProfileError(
                path, f"{section}.image", 'a docker binding needs image = "name:tag"'
            )
        bindings[role] = binding
    for role in bindings_t:
        if role not in actors:
            raise ProfileError(
                path, f'bindings."{role}"', "binding for an actor outside [boundary]"
            )

    sut = _table(
        data, "sut", path, required=any(b.type in ("soap", "docker") for b in bindings.values())
    )
    _unknown(
        sut,
        (
            "address",
            "test_control",
            "wsdl_dir",
            "tls_cert",
            "tls_key",
            "client_ca",
            "require_client_cert",
            "client_crl",
        ),
        "sut",
        path,
    )
    sut_tls = _tls_pair(sut, "sut", path)
    sut_client_auth = _client_auth(sut, "sut", path, sut_tls)
    address = _url(
        _get(sut, "sut", "address", str, path, "http://127.0.0.1:0"), path, "sut.address"
    )
    test_control = sut.get("test_control")
    if test_control is not None:
        test_control = _url(_get(sut, "sut", "test_control", str, path), path, "sut.test_control")
    wsdl_dir = _get(sut, "sut", "wsdl_dir", str, path, None)

    harness = _table(data, "harness", path, required=False)
    _unknown(harness, ("host", "port", "tls_cert", "tls_key"), "harness", path)
    harness_tls = _tls_pair(harness, "harness", path)
    host = _get(harness, "harness", "host", str, path, "127.0.0.1")
    port = _get(harness, "harness", "port", int, path, 8712)
    if not 0 <= port <= 65535:
        raise ProfileError(path, "harness.port", f"expected 0-65535, got {port}")

    sec = _table(data, "security", path, required=False)
    if "password" in sec:
        raise ProfileError(
            path, "security.password", "never put a password in the profile; use password_env"
        )
    _unknown(
        sec,
        (
            "verify_tls",
            "ca_bundle",
            "client_cert",
            "client_key",
            "username",
            "password_env",
            "refused_client_certs",
            "signing_cert",
            "signing_key",
            "signing_ca",
        ),
        "security",
        path,
    )
    base = path.parent

    def _path(key: str) -> Path | None:
        value = _get(sec, "security", key, str, path, None)
        if value is None:
            return None
        p: Path = (base / str(value)).resolve()
        if not p.exists():
            raise ProfileError(path, f"security.{key}", f"file not found: {p}")
        return p

    security = Security(
        verify_tls=_get(sec, "security", "verify_tls", bool, path, True),
        ca_bundle=_path("ca_bundle"),
        client_cert=_path("client_cert"),
        client_key=_path("client_key"),
        username=_get(sec, "security", "username", str, path, None),
        password_env=_get(sec, "security", "password_env", str, path, None),
        refused_clients=_refused_clients(sec, path),
        signing_cert=_path("signing_cert"),
        signing_key=_path("signing_key"),
        signing_ca=_path("signing_ca"),
    )
    _check_signing(security, path)
    if security.ca_bundle is not None:
        problem = trust_problem(security.ca_bundle)
        if problem is not None:
            raise ProfileError(path, "security.ca_bundle", problem)
    if security.client_key is not None and security.client_cert is None:
        raise ProfileError(path, "security.client_key", "needs client_cert (its certificate)")
    if security.client_cert is not None:
        problem = identity_problem(security.client_cert, security.client_key)
        if problem is not None:
            raise ProfileError(path, "security.client_cert", problem)
    if security.username and not security.password_env:
        raise ProfileError(
            path,
            "security.password_env",
            "a username needs password_env (the variable holding the password)",
        )

    tmo = _table(data, "timeouts", path, required=False)
    _unknown(tmo, ("connect_s", "read_s", "scenario_wall_s", "max_body_bytes"), "timeouts", path)
    timeouts = Timeouts(
        connect_s=float(_get(tmo, "timeouts", "connect_s", (int, float), path, 2.0)),
        read_s=float(_get(tmo, "timeouts", "read_s", (int, float), path, 10.0)),
        scenario_wall_s=float(_get(tmo, "timeouts", "scenario_wall_s", (int, float), path, 120.0)),
        max_body_bytes=int(_get(tmo, "timeouts", "max_body_bytes", int, path, 10 * 1024 * 1024)),
    )
    for key, cap in (("connect_s", 600), ("read_s", 3600), ("scenario_wall_s", 86400)):
        value = getattr(timeouts, key)
        if not math.isfinite(value) or not 0 < value <= cap:
            raise ProfileError(
                path, f"timeouts.{key}", f"expected a positive number of seconds up to {cap}"
            )
    if timeouts.max_body_bytes < 1024:
        raise ProfileError(path, "timeouts.max_body_bytes", "expected at least 1024 bytes")
    for role, b in bindings.items():
        if not math.isfinite(b.start_timeout_s) or not 0 < b.start_timeout_s <= 3600:
            raise ProfileError(
                path, f'bindings."{role}".start_timeout_s', "expected 0 < seconds <= 3600"
            )

    if "pics" not in data:
        raise ProfileError(
            path,
            "[pics]",
            f"missing section: declare which capabilities the product claims ({', '.join(known)})",
        )
    pics_t = _table(data, "pics", path)
    pics: dict[str, bool] = {}
    for key, value in pics_t.items():
        if key not in known:
            raise ProfileError(
                path, f"pics.{key}", f"unknown capability (known: {', '.join(known)})"
            )
        if not isinstance(value, bool):
            raise ProfileError(path, f"pics.{key}", f"expected true or false, got {value!r}")
        pics[key] = value
    if (pics.get("fault_injection") or pics.get("clock_control")) and not test_control:
        raise ProfileError(
            path,
            "sut.test_control",
            "fault_injection and clock_control need a test_control URL",
        )

    return SutProfile(
        path=path,
        name=name,
        version=version,
        boundary=tuple(actors),
        bindings=bindings,
        address=address,
        test_control=test_control,
        wsdl_dir=(base / wsdl_dir).resolve() if wsdl_dir else None,
        harness_host=host,
        harness_port=port,
        security=security,
        timeouts=timeouts,
        pics=pics,
        harness_tls=harness_tls,
        sut_tls=sut_tls,
        sut_client_auth=sut_client_auth,
    )
