"""The intake queue (/intake/): who sees which clients, their onboarding progress, query count."""

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from openiop.accounts.models import User
from openiop.audit.testing import list_read_audit_queries
from openiop.conftest import World
from openiop.programs.models import (
    CareTeamMember,
    Client,
    ConsentDocument,
    ConsentSignature,
    Enrollment,
    Phase,
)
from openiop.programs.onboarding import current_consent
from openiop.programs.services import (
    HomeAddress,
    consent_sign,
    enrollment_open,
    enrollment_transition,
    onboarding_contacts_save,
    onboarding_welcome_seen,
)
from openiop.programs.services.onboarding import ContactDetails

LoginAs = Callable[[User], HttpClient]


@pytest.fixture
def queue(world: World) -> World:
    """Alex referred (welcome seen, telehealth consent signed); Blair in intake, nothing done."""
    enrollment_open(client=world.alex, program=world.program, actor=None)
    blair = enrollment_open(client=world.blair, program=world.program, actor=None)
    enrollment_transition(enrollment=blair, to_phase="intake", reason="call booked", actor=None)
    onboarding_welcome_seen(client=world.alex, actor=world.alex.user)
    telehealth = current_consent("telehealth")
    assert telehealth is not None
    consent_sign(
        client=world.alex,
        document=telehealth,
        typed_name="Alex Testperson",
        agreed=True,
        actor=world.alex.user,
    )
    return world


def _rows(http: HttpClient) -> list[list[str]]:
    """The queue's rows, each as the text of its cells."""
    response = http.get("/intake/")
    assert response.status_code == 200
    body = response.text.split("<tbody>", 1)[-1]
    return [
        [" ".join(re.sub(r"<[^>]+>", " ", cell).split()) for cell in cells]
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
        if (cells := re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S))
    ]


def _names(http: HttpClient) -> list[str]:
    return [row[0].split(" Maple")[0] for row in _rows(http)]


def test_clinician_sees_their_clients_in_referral_with_progress_in_words(
    queue: World, login_as: LoginAs
) -> None:
    [row] = _rows(login_as(queue.casey))
    assert row[0] == "Alex Testperson Maple Test IOP"
    assert row[1] == "Referred"
    # welcome, telehealth consent, treatment consent, contacts, device check
    assert row[3:] == ["Done", "Done", "Not yet", "Not yet", "Not yet"]


def test_director_sees_every_client_of_their_program_longest_waiting_first(
    queue: World, login_as: LoginAs
) -> None:
    Enrollment.objects.filter(client=queue.blair).update(
        referred_at=timezone.now() - timedelta(days=3)
    )
    rows = _rows(login_as(queue.dale))
    assert [row[0] for row in rows] == [
        "Blair Otherperson Maple Test IOP",
        "Alex Testperson Maple Test IOP",
    ]
    assert rows[0][1:3] == ["Intake", "3 days"]
    assert rows[0][3:] == ["Not yet"] * 5


def test_only_clients_the_user_may_see_appear(queue: World, login_as: LoginAs) -> None:
    assert _names(login_as(queue.quinn)) == ["Blair Otherperson"]
    assert _rows(login_as(queue.birch_director)) == []
    assert _rows(login_as(queue.birch_clinician)) == []


def test_clients_past_intake_leave_the_queue(queue: World, login_as: LoginAs) -> None:
    enrollment = Enrollment.objects.get(client=queue.blair)
    enrollment_transition(enrollment=enrollment, to_phase="withdrawn", reason="moved", actor=None)
    assert _names(login_as(queue.dale)) == ["Alex Testperson"]


def test_a_consent_to_sign_again_is_named(queue: World, login_as: LoginAs) -> None:
    old = current_consent("telehealth")
    assert old is not None
    ConsentDocument.objects.create(kind="telehealth", version=2, title=old.title, body=old.body)
    [row] = _rows(login_as(queue.casey))
    assert row[3:] == ["Done", "New version to sign", "Not yet", "Not yet", "Not yet"]


@pytest.mark.parametrize("persona", ["alex", "fay", "cora", "ada", "fran", "gale"])
def test_clients_family_compliance_admin_and_facilitators_get_404(
    queue: World, login_as: LoginAs, persona: str
) -> None:
    person = getattr(queue, persona)
    user = person.user if isinstance(person, Client) else person
    assert login_as(user).get("/intake/").status_code == 404


def test_anonymous_visitor_is_sent_to_sign_in(queue: World, client: HttpClient) -> None:
    response = client.get("/intake/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_intake_link_is_in_the_nav_for_clinicians_and_directors_only(
    queue: World, login_as: LoginAs
) -> None:
    assert 'href="/intake/"' in login_as(queue.casey).get("/").text
    assert 'href="/intake/"' in login_as(queue.dale).get("/").text
    assert 'href="/intake/"' not in login_as(queue.fran).get("/").text


def _fill(world: World, count: int) -> None:
    """`count` referred clients on Casey's caseload, some part-way through onboarding."""
    telehealth = current_consent("telehealth")
    users = User.objects.bulk_create(
        User(email=f"bulk{i}@example.test", role="client") for i in range(count)
    )
    clients = Client.objects.bulk_create(
        Client(
            user=user,
            program=world.program,
            first_name=f"Bulk{i}",
            last_name="Client",
            time_zone="America/Chicago",
            onboarding_welcome_at=timezone.now() if i % 2 else None,
        )
        for i, user in enumerate(users)
    )
    Enrollment.objects.bulk_create(
        Enrollment(client=c, program=world.program, phase=Phase.REFERRED) for c in clients
    )
    CareTeamMember.objects.bulk_create(
        CareTeamMember(client=c, user=world.casey, role="primary") for c in clients
    )
    ConsentSignature.objects.bulk_create(
        ConsentSignature(client=c, document=telehealth, typed_name="x") for c in clients[::3]
    )


@pytest.mark.parametrize("count", [10, 300])
@pytest.mark.parametrize("who", ["casey", "dale"])
def test_queue_runs_a_fixed_number_of_queries(
    world: World,
    login_as: LoginAs,
    django_assert_num_queries: Callable,
    count: int,
    who: str,
) -> None:
    _fill(world, count)
    http = login_as(getattr(world, who))
    # 1 the session row, 2 the signed-in user, 3 their TOTP device (django-otp), 4 the queue
    # itself: enrollments joined to client, program and track, the visibility rule as a
    # subquery, and per consent column an EXISTS against the current version's id; then the
    # idle-timeout middleware saves the session's last activity: 5 SAVEPOINT, 6 UPDATE of
    # the session row, 7 RELEASE SAVEPOINT; and the read events of the listed clients,
    # written together.
    with django_assert_num_queries(7 + list_read_audit_queries()):
        response = http.get("/intake/")
    assert response.status_code == 200
    assert response.text.count('<th scope="row">') == count


def test_address_step_shows_as_done_once_contacts_are_saved(
    queue: World, login_as: LoginAs
) -> None:
    onboarding_contacts_save(
        client=queue.alex,
        address=HomeAddress("12 Elm Street", "Springfield", "IL", "62701", "US"),
        contact=ContactDetails("Sam Testperson", "sister", "+1 312 555 0142", True, True),
        actor=queue.alex.user,
    )
    [row] = _rows(login_as(queue.casey))
    assert row[3:] == ["Done", "Done", "Not yet", "Done", "Not yet"]
