"""Psychotherapy notes: the author's alone. Every other persona gets a 404; they never appear
in the API, the record download or the client record; reads and writes are audited by type
and id, never by content."""

from collections.abc import Callable

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client as HttpClient

from openiop.accounts.models import User
from openiop.audit.models import AuditEvent
from openiop.conftest import World
from openiop.notes.models import PsychotherapyNote
from openiop.notes.services import note_save, note_sign, note_start, psychotherapy_note_write
from openiop.notes.tests.support import attend, past_session
from openiop.programs.tests.enrollment_support import api_headers, persona

Login = Callable[[User], HttpClient]
SECRET = "Process observation: countertransference around the story of the lake."
EVERYONE_ELSE = [
    "alex",
    "blair",
    "fran",
    "quinn",
    "gale",
    "dale",
    "birch_director",
    "birch_clinician",
    "cora",
    "ada",
    "fay",
]


@pytest.fixture
def private(world: World) -> PsychotherapyNote:
    return psychotherapy_note_write(author=world.casey, client=world.alex, text=SECRET)


def test_the_author_writes_and_reads_it_and_the_trail_has_no_content(
    world: World, private: PsychotherapyNote, login_as: Login
) -> None:
    http = login_as(world.casey)
    assert SECRET in http.get(f"/notes/private/{private.pk}/").content.decode()
    assert http.get("/notes/private/").status_code == 200
    response = http.post(f"/notes/private/{private.pk}/", {"text": SECRET + " More."})
    assert response.status_code == 302
    private.refresh_from_db()
    assert private.text.endswith("More.")
    events = AuditEvent.objects.filter(object_type="psychotherapy_note")
    assert {e.action for e in events} == {"create", "read", "update"}
    assert all("lake" not in f"{e.reason}{e.object_id}" for e in AuditEvent.objects.all())


@pytest.mark.parametrize("name", EVERYONE_ELSE)
def test_every_other_persona_gets_404(
    world: World, private: PsychotherapyNote, login_as: Login, name: str
) -> None:
    http = login_as(persona(world, name))
    before = AuditEvent.objects.filter(object_type="psychotherapy_note").count()
    assert http.get(f"/notes/private/{private.pk}/").status_code == 404
    assert http.post(f"/notes/private/{private.pk}/", {"text": "x"}).status_code == 404
    listing = http.get("/notes/private/")
    assert listing.status_code == 404 or SECRET not in listing.content.decode()
    private.refresh_from_db()
    assert private.text == SECRET
    assert AuditEvent.objects.filter(object_type="psychotherapy_note").count() == before


def test_only_a_clinician_on_the_care_team_writes_one(world: World) -> None:
    for user in (world.quinn, world.fran, world.dale):
        with pytest.raises(PermissionDenied):
            psychotherapy_note_write(author=user, client=world.alex, text="x")
    assert not PsychotherapyNote.objects.exists()


def test_never_in_the_api_the_download_or_the_record(
    world: World, private: PsychotherapyNote, login_as: Login
) -> None:
    session = past_session(world)
    attend(session, world.alex)
    note = note_start(session=session, client=world.alex, actor=world.casey)
    sections = {"data": "d", "assessment": "a", "plan": "p"}
    note_sign(note=note_save(note=note, actor=world.casey, sections=sections), actor=world.casey)
    for user in (world.casey, world.dale, world.alex.user):
        http = login_as(user)
        headers = api_headers(user)
        listed = http.get(f"/api/v1/clients/{world.alex.pk}/notes", headers=headers)
        assert listed.status_code == 200 and len(listed.json()) == 1
        assert SECRET not in listed.content.decode()
        assert (
            http.get(f"/api/v1/notes/{private.pk}", headers=headers).content.decode().find(SECRET)
            == -1
        )
        download = http.get(f"/clients/{world.alex.pk}/notes/export/")
        assert download.status_code == 200
        assert SECRET not in download.content.decode()
    record = login_as(world.casey).get(f"/clients/{world.alex.pk}/").content.decode()
    assert SECRET not in record
    openapi = login_as(world.casey).get("/api/v1/openapi.json").content.decode()
    assert "psychotherapy" not in openapi.lower()
