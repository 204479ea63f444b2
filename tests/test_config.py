"""The SUT profile: example profiles load; every mistake names file, key and problem."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from amicert.config import ProfileError, load_profile

ROOT = Path(__file__).resolve().parents[1]
ACTORS = {
    "AMI Head-End",
    "AMI Network",
    "NIC",
    "Meter Metrology Board",
    "MDM",
    "Meter Vendor",
    "Metering Department",
}
GOOD = """
[product]
name = "P"
version = "1"
[boundary]
actors = ["MDM"]
[bindings]
"MDM" = { type = "soap" }
[sut]
address = "http://127.0.0.1:9000"
test_control = "http://127.0.0.1:9000/amicert/test-control"
[pics]
firmware_upgrade = true
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sut.toml"
    path.write_text(text)
    return path


@pytest.mark.parametrize("name", ["headend-over-soap.toml", "mdm-over-soap.toml"])
def test_the_example_profiles_load(name: str) -> None:
    profile = load_profile(ROOT / "examples" / name, ACTORS)
    assert profile.remote_roles() == set(profile.boundary)
    assert profile.claims("firmware_upgrade")


def test_a_good_profile_reads_every_section(tmp_path: Path) -> None:
    profile = load_profile(write(tmp_path, GOOD), ACTORS)
    assert profile.boundary == ("MDM",)
    assert profile.address == "http://127.0.0.1:9000"
    assert profile.harness_address == "http://127.0.0.1:8712"
    assert profile.timeouts.read_s == 10.0


@pytest.mark.parametrize(
    ("change", "key", "problem"),
    [
        (lambda t: t.replace("[pics]\nfirmware_upgrade = true\n", ""), "[pics]", "missing section"),
        (lambda t: t + "[extras]\nx = 1\n", "extras", "unknown key"),
        (
            lambda t: t.replace('actors = ["MDM"]', 'actors = ["CIS"]'),
            "boundary.actors",
            "'CIS' is no actor",
        ),
        (
            lambda t: t.replace('"MDM" = { type = "soap" }', ""),
            'bindings."MDM"',
            "every boundary actor needs a binding",
        ),
        (
            lambda t: t.replace('type = "soap"', 'type = "corba"'),
            'bindings."MDM".type',
            "expected one of",
        ),
        (
            lambda t: t.replace('type = "soap"', 'type = "python"'),
            'bindings."MDM".class',
            "module:Class",
        ),
        (lambda t: t.replace('type = "soap"', 'type = "docker"'), 'bindings."MDM".image', "image"),
        (lambda t: t.replace('"http://127.0.0.1:9000"', '"ftp://x"'), "sut.address", "http(s) URL"),
        (
            lambda t: t + '[security]\npassword = "hunter2"\n',
            "security.password",
            "never put a password",
        ),
        (lambda t: t + "[timeouts]\nread_s = -1\n", "timeouts.read_s", "positive"),
        (lambda t: t + "[timeouts]\nread_s = true\n", "timeouts.read_s", "expected a number"),
        (lambda t: t + "[timeouts]\nread_s = inf\n", "timeouts.read_s", "up to"),
        (lambda t: t + '[harness]\ntls_cert = "c.pem"\n', "harness.tls_key", "go together"),
        (
            lambda t: t + '[harness]\ntls_cert = "c.pem"\ntls_key = "k.pem"\n',
            "harness.tls_cert",
            "file not found",
        ),
        (lambda t: t + "[timeouts]\nscenario_wall_s = nan\n", "timeouts.scenario_wall_s", "up to"),
        (
            lambda t: t + "[timeouts]\nmax_body_bytes = 0\n",
            "timeouts.max_body_bytes",
            "at least 1024",
        ),
        (
            lambda t: t.replace(
                '{ type = "soap" }', '{ type = "docker", image = "x", ports = { a = "abc" } }'
            ),
            'bindings."MDM".ports.a',
            "expected a port",
        ),
        (
            lambda t: t.replace("firmware_upgrade = true", "firmware_upgrade = 1"),
            "pics.firmware_upgrade",
            "true or false",
        ),
        (
            lambda t: t.replace("firmware_upgrade = true", "teleportation = true"),
            "pics.teleportation",
            "unknown capability",
        ),
        (lambda t: t.replace('version = "1"', "version = 1"), "product.version", "expected str"),
        (lambda t: t.replace("[product]", "[product"), "(document)", "not valid TOML"),
        (
            lambda t: (
                t.replace('test_control = "http://127.0.0.1:9000/amicert/test-control"\n', "")
                + "fault_injection = true\n"
            ),
            "sut.test_control",
            "need a test_control URL",
        ),
    ],
)
def test_a_broken_profile_names_file_key_and_problem(
    tmp_path: Path, change: object, key: str, problem: str
) -> None:
    path = write(tmp_path, change(GOOD))  # type: ignore[operator]
    with pytest.raises(ProfileError) as info:
        load_profile(path, ACTORS)
    assert info.value.key == key
    assert problem in info.value.problem
    assert str(path) in str(info.value)


def test_the_password_comes_from_the_environment_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path, GOOD + '[security]\nusername = "h"\npassword_env = "SUT_PW"\n')
    monkeypatch.setenv("SUT_PW", "s3cret")
    profile = load_profile(path, ACTORS)
    assert profile.security.password() == "s3cret"
    assert "s3cret" not in repr(profile)


def test_run_with_a_broken_profile_exits_2_with_file_and_key(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace("[pics]\nfirmware_upgrade = true\n", ""))
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "amicert.cli",
            "run",
            "--sut",
            str(path),
            "--report-dir",
            str(tmp_path / "r"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2
    assert f"{path}: [pics]: missing section" in proc.stderr
    assert "Traceback" not in proc.stderr


SIGNING = (
    '[security]\nsigning_cert = "certs/client.pem"\nsigning_key = "certs/client-key.pem"\n'
    'signing_ca = "certs/ca.pem"\n'
)


def test_the_signing_identity_is_read_with_what_a_product_must_trust(tmp_path: Path) -> None:
    from amicert.transport.tls import demo_certificates

    demo_certificates(tmp_path / "certs")
    security = load_profile(write(tmp_path, GOOD + SIGNING), ACTORS).security
    assert security.signing_cert == tmp_path / "certs" / "client.pem"
    assert security.signing_key == tmp_path / "certs" / "client-key.pem"
    assert security.signing_ca == tmp_path / "certs" / "ca.pem"


@pytest.mark.parametrize(
    ("change", "key", "problem"),
    [
        (('signing_ca = "certs/ca.pem"\n', ""), "security.signing_ca", "needs signing_ca"),
        (('signing_key = "certs/client-key.pem"\n', ""), "security.signing_key", "go together"),
        (
            ('signing_key = "certs/client-key.pem"', 'signing_key = "certs/server-key.pem"'),
            "security.signing_cert",
            "do not load together",
        ),
        (
            ('signing_ca = "certs/ca.pem"', 'signing_ca = "certs/server-key.pem"'),
            "security.signing_ca",
            "no usable CA certificate",
        ),
    ],
)
def test_a_bad_signing_identity_is_a_profile_error_naming_the_key(
    tmp_path: Path, change: tuple[str, str], key: str, problem: str
) -> None:
    from amicert.transport.tls import demo_certificates

    demo_certificates(tmp_path / "certs")
    with pytest.raises(ProfileError) as caught:
        load_profile(write(tmp_path, GOOD + SIGNING.replace(*change)), ACTORS)
    text = str(caught.value)
    assert key in text and problem in text, text
    assert "BEGIN" not in text
