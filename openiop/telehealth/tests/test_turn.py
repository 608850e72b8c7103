"""TURN REST credentials: the scheme coturn's use-auth-secret checks."""

import base64
import hashlib
import hmac

import pytest

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
