"""The "notes from family sessions" scope of a family consent: the family member reads the
signed notes of the client's family sessions (page and API), audited against the consent,
and nothing else from the record; no scope or a revoked consent answers 404."""

import json
from datetime import timedelta

import pytest
from django.test import Client as HttpClient

from openiop.accounts.services import api_token_issue
from openiop.audit.models import AuditEvent
from openiop.conftest import World
from openiop.notes.models import ProgressNote
from openiop.notes.services import (
    addendum_add,
    note_save,
    note_sign,
    note_start,
    psychotherapy_note_write,
)
from openiop.notes.tests.support import attend, past_session
from openiop.resources.models import FamilyConsent
from openiop.resources.services import family_consent_revoke
from openiop.resources.tests.support import alex_shares_with_fay
from openiop.safety.services import location_confirm
from openiop.scheduling.models import SessionKind

FAMILY_TEXT = "Everyone agreed on a calmer evening routine."
INDIVIDUAL_TEXT = "Private individual work, not for the family."
DRAFT_TEXT = "Unsigned draft words."
PRIVATE_TEXT = "The clinician's own process notes."


def _share(world: World, *scopes: str) -> FamilyConsent:
    return alex_shares_with_fay(world, *scopes)


def _note(world: World, kind: str, text: str, *, sign: bool, ended_ago: timedelta) -> ProgressNote:
    session = past_session(world, kind=kind, ended_ago=ended_ago)
    attend(session, world.alex)
    location_confirm(
        client=world.alex,
        session=session,
        actor=world.alex.user,
        address="77 Hidden Way",
        city="Testville",
        region="IL",
        postal_code="60000",
        country="US",
        declined=False,
    )
    note = note_start(session=session, client=world.alex, actor=world.casey)
    note = note_save(
        note=note,
        actor=world.casey,
        sections={"data": text, "assessment": "Engaged.", "plan": "Meet again in two weeks."},
    )
    if sign:
        note = note_sign(note=note, actor=world.casey)
    return note


@pytest.fixture
def notes(world: World) -> dict[str, ProgressNote]:
    family = _note(world, SessionKind.FAMILY, FAMILY_TEXT, sign=True, ended_ago=timedelta(days=2))
    addendum_add(note=family, actor=world.casey, text="Follow-up call booked.")
    made = {
        "family": family,
        "individual": _note(
            world, SessionKind.INDIVIDUAL, INDIVIDUAL_TEXT, sign=True, ended_ago=timedelta(days=3)
        ),
        "draft": _note(
            world, SessionKind.FAMILY, DRAFT_TEXT, sign=False, ended_ago=timedelta(hours=2)
        ),
    }
    psychotherapy_note_write(
        author=world.casey, client=world.alex, text=PRIVATE_TEXT, session=family.session
    )
    return made


def test_family_member_reads_only_signed_family_session_notes(
    world: World, notes: dict[str, ProgressNote], login_as
) -> None:  # type: ignore[no-untyped-def]
    consent = _share(world, "family_notes")
    http = login_as(world.fay)
    overview = http.get(f"/family/clients/{world.alex.pk}/").content.decode()
    assert f"/family/clients/{world.alex.pk}/family-notes/" in overview
    page = http.get(f"/family/clients/{world.alex.pk}/family-notes/")
    assert page.status_code == 200
    text = page.content.decode()
    assert FAMILY_TEXT in text and "Follow-up call booked." in text
    for hidden in (INDIVIDUAL_TEXT, DRAFT_TEXT, PRIVATE_TEXT, "77 Hidden Way", "90847"):
        assert hidden not in text, hidden
    event = AuditEvent.objects.get(actor=world.fay, object_type="family_notes")
    assert (event.client_id, event.reason) == (world.alex.pk, f"family consent {consent.pk}")
    # The other scopes stay closed.
    assert http.get(f"/family/clients/{world.alex.pk}/schedule/").status_code == 404


def test_the_api_gives_the_same_notes(
    world: World, notes: dict[str, ProgressNote], client: HttpClient
) -> None:
    _share(world, "family_notes")
    raw, _ = api_token_issue(user=world.fay)
    response = client.get(
        f"/api/v1/family/clients/{world.alex.pk}/family-notes",
        headers={"Authorization": f"Bearer {raw}"},
    )
    assert response.status_code == 200
    body = response.json()
    assert [n["id"] for n in body] == [notes["family"].pk]
    assert {"label": "Data", "text": FAMILY_TEXT} in body[0]["sections"]
    assert body[0]["addenda"] == ["Follow-up call booked."]
    raw_text = json.dumps(body)
    assert INDIVIDUAL_TEXT not in raw_text and PRIVATE_TEXT not in raw_text


def test_without_the_scope_or_after_revocation_it_is_404(
    world: World, notes: dict[str, ProgressNote], login_as, client: HttpClient
) -> None:  # type: ignore[no-untyped-def]
    schedule_only = _share(world, "schedule")
    http = login_as(world.fay)
    assert http.get(f"/family/clients/{world.alex.pk}/family-notes/").status_code == 404
    family_consent_revoke(consent=schedule_only, actor=world.alex.user)
    with_notes = _share(world, "family_notes")
    assert http.get(f"/family/clients/{world.alex.pk}/family-notes/").status_code == 200
    family_consent_revoke(consent=with_notes, actor=world.alex.user)
    assert http.get(f"/family/clients/{world.alex.pk}/family-notes/").status_code == 404
    raw, _ = api_token_issue(user=world.fay)
    response = client.get(
        f"/api/v1/family/clients/{world.alex.pk}/family-notes",
        headers={"Authorization": f"Bearer {raw}"},
    )
    assert response.status_code == 404
