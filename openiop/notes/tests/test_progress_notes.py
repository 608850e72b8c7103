"""Progress notes: a draft prefilled with the session's facts, signing (locked in the
service, the database, the page and the API), the refusals (empty, attendance contradicted,
someone else's session), co-sign for a supervised clinician, and addenda."""

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.test import Client as HttpClient

from openiop.accounts.models import User
from openiop.audit.models import AuditEvent
from openiop.conftest import World
from openiop.notes.models import Addendum, NoteStatus, ProgressNote, Supervision
from openiop.notes.services import (
    ATTENDANCE_SAYS,
    LOCKED,
    NOT_YOURS,
    NoteRefused,
    addendum_add,
    note_cosign,
    note_save,
    note_sign,
    note_start,
)
from openiop.notes.tests.support import attend, past_session
from openiop.programs.tests.enrollment_support import api_headers
from openiop.safety.services import location_confirm
from openiop.scheduling.models import Session

Login = Callable[[User], HttpClient]
SECTIONS = {"data": "Reported better sleep.", "assessment": "Improving.", "plan": "Continue."}


@pytest.fixture
def session(world: World) -> Session:
    session = past_session(world, minutes=50)
    attend(session, world.alex)
    return session


def _draft(world: World, session: Session) -> ProgressNote:
    note = note_start(session=session, client=world.alex, actor=world.casey)
    return note_save(note=note, actor=world.casey, sections=SECTIONS)


def test_a_draft_is_prefilled_from_the_session(
    world: World, session: Session, login_as: Login
) -> None:
    location_confirm(
        client=world.alex,
        session=session,
        address="1 Example Lane",
        city="Springfield",
        region="IL",
        postal_code="62701",
        country="US",
        actor=world.alex.user,
    )
    note = note_start(session=session, client=world.alex, actor=world.casey, template="soap")
    assert (note.kind, note.template, note.status) == ("individual", "soap", "draft")
    assert note.client_attended and note.duration_minutes == 50
    assert set(note.sections) == {"subjective", "objective", "assessment", "plan"}
    page = login_as(world.casey).get(f"/notes/{note.pk}/").content.decode()
    assert "50 minutes" in page and "Present" in page
    assert "1 Example Lane, Springfield, IL, 62701 (US)" in page
    assert 'name="section_subjective"' in page
    assert AuditEvent.objects.filter(object_type="progress_note", action="create").count() == 1


def test_sign_locks_the_note_in_the_service_and_the_database(
    world: World, session: Session
) -> None:
    note = note_sign(note=_draft(world, session), actor=world.casey)
    assert note.status == NoteStatus.SIGNED and note.is_locked
    assert note.facts["attendance"] == "present" and note.service_date is not None
    with pytest.raises(NoteRefused, match=LOCKED):
        note_save(note=note, actor=world.casey, sections={"data": "rewritten"})
    with pytest.raises(NoteRefused):
        note_sign(note=note, actor=world.casey)
    # Even a stray save() that bypasses the services is refused by the database.
    note.sections = {"data": "rewritten", "assessment": "", "plan": ""}
    with pytest.raises(IntegrityError), transaction.atomic():
        note.save()
    with pytest.raises(IntegrityError), transaction.atomic():
        ProgressNote.objects.filter(pk=note.pk).update(duration_minutes=1)
    note.refresh_from_db()
    assert note.sections == SECTIONS


def test_the_page_and_the_api_refuse_to_edit_a_signed_note(
    world: World, session: Session, login_as: Login
) -> None:
    note = note_sign(note=_draft(world, session), actor=world.casey)
    http = login_as(world.casey)
    page = http.get(f"/notes/{note.pk}/").content.decode()
    assert 'name="section_data"' not in page and "Reported better sleep." in page
    response = http.post(
        f"/notes/{note.pk}/",
        {
            "template": "dap",
            "client_attended": "yes",
            "duration_minutes": 50,
            "section_data": "changed",
            "section_assessment": "a",
            "section_plan": "p",
            "action": "save",
        },
        follow=True,
    )
    assert LOCKED in response.content.decode()
    note.refresh_from_db()
    assert note.sections == SECTIONS
    api = http.put(
        f"/api/v1/notes/{note.pk}",
        data="{}",
        content_type="application/json",
        headers=api_headers(world.casey),
    )
    assert api.status_code == 405  # the API reads notes; it never writes them


def test_signing_an_empty_note_is_refused(world: World, session: Session) -> None:
    note = note_start(session=session, client=world.alex, actor=world.casey)
    note_save(note=note, actor=world.casey, sections={"data": "Something", "plan": "  "})
    with pytest.raises(ValidationError) as refused:
        note_sign(note=note, actor=world.casey)
    assert set(refused.value.error_dict) == {"assessment", "plan"}
    note.refresh_from_db()
    assert note.status == "draft" and note.signed_at is None


def test_a_note_cannot_say_the_client_attended_when_attendance_says_absent(
    world: World, login_as: Login
) -> None:
    session = past_session(world, minutes=50)
    attend(session, world.alex, "no_show")
    note = note_start(session=session, client=world.alex, actor=world.casey)
    assert not note.client_attended  # prefilled from attendance
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as refused:
        note_save(note=note, actor=world.casey, sections=SECTIONS, client_attended=True)
    assert ATTENDANCE_SAYS.format(status="no-show") in refused.value.messages
    assert AuditEvent.objects.count() == before
    response = login_as(world.casey).post(
        f"/notes/{note.pk}/",
        {
            "template": "dap",
            "client_attended": "yes",
            "duration_minutes": 50,
            "section_data": "d",
            "section_assessment": "a",
            "section_plan": "p",
            "action": "sign",
        },
    )
    assert response.status_code == 400
    assert "the note cannot say the client attended" in response.content.decode()
    note.refresh_from_db()
    assert note.signed_at is None and note.sections["data"] == ""


def test_a_session_not_yours_is_refused_with_a_message(
    world: World, session: Session, login_as: Login
) -> None:
    with pytest.raises(PermissionDenied, match=NOT_YOURS):
        note_start(session=session, client=world.alex, actor=world.fran)
    # Fran is on Alex's care team, so she sees the session: a message, not a 404.
    response = login_as(world.fran).post(
        "/notes/start/", {"session": session.pk, "client": world.alex.pk}
    )
    assert response.status_code == 403 and NOT_YOURS in response.content.decode()
    assert not ProgressNote.objects.exists()


def test_someone_outside_the_session_gets_404(
    world: World, session: Session, login_as: Login
) -> None:
    for user in (world.quinn, world.birch_clinician, world.cora, world.ada, world.alex.user):
        response = login_as(user).post(
            "/notes/start/", {"session": session.pk, "client": world.alex.pk}
        )
        assert response.status_code == 404, user
    assert not ProgressNote.objects.exists()


def test_supervised_clinician_signs_then_supervisor_cosigns(
    world: World, session: Session, login_as: Login
) -> None:
    Supervision.objects.create(supervisee=world.casey, supervisor=world.quinn)
    note = note_sign(note=_draft(world, session), actor=world.casey)
    assert note.status == NoteStatus.AWAITING_COSIGN and note.is_locked
    with pytest.raises(PermissionDenied):
        note_cosign(note=note, actor=world.dale)
    quinn = login_as(world.quinn)
    assert "Co-sign this note" in quinn.get(f"/notes/{note.pk}/").content.decode()
    assert quinn.post(f"/notes/{note.pk}/cosign/").status_code == 302
    note.refresh_from_db()
    assert (note.status, note.cosigner, note.sections) == ("signed", world.quinn, SECTIONS)
    with pytest.raises(NoteRefused):
        note_cosign(note=note, actor=world.quinn)
    assert AuditEvent.objects.filter(reason="co-signed", object_id=str(note.pk)).exists()


def test_addenda_are_appended_signed_and_never_changed(
    world: World, session: Session, login_as: Login
) -> None:
    draft = _draft(world, session)
    with pytest.raises(NoteRefused):
        addendum_add(note=draft, actor=world.casey, text="too early")
    note = note_sign(note=draft, actor=world.casey)
    with pytest.raises(ValidationError):
        addendum_add(note=note, actor=world.casey, text="   ")
    with pytest.raises(PermissionDenied):
        addendum_add(note=note, actor=world.fran, text="not mine")
    http = login_as(world.casey)
    response = http.post(f"/notes/{note.pk}/addenda/", {"text": "Called back the next day."})
    assert response.status_code == 302
    addendum = Addendum.objects.get(note=note)
    assert addendum.author == world.casey and addendum.signed_at is not None
    assert "Called back the next day." in http.get(f"/notes/{note.pk}/").content.decode()
    with pytest.raises(IntegrityError), transaction.atomic():
        Addendum.objects.filter(pk=addendum.pk).update(text="rewritten")


def test_the_header_lists_measures_since_the_last_note(world: World, login_as: Login) -> None:
    from openiop.measures.services import response_submit
    from openiop.measures.tests.support import phq9

    first = past_session(world, ended_ago=timedelta(days=3))
    attend(first, world.alex)
    with time_machine.travel(first.starts_at - timedelta(hours=1)):
        response_submit(client=world.alex, actor=world.alex.user, code="phq9", answers=phq9(5))
    note_sign(note=_draft(world, first), actor=world.casey)
    signed = ProgressNote.objects.get(session=first)
    assert signed.facts["measures"][0].startswith("PHQ-9: 5")
    second = past_session(world, ended_ago=timedelta(hours=1))
    attend(second, world.alex)
    with time_machine.travel(second.starts_at - timedelta(hours=2)):
        response_submit(client=world.alex, actor=world.alex.user, code="phq9", answers=phq9(12))
    note = note_start(session=second, client=world.alex, actor=world.casey)
    page = login_as(world.casey).get(f"/notes/{note.pk}/").content.decode()
    assert "PHQ-9: 12" in page and "PHQ-9: 5" not in page  # only since the last note


@time_machine.travel("2026-03-09 08:00Z", tick=False)
def test_the_header_and_date_of_service_are_in_the_programs_zone_across_dst(
    world: World,
) -> None:
    # Chicago moved to daylight time on 8 March 2026: 04:30Z on the 9th is 23:30 CDT on the
    # 8th (it would be 22:30 under standard time, and the 9th in UTC).
    session = past_session(world, minutes=50)
    Session.objects.filter(pk=session.pk).update(
        starts_at=datetime(2026, 3, 9, 4, 30, tzinfo=UTC),
        ends_at=datetime(2026, 3, 9, 5, 20, tzinfo=UTC),
    )
    session.refresh_from_db()
    attend(session, world.alex)
    note = note_sign(note=_draft(world, session), actor=world.casey)
    assert (note.facts["date"], note.facts["starts"], note.facts["ends"]) == (
        "2026-03-08",
        "23:30",
        "00:20",
    )
    assert note.service_date == date(2026, 3, 8)
