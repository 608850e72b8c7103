"""Referral intake: the service, the staff form at /referrals/new/ and POST /api/v1/referrals.

A referral creates the client account (no usable password), an enrollment in phase
`referred`, the referral row, its documents and the invitation email, in one transaction.
Every refused input changes nothing at all.
"""

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.test import Client as HttpClient

from openiop.accounts.models import User
from openiop.accounts.services import api_token_issue
from openiop.audit.models import AuditEvent
from openiop.conftest import World
from openiop.programs.models import CareTeamMember, Client, Referral
from openiop.programs.services.referrals import EMAIL_IN_USE, PossibleDuplicate
from openiop.programs.tests.referral_support import (
    PROVIDER,
    REASON,
    form_data,
    make_referral,
    pdf_bytes,
    snapshot,
    upload,
)

NOT_REFERRERS = ["alex", "fay", "cora", "ada", "fran"]


@pytest.fixture(autouse=True)
def _documents(settings: Any, tmp_path: Path) -> None:
    settings.OPENIOP_DOCUMENT_ROOT = tmp_path / "documents"


def _persona(world: World, name: str) -> User:
    if name in ("alex", "blair"):
        return getattr(world, name).user
    return getattr(world, name)


# The service --------------------------------------------------------------------------------


def test_referral_creates_the_account_enrollment_referral_and_invite(
    world: World, mailoutbox: list, django_capture_on_commit_callbacks: Any
) -> None:
    before = AuditEvent.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        referral = make_referral(world, documents=[upload("letter.pdf", pdf_bytes())])
    referral.refresh_from_db()
    enrollment = referral.enrollment
    client = enrollment.client
    assert (client.first_name, client.last_name) == ("Robin", "Newperson")
    assert client.program == world.program
    assert client.phone == "+13125550123"
    assert client.user.email == "robin@example.test"
    assert client.user.role == "client"
    assert not client.user.has_usable_password()
    assert enrollment.phase == "referred"
    assert [(t.from_phase, t.to_phase) for t in enrollment.transitions.all()] == [("", "referred")]
    assert referral.source == "inpatient_unit"
    assert referral.referring_provider == PROVIDER
    assert referral.reason == REASON
    assert referral.recorded_by == world.casey
    assert referral.possible_duplicate_of is None
    assert referral.documents.count() == 1
    # The clinician who took the referral does intake, so they can open the new record.
    assert CareTeamMember.objects.get(client=client).user == world.casey
    events = AuditEvent.objects.filter(seq__gt=before)
    assert {(e.action, e.object_type) for e in events} == {
        ("create", "user"),
        ("create", "client"),
        ("create", "enrollment"),
        ("create", "referral"),
        ("create", "care_team_member"),
        ("create", "client_invite"),
        ("create", "client_document"),
    }
    assert all(e.actor == world.casey for e in events)
    # Identifiers only in the audit trail: no name, no reason.
    assert not events.filter(reason__icontains="Newperson").exists()
    assert not events.filter(reason__icontains="inpatient").exists()
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["robin@example.test"]


def test_a_director_referral_does_not_join_the_care_team(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        referral = make_referral(world, actor=world.dale)
    assert not CareTeamMember.objects.filter(client=referral.enrollment.client).exists()


def test_the_invite_is_only_sent_when_the_referral_commits(
    world: World, mailoutbox: list, django_capture_on_commit_callbacks: Any
) -> None:
    before = snapshot()
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        make_referral(world)
        raise RuntimeError("the caller's transaction fails after the referral")
    assert snapshot() == before
    assert mailoutbox == []


def test_phone_is_read_in_the_programs_country(world: World) -> None:
    referral = make_referral(
        world,
        program=world.other_program,
        actor=world.birch_director,
        phone="020 7946 0958",
        time_zone="Europe/London",
    )
    assert referral.enrollment.client.phone == "+442079460958"


def test_phone_is_optional(world: World) -> None:
    assert make_referral(world, phone="").enrollment.client.phone == ""
    assert make_referral(world, phone=None, email="r2@example.test", first_name="Ro").pk


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"time_zone": "Mars/Olympus_Mons"}, "time_zone", "is not a time zone"),
        ({"time_zone": ""}, "time_zone", "is not a time zone"),
        ({"date_of_birth": date(2999, 1, 1)}, "date_of_birth", "cannot be in the future"),
        ({"date_of_birth": date(1899, 12, 31)}, "date_of_birth", "before 1900"),
        ({"date_of_birth": None}, "date_of_birth", "Enter the date of birth"),
        ({"phone": "call me maybe"}, "phone", "not a phone number"),
        ({"phone": "+1 555 0100 999"}, "phone", "not a valid phone number"),
        ({"phone": "12"}, "phone", "not a valid phone number"),
        ({"email": "not-an-email"}, "email", "Enter an email address"),
        ({"email": "ALEX@example.test"}, "email", "already uses this email"),
        ({"email": "casey@example.test"}, "email", "already uses this email"),
        ({"first_name": "   "}, "first_name", "Enter the client's first name"),
        ({"last_name": "x" * 101}, "last_name", "100 characters"),
        ({"source": "carrier_pigeon"}, "source", "Choose the referral source"),
        ({"referring_provider": "p" * 201}, "referring_provider", "200 characters"),
        ({"reason": "r" * 4001}, "reason", "4000 characters"),
    ],
)
def test_bad_input_is_refused_with_the_field_named_and_nothing_written(
    world: World, overrides: dict[str, Any], field: str, message: str
) -> None:
    before = snapshot()
    with pytest.raises(ValidationError) as refused:
        make_referral(world, **overrides)
    assert field in refused.value.message_dict
    assert message in " ".join(refused.value.message_dict[field])
    assert snapshot() == before


def test_every_problem_is_reported_at_once(world: World) -> None:
    with pytest.raises(ValidationError) as refused:
        make_referral(world, time_zone="Nowhere", phone="abc", date_of_birth=date(2999, 1, 1))
    assert set(refused.value.message_dict) == {"time_zone", "phone", "date_of_birth"}


# Duplicates ---------------------------------------------------------------------------------


def _alex_again(world: World, **overrides: Any) -> Referral:
    # Same name in another case and the same date of birth, another email address.
    fields = {
        "first_name": "ALEX",
        "last_name": "testperson",
        "date_of_birth": date(1990, 1, 2),
        "email": "alex.other@example.test",
    }
    return make_referral(world, **{**fields, **overrides})


def test_a_possible_duplicate_is_refused_until_confirmed(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    before = snapshot()
    with pytest.raises(PossibleDuplicate) as found:
        _alex_again(world)
    assert found.value.existing == world.alex
    assert snapshot() == before
    with django_capture_on_commit_callbacks(execute=True):
        referral = _alex_again(world, confirm_not_duplicate=True)
    assert referral.possible_duplicate_of == world.alex
    assert Client.objects.filter(last_name__iexact="testperson").count() == 2
    event = AuditEvent.objects.get(object_type="referral", object_id=str(referral.pk))
    assert "different person" in event.reason


def test_same_name_and_birth_date_in_another_program_is_not_a_duplicate(world: World) -> None:
    referral = _alex_again(
        world,
        program=world.other_program,
        actor=world.birch_director,
        phone="+1 312 555 0123",  # Birch is in London: a US number needs its country code
    )
    assert referral.possible_duplicate_of is None


def test_a_different_birth_date_is_not_a_duplicate(world: World) -> None:
    assert _alex_again(world, date_of_birth=date(1990, 1, 3)).possible_duplicate_of is None


def test_a_confirmed_duplicate_still_cannot_reuse_an_email(world: World) -> None:
    before = snapshot()
    with pytest.raises(ValidationError) as refused:
        _alex_again(world, email="alex@example.test", confirm_not_duplicate=True)
    assert refused.value.message_dict == {"email": [EMAIL_IN_USE]}
    assert snapshot() == before


# The staff form -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["casey", "quinn", "dale", "birch_clinician"])
def test_clinicians_and_directors_get_the_form_for_their_programs(
    world: World, login_as: Callable[[User], HttpClient], name: str
) -> None:
    response = login_as(_persona(world, name)).get("/referrals/new/")
    assert response.status_code == 200
    body = response.content.decode()
    for label in ("First name", "Last name", "Date of birth", "Client&#x27;s time zone"):
        assert label in body
    assert 'enctype="multipart/form-data"' in body
    assert 'type="file"' in body and "multiple" in body
    expected = "Birch Test IOP" if name.startswith("birch") else "Maple Test IOP"
    other = "Maple Test IOP" if name.startswith("birch") else "Birch Test IOP"
    assert expected in body and other not in body
    assert "<script>" not in body and "style=" not in body


@pytest.mark.parametrize("name", NOT_REFERRERS)
def test_other_roles_get_404_for_the_form(
    world: World, login_as: Callable[[User], HttpClient], name: str
) -> None:
    client = login_as(_persona(world, name))
    before = snapshot()
    assert client.get("/referrals/new/").status_code == 404
    assert client.post("/referrals/new/", form_data(world)).status_code == 404
    assert snapshot() == before


def test_saving_the_form_lands_on_the_client_overview(
    world: World,
    login_as: Callable[[User], HttpClient],
    mailoutbox: list,
    django_capture_on_commit_callbacks: Any,
) -> None:
    http = login_as(world.casey)
    data = form_data(world, documents=[upload("letter.pdf", pdf_bytes())])
    with django_capture_on_commit_callbacks(execute=True):
        response = http.post("/referrals/new/", data)
    client = Client.objects.get(last_name="Newperson")
    assert response.status_code == 302
    assert response["Location"] == f"/clients/{client.pk}/"
    page = http.get(response["Location"]).content.decode()
    assert "Robin Newperson" in page
    assert "letter.pdf" in page
    assert PROVIDER in page
    assert "Send a new invitation email" in page
    assert len(mailoutbox) == 1


def test_the_form_shows_bad_input_as_an_alert_and_writes_nothing(
    world: World, login_as: Callable[[User], HttpClient]
) -> None:
    http = login_as(world.casey)
    before = snapshot()
    response = http.post(
        "/referrals/new/",
        form_data(world, time_zone="Mars/Base", date_of_birth="2999-01-01", phone="nope"),
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert 'role="alert"' in body
    assert "is not a time zone" in body
    assert "cannot be in the future" in body
    assert "not a phone number" in body
    assert snapshot() == before


def test_the_form_refuses_a_program_the_user_does_not_work_in(
    world: World, login_as: Callable[[User], HttpClient]
) -> None:
    before = snapshot()
    response = login_as(world.casey).post(
        "/referrals/new/", form_data(world, program=str(world.other_program.pk))
    )
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert snapshot() == before


def test_the_form_asks_to_confirm_a_possible_duplicate(
    world: World, login_as: Callable[[User], HttpClient], django_capture_on_commit_callbacks: Any
) -> None:
    http = login_as(world.casey)
    data = form_data(
        world,
        first_name="alex",
        last_name="TESTPERSON",
        date_of_birth="1990-01-02",
        email="someone.else@example.test",
    )
    before = snapshot()
    response = http.post("/referrals/new/", data)
    assert response.status_code == 409
    body = response.content.decode()
    assert "Possible duplicate" in body and 'role="alert"' in body
    # Casey is on Alex's care team, so the warning links to the existing record.
    assert f'href="/clients/{world.alex.pk}/"' in body
    assert 'type="checkbox" name="confirm_not_duplicate"' in body
    assert snapshot() == before
    with django_capture_on_commit_callbacks(execute=True):
        response = http.post("/referrals/new/", {**data, "confirm_not_duplicate": "on"})
    assert response.status_code == 302
    referral = Referral.objects.get(enrollment__client__user__email="someone.else@example.test")
    assert referral.possible_duplicate_of == world.alex
    page = http.get(response["Location"]).content.decode()
    assert "Possible duplicate" in page


def test_the_duplicate_warning_does_not_link_a_record_the_user_cannot_open(
    world: World, login_as: Callable[[User], HttpClient]
) -> None:
    response = login_as(world.quinn).post(
        "/referrals/new/",
        form_data(
            world,
            first_name="Alex",
            last_name="Testperson",
            date_of_birth="1990-01-02",
            email="someone.else@example.test",
        ),
    )
    assert response.status_code == 409
    body = response.content.decode()
    assert f"client number {world.alex.pk}" in body
    assert f'href="/clients/{world.alex.pk}/"' not in body


# The API ------------------------------------------------------------------------------------


def _api(http: HttpClient, user: User | None, body: Any) -> Any:
    headers = {}
    if user is not None:
        raw, _ = api_token_issue(user=user)
        headers["Authorization"] = f"Bearer {raw}"
    data = body if isinstance(body, str) else json.dumps(body)
    return http.post(
        "/api/v1/referrals", data=data, content_type="application/json", headers=headers
    )


def _api_body(world: World, **overrides: Any) -> dict[str, Any]:
    body = {
        "program": world.program.pk,
        "first_name": "Robin",
        "last_name": "Newperson",
        "date_of_birth": "1994-04-04",
        "email": "robin@example.test",
        "time_zone": "America/Chicago",
        "source": "outpatient_provider",
    }
    body.update(overrides)
    return body


def test_api_records_a_referral(
    world: World, client: HttpClient, mailoutbox: list, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = _api(
            client,
            world.dale,
            _api_body(world, phone="312 555 0123", referring_provider=PROVIDER, reason=REASON),
        )
    assert response.status_code == 201, response.content
    answer = response.json()
    referral = Referral.objects.get(enrollment_id=answer["enrollment_id"])
    assert referral.enrollment.client_id == answer["client_id"]
    assert referral.enrollment.phase == "referred"
    assert referral.reason == REASON
    assert referral.enrollment.client.phone == "+13125550123"
    assert len(mailoutbox) == 1


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"time_zone": "Mars/Base"}, "time_zone"),
        ({"date_of_birth": "2999-01-01"}, "date_of_birth"),
        ({"date_of_birth": "1850-01-01"}, "date_of_birth"),
        ({"phone": "banana"}, "phone"),
        ({"email": "alex@example.test"}, "email"),
    ],
)
def test_api_bad_input_is_422_naming_the_field(
    world: World, client: HttpClient, overrides: dict[str, Any], field: str
) -> None:
    user = world.casey
    api_token_issue(user=user)  # the token's own audit event happens before the snapshot
    before = snapshot()
    response = _api(client, user, _api_body(world, **overrides))
    assert response.status_code == 422
    assert response.json()["detail"].startswith(f"{field}: ")
    after = snapshot()
    # The request's token was issued (and audited) by the test itself.
    assert after["audit_events"] == before["audit_events"] + 1
    assert {**after, "audit_events": 0} == {**before, "audit_events": 0}


@pytest.mark.parametrize(
    "body",
    [
        {"date_of_birth": "04/04/1994"},
        {"source": "carrier_pigeon"},
        {"first_name": None},
        {"program": "maple"},
    ],
)
def test_api_malformed_fields_are_422_with_the_field_located(
    world: World, client: HttpClient, body: dict[str, Any]
) -> None:
    response = _api(client, world.casey, _api_body(world, **body))
    assert response.status_code == 422
    located = {str(part) for error in response.json()["detail"] for part in error["loc"]}
    assert next(iter(body)) in located
    assert not Client.objects.filter(last_name="Newperson").exists()


def test_api_a_possible_duplicate_is_409_with_the_existing_client_until_confirmed(
    world: World, client: HttpClient, django_capture_on_commit_callbacks: Any
) -> None:
    body = _api_body(
        world,
        first_name="Alex",
        last_name="Testperson",
        date_of_birth="1990-01-02",
        email="alex.two@example.test",
    )
    response = _api(client, world.casey, body)
    assert response.status_code == 409
    assert response.json()["existing_client_id"] == world.alex.pk
    assert "confirm_not_duplicate" in response.json()["detail"]
    assert not User.objects.filter(email="alex.two@example.test").exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = _api(client, world.casey, {**body, "confirm_not_duplicate": True})
    assert response.status_code == 201
    referral = Referral.objects.get(enrollment_id=response.json()["enrollment_id"])
    assert referral.possible_duplicate_of == world.alex


@pytest.mark.parametrize("name", ["casey", "dale", "quinn"])
def test_api_a_program_the_caller_does_not_work_in_is_404(
    world: World, client: HttpClient, name: str
) -> None:
    user = _persona(world, name)
    other = _api(client, user, _api_body(world, program=world.other_program.pk))
    missing = _api(client, user, _api_body(world, program=999999))
    assert other.status_code == missing.status_code == 404
    assert other.json() == missing.json()
    assert not Client.objects.filter(last_name="Newperson").exists()


@pytest.mark.parametrize("name", NOT_REFERRERS)
def test_api_roles_that_may_not_refer_get_403(world: World, client: HttpClient, name: str) -> None:
    response = _api(client, _persona(world, name), _api_body(world))
    assert response.status_code == 403
    assert "clinicians and program directors" in response.json()["detail"]
    assert not Client.objects.filter(last_name="Newperson").exists()


def test_api_without_a_token_is_401(world: World, client: HttpClient) -> None:
    assert _api(client, None, _api_body(world)).status_code == 401
    assert not Client.objects.filter(last_name="Newperson").exists()


def test_the_intake_queue_flags_a_possible_duplicate_and_offers_a_new_referral(
    world: World, login_as: Callable[[User], HttpClient]
) -> None:
    flagged = _alex_again(world, confirm_not_duplicate=True)
    plain = make_referral(world)
    body = login_as(world.dale).get("/intake/").content.decode()
    assert 'href="/referrals/new/"' in body
    rows = body.split("<tr>")
    (flagged_row,) = [r for r in rows if f"/clients/{flagged.enrollment.client_id}/" in r]
    (plain_row,) = [r for r in rows if f"/clients/{plain.enrollment.client_id}/" in r]
    assert "Possible duplicate" in flagged_row
    assert "Possible duplicate" not in plain_row
