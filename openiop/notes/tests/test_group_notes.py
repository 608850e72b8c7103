"""Group notes: one page, one submit; the shared summary once and an entry per booked
client (absences prefilled), all signed together; each entry filed only in its own client's
record; a summary that names a member refused; a fixed number of queries at any size."""

from collections.abc import Callable
from contextlib import AbstractContextManager as ContextManager

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client as HttpClient

from openiop.accounts.models import User
from openiop.audit.models import AuditEvent
from openiop.conftest import World
from openiop.notes.models import GroupNote, NoteStatus, ProgressNote
from openiop.notes.services import GROUP_LOCKED, NoteRefused, absence_text, group_note_save
from openiop.notes.tests.support import attend, group_members, past_session
from openiop.programs.tests.enrollment_support import api_headers
from openiop.scheduling.models import Session

Login = Callable[[User], HttpClient]
AssertQueries = Callable[[int], ContextManager[object]]
SUMMARY = "Topic: riding the wave of urges. The group practised paced breathing."


@pytest.fixture
def five(world: World) -> tuple[Session, list]:
    """Fran's group with Alex, Blair and three more; the last member missed it."""
    members = [world.alex, world.blair, *group_members(world, 3)]
    session = past_session(world, kind="group", minutes=180, clients=tuple(members))
    for client in members[:-1]:
        attend(session, client)
    attend(session, members[-1], "no_show")
    return session, members


def test_five_attendees_give_five_entries_one_an_absence(world: World, five: tuple) -> None:
    session, members = five
    absent = members[-1]
    entries = {c.pk: f"Shared a coping plan ({i})." for i, c in enumerate(members[:-1])}
    saved = group_note_save(
        session=session, actor=world.fran, summary=SUMMARY, entries=entries, sign=True
    )
    assert saved.signed and len(saved.entries) == 5
    notes = {n.client_id: n for n in ProgressNote.objects.filter(session=session)}
    assert set(notes) == {c.pk for c in members}
    assert notes[absent.pk].sections == {"entry": absence_text("no_show")}
    assert not notes[absent.pk].client_attended and notes[absent.pk].code == ""
    assert all(n.status == NoteStatus.SIGNED for n in notes.values())
    assert notes[world.alex.pk].code == "90853"
    assert GroupNote.objects.get(session=session).signed_at is not None
    events = AuditEvent.objects.filter(object_type="progress_note", reason__endswith="signed")
    assert {e.client_id for e in events} == {c.pk for c in members}
    with pytest.raises(NoteRefused, match=GROUP_LOCKED):
        group_note_save(session=session, actor=world.fran, summary="x", entries={})


def test_each_entry_is_visible_only_in_its_own_clients_record(
    world: World, five: tuple, login_as: Login
) -> None:
    session, members = five
    entries = {c.pk: f"Entry about member number {c.pk}." for c in members}
    group_note_save(session=session, actor=world.fran, summary=SUMMARY, entries=entries, sign=True)
    alex_note = ProgressNote.objects.get(session=session, client=world.alex)
    blair_note = ProgressNote.objects.get(session=session, client=world.blair)
    # Casey (Alex's clinician) sees Alex's entry with the summary, and nothing of the others.
    casey = login_as(world.casey)
    record = casey.get(f"/clients/{world.alex.pk}/").content.decode()
    assert f"/notes/{alex_note.pk}/" in record and f"/notes/{blair_note.pk}/" not in record
    page = casey.get(f"/notes/{alex_note.pk}/").content.decode()
    assert SUMMARY in page and entries[world.alex.pk] in page
    for other in members[1:]:
        assert entries[other.pk] not in page and other.last_name not in page
    assert casey.get(f"/notes/{blair_note.pk}/").status_code == 404
    # Over the API and in the download, each client's notes hold only their own entry.
    for client in members:
        headers = api_headers(world.dale)
        listed = casey.get(f"/api/v1/clients/{client.pk}/notes", headers=headers).json()
        (only,) = listed
        assert only["group_summary"] == SUMMARY
        assert [s["text"] for s in only["sections"]] == [entries[client.pk]]
    download = login_as(world.alex.user).get(f"/clients/{world.alex.pk}/notes/export/")
    body = download.content.decode()
    assert entries[world.alex.pk] in body and entries[world.blair.pk] not in body
    assert "Otherperson" not in body
    assert AuditEvent.objects.filter(action="export", client_id=world.alex.pk).exists()


def test_a_summary_naming_a_member_is_saved_with_a_warning_but_not_signed(
    world: World, five: tuple
) -> None:
    session, _members = five
    named = f"{SUMMARY} blair shared a story."
    draft = group_note_save(session=session, actor=world.fran, summary=named, entries={})
    assert draft.warnings and "Blair" in draft.warnings[0]
    assert not draft.signed
    with pytest.raises(ValidationError) as refused:
        group_note_save(session=session, actor=world.fran, summary=named, entries={}, sign=True)
    assert "summary" in refused.value.error_dict
    assert not ProgressNote.objects.filter(session=session, signed_at__isnull=False).exists()
    assert GroupNote.objects.get(session=session).signed_at is None


def test_signing_needs_every_entry_and_the_summary(world: World, five: tuple) -> None:
    session, members = five
    with pytest.raises(ValidationError) as refused:
        group_note_save(session=session, actor=world.fran, summary="", entries={}, sign=True)
    errors = refused.value.error_dict
    assert "summary" in errors
    # Attended members have blank entries; the absent one is prefilled.
    assert {f"entry_{c.pk}" for c in members[:-1]} <= set(errors)
    assert f"entry_{members[-1].pk}" not in errors
    assert not ProgressNote.objects.exists() and not GroupNote.objects.exists()


def test_only_the_facilitator_writes_the_group_note(world: World, five: tuple) -> None:
    session, _members = five
    with pytest.raises(PermissionDenied):
        group_note_save(session=session, actor=world.casey, summary=SUMMARY, entries={})
    assert not GroupNote.objects.exists()


def test_the_page_saves_and_signs_in_one_submit(world: World, five: tuple, login_as: Login) -> None:
    session, members = five
    http = login_as(world.fran)
    page = http.get(f"/sessions/{session.pk}/group-note/").content.decode()
    assert page.count('name="entry_') == 5 and absence_text("no_show") in page
    form = {"summary": SUMMARY, "action": "sign"}
    form |= {f"entry_{c.pk}": "Took part." for c in members[:-1]}
    form[f"entry_{members[-1].pk}"] = absence_text("no_show")
    response = http.post(f"/sessions/{session.pk}/group-note/", form)
    assert response.status_code == 302
    assert ProgressNote.objects.filter(session=session, status="signed").count() == 5
    assert login_as(world.casey).get(f"/sessions/{session.pk}/group-note/").status_code == 403


def _queries_to_sign(world: World, size: int, assert_queries: AssertQueries, n: int) -> None:
    members = group_members(world, size, prefix=f"q{size}-")
    session = past_session(world, kind="group", minutes=180, clients=tuple(members))
    for client in members[:-1]:
        attend(session, client)
    attend(session, members[-1], "absent")
    entries = {c.pk: "Took part." for c in members[:-1]}
    with assert_queries(n):
        saved = group_note_save(
            session=session, actor=world.fran, summary=SUMMARY, entries=entries, sign=True
        )
    assert len(saved.entries) == size


@pytest.mark.parametrize("size", [3, 12])
def test_saving_a_group_note_takes_the_same_queries_at_any_size(
    world: World, django_assert_num_queries: AssertQueries, size: int
) -> None:
    # SAVEPOINT; the session locked; its booked seats with clients; the group note locked;
    # attendance, confirmed locations, each client's previous note and the measures since
    # (the header); existing entries; the supervisor
    # check; the week's enrollments, attendance and pending bookings (S9480); who already
    # has the day's code; the group note INSERT; the entries INSERT (one, bulk); the audit
    # chain's head and the events INSERT (one, bulk); RELEASE. PostgreSQL adds the audit
    # chain's advisory lock.
    expected = 19 + (1 if connection.vendor == "postgresql" else 0)
    _queries_to_sign(world, size, django_assert_num_queries, expected)


def test_a_draft_entry_is_edited_on_the_group_page(
    world: World, five: tuple, login_as: Login
) -> None:
    session, _members = five
    saved = group_note_save(session=session, actor=world.fran, summary=SUMMARY, entries={})
    entry = saved.entries[0]
    http = login_as(world.fran)
    page = http.get(f"/notes/{entry.pk}/").content.decode()
    assert f"/sessions/{session.pk}/group-note/" in page and 'name="section_entry"' not in page
    response = http.post(f"/notes/{entry.pk}/", {"section_entry": "sneaky", "action": "sign"})
    assert response["Location"] == f"/sessions/{session.pk}/group-note/"
    entry.refresh_from_db()
    assert entry.signed_at is None and entry.sections["entry"] != "sneaky"


def test_the_page_refuses_to_sign_a_summary_that_names_a_member(
    world: World, five: tuple, login_as: Login
) -> None:
    session, members = five
    form = {"summary": "Alex led the check-in.", "action": "sign"}
    form |= {f"entry_{c.pk}": "Took part." for c in members}
    response = login_as(world.fran).post(f"/sessions/{session.pk}/group-note/", form)
    assert response.status_code == 400
    page = response.content.decode()
    assert "The shared summary names Alex" in page and "Took part." in page
    assert not GroupNote.objects.exists() and not ProgressNote.objects.exists()
