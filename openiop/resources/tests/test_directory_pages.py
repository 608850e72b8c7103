"""The directory pages: staff add and check entries, stale flags, the staff-home count, the
client's "Near me" and search."""

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from openiop.accounts.models import User
from openiop.conftest import World
from openiop.resources.models import Resource
from openiop.resources.selectors import stale_count
from openiop.resources.services import client_resource_add, resource_save

Login = Callable[[User], HttpClient]


def _entry(world: World, name: str, verified: date, **extra: Any) -> Resource:
    return resource_save(
        program=world.program,
        actor=world.dale,
        name=name,
        category="peer_support",
        postal_code="60614",
        last_verified_on=verified,
        **extra,
    )


@pytest.fixture
def entries(world: World) -> dict[str, Resource]:
    today = timezone.localdate()
    return {
        "fresh": _entry(world, "Fresh group", today - timedelta(days=180)),
        "stale": _entry(world, "Stale group", today - timedelta(days=181)),
        "stale_hidden": _entry(
            world, "Unlisted stale", today - timedelta(days=400), is_active=False
        ),
    }


def test_stale_means_more_than_180_days(world: World, entries: dict[str, Resource]) -> None:
    today = timezone.localdate()
    assert not entries["fresh"].is_stale(today)
    assert entries["stale"].is_stale(today)
    assert stale_count(world.casey) == 1  # the unlisted one is not counted
    assert stale_count(world.birch_director) == 0  # another program's staff


def test_directory_flags_stale_and_staff_home_counts_them(
    world: World, entries: dict[str, Resource], login_as: Login
) -> None:
    http = login_as(world.casey)
    page = http.get("/programs/maple/resources/").content.decode()
    assert page.count("Needs checking") == 2  # the stale entry and the unlisted one
    home = http.get("/").content.decode()
    assert "1 entry needs checking" in home
    http.post(f"/programs/maple/resources/{entries['stale'].pk}/verify/")
    entries["stale"].refresh_from_db()
    assert entries["stale"].last_verified_on == timezone.localdate()
    assert "needs checking" not in http.get("/").content.decode()


def test_staff_add_an_entry_and_a_missing_postal_code_is_refused(
    world: World, login_as: Login
) -> None:
    http = login_as(world.dale)
    form = {
        "name": "Demo Running Club",
        "category": "activity",
        "country": "US",
        "languages": "English",
        "last_verified_on": "2026-11-01",
        "is_active": "on",
    }
    refused = http.post("/programs/maple/resources/new/", form)
    assert refused.status_code == 400
    assert not Resource.objects.exists()
    response = http.post("/programs/maple/resources/new/", {**form, "postal_code": "60201"})
    assert response.status_code == 302
    assert Resource.objects.get().latitude == 42.0546


@pytest.mark.parametrize("name", ["birch_director", "cora", "fay", "ada"])
def test_the_directory_is_404_outside_the_program_staff(
    world: World, login_as: Login, name: str
) -> None:
    persona = getattr(world, name)
    assert login_as(persona).get("/programs/maple/resources/").status_code == 404


def test_client_sees_chosen_resources_and_searches(
    world: World, entries: dict[str, Resource], login_as: Login
) -> None:
    client_resource_add(client=world.alex, resource=entries["fresh"], actor=world.casey)
    http = login_as(world.alex.user)
    page = http.get("/me/resources/").content.decode()
    assert "Fresh group" in page and "Stale group" not in page
    found = http.get("/me/resources/?postal_code=60601&radius=10&category=").content.decode()
    assert "Stale group" in found and "3.0 miles away" in found
    bad = http.get("/me/resources/?postal_code=00000&radius=10")
    assert bad.status_code == 400 and "not a US ZIP code we know" in bad.content.decode()
    assert login_as(world.casey).get("/me/resources/").status_code == 404


def test_care_team_chooses_near_me_resources(
    world: World, entries: dict[str, Resource], login_as: Login
) -> None:
    http = login_as(world.casey)
    response = http.post(f"/clients/{world.alex.pk}/resources/", {"resource": entries["fresh"].pk})
    assert response.status_code == 302
    assert world.alex.chosen_resources.count() == 1


def test_client_home_links_near_me_and_family_sharing(world: World, login_as: Login) -> None:
    page = login_as(world.alex.user).get("/me/").content.decode()
    assert "/me/resources/" in page and "/me/family/" in page
