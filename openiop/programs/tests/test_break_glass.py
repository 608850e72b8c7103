"""Break-the-glass: a clinician outside the care team opens a record in an emergency.

Quinn works in Alex's program but is not on Alex's care team. With a typed reason Quinn gets
one hour of access; every step is audited, and compliance (Cora) reviews each use.
"""

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client as HttpClient

from openiop.accounts.models import User
from openiop.audit.models import Action, AuditEvent
from openiop.conftest import World
from openiop.programs.models import BreakGlassGrant
from openiop.programs.services import break_glass_open

OPEN = "/emergency-access/"
REVIEW = "/compliance/emergency-access/"
REASON = "Client called the crisis line; primary clinician unreachable."
BANNER = "Emergency access: you are not on this client's care team."
START = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


def _last_seq() -> int:
    return AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0


def _events_after(seq: int) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(seq__gt=seq).order_by("seq"))


def _form(*, reason: str = REASON, last_name: str = "Testperson", dob: str = "1990-01-02") -> dict:
    return {"last_name": last_name, "date_of_birth": dob, "reason": reason}


def _persona(world: World, name: str) -> User:
    value = getattr(world, name)
    return value.user if name == "alex" else value


def _grant(world: World, reason: str = REASON) -> BreakGlassGrant:
    grant = break_glass_open(
        user=world.quinn,
        last_name="Testperson",
        date_of_birth=date(1990, 1, 2),
        reason=reason,
    )
    assert grant is not None
    return grant


def test_quinn_cannot_open_alex_without_breaking_the_glass(
    world: World, login_as: Callable[[User], HttpClient]
) -> None:
    assert login_as(world.quinn).get(f"/clients/{world.alex.pk}/").status_code == 404


def test_emergency_access_form_is_offered_to_a_clinician(
    world: World, login_as: Callable[[User], HttpClient]
) -> None:
    response = login_as(world.quinn).get(OPEN)

    assert response.status_code == 200
    page = response.content.decode()
    assert '<label for="id_reason">Reason</label>' in page
    assert "Compliance reviews every use." in page


def test_reason_opens_the_record_for_one_hour_and_is_audited(
    world: World, login_as: Callable[[User], HttpClient]
) -> None:
    client = login_as(world.quinn)
    before = _last_seq()

    with time_machine.travel(START, tick=False):
        response = client.post(OPEN, _form(last_name="  testPERSON "))

    assert response.status_code == 302
    assert response["Location"] == f"/clients/{world.alex.pk}/"
    grant = BreakGlassGrant.objects.get()
    assert (grant.user, grant.client, grant.reason) == (world.quinn, world.alex, REASON)
    assert (grant.granted_at, grant.expires_at) == (START, START + timedelta(hours=1))
    [event] = _events_after(before)
    assert (event.action, event.actor, event.actor_role) == (
        Action.BREAK_GLASS,
        world.quinn,
        "clinician",
    )
    assert (event.object_type, event.object_id) == ("break_glass_grant", str(grant.pk))
    assert (event.client_id, event.reason, event.ip) == (world.alex.pk, REASON, "127.0.0.1")
    assert "Testperson" not in event.reason and "1990-01-02" not in event.reason


def test_record_read_under_emergency_access_shows_the_banner_and_audits_the_reason(
    world: World, login_as: Callable[[User], HttpClient]
) -> None:
    client = login_as(world.quinn)
    client.post(OPEN, _form())
    before = _last_seq()

    response = client.get(f"/clients/{world.alex.pk}/", HTTP_USER_AGENT="ER workstation")

    assert response.status_code == 200
    page = response.content.decode()
    assert BANNER in page
    assert "Testperson" in page
    events = _events_after(before)
    # The record read and every panel's own read of the same client carry the reason.
    assert {(e.action, e.actor, e.client_id, e.reason, e.user_agent) for e in events} == {
        (Action.READ, world.quinn, world.alex.pk, f"break-glass: {REASON}", "ER workstation")
    }
    assert [e.object_type for e in events].count("client") == 1


def test_care_team_member_sees_no_banner_and_no_reason(
    world: World, login_as: Callable[[User], HttpClient]
) -> None:
    client = login_as(world.casey)
    before = _last_seq()

    response = client.get(f"/clients/{world.alex.pk}/")

    assert response.status_code == 200
    assert "Emergency access:" not in response.content.decode()
    assert _events_after(before)[0].reason == ""


def test_access_ends_after_one_hour(world: World, login_as: Callable[[User], HttpClient]) -> None:
    detail = f"/clients/{world.alex.pk}/"
    with time_machine.travel(START, tick=False) as clock:
        client = login_as(world.quinn)
        client.post(OPEN, _form())
        assert client.get(detail).status_code == 200

        # Staff sessions idle out after 15 minutes, so sign in afresh at each check.
        clock.move_to(START + timedelta(minutes=59, seconds=59))
        client.logout()
        assert login_as(world.quinn).get(detail).status_code == 200

        clock.move_to(START + timedelta(hours=1))
        client.logout()
        before = _last_seq()
        assert login_as(world.quinn).get(detail).status_code == 404
        assert _events_after(before) == []

    # The grant stays on record for review after it has run out.
    assert BreakGlassGrant.objects.filter(user=world.quinn, client=world.alex).count() == 1


@pytest.mark.parametrize("reason", ["help", "  too short   ", "123456789"])
def test_reason_shorter_than_ten_characters_is_refused_and_nothing_is_written(
    world: World, login_as: Callable[[User], HttpClient], reason: str
) -> None:
    client = login_as(world.quinn)
    before = _last_seq()

    response = client.post(OPEN, _form(reason=reason))

    assert response.status_code == 400
    assert "Ensure this value has at least 10 characters" in response.content.decode()
    assert not BreakGlassGrant.objects.exists()
    assert _events_after(before) == []
    assert client.get(f"/clients/{world.alex.pk}/").status_code == 404


def test_missing_fields_are_refused_and_nothing_is_written(
    world: World, login_as: Callable[[User], HttpClient]
) -> None:
    client = login_as(world.quinn)
    before = _last_seq()

    response = client.post(OPEN, {"reason": REASON})

    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert not BreakGlassGrant.objects.exists()
    assert _events_after(before) == []


def test_service_refuses_a_short_reason_on_its_own(world: World) -> None:
    before = _last_seq()

    with pytest.raises(ValidationError, match="at least 10 characters"):
        break_glass_open(
            user=world.quinn,
            last_name="Testperson",
            date_of_birth=date(1990, 1, 2),
            reason="   urgent   ",
        )

    assert not BreakGlassGrant.objects.exists()
    assert _events_after(before) == []


@pytest.mark.parametrize(
    ("last_name", "dob"),
    [("Nobody", "1990-01-02"), ("Testperson", "1990-01-03"), ("Otherperson", "1990-01-02")],
)
def test_no_match_is_audited_but_grants_nothing(
    world: World, login_as: Callable[[User], HttpClient], last_name: str, dob: str
) -> None:
    client = login_as(world.quinn)
    before = _last_seq()

    response = client.post(OPEN, _form(last_name=last_name, dob=dob))

    assert response.status_code == 400
    assert "No single client in your programs matches" in response.content.decode()
    assert not BreakGlassGrant.objects.exists()
    [event] = _events_after(before)
    assert (event.action, event.actor, event.client_id) == (Action.BREAK_GLASS, world.quinn, None)
    assert event.reason == f"no unique match; {REASON}"
    # What was searched for is PHI of whoever it matches; it is not recorded.
    assert last_name not in event.reason and dob not in event.reason
    assert client.get(f"/clients/{world.alex.pk}/").status_code == 404


def test_clinician_of_another_program_finds_nobody(
    world: World, login_as: Callable[[User], HttpClient]
) -> None:
    client = login_as(world.birch_clinician)

    response = client.post(OPEN, _form())

    assert response.status_code == 400
    assert not BreakGlassGrant.objects.exists()
    assert client.get(f"/clients/{world.alex.pk}/").status_code == 404


@pytest.mark.parametrize("name", ["fran", "gale", "dale", "alex", "cora", "ada", "fay"])
def test_only_clinicians_can_break_the_glass(
    world: World, login_as: Callable[[User], HttpClient], name: str
) -> None:
    client = login_as(_persona(world, name))
    before = _last_seq()

    assert client.get(OPEN).status_code == 404
    assert client.post(OPEN, _form()).status_code == 404

    assert not BreakGlassGrant.objects.exists()
    assert _events_after(before) == []


def test_compliance_sees_the_grant_and_marks_it_reviewed(
    world: World, login_as: Callable[[User], HttpClient]
) -> None:
    grant = _grant(world)
    client = login_as(world.cora)
    before = _last_seq()

    listing = client.get(REVIEW)

    assert listing.status_code == 200
    assert list(listing.context["grants"]) == [grant]
    page = listing.content.decode()
    assert REASON in page and "quinn@example.test" in page
    assert f'href="/compliance/audit/?client={world.alex.pk}"' in page
    [viewed] = _events_after(before)
    assert (viewed.action, viewed.actor, viewed.object_type) == (
        Action.READ,
        world.cora,
        "break_glass_grant_list",
    )

    before = _last_seq()
    response = client.post(REVIEW, {"grant": grant.pk, "note": "  Called the client back.  "})

    assert response.status_code == 302
    assert response["Location"] == REVIEW
    grant.refresh_from_db()
    assert grant.reviewed_by == world.cora
    assert grant.reviewed_at is not None and grant.reviewed_at >= grant.granted_at
    assert grant.review_note == "Called the client back."
    [event] = _events_after(before)
    assert (event.action, event.actor, event.actor_role) == (
        Action.UPDATE,
        world.cora,
        "compliance",
    )
    assert (event.object_type, event.object_id, event.client_id) == (
        "break_glass_grant",
        str(grant.pk),
        world.alex.pk,
    )
    assert "Review recorded." in client.get(REVIEW).content.decode()


def test_a_grant_is_reviewed_only_once(
    world: World, login_as: Callable[[User], HttpClient]
) -> None:
    grant = _grant(world)
    client = login_as(world.cora)
    client.post(REVIEW, {"grant": grant.pk, "note": "first"})
    grant.refresh_from_db()
    first = (grant.reviewed_by, grant.reviewed_at, grant.review_note)
    before = _last_seq()

    response = client.post(REVIEW, {"grant": grant.pk, "note": "second"}, follow=True)

    assert "already been reviewed" in response.content.decode()
    grant.refresh_from_db()
    assert (grant.reviewed_by, grant.reviewed_at, grant.review_note) == first
    assert [e.action for e in _events_after(before)] == [Action.READ]  # only the list view


def test_unreviewed_grants_come_first(world: World, login_as: Callable[[User], HttpClient]) -> None:
    with time_machine.travel(START, tick=False):
        older = _grant(world, reason="Older emergency, not yet reviewed.")
    with time_machine.travel(START + timedelta(hours=2), tick=False):
        reviewed = _grant(world, reason="Newer emergency, already reviewed.")
    with time_machine.travel(START + timedelta(hours=3), tick=False):
        newest = _grant(world, reason="Newest emergency, not yet reviewed.")
    client = login_as(world.cora)
    client.post(REVIEW, {"grant": reviewed.pk, "note": "ok"})

    grants = list(client.get(REVIEW).context["grants"])

    assert grants == [newest, older, reviewed]


@pytest.mark.parametrize("grant_id", ["abc", "", "-1", "²", "99999999", str(2**70)])
def test_review_of_an_unknown_grant_is_a_404(
    world: World, login_as: Callable[[User], HttpClient], grant_id: str
) -> None:
    _grant(world)
    client = login_as(world.cora)
    before = _last_seq()

    assert client.post(REVIEW, {"grant": grant_id, "note": "x"}).status_code == 404
    assert _events_after(before) == []
    assert not BreakGlassGrant.objects.filter(reviewed_at__isnull=False).exists()


@pytest.mark.parametrize(
    "name", ["casey", "fran", "quinn", "gale", "dale", "birch_director", "ada", "alex", "fay"]
)
def test_review_page_is_404_for_everyone_but_compliance(
    world: World, login_as: Callable[[User], HttpClient], name: str
) -> None:
    grant = _grant(world)
    client = login_as(_persona(world, name))
    before = _last_seq()

    assert client.get(REVIEW).status_code == 404
    assert client.post(REVIEW, {"grant": grant.pk, "note": "self-review"}).status_code == 404

    grant.refresh_from_db()
    assert grant.reviewed_at is None
    assert _events_after(before) == []
