"""A director edits their program's settings and tracks (/programs/<slug>/settings/): the
services' checks, the pages, and who may open them."""

from collections.abc import Callable
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client as HttpClient

from openiop.accounts.models import User
from openiop.audit.models import AuditEvent
from openiop.conftest import World
from openiop.programs.models import Program, Track
from openiop.programs.services import program_update, track_create, track_update
from openiop.programs.tests.enrollment_support import persona, snapshot

Login = Callable[[User], HttpClient]


def _settings(world: World) -> str:
    return f"/programs/{world.program.slug}/settings/"


def _form(program: Program, **changes: str) -> dict[str, str]:
    """The settings form as the page posts it, with `changes` typed over it."""
    data = {
        "name": program.name,
        "time_zone": program.time_zone,
        "level_of_care": program.level_of_care,
        "min_weekly_hours": str(program.min_weekly_hours),
        "step_down_weekly_hours": "",
        "max_group_size": str(program.max_group_size),
        "billable_day_min_hours": str(program.billable_day_min_hours),
        "on_call_phone": program.on_call_phone,
        "dial_in_phone": program.dial_in_phone,
    }
    return {**data, **changes}


# Services --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"time_zone": "Mars/Olympus"}, "time_zone", "IANA time zone"),
        ({"min_weekly_hours": Decimal(0)}, "min_weekly_hours", "more than 0"),
        ({"min_weekly_hours": Decimal(41)}, "min_weekly_hours", "at most 40"),
        ({"step_down_weekly_hours": Decimal(9)}, "step_down_weekly_hours", "fewer hours"),
        ({"step_down_weekly_hours": Decimal(0)}, "step_down_weekly_hours", "more than 0"),
        ({"max_group_size": 1}, "max_group_size", "between 2 and 50"),
        ({"max_group_size": 51}, "max_group_size", "between 2 and 50"),
        ({"billable_day_min_hours": Decimal(13)}, "billable_day_min_hours", "at most 12"),
        ({"on_call_phone": "12"}, "on_call_phone", "phone number"),
        ({"level_of_care": "spa"}, "level_of_care", "not a valid choice"),
        ({"name": "  "}, "name", "cannot be blank"),
    ],
)
def test_program_update_refuses_bad_settings_and_writes_nothing(
    world: World, changes: dict[str, object], field: str, words: str
) -> None:
    before = snapshot()
    with pytest.raises(ValidationError) as refusal:
        program_update(program=world.program, actor=world.dale, **changes)
    assert words in " ".join(refusal.value.message_dict[field])
    assert snapshot() == before


def test_lowering_the_minimum_below_the_step_down_hours_is_refused(world: World) -> None:
    program_update(program=world.program, actor=world.dale, step_down_weekly_hours=Decimal(5))
    with pytest.raises(ValidationError) as refusal:
        program_update(program=world.program, actor=world.dale, min_weekly_hours=Decimal(4))
    assert "step_down_weekly_hours" in refusal.value.message_dict


def test_program_update_saves_normalises_phones_and_audits_what_changed(world: World) -> None:
    program = program_update(
        program=world.program,
        actor=world.dale,
        min_weekly_hours=Decimal(12),
        on_call_phone="(312) 555-0142",
        dial_in_phone=world.program.dial_in_phone,  # unchanged: not in the event
    )
    program.refresh_from_db()
    assert program.min_weekly_hours == 12 and program.on_call_phone == "+13125550142"
    event = AuditEvent.objects.filter(object_type="program").order_by("-seq").first()
    assert event is not None
    assert (event.action, event.actor, event.reason) == (
        "update",
        world.dale,
        "changed min_weekly_hours, on_call_phone",
    )
    before = AuditEvent.objects.count()
    program_update(program=program, actor=world.dale, min_weekly_hours=Decimal(12))
    assert AuditEvent.objects.count() == before  # nothing changed, nothing recorded


def test_track_names_are_unique_within_a_program_only(world: World) -> None:
    track_create(program=world.program, name="Evenings", schedule_label="evening", actor=None)
    with pytest.raises(ValidationError) as refusal:
        track_create(program=world.program, name=" evenings ", schedule_label="morning", actor=None)
    assert "already has a track" in refusal.value.message_dict["name"][0]
    track_create(program=world.other_program, name="Evenings", schedule_label="evening", actor=None)


@pytest.mark.parametrize("capacity", [0, 501])
def test_track_capacity_must_be_sane(world: World, capacity: int) -> None:
    with pytest.raises(ValidationError, match="between 1 and 500"):
        track_create(
            program=world.program,
            name="Evenings",
            schedule_label="evening",
            capacity=capacity,
            actor=None,
        )
    assert not Track.objects.exists()


def test_track_update_retires_and_audits(world: World) -> None:
    track = track_create(
        program=world.program, name="Evenings", schedule_label="evening", actor=None
    )
    track_update(track=track, actor=world.dale, is_active=False, capacity=8)
    track.refresh_from_db()
    assert not track.is_active and track.capacity == 8
    event = AuditEvent.objects.filter(object_type="track", action="update").get()
    assert event.reason == "changed is_active, capacity" and event.actor == world.dale


# Pages -----------------------------------------------------------------------------------


def test_director_saves_settings(world: World, login_as: Login) -> None:
    client = login_as(world.dale)
    page = client.get(_settings(world))
    assert page.status_code == 200
    assert 'value="America/Chicago"' in page.content.decode()
    response = client.post(
        _settings(world),
        _form(world.program, min_weekly_hours="10", step_down_weekly_hours="4.5"),
    )
    assert response.status_code == 302
    world.program.refresh_from_db()
    assert world.program.min_weekly_hours == 10
    assert world.program.step_down_weekly_hours == Decimal("4.5")


def test_bad_settings_come_back_with_what_to_fix(world: World, login_as: Login) -> None:
    client = login_as(world.dale)
    before = snapshot()
    response = client.post(
        _settings(world),
        _form(world.program, time_zone="Central", step_down_weekly_hours="20"),
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert 'role="alert"' in body
    assert "IANA time zone" in body and "fewer hours than the weekly minimum" in body
    assert 'value="Central"' in body  # what was typed stays in the form
    assert snapshot() == before


def test_director_adds_and_edits_a_track(world: World, login_as: Login) -> None:
    client = login_as(world.dale)
    url = f"/programs/{world.program.slug}/tracks/"
    data = {"name": "Adult mood — evenings", "schedule_label": "evening", "capacity": "10"}
    response = client.post(url, data)
    assert response.status_code == 302
    track = Track.objects.get(program=world.program)
    assert track.capacity == 10 and not track.trauma_focused
    again = client.post(url, data)
    assert again.status_code == 400
    assert "already has a track" in again.content.decode()
    edit = f"{url}{track.pk}/"
    assert client.get(edit).status_code == 200
    response = client.post(edit, {"name": track.name, "schedule_label": "evening", "capacity": "0"})
    assert response.status_code == 400 and "between 1 and 500" in response.content.decode()
    response = client.post(
        edit, {"name": track.name, "schedule_label": "weekend", "capacity": "10"}
    )
    assert response.status_code == 302
    track.refresh_from_db()
    assert track.schedule_label == "weekend" and not track.is_active  # box left unticked


@pytest.mark.parametrize(
    "name", ["casey", "fran", "quinn", "birch_director", "cora", "ada", "alex", "fay"]
)
def test_only_the_programs_director_opens_its_settings(
    world: World, login_as: Login, name: str
) -> None:
    track = track_create(
        program=world.program, name="Evenings", schedule_label="evening", actor=None
    )
    client = login_as(persona(world, name))
    before = snapshot()
    assert client.get(_settings(world)).status_code == 404
    assert client.post(_settings(world), _form(world.program, name="Taken")).status_code == 404
    tracks = f"/programs/{world.program.slug}/tracks/"
    assert client.post(tracks, {"name": "X", "schedule_label": "evening"}).status_code == 404
    assert client.get(f"{tracks}{track.pk}/").status_code == 404
    assert snapshot() == before


def test_a_track_of_another_program_is_404_under_this_one(world: World, login_as: Login) -> None:
    other = track_create(
        program=world.other_program, name="Teens", schedule_label="afternoon", actor=None
    )
    response = login_as(world.dale).get(f"/programs/{world.program.slug}/tracks/{other.pk}/")
    assert response.status_code == 404


def test_a_phone_without_a_country_code_is_read_in_the_programs_country(world: World) -> None:
    program = program_update(
        program=world.other_program, actor=None, on_call_phone="020 7946 0958"
    )  # Birch is in Europe/London
    assert program.on_call_phone == "+442079460958"
