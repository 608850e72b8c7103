"""Idle sign-out: staff after 15 minutes, clients after 30, everyone after 12 hours."""

from collections.abc import Callable

import pytest
import time_machine
from django.test import Client as HttpClient

from openiop.accounts.models import User
from openiop.conftest import World

START = "2026-01-05 09:00 +0000"


def _still_signed_in(client: HttpClient, path: str) -> bool:
    response = client.get(path)
    return response.status_code == 200


@pytest.mark.parametrize(
    ("persona", "idle_ok", "idle_out"),
    [("casey", 14 * 60, 16 * 60), ("alex", 29 * 60, 31 * 60)],
)
def test_idle_sign_out_by_role(
    world: World,
    login_as: Callable[[User], HttpClient],
    persona: str,
    idle_ok: int,
    idle_out: int,
) -> None:
    user = world.alex.user if persona == "alex" else getattr(world, persona)
    path = f"/clients/{world.alex.pk}/"
    with time_machine.travel(START, tick=False) as traveller:
        client = login_as(user)
        assert _still_signed_in(client, path)
        traveller.shift(idle_ok)
        assert _still_signed_in(client, path)  # activity resets the idle clock
        traveller.shift(idle_ok)
        assert _still_signed_in(client, path)
        traveller.shift(idle_out)
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/login/?next=")
        # The server-side session is gone, not just the cookie.
        assert "_auth_user_id" not in client.session


def test_twelve_hours_is_the_limit_even_when_active(
    world: World, login_as: Callable[[User], HttpClient]
) -> None:
    with time_machine.travel(START, tick=False) as traveller:
        client = login_as(world.alex.user)
        minutes = 0
        while _still_signed_in(client, "/me/"):  # a request every 20 minutes, all day
            traveller.shift(20 * 60)
            minutes += 20
            assert minutes <= 13 * 60, "still signed in after 13 hours"
        assert minutes == 12 * 60 + 20


def test_idle_api_session_cookie_gets_401(
    world: World, login_as: Callable[[User], HttpClient]
) -> None:
    with time_machine.travel(START, tick=False) as traveller:
        client = login_as(world.alex.user)
        traveller.shift(31 * 60)
        # The API takes bearer tokens only; an expired cookie session changes nothing there.
        assert client.get(f"/api/v1/clients/{world.alex.pk}").status_code == 401
