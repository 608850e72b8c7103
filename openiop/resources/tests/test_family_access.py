"""A family member sees exactly what the client's consent allows, and nothing once it is
revoked or expired: pages, API (bearer token) and calendar feed."""

import json
import re
from collections.abc import Callable
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client as HttpClient
from django.utils import timezone
from icalendar import Calendar

from openiop.accounts.models import ApiToken, Role, User
from openiop.accounts.services import api_token_issue
from openiop.audit.models import AuditEvent
from openiop.conftest import PASSWORD, World
from openiop.resources.family import family_may_join
from openiop.resources.models import FamilyConsent
from openiop.resources.services import (
    ALREADY_SHARING,
    OTHER_ROLE,
    FamilyShare,
    family_access_sweep,
    family_consent_revoke,
    family_invite,
    program_part2_set,
)
from openiop.resources.texts import REDISCLOSURE_NOTICE
from openiop.scheduling.models import CalendarFeed, Session
from openiop.scheduling.services.attendance import attendance_record
from openiop.scheduling.services.calendar import calendar_feed_issue
from openiop.scheduling.tests.attendance_support import book, make_session

Login = Callable[[User], HttpClient]


def share(email: str = "fay@example.test", **changes: object) -> FamilyShare:
    fields: dict[str, object] = {
        "email": email,
        "name": "Fay Family",
        "relationship": "sister",
        "scopes": frozenset({"schedule"}),
        "purpose": "Help with rides to sessions",
        "expires_at": timezone.now() + timedelta(days=30),
        "signed_name": "Alex Testperson",
    }
    fields.update(changes)
    return FamilyShare(**fields)  # type: ignore[arg-type]


@pytest.fixture
def sessions(world: World) -> dict[str, Session]:
    now = timezone.now().replace(microsecond=0)
    made = {
        "family": make_session(
            world.program, world.casey, now + timedelta(days=2), minutes=60, kind="family"
        ),
        "group": make_session(world.program, world.fran, now + timedelta(days=3)),
        "past": make_session(world.program, world.fran, now - timedelta(days=5)),
        "blairs": make_session(world.program, world.gale, now + timedelta(days=4)),
    }
    book(made["family"], world.alex)
    book(made["group"], world.alex)
    book(made["past"], world.alex)
    book(made["blairs"], world.blair)
    attendance_record(
        session=made["past"],
        client=world.alex,
        status="present",
        source="roster",
        actor=world.fran,
        now=now,
    )
    return made


@pytest.fixture
def consent(world: World, sessions: dict[str, Session]) -> FamilyConsent:
    return family_invite(client=world.alex, share=share(), actor=world.alex.user)


# Bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"expires_at": None}, "expires_at"),
        ({"expires_at": timezone.now() - timedelta(days=1)}, "expires_at"),
        ({"purpose": "  "}, "purpose"),
        ({"scopes": frozenset()}, "scopes"),
        ({"signed_name": ""}, "signed_name"),
    ],
)
def test_a_consent_missing_an_element_is_refused_with_nothing_written(
    world: World, changes: dict[str, object], field: str
) -> None:
    users = User.objects.count()
    with pytest.raises(ValidationError) as refused:
        family_invite(
            client=world.alex,
            share=share("new.person@example.test", **changes),
            actor=world.alex.user,
        )
    assert field in refused.value.message_dict
    assert FamilyConsent.objects.count() == 0
    assert User.objects.count() == users
    assert mail.outbox == []


@pytest.mark.parametrize("email", ["casey@example.test", "BLAIR@example.test"])
def test_an_email_of_another_role_is_refused(world: World, email: str) -> None:
    with pytest.raises(ValidationError) as refused:
        family_invite(client=world.alex, share=share(email), actor=world.alex.user)
    assert refused.value.message_dict["email"] == [OTHER_ROLE]
    assert FamilyConsent.objects.count() == 0


def test_the_page_says_why_and_writes_nothing(world: World, login_as: Login) -> None:
    http = login_as(world.alex.user)
    response = http.post(
        "/me/family/",
        {
            "name": "Dr Casey",
            "email": "casey@example.test",
            "relationship": "friend",
            "scopes": ["schedule"],
            "purpose": "",
            "expires_on": "",
            "signed_name": "Alex Testperson",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "not a family member" in page
    assert "Say what the information is for." in page
    assert "Give the date the consent ends." in page
    assert FamilyConsent.objects.count() == 0


def test_sharing_twice_with_the_same_person_is_refused(
    world: World, consent: FamilyConsent
) -> None:
    with pytest.raises(ValidationError) as refused:
        family_invite(client=world.alex, share=share(), actor=world.alex.user)
    assert refused.value.message_dict["email"] == [ALREADY_SHARING]


# The invitation --------------------------------------------------------------------------


def test_a_new_person_gets_a_one_time_link_and_a_family_login(
    world: World,
    sessions: dict[str, Session],
    client: HttpClient,
    django_capture_on_commit_callbacks: Callable,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        family_invite(client=world.alex, share=share("pat.new@example.test"), actor=world.alex.user)
    person = User.objects.get(email="pat.new@example.test")
    assert person.role == Role.FAMILY and not person.has_usable_password()
    (sent,) = mail.outbox
    assert sent.to == ["pat.new@example.test"]
    assert "Maple" not in sent.body  # no program name: it can name a condition
    link = re.search(r"https?://[^/\s]+(/family/invite/\S+)", str(sent.body))[1]  # type: ignore[index]
    assert client.get(link).status_code == 200
    response = client.post(link, {"password1": PASSWORD, "password2": PASSWORD})
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.has_usable_password()
    home = client.get("/").content.decode()
    assert "Alex" in home and "Nothing has been shared" not in home
    assert client.get(link).status_code == 410  # spent


# Access before and after revocation --------------------------------------------------------


def _pages(world: World) -> dict[str, str]:
    base = f"/family/clients/{world.alex.pk}"
    return {
        "overview": f"{base}/",
        "schedule": f"{base}/schedule/",
        "attendance": f"{base}/attendance/",
        "safety_plan": f"{base}/safety-plan/",
    }


def test_only_the_consented_pages_open_and_all_close_on_revocation(
    world: World, consent: FamilyConsent, sessions: dict[str, Session], login_as: Login
) -> None:
    http = login_as(world.fay)
    pages = _pages(world)
    assert http.get(pages["overview"]).status_code == 200
    schedule = http.get(pages["schedule"])
    assert schedule.status_code == 200
    assert "Family session" in schedule.content.decode()
    assert "You are invited" in schedule.content.decode()
    assert http.get(pages["attendance"]).status_code == 404  # not consented
    assert http.get(pages["safety_plan"]).status_code == 404
    assert http.get(f"/family/clients/{world.blair.pk}/schedule/").status_code == 404
    assert http.get(f"/clients/{world.alex.pk}/").status_code == 404  # never the record
    assert "Alex" in http.get("/").content.decode()

    family_consent_revoke(consent=consent, actor=world.alex.user)

    for path in pages.values():
        assert http.get(path).status_code == 404, path
    home = http.get("/").content.decode()
    assert "Nothing has been shared" in home


def test_attendance_shows_when_consented(
    world: World, sessions: dict[str, Session], login_as: Login
) -> None:
    family_invite(
        client=world.alex,
        share=share(scopes=frozenset({"attendance"})),
        actor=world.alex.user,
    )
    http = login_as(world.fay)
    page = http.get(_pages(world)["attendance"])
    assert page.status_code == 200 and "Present" in page.content.decode()
    assert http.get(_pages(world)["schedule"]).status_code == 404


def test_every_family_read_is_audited_against_its_consent(
    world: World, consent: FamilyConsent, login_as: Login
) -> None:
    login_as(world.fay).get(_pages(world)["schedule"])
    event = AuditEvent.objects.filter(actor=world.fay, object_type="family_schedule").get()
    assert event.client_id == world.alex.pk
    assert event.object_id == str(consent.pk)
    assert event.reason == f"family consent {consent.pk}"


def test_expiry_ends_access_without_anyone_acting(
    world: World, consent: FamilyConsent, login_as: Login
) -> None:
    http = login_as(world.fay)
    assert http.get(_pages(world)["schedule"]).status_code == 200
    with time_machine.travel(consent.expires_at + timedelta(seconds=1)):
        http = login_as(world.fay)  # a fresh sign-in: the idle timeout ended the old one
        assert http.get(_pages(world)["schedule"]).status_code == 404


def _api(http: HttpClient, raw: str, path: str) -> tuple[int, object]:
    response = http.get(f"/api/v1{path}", headers={"Authorization": f"Bearer {raw}"})
    return response.status_code, json.loads(response.content or b"null")


def test_api_answers_until_revocation_then_the_token_dies_and_reads_are_404(
    world: World, consent: FamilyConsent, sessions: dict[str, Session], client: HttpClient
) -> None:
    raw, _ = api_token_issue(user=world.fay)
    status, body = _api(client, raw, "/family/shares")
    assert status == 200 and body[0]["client"] == world.alex.pk  # type: ignore[index]
    status, body = _api(client, raw, f"/family/clients/{world.alex.pk}/sessions")
    assert status == 200
    assert {s["id"] for s in body} == {sessions["family"].pk, sessions["group"].pk}  # type: ignore[attr-defined]
    assert _api(client, raw, f"/family/clients/{world.alex.pk}/attendance")[0] == 404
    assert _api(client, raw, f"/clients/{world.alex.pk}")[0] == 404
    assert _api(client, raw, f"/clients/{world.alex.pk}/sessions")[0] == 404

    family_consent_revoke(consent=consent, actor=world.alex.user)

    assert _api(client, raw, "/family/shares")[0] == 401  # the token was revoked
    assert ApiToken.objects.get(user=world.fay).revoked_at is not None
    fresh, _ = api_token_issue(user=world.fay)  # signing in again gets nothing
    assert _api(client, fresh, "/family/shares") == (200, [])
    for path in (
        f"/family/clients/{world.alex.pk}/sessions",
        f"/clients/{world.alex.pk}",
        f"/clients/{world.alex.pk}/sessions",
    ):
        assert _api(client, fresh, path)[0] == 404, path


def test_revoking_one_of_two_consents_keeps_the_token_but_closes_that_client(
    world: World, consent: FamilyConsent, sessions: dict[str, Session], client: HttpClient
) -> None:
    family_invite(client=world.blair, share=share(signed_name="Blair O"), actor=world.blair.user)
    raw, _ = api_token_issue(user=world.fay)
    family_consent_revoke(consent=consent, actor=world.alex.user)
    assert _api(client, raw, f"/family/clients/{world.alex.pk}/sessions")[0] == 404
    assert _api(client, raw, f"/family/clients/{world.blair.pk}/sessions")[0] == 200


def _feed_uids(http: HttpClient, raw: str) -> set[str]:
    response = http.get(f"/calendar/{raw}.ics")
    if response.status_code == 404:
        return set()
    calendar = Calendar.from_ical(response.content)
    return {str(e["uid"]) for e in calendar.walk("VEVENT")}


def test_calendar_feed_serves_the_consented_sessions_until_revocation(
    world: World, consent: FamilyConsent, sessions: dict[str, Session], client: HttpClient
) -> None:
    raw, feed = calendar_feed_issue(user=world.fay)
    uids = _feed_uids(client, raw)
    assert f"session-{sessions['family'].pk}@openiop" in uids
    assert f"session-{sessions['group'].pk}@openiop" in uids
    assert f"session-{sessions['blairs'].pk}@openiop" not in uids
    with time_machine.travel(consent.expires_at + timedelta(seconds=1)):
        assert _feed_uids(client, raw) == set()  # expired: empty at the next refresh

    family_consent_revoke(consent=consent, actor=world.alex.user)

    assert client.get(f"/calendar/{raw}.ics").status_code == 404
    feed.refresh_from_db()
    assert feed.revoked_at is not None
    assert not CalendarFeed.objects.filter(user=world.fay, revoked_at__isnull=True).exists()


def test_family_may_join_only_consented_family_sessions(
    world: World, consent: FamilyConsent, sessions: dict[str, Session]
) -> None:
    assert family_may_join(world.fay, sessions["family"])
    assert not family_may_join(world.fay, sessions["group"])  # not a family session
    assert not family_may_join(world.casey, sessions["family"])  # not a family user
    unbooked = make_session(
        world.program, world.casey, timezone.now() + timedelta(days=6), minutes=60, kind="family"
    )
    assert not family_may_join(world.fay, unbooked)
    family_consent_revoke(consent=consent, actor=world.alex.user)
    assert not family_may_join(world.fay, sessions["family"])


def test_part2_consent_shows_the_redisclosure_notice(
    world: World, sessions: dict[str, Session], login_as: Login
) -> None:
    program_part2_set(program=world.program, is_part2=True, actor=world.dale)
    made = family_invite(client=world.alex, share=share(), actor=world.alex.user)
    assert made.is_part2
    assert made.recipient == "Fay Family" and "schedule" in made.information.lower()
    page = login_as(world.fay).get(_pages(world)["schedule"]).content.decode()
    assert REDISCLOSURE_NOTICE[:60] in page


def test_client_revokes_from_their_page(
    world: World, consent: FamilyConsent, login_as: Login
) -> None:
    http = login_as(world.alex.user)
    assert "Fay Family" in http.get("/me/family/").content.decode()
    response = http.post(f"/me/family/{consent.pk}/revoke/")
    assert response.status_code == 302
    consent.refresh_from_db()
    assert consent.revoked_at is not None
    event = AuditEvent.objects.filter(object_type="family_consent", reason="revoked").get()
    assert event.client_id == world.alex.pk


def test_another_client_cannot_revoke_it(
    world: World, consent: FamilyConsent, login_as: Login
) -> None:
    response = login_as(world.blair.user).post(f"/me/family/{consent.pk}/revoke/")
    assert response.status_code == 404
    consent.refresh_from_db()
    assert consent.revoked_at is None


def test_the_sweep_revokes_what_an_expired_consent_left_behind(
    world: World, consent: FamilyConsent
) -> None:
    api_token_issue(user=world.fay)
    calendar_feed_issue(user=world.fay)
    assert family_access_sweep() == 0  # still active: nothing touched
    family_invite(  # another family member with an expired consent and nothing issued
        client=world.alex,
        share=share("pat.other@example.test", expires_at=consent.expires_at),
        actor=world.alex.user,
    )
    with time_machine.travel(consent.expires_at + timedelta(seconds=1)):
        assert family_access_sweep() == 1
        assert family_access_sweep() == 0
    assert not ApiToken.objects.filter(user=world.fay, revoked_at__isnull=True).exists()
    assert not CalendarFeed.objects.filter(user=world.fay, revoked_at__isnull=True).exists()


def test_an_invitation_racing_another_for_the_same_new_address_joins_its_account(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two clients invite the same new address at once: the slower one looked before the
    other's account existed, so its create meets the unique address; it then takes that
    account and shares with it, instead of failing with a server error."""
    from openiop.resources import services

    family_invite(
        client=world.blair, share=share("new.person@example.test"), actor=world.blair.user
    )
    real_lookup = services._account_for
    lookups = iter([None])  # the first look finds nothing, as it did for the slower request
    monkeypatch.setattr(services, "_account_for", lambda email: next(lookups, real_lookup(email)))
    consent = family_invite(
        client=world.alex, share=share("new.person@example.test"), actor=world.alex.user
    )
    person = User.objects.get(email="new.person@example.test")
    assert consent.family_user == person and person.role == Role.FAMILY
    assert FamilyConsent.objects.filter(family_user=person).count() == 2
