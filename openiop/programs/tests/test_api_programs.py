"""POST /programs, POST /programs/{id}/tracks and POST /enrollments/{id}/transitions.

Each refusal is checked for its status, its JSON detail and that nothing was written.
"""

from decimal import Decimal

import pytest
from django.test import Client as HttpClient

from openiop.audit.models import AuditEvent
from openiop.conftest import World
from openiop.programs.models import Enrollment, Phase, Program, ProgramStaff, Track
from openiop.programs.tests.enrollment_support import (
    Enrolled,
    api_headers,
    api_post,
    api_put,
    drive_to,
    open_enrollments,
    persona,
    snapshot,
)

PROGRAM = {
    "name": "Cedar Evening IOP",
    "time_zone": "America/Denver",
    "level_of_care": "iop_adult",
    "min_weekly_hours": 9,
}


@pytest.fixture
def enrolled(world: World) -> Enrolled:
    return open_enrollments(world)


# POST /programs --------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["dale", "ada"])
def test_director_or_admin_creates_a_program_with_a_slug_from_its_name(
    world: World, client: HttpClient, name: str
) -> None:
    user = persona(world, name)
    headers = api_headers(user)
    response = api_post(client, headers, "/api/v1/programs", PROGRAM)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["slug"] == "cedar-evening-iop"
    assert body["min_weekly_hours"] == 9.0 and body["step_down_weekly_hours"] == 4.5
    program = Program.objects.get(pk=body["id"])
    assert program.time_zone == "America/Denver"
    event = AuditEvent.objects.get(object_type="program", object_id=str(program.pk))
    assert event.action == "create" and event.actor == user
    # A director runs the program they create; an admin only sets it up.
    assert ProgramStaff.objects.filter(program=program, user=user).exists() == (name == "dale")
    again = api_post(client, headers, "/api/v1/programs", PROGRAM).json()
    assert again["slug"] == "cedar-evening-iop-2"


def test_the_weekly_minimum_defaults_to_the_level_of_care(world: World, client: HttpClient) -> None:
    body = {"name": "Teens", "time_zone": "UTC", "level_of_care": "iop_adolescent"}
    response = api_post(client, api_headers(world.dale), "/api/v1/programs", body)
    assert response.status_code == 201
    assert response.json()["min_weekly_hours"] == 6.0


@pytest.mark.parametrize("name", ["casey", "fran", "cora", "alex", "fay"])
def test_other_roles_cannot_create_programs(world: World, client: HttpClient, name: str) -> None:
    headers = api_headers(persona(world, name))
    before = snapshot()
    response = api_post(client, headers, "/api/v1/programs", PROGRAM)
    assert response.status_code == 403
    assert "directors and site admins" in response.json()["detail"]
    assert snapshot() == before


@pytest.mark.parametrize(
    ("change", "status", "words"),
    [
        ({"time_zone": "Mars/Olympus"}, 422, "IANA time zone"),
        ({"min_weekly_hours": 0}, 422, "more than 0"),
        ({"min_weekly_hours": 41}, 422, "at most 40"),
        ({"min_weekly_hours": 9.25}, 422, "decimal place"),
        ({"level_of_care": "spa"}, 422, ""),
        ({"name": ""}, 422, ""),
    ],
)
def test_bad_program_input_is_refused_and_nothing_written(
    world: World, client: HttpClient, change: dict[str, object], status: int, words: str
) -> None:
    headers = api_headers(world.dale)
    before = snapshot()
    response = api_post(client, headers, "/api/v1/programs", {**PROGRAM, **change})
    assert response.status_code == status
    assert words in str(response.json()["detail"])
    assert snapshot() == before


def test_no_token_is_401(world: World, client: HttpClient) -> None:
    response = api_post(client, {}, "/api/v1/programs", PROGRAM)
    assert response.status_code == 401
    assert "detail" in response.json()


# POST /programs/{id}/tracks --------------------------------------------------------------

TRACK = {"name": "Adult mood — evenings", "schedule_label": "evening"}


@pytest.mark.parametrize("name", ["dale", "ada"])
def test_director_or_admin_adds_a_track(world: World, client: HttpClient, name: str) -> None:
    headers = api_headers(persona(world, name))
    body = {**TRACK, "population": "adults", "capacity": 10}
    response = api_post(client, headers, f"/api/v1/programs/{world.program.pk}/tracks", body)
    assert response.status_code == 201, response.content
    out = response.json()
    assert out["program"] == world.program.pk and out["capacity"] == 10
    assert out["schedule_label"] == "evening" and out["is_active"] is True
    track = Track.objects.get(pk=out["id"])
    assert AuditEvent.objects.filter(object_type="track", object_id=str(track.pk)).exists()


@pytest.mark.parametrize(
    ("name", "status"),
    [("birch_director", 404), ("casey", 403), ("fran", 403), ("cora", 403), ("alex", 403)],
)
def test_others_cannot_add_tracks(world: World, client: HttpClient, name: str, status: int) -> None:
    headers = api_headers(persona(world, name))
    before = snapshot()
    response = api_post(client, headers, f"/api/v1/programs/{world.program.pk}/tracks", TRACK)
    assert response.status_code == status
    assert snapshot() == before


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        ({**TRACK, "capacity": 0}, 422, "between 1 and"),
        ({**TRACK, "schedule_label": "midnight"}, 422, ""),
        ({**TRACK, "name": "adult mood — EVENINGS"}, 409, "already has a track"),
    ],
)
def test_bad_track_input_is_refused(
    world: World, client: HttpClient, body: dict[str, object], status: int, words: str
) -> None:
    headers = api_headers(world.dale)
    url = f"/api/v1/programs/{world.program.pk}/tracks"
    assert api_post(client, headers, url, TRACK).status_code == 201
    before = snapshot()
    response = api_post(client, headers, url, body)
    assert response.status_code == status
    assert words in str(response.json()["detail"])
    assert snapshot() == before


def test_tracks_of_a_missing_program_are_404(world: World, client: HttpClient) -> None:
    response = api_post(client, api_headers(world.ada), "/api/v1/programs/999999/tracks", TRACK)
    assert response.status_code == 404


# POST /enrollments/{id}/transitions ------------------------------------------------------


def _transition_url(enrollment: Enrollment) -> str:
    return f"/api/v1/enrollments/{enrollment.pk}/transitions"


@pytest.mark.parametrize("name", ["casey", "dale"])
def test_clinician_or_director_moves_the_phase(
    enrolled: Enrolled, client: HttpClient, name: str
) -> None:
    user = persona(enrolled.world, name)
    body = {"to_phase": "intake", "reason": "Assessment booked"}
    response = api_post(client, api_headers(user), _transition_url(enrolled.alex), body)
    assert response.status_code == 200, response.content
    out = response.json()
    assert out["id"] == enrolled.alex.pk and out["phase"] == "intake"
    assert out["required_weekly_hours"] == 9.0
    assert out["transition"]["from_phase"] == "referred"
    assert out["transition"]["actor"] == user.pk
    assert out["transition"]["reason"] == "Assessment booked"
    assert out["transition"]["at"].endswith(("Z", "+00:00"))
    event = AuditEvent.objects.filter(object_type="enrollment", action="update").get()
    assert event.actor == user and event.client_id == enrolled.world.alex.pk


def test_a_clinician_seated_as_clinician_may_move_the_phase(
    enrolled: Enrolled, client: HttpClient
) -> None:
    from openiop.programs.services import care_team_add

    world = enrolled.world
    care_team_add(client=world.alex, user=world.quinn, role="clinician", actor=None)
    body = {"to_phase": "intake", "reason": "x"}
    response = api_post(client, api_headers(world.quinn), _transition_url(enrolled.alex), body)
    assert response.status_code == 200


def test_the_full_path_and_step_down_lowers_the_requirement(
    enrolled: Enrolled, client: HttpClient
) -> None:
    world = enrolled.world
    headers = api_headers(world.casey)
    from openiop.programs.services import enrollment_set_track

    enrollment_set_track(enrollment=enrolled.alex, track=enrolled.evenings, actor=world.casey)
    hours = {}
    for phase in ("intake", "active", "step_down", "discharged", "aftercare"):
        response = api_post(
            client, headers, _transition_url(enrolled.alex), {"to_phase": phase, "reason": "ok"}
        )
        assert response.status_code == 200, (phase, response.content)
        hours[phase] = response.json()["required_weekly_hours"]
    assert hours["active"] == 9.0 and hours["step_down"] == 4.5
    assert list(enrolled.alex.transitions.values_list("to_phase", flat=True)) == [
        "referred",
        "intake",
        "active",
        "step_down",
        "discharged",
        "aftercare",
    ]


@pytest.mark.parametrize(
    ("phase", "to_phase", "words"),
    [
        (Phase.REFERRED, "active", "cannot move to active"),  # skips intake
        (Phase.REFERRED, "discharged", "cannot move to discharged"),
        (Phase.REFERRED, "referred", "cannot move to referred"),
        (Phase.INTAKE, "step_down", "cannot move to step_down"),
        (Phase.ACTIVE, "intake", "cannot move to intake"),  # no way back
        (Phase.ACTIVE, "withdrawn", "cannot move to withdrawn"),  # only from early phases
        (Phase.DISCHARGED, "active", "cannot move to active"),
        (Phase.AFTERCARE, "discharged", "Allowed next phases: none"),
        (Phase.DECLINED, "intake", "Allowed next phases: none"),
    ],
)
def test_an_illegal_move_is_409_and_nothing_is_written(
    enrolled: Enrolled, client: HttpClient, phase: Phase, to_phase: str, words: str
) -> None:
    world = enrolled.world
    drive_to(enrolled.alex, phase, track=enrolled.evenings, actor=world.casey)
    headers = api_headers(world.casey)
    before = snapshot()
    body = {"to_phase": to_phase, "reason": "try"}
    response = api_post(client, headers, _transition_url(enrolled.alex), body)
    assert response.status_code == 409
    assert words in response.json()["detail"]
    assert snapshot() == before


def test_activating_without_a_track_is_409_with_what_to_fix(
    enrolled: Enrolled, client: HttpClient
) -> None:
    world = enrolled.world
    drive_to(enrolled.alex, Phase.INTAKE, track=enrolled.evenings, actor=world.casey)
    headers = api_headers(world.casey)
    before = snapshot()
    body = {"to_phase": "active", "reason": "ready"}
    response = api_post(client, headers, _transition_url(enrolled.alex), body)
    assert response.status_code == 409
    assert response.json() == {"detail": "Assign a track before activating."}
    assert snapshot() == before


def test_activating_without_a_primary_clinician_is_409(
    enrolled: Enrolled, client: HttpClient
) -> None:
    from openiop.programs.models import CareTeamMember
    from openiop.programs.services import care_team_remove, enrollment_set_track

    world = enrolled.world
    drive_to(enrolled.alex, Phase.INTAKE, track=enrolled.evenings, actor=world.casey)
    enrollment_set_track(enrollment=enrolled.alex, track=enrolled.evenings, actor=world.dale)
    care_team_remove(member=CareTeamMember.objects.get(user=world.casey), actor=world.dale)
    headers = api_headers(world.dale)
    before = snapshot()
    body = {"to_phase": "active", "reason": "ready"}
    response = api_post(client, headers, _transition_url(enrolled.alex), body)
    assert response.status_code == 409
    assert "primary clinician" in response.json()["detail"]
    assert snapshot() == before


@pytest.mark.parametrize(
    "body",
    [
        {"to_phase": "nowhere", "reason": "x"},
        {"to_phase": "intake", "reason": "   "},
        {"to_phase": "intake"},
        {"to_phase": "intake", "reason": "x" * 501},
        "not json",
    ],
)
def test_bad_transition_input_is_422(enrolled: Enrolled, client: HttpClient, body: object) -> None:
    headers = api_headers(enrolled.world.casey)
    before = snapshot()
    response = api_post(client, headers, _transition_url(enrolled.alex), body)
    assert response.status_code in (400, 422)
    assert "detail" in response.json()
    assert snapshot() == before


@pytest.mark.parametrize(
    ("name", "status"),
    [
        ("fran", 403),  # on the care team as facilitator
        ("alex", 403),  # the client themself
        ("cora", 404),
        ("ada", 404),
        ("fay", 404),
        ("quinn", 404),
        ("gale", 404),
        ("blair", 404),
        ("birch_director", 404),
        ("birch_clinician", 404),
    ],
)
def test_who_may_not_move_alexs_phase(
    enrolled: Enrolled, client: HttpClient, name: str, status: int
) -> None:
    headers = api_headers(persona(enrolled.world, name))
    before = snapshot()
    body = {"to_phase": "intake", "reason": "x"}
    response = api_post(client, headers, _transition_url(enrolled.alex), body)
    assert response.status_code == status
    if status == 404:
        # The same answer as for an enrollment that does not exist: ids cannot be probed.
        missing = api_post(client, headers, "/api/v1/enrollments/999999/transitions", body)
        assert missing.status_code == 404 and missing.json() == response.json()
    else:
        assert "clinicians and the program's director" in response.json()["detail"]
    assert snapshot() == before


def test_openapi_lists_the_routes(world: World, client: HttpClient) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert "post" in paths["/api/v1/programs"]
    assert "post" in paths["/api/v1/programs/{program_id}/tracks"]
    assert "post" in paths["/api/v1/enrollments/{enrollment_id}/transitions"]


def test_step_down_hours_setting_shows_in_the_api(enrolled: Enrolled, client: HttpClient) -> None:
    from openiop.programs.services import enrollment_transition, program_update

    world = enrolled.world
    program_update(program=world.program, actor=world.dale, step_down_weekly_hours=Decimal(3))
    drive_to(enrolled.alex, Phase.ACTIVE, track=enrolled.evenings, actor=world.casey)
    enrollment_transition(enrollment=enrolled.alex, to_phase="step_down", reason="x", actor=None)
    response = api_post(
        client,
        api_headers(world.casey),
        _transition_url(enrolled.alex),
        {"to_phase": "active", "reason": "back up"},
    )
    assert response.json()["required_weekly_hours"] == 9.0


# PUT /enrollments/{id}/track -------------------------------------------------------------


def test_track_then_activation_over_the_api(enrolled: Enrolled, client: HttpClient) -> None:
    world = enrolled.world
    headers = api_headers(world.casey)
    url = f"/api/v1/enrollments/{enrolled.alex.pk}/track"
    response = api_put(client, headers, url, {"track": enrolled.mornings.pk})
    assert response.status_code == 200, response.content
    assert response.json()["track"] == enrolled.mornings.pk
    for phase in ("intake", "active"):
        body = {"to_phase": phase, "reason": "ok"}
        assert api_post(client, headers, _transition_url(enrolled.alex), body).status_code == 200


@pytest.mark.parametrize(
    ("which", "words"),
    [("birch", "another program"), ("retired", "retired"), ("missing", "No such track")],
)
def test_a_track_that_cannot_be_assigned_is_422(
    enrolled: Enrolled, client: HttpClient, which: str, words: str
) -> None:
    from openiop.programs.services import track_update

    world = enrolled.world
    track_update(track=enrolled.mornings, actor=None, is_active=False)
    track_id = {
        "birch": enrolled.birch_track.pk,
        "retired": enrolled.mornings.pk,
        "missing": 999999,
    }[which]
    headers = api_headers(world.dale)
    before = snapshot()
    response = api_put(
        client, headers, f"/api/v1/enrollments/{enrolled.alex.pk}/track", {"track": track_id}
    )
    assert response.status_code == 422
    assert words in response.json()["detail"]
    assert snapshot() == before


@pytest.mark.parametrize(("name", "status"), [("fran", 403), ("cora", 404), ("quinn", 404)])
def test_who_may_not_assign_the_track(
    enrolled: Enrolled, client: HttpClient, name: str, status: int
) -> None:
    headers = api_headers(persona(enrolled.world, name))
    before = snapshot()
    url = f"/api/v1/enrollments/{enrolled.alex.pk}/track"
    assert api_put(client, headers, url, {"track": enrolled.evenings.pk}).status_code == status
    assert snapshot() == before
