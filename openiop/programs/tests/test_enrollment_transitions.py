"""Enrollment phases: every allowed move, refused moves writing nothing, activation's
preconditions, step-down's lower requirement; and the client page's phase, track and
care-team forms with who may use them."""

from collections.abc import Callable
from decimal import Decimal

import pytest
from django.test import Client as HttpClient

from openiop.accounts.models import User
from openiop.audit.models import AuditEvent
from openiop.conftest import World
from openiop.programs.models import (
    ALLOWED_TRANSITIONS,
    CareTeamMember,
    Enrollment,
    EnrollmentTransition,
    Phase,
)
from openiop.programs.services import (
    TransitionNotAllowed,
    care_team_remove,
    enrollment_set_track,
    enrollment_transition,
    program_update,
)
from openiop.programs.tests.enrollment_support import (
    Enrolled,
    drive_to,
    open_enrollments,
    persona,
    snapshot,
)

Login = Callable[[User], HttpClient]
ALLOWED = sorted((src, dst) for src, targets in ALLOWED_TRANSITIONS.items() for dst in targets)


@pytest.fixture
def enrolled(world: World) -> Enrolled:
    return open_enrollments(world)


# The rules, through the service ------------------------------------------------------------


@pytest.mark.parametrize(("src", "dst"), ALLOWED)
def test_every_allowed_move_is_recorded_with_who_when_and_why(
    enrolled: Enrolled, src: str, dst: str
) -> None:
    world = enrolled.world
    enrollment = drive_to(enrolled.alex, src, track=enrolled.evenings, actor=world.casey)
    if dst == Phase.ACTIVE and enrollment.track_id is None:
        enrollment_set_track(enrollment=enrollment, track=enrolled.evenings, actor=world.casey)
    before = AuditEvent.objects.count()
    transition = enrollment_transition(
        enrollment=enrollment, to_phase=dst, reason="  agreed in team meeting ", actor=world.dale
    )
    enrollment.refresh_from_db()
    assert enrollment.phase == dst
    assert (transition.from_phase, transition.to_phase) == (src, dst)
    assert transition.actor == world.dale and transition.reason == "agreed in team meeting"
    assert enrollment.phase_changed_at == transition.at
    event = AuditEvent.objects.order_by("-seq").first()
    assert AuditEvent.objects.count() == before + 1
    assert event is not None
    assert (event.action, event.object_type, event.object_id) == (
        "update",
        "enrollment",
        str(enrollment.pk),
    )
    assert event.client_id == world.alex.pk and event.actor == world.dale


@pytest.mark.parametrize("src", list(Phase))
def test_every_move_the_rules_do_not_list_is_refused_and_writes_nothing(
    enrolled: Enrolled, src: Phase
) -> None:
    enrollment = drive_to(enrolled.alex, src, track=enrolled.evenings, actor=enrolled.world.casey)
    refused = [p for p in Phase if p not in ALLOWED_TRANSITIONS[src]]
    assert src in refused  # staying put is not a move either
    before = snapshot()
    for dst in refused:
        with pytest.raises(TransitionNotAllowed) as refusal:
            enrollment_transition(enrollment=enrollment, to_phase=dst, reason="x", actor=None)
        assert f"cannot move to {dst}" in str(refusal.value)
        assert "Allowed next phases" in str(refusal.value)
    assert snapshot() == before


def test_admission_and_discharge_times_are_kept(enrolled: Enrolled) -> None:
    world = enrolled.world
    enrollment = drive_to(enrolled.alex, Phase.ACTIVE, track=enrolled.evenings, actor=world.casey)
    admitted = enrollment.admitted_at
    assert admitted is not None and enrollment.discharged_at is None
    enrollment = drive_to(enrollment, Phase.REFERRED, track=enrolled.evenings, actor=world.casey)
    enrollment_transition(enrollment=enrollment, to_phase="step_down", reason="x", actor=None)
    enrollment_transition(enrollment=enrollment, to_phase="active", reason="x", actor=None)
    enrollment_transition(enrollment=enrollment, to_phase="discharged", reason="x", actor=None)
    enrollment.refresh_from_db()
    assert enrollment.admitted_at == admitted  # re-activation from step-down keeps the date
    assert enrollment.discharged_at is not None
    history = list(enrollment.transitions.values_list("from_phase", "to_phase"))
    assert history == [
        ("", "referred"),
        ("referred", "intake"),
        ("intake", "active"),
        ("active", "step_down"),
        ("step_down", "active"),
        ("active", "discharged"),
    ]


def test_activating_without_a_track_or_primary_clinician_says_what_to_fix(
    enrolled: Enrolled,
) -> None:
    world = enrolled.world
    enrollment = drive_to(enrolled.alex, Phase.INTAKE, track=enrolled.evenings, actor=world.casey)
    care_team_remove(member=CareTeamMember.objects.get(user=world.casey), actor=world.dale)
    before = snapshot()
    with pytest.raises(TransitionNotAllowed) as refusal:
        enrollment_transition(enrollment=enrollment, to_phase="active", reason="x", actor=None)
    assert "Assign a track" in str(refusal.value)
    assert "Assign a primary clinician" in str(refusal.value)
    enrollment_set_track(enrollment=enrollment, track=enrolled.evenings, actor=world.dale)
    with pytest.raises(TransitionNotAllowed) as refusal:
        enrollment_transition(enrollment=enrollment, to_phase="active", reason="x", actor=None)
    assert "Assign a track" not in str(refusal.value)
    assert "Assign a primary clinician" in str(refusal.value)
    assert snapshot()[1] == before[1]  # no transition written
    assert Enrollment.objects.get(pk=enrollment.pk).phase == Phase.INTAKE


def test_step_down_lowers_the_weekly_requirement(enrolled: Enrolled) -> None:
    world = enrolled.world
    enrollment = drive_to(enrolled.alex, Phase.ACTIVE, track=enrolled.evenings, actor=world.casey)
    assert enrollment.required_weekly_hours == Decimal(9)  # IOP adults
    enrollment_transition(enrollment=enrollment, to_phase="step_down", reason="x", actor=None)
    enrollment = Enrollment.objects.select_related("program").get(pk=enrollment.pk)
    assert enrollment.required_weekly_hours == Decimal("4.5")  # half, when not configured
    program_update(program=world.program, actor=world.dale, step_down_weekly_hours=Decimal(3))
    enrollment = Enrollment.objects.select_related("program").get(pk=enrollment.pk)
    assert enrollment.required_weekly_hours == Decimal(3)
    enrollment_transition(enrollment=enrollment, to_phase="active", reason="x", actor=None)
    enrollment = Enrollment.objects.select_related("program").get(pk=enrollment.pk)
    assert enrollment.required_weekly_hours == Decimal(9)


def test_track_of_another_program_or_a_retired_track_is_refused(enrolled: Enrolled) -> None:
    from django.core.exceptions import ValidationError

    from openiop.programs.services import track_update

    world = enrolled.world
    with pytest.raises(ValidationError, match="another program"):
        enrollment_set_track(enrollment=enrolled.alex, track=enrolled.birch_track, actor=None)
    track_update(track=enrolled.mornings, actor=world.dale, is_active=False)
    enrolled.mornings.refresh_from_db()
    with pytest.raises(ValidationError, match="retired"):
        enrollment_set_track(enrollment=enrolled.alex, track=enrolled.mornings, actor=None)
    enrolled.alex.refresh_from_db()
    assert enrolled.alex.track_id is None


# The client page -------------------------------------------------------------------------


def _phase_url(world: World) -> str:
    return f"/clients/{world.alex.pk}/phase/"


@pytest.mark.parametrize("name", ["casey", "dale"])
def test_clinician_and_director_move_the_phase_from_the_client_page(
    enrolled: Enrolled, login_as: Login, name: str
) -> None:
    world = enrolled.world
    client = login_as(persona(world, name))
    page = client.get(f"/clients/{world.alex.pk}/").content.decode()
    assert f'action="/clients/{world.alex.pk}/phase/"' in page
    assert '<option value="intake">Intake</option>' in page
    assert '<option value="active">' not in page  # only the moves the rules allow
    response = client.post(_phase_url(world), {"to_phase": "intake", "reason": "Intake booked"})
    assert response.status_code == 302
    assert response["Location"] == f"/clients/{world.alex.pk}/"
    transition = EnrollmentTransition.objects.get(enrollment=enrolled.alex, to_phase="intake")
    assert transition.actor == persona(world, name) and transition.reason == "Intake booked"
    page = client.get(f"/clients/{world.alex.pk}/").content.decode()
    assert "Intake booked" in page and str(persona(world, name)) in page
    assert "<dd>Intake</dd>" in page
    assert "9.0 hours" in page


def test_a_skip_is_refused_on_the_page_with_the_reason_and_nothing_written(
    enrolled: Enrolled, login_as: Login
) -> None:
    world = enrolled.world
    client = login_as(world.casey)
    before = snapshot()
    response = client.post(_phase_url(world), {"to_phase": "active", "reason": "skip intake"})
    assert response.status_code == 409
    body = response.content.decode()
    assert 'role="alert"' in body
    assert "cannot move to active" in body and "Allowed next phases" in body
    assert "skip intake" in body  # the typed reason is kept
    after = snapshot()
    assert after[:-1] == before[:-1]
    # The only new audit event is the read of the page that shows the refusal.
    new = AuditEvent.objects.order_by("seq")[before[-1] :]  # type: ignore[misc]
    assert [(e.action, e.object_type) for e in new] == [("read", "enrollment")]


def test_activating_without_a_track_is_refused_on_the_page(
    enrolled: Enrolled, login_as: Login
) -> None:
    world = enrolled.world
    drive_to(enrolled.alex, Phase.INTAKE, track=enrolled.evenings, actor=world.casey)
    client = login_as(world.casey)
    page = client.get(f"/clients/{world.alex.pk}/").content.decode()
    assert "Before this client can become active" in page and "Assign a track" in page
    response = client.post(_phase_url(world), {"to_phase": "active", "reason": "ready"})
    assert response.status_code == 409
    assert "Assign a track before activating." in response.content.decode()
    assert Enrollment.objects.get(pk=enrolled.alex.pk).phase == Phase.INTAKE
    response = client.post(f"/clients/{world.alex.pk}/track/", {"track": str(enrolled.evenings.pk)})
    assert response.status_code == 302
    response = client.post(_phase_url(world), {"to_phase": "active", "reason": "ready"})
    assert response.status_code == 302
    assert Enrollment.objects.get(pk=enrolled.alex.pk).phase == Phase.ACTIVE


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"to_phase": "intake", "reason": "   "}, "Say why the phase changes."),
        ({"to_phase": "nowhere", "reason": "x"}, "Select a valid choice."),
        ({"to_phase": "discharged", "reason": "x"}, "Discharge from the client"),
    ],
)
def test_bad_phase_form_input_is_refused(
    enrolled: Enrolled, login_as: Login, data: dict[str, str], message: str
) -> None:
    client = login_as(enrolled.world.casey)
    before = snapshot()
    response = client.post(_phase_url(enrolled.world), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert snapshot()[:-1] == before[:-1]


@pytest.mark.parametrize(
    ("name", "status"),
    [
        ("casey", 200),
        ("dale", 200),
        ("fran", 403),  # on the care team, but facilitators do not move phases
        ("alex", 403),  # the client sees their record but does not move it
        ("quinn", 404),
        ("gale", 404),
        ("blair", 404),
        ("birch_director", 404),
        ("birch_clinician", 404),
        ("cora", 404),  # roles that see no records: as for a missing id
        ("ada", 404),
        ("fay", 404),
    ],
)
def test_who_may_open_and_post_the_phase_and_track_forms(
    enrolled: Enrolled, login_as: Login, name: str, status: int
) -> None:
    world = enrolled.world
    client = login_as(persona(world, name))
    for url in (_phase_url(world), f"/clients/{world.alex.pk}/track/"):
        assert client.get(url).status_code == status
    before = snapshot()
    response = client.post(_phase_url(world), {"to_phase": "intake", "reason": "x"})
    assert response.status_code == (302 if status == 200 else status)
    response = client.post(f"/clients/{world.alex.pk}/track/", {"track": str(enrolled.evenings.pk)})
    assert response.status_code == (302 if status == 200 else status)
    if status != 200:
        assert snapshot() == before


def test_facilitator_sees_the_phase_but_no_forms(enrolled: Enrolled, login_as: Login) -> None:
    page = login_as(enrolled.world.fran).get(f"/clients/{enrolled.world.alex.pk}/")
    body = page.content.decode()
    assert "<dd>Referred</dd>" in body and "Phase history" in body
    assert "/phase/" not in body and "/track/" not in body and "/care-team/" not in body


def test_a_track_from_another_program_is_not_a_choice(enrolled: Enrolled, login_as: Login) -> None:
    client = login_as(enrolled.world.casey)
    before = snapshot()
    response = client.post(
        f"/clients/{enrolled.world.alex.pk}/track/", {"track": str(enrolled.birch_track.pk)}
    )
    assert response.status_code == 400
    assert "Choose one of the program" in response.content.decode()
    assert snapshot()[:-1] == before[:-1]


def test_a_client_without_an_enrollment_gets_one_opened(world: World, login_as: Login) -> None:
    client = login_as(world.dale)
    page = client.get(f"/clients/{world.alex.pk}/").content.decode()
    assert "No enrollment yet" in page
    response = client.post(f"/clients/{world.alex.pk}/enrollment/open/")
    assert response.status_code == 302
    enrollment = Enrollment.objects.get(client=world.alex)
    assert enrollment.phase == Phase.REFERRED
    assert enrollment.transitions.get().actor == world.dale
    response = client.post(f"/clients/{world.alex.pk}/enrollment/open/")  # already open
    assert Enrollment.objects.filter(client=world.alex).count() == 1


# Care team -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["dale", "casey"])
def test_director_and_primary_clinician_change_the_care_team(
    enrolled: Enrolled, login_as: Login, name: str
) -> None:
    world = enrolled.world
    actor = persona(world, name)
    client = login_as(actor)
    page = client.get(f"/clients/{world.alex.pk}/").content.decode()
    assert "Add to the care team" in page
    assert f'<option value="{world.quinn.pk}">' in page
    assert f'<option value="{world.birch_clinician.pk}">' not in page
    response = client.post(
        f"/clients/{world.alex.pk}/care-team/",
        {"user": str(world.quinn.pk), "role": "prescriber"},
    )
    assert response.status_code == 302
    member = CareTeamMember.objects.get(client=world.alex, user=world.quinn)
    assert member.role == "prescriber"
    event = AuditEvent.objects.get(object_type="care_team_member", object_id=str(member.pk))
    assert event.actor == actor and event.client_id == world.alex.pk
    fran = CareTeamMember.objects.get(client=world.alex, user=world.fran)
    response = client.post(f"/clients/{world.alex.pk}/care-team/{fran.pk}/remove/")
    assert response.status_code == 302
    assert not CareTeamMember.objects.filter(pk=fran.pk).exists()
    assert AuditEvent.objects.filter(
        action="delete", object_type="care_team_member", object_id=str(fran.pk), actor=actor
    ).exists()


def test_staff_of_another_program_cannot_join_the_care_team(
    enrolled: Enrolled, login_as: Login
) -> None:
    world = enrolled.world
    client = login_as(world.dale)
    before = snapshot()
    response = client.post(
        f"/clients/{world.alex.pk}/care-team/",
        {"user": str(world.birch_clinician.pk), "role": "clinician"},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert 'role="alert"' in body and "Choose a clinician or facilitator" in body
    assert snapshot()[:-1] == before[:-1]


def test_a_facilitator_cannot_be_the_primary_clinician(enrolled: Enrolled, login_as: Login) -> None:
    world = enrolled.world
    before = snapshot()
    response = login_as(world.dale).post(
        f"/clients/{world.blair.pk}/care-team/", {"user": str(world.fran.pk), "role": "primary"}
    )
    assert response.status_code == 400
    assert "cannot be a Primary clinician" in response.content.decode()
    assert snapshot()[:-1] == before[:-1]


@pytest.mark.parametrize(
    ("name", "status"),
    [("fran", 403), ("alex", 403), ("quinn", 404), ("gale", 404), ("birch_director", 404)],
)
def test_others_cannot_change_the_care_team(
    enrolled: Enrolled, login_as: Login, name: str, status: int
) -> None:
    world = enrolled.world
    client = login_as(persona(world, name))
    fran = CareTeamMember.objects.get(client=world.alex, user=world.fran)
    before = snapshot()
    response = client.post(
        f"/clients/{world.alex.pk}/care-team/", {"user": str(world.quinn.pk), "role": "clinician"}
    )
    assert response.status_code == status
    response = client.post(f"/clients/{world.alex.pk}/care-team/{fran.pk}/remove/")
    assert response.status_code == status
    assert snapshot() == before


def test_director_can_make_a_team_clinician_primary(world: World) -> None:
    from openiop.programs.selectors import care_team_candidates
    from openiop.programs.services import care_team_add

    care_team_add(client=world.blair, user=world.casey, role="clinician", actor=None)
    candidates = set(care_team_candidates(world.blair))
    assert world.casey in candidates  # on the team as clinician: may take the primary seat
    assert world.quinn not in candidates  # already primary
