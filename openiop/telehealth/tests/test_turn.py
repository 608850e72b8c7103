"""TURN REST credentials: the scheme coturn's use-auth-secret checks."""

import base64
import hashlib
import hmac
import os
import shutil
import socket
import struct
import subprocess
import time
from collections.abc import Iterator

import pytest

from openiop.telehealth.testing import JanusNetns
from openiop.telehealth.turn import turn_credentials

NOW = 1_800_000_000


def test_no_turn_configured_gives_none(settings) -> None:
    settings.TURN_URLS = []
    settings.TURN_SECRET = "s"
    assert turn_credentials(7) is None
    settings.TURN_URLS = ["turn:turn.example.org:3478"]
    settings.TURN_SECRET = ""
    assert turn_credentials(7) is None


def test_credentials_follow_the_rest_api_scheme(settings) -> None:
    settings.TURN_URLS = ["turn:turn.example.org:3478?transport=udp", "turns:turn.example.org:443"]
    settings.TURN_SECRET = "north"
    creds = turn_credentials(42, ttl_seconds=600, now=NOW)
    assert creds is not None
    assert creds["urls"] == settings.TURN_URLS
    assert creds["username"] == f"{NOW + 600}:42"
    # Known answer (openssl dgst -sha1 -hmac north -binary | base64).
    expected = base64.b64encode(
        hmac.new(b"north", b"1800000600:42", hashlib.sha1).digest()
    ).decode()
    assert creds["credential"] == expected
    assert creds["credential"] == "BXksXbK0sDIB4vn6A04xFjQYqnk="


def test_default_lifetime_is_an_hour_and_users_differ(settings) -> None:
    settings.TURN_URLS = ["turn:turn.example.org:3478"]
    settings.TURN_SECRET = "north"
    one = turn_credentials(1, now=NOW)
    two = turn_credentials(2, now=NOW)
    assert one is not None and two is not None
    assert one["username"] == f"{NOW + 3600}:1"
    assert one["credential"] != two["credential"]
    with pytest.raises(ValueError):
        turn_credentials(1, ttl_seconds=0)


# --- against a real coturn ----------------------------------------------------------------------

REALM = "openiop.test"


def _stun(
    kind: int, txid: bytes, attributes: list[tuple[int, bytes]], *, key: bytes = b""
) -> bytes:
    """A STUN message; with `key`, MESSAGE-INTEGRITY (HMAC-SHA1, RFC 5389 §15.4) goes last."""
    body = b""
    for attr, value in attributes:
        body += struct.pack("!HH", attr, len(value)) + value + b"\0" * (-len(value) % 4)
    if not key:
        return struct.pack("!HHI", kind, len(body), 0x2112A442) + txid + body
    header = struct.pack("!HHI", kind, len(body) + 24, 0x2112A442) + txid
    mac = hmac.new(key, header + body, hashlib.sha1).digest()
    return header + body + struct.pack("!HH", 0x0008, 20) + mac


def _attributes(message: bytes) -> dict[int, bytes]:
    found, offset = {}, 20
    while offset + 4 <= len(message):
        attr, length = struct.unpack("!HH", message[offset : offset + 4])
        found[attr] = message[offset + 4 : offset + 4 + length]
        offset += 4 + length + (-length % 4)
    return found


def _allocate(address: tuple[str, int], username: str, password: str) -> int:
    """TURN Allocate with long-term credentials (RFC 5766): the response's message type
    (0x0103 success, 0x0113 error)."""
    transport = [(0x0019, b"\x11\0\0\0")]  # REQUESTED-TRANSPORT: UDP
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(3)
        sock.sendto(_stun(0x0003, os.urandom(12), transport), address)
        challenge = _attributes(sock.recv(2048))  # 401 with REALM and NONCE
        key = hashlib.md5(f"{username}:{challenge[0x0014].decode()}:{password}".encode()).digest()
        attrs = [
            *transport,
            (0x0006, username.encode()),
            (0x0014, challenge[0x0014]),
            (0x0015, challenge[0x0015]),
        ]
        sock.sendto(_stun(0x0003, os.urandom(12), attrs, key=key), address)
        return struct.unpack("!H", sock.recv(2048)[:2])[0]


@pytest.fixture
def coturn(janus_netns: JanusNetns) -> Iterator[tuple[str, int]]:
    """coturn with the TURN REST secret, inside the harness's namespace."""
    if not shutil.which("turnserver"):
        pytest.skip("coturn is not installed (scripts/ensure-test-deps)")
    ip = janus_netns.inside_ip
    process = subprocess.Popen(
        [
            "ip",
            "netns",
            "exec",
            janus_netns.ns,
            "turnserver",
            "-n",
            f"--listening-ip={ip}",
            "--listening-port=3478",
            f"--relay-ip={ip}",
            "--min-port=49152",
            "--max-port=49200",
            "--use-auth-secret",
            "--static-auth-secret=north",
            f"--realm={REALM}",
            "--no-tls",
            "--no-dtls",
            "--no-tcp",
            "--no-cli",
            "--no-stdout-log",
            "--log-file=/dev/null",
            f"--pidfile={janus_netns.workdir / 'turnserver.pid'}",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while True:  # up once it answers an unauthenticated Allocate with a challenge
            try:
                with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
                    probe.settimeout(0.2)
                    probe.sendto(_stun(0x0003, os.urandom(12), []), (ip, 3478))
                    probe.recv(2048)
                break
            except OSError:
                assert process.poll() is None, "turnserver exited"
                assert time.monotonic() < deadline, "turnserver did not answer"
        yield (ip, 3478)
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_coturn_accepts_our_credentials_until_they_expire(coturn, settings) -> None:
    settings.TURN_URLS = [f"turn:{coturn[0]}:3478?transport=udp"]
    settings.TURN_SECRET = "north"
    good = turn_credentials(42)
    assert good is not None
    assert _allocate(coturn, good["username"], good["credential"]) == 0x0103  # allocated

    assert _allocate(coturn, good["username"], "not-the-credential") == 0x0113
    settings.TURN_SECRET = "south"  # signed with another secret
    other = turn_credentials(42)
    assert other is not None
    assert _allocate(coturn, other["username"], other["credential"]) == 0x0113
    settings.TURN_SECRET = "north"
    expired = turn_credentials(42, ttl_seconds=60, now=time.time() - 120)
    assert expired is not None
    assert _allocate(coturn, expired["username"], expired["credential"]) == 0x0113
