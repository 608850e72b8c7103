"""Help now: the client's plan, 988, support person, the local emergency number for where
they last confirmed, the help button; private and cached offline by a service worker."""

from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.test import Client as HttpClient

from openiop.accounts.models import User
from openiop.conftest import World
from openiop.programs.models import EmergencyContact
from openiop.safety.emergency_numbers import emergency_numbers
from openiop.safety.models import Alert, AlertPage
from openiop.safety.services import location_confirm, safety_plan_save
from openiop.safety.tests.support import WORKING, Capture

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("country", "main", "known"),
    [
        ("US", "911", True),
        ("CA", "911", True),
        ("GB", "999", True),
        ("FR", "112", True),
        ("de", "112", True),
        ("AU", "000", True),
        ("NZ", "111", True),
        ("IN", "112", True),
        ("ZZ", "911", False),
        ("", "911", False),
    ],
)
def test_emergency_number_by_country(country: str, main: str, known: bool) -> None:
    numbers = emergency_numbers(country)
    assert (numbers.main, numbers.known) == (main, known)


def test_gb_also_lists_112() -> None:
    assert emergency_numbers("GB").numbers == ("999", "112")


def test_help_now_shows_the_plan_988_support_person_and_local_number(
    world: World, login_as: Callable[[User], HttpClient]
) -> None:
    safety_plan_save(
        client=world.alex, actor=world.alex.user, sections={"coping_alone": "Call my sister"}
    )
    EmergencyContact.objects.create(
        client=world.alex,
        name="Pat Example",
        relationship="sister",
        phone="+12175550142",
        is_support_person=True,
        consent_to_contact=True,
    )
    location_confirm(
        client=world.alex, session=None, actor=world.alex.user, address="1 High St", country="GB"
    )
    response = login_as(world.alex.user).get("/help/")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'href="tel:999"' in body and 'href="tel:112"' in body
    assert 'href="tel:988"' in body and 'href="sms:988"' in body
    assert 'href="tel:+12175550142"' in body and "Call Pat Example" in body
    assert 'href="tel:+1 555 0100 999"' in body  # the program's on-call line
    assert "Call my sister" in body
    assert "I need help now" in body
    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
    assert "safety/help.js" in body


def test_a_support_person_without_consent_is_not_offered(
    world: World, login_as: Callable[[User], HttpClient]
) -> None:
    EmergencyContact.objects.create(
        client=world.alex,
        name="Pat Example",
        relationship="sister",
        phone="+12175550142",
        is_support_person=True,
        consent_to_contact=False,
    )
    body = login_as(world.alex.user).get("/help/").content.decode()
    assert "Pat Example" not in body
    assert 'href="tel:911"' in body  # no location yet: the default, with the advice
    assert "call your local emergency number" in body


def test_the_help_button_raises_one_high_alert_and_says_what_happens_next(
    world: World,
    login_as: Callable[[User], HttpClient],
    django_capture_on_commit_callbacks: Capture,
    mailoutbox: list[Any],
) -> None:
    with time_machine.travel(WORKING, tick=False):
        http = login_as(world.alex.user)
        with django_capture_on_commit_callbacks(execute=True):
            first = http.post("/help/alert/")
            http.post("/help/alert/")  # a second tap
        assert first.status_code == 302 and first["Location"] == "/help/sent/"
        sent = http.get("/help/sent/")
    assert "Your care team has been told" in sent.content.decode()
    (alert,) = Alert.objects.all()
    assert (alert.severity, alert.source, alert.raised_by) == (
        "high",
        "help_button",
        world.alex.user,
    )
    assert AlertPage.objects.get(alert=alert).recipient == world.casey
    assert len(mailoutbox) == 1
    assert login_as(world.casey).post("/help/alert/").status_code == 404  # staff have no button


def test_the_service_worker_is_served_for_the_help_scope(
    world: World, login_as: Callable[[User], HttpClient]
) -> None:
    response = login_as(world.alex.user).get("/help/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert response["Service-Worker-Allowed"] == "/help/"
    assert b"caches.open" in response.content


def test_help_now_is_on_the_client_home_page(
    world: World, login_as: Callable[[User], HttpClient]
) -> None:
    body = login_as(world.alex.user).get("/me/").content.decode()
    assert 'href="/help/"' in body
