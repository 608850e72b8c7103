"""The in-session crisis panel: where the client is, matching local resources (or none), the
support person, the plan, a time-stamped checklist; staff only, audited, fixed queries."""

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import pytest
import time_machine
from django.test import Client as HttpClient

from openiop.accounts.models import User
from openiop.audit.models import AuditEvent
from openiop.conftest import World
from openiop.resources.services import resource_save
from openiop.safety.models import Alert, ChecklistTick, EmergencyResource
from openiop.safety.selectors import resources_matching
from openiop.safety.services import location_confirm
from openiop.safety.tests.support import WORKING

pytestmark = pytest.mark.django_db


def _resource(world: World, label: str, **where: str) -> EmergencyResource:
    return EmergencyResource.objects.create(
        program=world.program,
        label=label,
        dispatch_phone="217-555-0100",
        mobile_crisis_phone="217-555-0111",
        **where,
    )


def _confirm(world: World, **where: Any) -> Any:
    return location_confirm(
        client=world.alex, session=None, actor=world.alex.user, address="1 Elm St", **where
    )


def test_the_most_specific_local_entry_comes_first(world: World) -> None:
    country = _resource(world, "Whole US", country="US")
    state = _resource(world, "Illinois", country="US", region="IL")
    city = _resource(world, "Springfield", country="US", region="IL", city="Springfield")
    postal = _resource(world, "627xx", country="US", postal_prefix="627")
    _resource(world, "Chicago", country="US", region="IL", city="Chicago")
    _resource(world, "Ohio", country="US", region="OH")
    _resource(world, "Other program", country="US").delete()
    location = _confirm(world, city="springfield ", region="il", postal_code="62701", country="US")
    assert resources_matching(world.program.pk, location) == [postal, city, state, country]


def test_a_location_with_no_region_gets_national_numbers_and_no_local_entry(
    world: World, login_as: Callable[[User], HttpClient]
) -> None:
    _resource(world, "Illinois", country="US", region="IL")
    _confirm(world, country="US")
    response = login_as(world.casey).get(f"/clients/{world.alex.pk}/crisis-panel/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "No local entry for this location" in body
    assert 'href="tel:911"' in body and "988" in body and "+1 555 0100 999" in body
    assert "Illinois" not in body


def test_the_panel_shows_matching_resources_and_is_audited(
    world: World, login_as: Callable[[User], HttpClient]
) -> None:
    _resource(world, "Springfield", country="US", region="IL", city="Springfield")
    _confirm(world, city="Springfield", region="IL", postal_code="62701", country="US")
    before = AuditEvent.objects.count()
    body = login_as(world.casey).get(f"/clients/{world.alex.pk}/crisis-panel/").content.decode()
    assert "Springfield" in body and 'href="tel:217-555-0100"' in body
    assert "No local entry" not in body
    events = AuditEvent.objects.filter(seq__gt=before, client_id=world.alex.pk)
    assert events.filter(object_type="safety.crisis_panel", action="read").count() == 1


def test_checklist_steps_are_time_stamped(
    world: World, login_as: Callable[[User], HttpClient]
) -> None:
    moment = datetime(2026, 12, 2, 16, 3, 7, tzinfo=WORKING.tzinfo)
    with time_machine.travel(moment, tick=False):
        http = login_as(world.casey)
        back = http.post(f"/clients/{world.alex.pk}/crisis-panel/tick/", {"step": "support"})
        assert back.status_code == 302
        assert back["Location"] == f"/clients/{world.alex.pk}/#crisis-panel"
        bad = http.post(f"/clients/{world.alex.pk}/crisis-panel/tick/", {"step": "nonsense"})
        assert bad.status_code == 302
        body = http.get(f"/clients/{world.alex.pk}/crisis-panel/").content.decode()
    (tick,) = ChecklistTick.objects.all()
    assert (tick.step, tick.ticked_by, tick.ticked_at) == ("support", world.casey, moment)
    assert "16:03:07" in body


def test_clients_and_outsiders_get_404(
    world: World, login_as: Callable[[User], HttpClient]
) -> None:
    for person in (world.alex.user, world.quinn, world.birch_director):
        http = login_as(person)
        assert http.get(f"/clients/{world.alex.pk}/crisis-panel/").status_code == 404
        assert (
            http.post(f"/clients/{world.alex.pk}/crisis-panel/tick/", {"step": "plan"}).status_code
            == 404
        )
    assert not ChecklistTick.objects.exists()


def test_a_clinician_raises_an_alert_in_session(
    world: World, login_as: Callable[[User], HttpClient], django_capture_on_commit_callbacks: Any
) -> None:
    http = login_as(world.casey)
    with django_capture_on_commit_callbacks(execute=True):
        response = http.post(
            f"/clients/{world.alex.pk}/alerts/raise/",
            {"severity": "moderate", "reason": "Disclosed a plan in session"},
        )
    (alert,) = Alert.objects.all()
    assert response["Location"] == f"/alerts/{alert.pk}/"
    assert (alert.source, alert.severity, alert.raised_by) == ("clinician", "moderate", world.casey)
    empty = http.post(f"/clients/{world.alex.pk}/alerts/raise/", {"severity": "high", "reason": ""})
    assert empty.status_code == 302 and Alert.objects.count() == 1
    # A facilitator sees the record but does not raise alerts from it.
    fran = login_as(world.fran)
    refused = fran.post(
        f"/clients/{world.alex.pk}/alerts/raise/", {"severity": "low", "reason": "x"}
    )
    assert refused.status_code == 403


def test_the_client_record_shows_the_collapsed_panel_with_fixed_queries(
    world: World,
    login_as: Callable[[User], HttpClient],
) -> None:
    http = login_as(world.casey)
    body = http.get(f"/clients/{world.alex.pk}/").content.decode()
    assert "<summary>Crisis panel</summary>" in body
    assert "Raise the alert" in body


def _directory(world: World, name: str, postal_code: str, **extra: object) -> Any:
    fields: dict = {
        "name": name,
        "category": "emergency",
        "postal_code": postal_code,
        "city": "Testville",
        "region": "IL",
        "phone": "312-555-0150",
        "is_crisis": True,
        "last_verified_on": date(2026, 11, 1),
        **extra,
    }
    return resource_save(program=world.program, actor=world.dale, **fields)


def test_the_directorys_crisis_entries_near_the_client_are_shared_with_the_panel_and_help_now(
    world: World, login_as: Callable[[User], HttpClient]
) -> None:
    """The #10 directory is the shared home of crisis services: from a confirmed location in
    ZIP 60601, the crisis entry in 60614 (3.0 mi) and the online line show; one in
    Milwaukee 53202 (81.7 mi) and a non-crisis entry next door do not."""
    _directory(world, "Lincoln Park Emergency Dept (test)", "60614")
    _directory(world, "Milwaukee Crisis Center (test)", "53202")
    _directory(world, "Testville crisis text line", "", is_online=True, category="crisis_line")
    _directory(world, "Next-door peer group", "60601", is_crisis=False, category="peer_support")
    _confirm(world, city="Chicago", region="IL", postal_code="60601", country="US")
    panel = login_as(world.casey).get(f"/clients/{world.alex.pk}/crisis-panel/").content.decode()
    assert "Lincoln Park Emergency Dept (test)" in panel and "3.0 mi" in panel
    assert "Testville crisis text line" in panel
    assert "Milwaukee" not in panel and "Next-door peer group" not in panel
    help_now = login_as(world.alex.user).get("/help/").content.decode()
    assert "Lincoln Park Emergency Dept (test)" in help_now
    assert 'href="tel:312-555-0150"' in help_now


def test_abroad_only_the_online_crisis_entries_are_shown(
    world: World, login_as: Callable[[User], HttpClient]
) -> None:
    _directory(world, "Lincoln Park Emergency Dept (test)", "60614")
    _directory(world, "Testville crisis text line", "", is_online=True, category="crisis_line")
    _confirm(world, city="Toronto", region="ON", postal_code="M5V 2T6", country="CA")
    panel = login_as(world.casey).get(f"/clients/{world.alex.pk}/crisis-panel/").content.decode()
    assert "Testville crisis text line" in panel
    assert "Lincoln Park" not in panel
