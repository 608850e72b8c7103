"""Who may open a note: a draft is its author's alone; a signed note is read by whoever may
see the client (staff on the page, also the client over the API). Everyone else gets the
same 404 as for a note that does not exist, and leaves no read in the trail."""

from collections.abc import Callable

import pytest
from django.test import Client as HttpClient

from openiop.accounts.models import User
from openiop.audit.models import AuditEvent
from openiop.conftest import World
from openiop.notes.models import ProgressNote
from openiop.notes.services import note_save, note_sign, note_start
from openiop.notes.tests.support import attend, past_session
from openiop.programs.tests.enrollment_support import api_headers, persona

Login = Callable[[User], HttpClient]
DENIED = ["blair", "quinn", "gale", "birch_director", "birch_clinician", "cora", "ada", "fay"]
MISSING = 987_654_321


@pytest.fixture
def note(world: World) -> ProgressNote:
    session = past_session(world)
    attend(session, world.alex)
    note = note_start(session=session, client=world.alex, actor=world.casey)
    sections = {"data": "Slept well.", "assessment": "a", "plan": "p"}
    return note_save(note=note, actor=world.casey, sections=sections)


def _sign(world: World, note: ProgressNote) -> ProgressNote:
    return note_sign(note=note, actor=world.casey)


@pytest.mark.parametrize("name", ["fran", "dale", *DENIED])
def test_a_draft_is_only_its_authors(
    world: World, note: ProgressNote, login_as: Login, name: str
) -> None:
    http = login_as(persona(world, name))
    assert http.get(f"/notes/{note.pk}/").status_code == 404
    api = http.get(f"/api/v1/notes/{note.pk}", headers=api_headers(persona(world, name)))
    assert api.status_code == 404
    assert login_as(world.casey).get(f"/notes/{note.pk}/").status_code == 200


@pytest.mark.parametrize("name", DENIED)
def test_a_signed_note_is_404_outside_the_care_team(
    world: World, note: ProgressNote, login_as: Login, name: str
) -> None:
    _sign(world, note)
    user = persona(world, name)
    http = login_as(user)
    headers = api_headers(user)
    before = AuditEvent.objects.count()
    for path in ("/notes/{}/", "/api/v1/notes/{}", "/notes/{}/addenda/", "/notes/{}/codes/"):
        method = http.post if path.endswith(("addenda/", "codes/")) else http.get
        denied = method(path.format(note.pk), headers=headers)
        missing = method(path.format(MISSING), headers=headers)
        assert denied.status_code == missing.status_code == 404, path
    listed = http.get(f"/api/v1/clients/{world.alex.pk}/notes", headers=headers)
    assert listed.status_code == 404
    assert AuditEvent.objects.count() == before
    assert not note.addenda.exists()


@pytest.mark.parametrize("name", ["casey", "fran", "dale"])
def test_the_care_team_and_director_read_a_signed_note(
    world: World, note: ProgressNote, login_as: Login, name: str
) -> None:
    _sign(world, note)
    user = persona(world, name)
    http = login_as(user)
    assert "Slept well." in http.get(f"/notes/{note.pk}/").content.decode()
    body = http.get(f"/api/v1/notes/{note.pk}", headers=api_headers(user)).json()
    assert body["status"] == "signed" and body["sections"][0]["text"] == "Slept well."
    assert body["code"] == "90834" and body["facts"]["attendance"] == "present"
    events = AuditEvent.objects.filter(object_type="progress_note", action="read", actor=user)
    assert events.count() == 2 and {e.client_id for e in events} == {world.alex.pk}


def test_the_client_reads_their_signed_notes_over_the_api_not_drafts(
    world: World, note: ProgressNote, client: HttpClient
) -> None:
    headers = api_headers(world.alex.user)
    assert client.get(f"/api/v1/clients/{world.alex.pk}/notes", headers=headers).json() == []
    _sign(world, note)
    (listed,) = client.get(f"/api/v1/clients/{world.alex.pk}/notes", headers=headers).json()
    assert listed["id"] == note.pk
    assert client.get(f"/api/v1/clients/{world.blair.pk}/notes", headers=headers).status_code == 404


def test_the_client_record_lists_signed_notes_only(
    world: World, note: ProgressNote, login_as: Login
) -> None:
    http = login_as(world.casey)
    assert f"/notes/{note.pk}/" not in http.get(f"/clients/{world.alex.pk}/").content.decode()
    _sign(world, note)
    assert f"/notes/{note.pk}/" in http.get(f"/clients/{world.alex.pk}/").content.decode()


def test_the_client_downloads_their_signed_notes_from_their_home_page(
    world: World, note: ProgressNote, login_as: Login
) -> None:
    _sign(world, note)
    http = login_as(world.alex.user)
    home = http.get("/me/").content.decode()
    assert f"/clients/{world.alex.pk}/notes/export/" in home
    download = http.get(f"/clients/{world.alex.pk}/notes/export/")
    assert download["Content-Disposition"].startswith("attachment")
    assert download.json()["notes"][0]["id"] == note.pk
    assert http.get(f"/notes/{note.pk}/").status_code == 404  # the page is for staff
