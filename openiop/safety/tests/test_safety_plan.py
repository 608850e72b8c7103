"""Safety plan: six sections, versions, both signatures, never an empty one; pages and API."""

from collections.abc import Callable
from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client as HttpClient

from openiop.accounts.models import User
from openiop.accounts.services import api_token_issue
from openiop.audit.models import AuditEvent
from openiop.conftest import World
from openiop.notify.models import Message
from openiop.safety.models import SafetyPlan
from openiop.safety.selectors import plan_defaults
from openiop.safety.services import EMPTY_PLAN, safety_plan_save, safety_plan_sign
from openiop.safety.tests.support import CHICAGO, WORKING

pytestmark = pytest.mark.django_db

WORDS = {"warning_signs": "I stop answering messages", "coping_alone": "Walk the dog"}


def _api(user: User) -> dict[str, str]:
    raw, _ = api_token_issue(user=user)
    return {"Authorization": f"Bearer {raw}"}


def test_a_plan_with_every_section_empty_cannot_be_signed(world: World) -> None:
    plan = safety_plan_save(client=world.alex, actor=world.casey, sections={})
    with pytest.raises(ValidationError) as refused:
        safety_plan_sign(plan=plan, actor=world.casey)
    assert refused.value.messages == [EMPTY_PLAN]
    blank = safety_plan_save(client=world.alex, actor=world.casey, sections={"coping_alone": "  "})
    with pytest.raises(ValidationError):
        safety_plan_sign(plan=blank, actor=world.alex.user)
    plan.refresh_from_db()
    assert plan.client_signed_at is None and plan.clinician_signed_at is None


def test_signed_by_both_then_a_change_makes_a_new_version(world: World) -> None:
    with time_machine.travel(WORKING, tick=False):
        draft = safety_plan_save(client=world.alex, actor=world.alex.user, sections=WORDS)
        again = safety_plan_save(client=world.alex, actor=world.casey, sections=WORDS)
        assert again.pk == draft.pk and again.version == 1  # a draft is edited in place
        assert draft.review_on == date(2026, 12, 2) + timedelta(days=30)
        safety_plan_sign(plan=again, actor=world.alex.user)
        signed = safety_plan_sign(plan=again, actor=world.casey)
        assert signed.is_signed and signed.clinician_signed_by == world.casey
        # Saving the same words again writes nothing new.
        same = safety_plan_save(client=world.alex, actor=world.casey, sections=WORDS)
        assert same.pk == signed.pk
        changed = safety_plan_save(
            client=world.alex, actor=world.alex.user, sections={**WORDS, "distractions": "Park"}
        )
    assert changed.version == 2 and not changed.has_signature
    # The review reminder for the primary clinician, 09:00 on the review day (program zone).
    reminders = Message.objects.filter(key=f"safety-plan-review:{world.alex.pk}:1")
    assert sorted(m.channel for m in reminders) == ["email", "inapp"]
    for reminder in reminders:
        assert reminder.user_id == world.casey.pk
        assert reminder.send_at == datetime(2027, 1, 1, 9, tzinfo=CHICAGO)
    assert list(SafetyPlan.objects.filter(client=world.alex).values_list("version", flat=True)) == [
        2,
        1,
    ]
    v1 = SafetyPlan.objects.get(client=world.alex, version=1)
    assert v1.distractions == "" and v1.is_signed  # history unchanged
    with pytest.raises(ValidationError):
        safety_plan_sign(plan=v1, actor=world.casey)  # only the current version


def test_only_the_client_and_their_clinicians_write_the_plan(world: World) -> None:
    for outsider in (world.fran, world.dale, world.quinn, world.blair.user):
        with pytest.raises(PermissionDenied):
            safety_plan_save(client=world.alex, actor=outsider, sections=WORDS)


def test_the_first_plan_starts_with_988_the_on_call_line_and_the_clinician(world: World) -> None:
    text = plan_defaults(world.alex)["professionals"]
    assert "988" in text and "+1 555 0100 999" in text and "Casey Primary" in text


def test_client_page_saves_signs_and_shows_history(
    world: World, login_as: Callable[[User], HttpClient]
) -> None:
    http = login_as(world.alex.user)
    page = http.get("/me/safety-plan/")
    assert page.status_code == 200
    assert "Signs that a crisis may be coming" in page.content.decode()
    assert "988" in page.content.decode()  # prefilled
    saved = http.post("/me/safety-plan/", {"warning_signs": "Not sleeping", "professionals": "988"})
    assert saved.status_code == 302
    http.post("/me/safety-plan/sign/")
    plan = SafetyPlan.objects.get(client=world.alex)
    assert plan.client_signed_at is not None and plan.clinician_signed_at is None
    staff = login_as(world.casey)
    assert staff.get(f"/clients/{world.alex.pk}/safety-plan/").status_code == 200
    staff.post(f"/clients/{world.alex.pk}/safety-plan/sign/")
    plan.refresh_from_db()
    assert plan.is_signed
    staff.post(
        f"/clients/{world.alex.pk}/safety-plan/",
        {"warning_signs": "Not sleeping; skipping meals", "professionals": "988"},
    )
    history = staff.get(f"/clients/{world.alex.pk}/safety-plan/").content.decode()
    assert "Version 2" in history and "?version=1" in history
    old = staff.get(f"/clients/{world.alex.pk}/safety-plan/?version=1")
    assert "Not sleeping" in old.content.decode() and "skipping" not in old.content.decode()
    reads = AuditEvent.objects.filter(object_type="safety.plan", action="read")
    assert reads.filter(client_id=world.alex.pk).count() >= 3


def test_facilitator_reads_but_may_not_change_the_plan(
    world: World, login_as: Callable[[User], HttpClient]
) -> None:
    http = login_as(world.fran)
    assert http.get(f"/clients/{world.alex.pk}/safety-plan/").status_code == 200
    assert http.post(f"/clients/{world.alex.pk}/safety-plan/", WORDS).status_code == 403
    assert not SafetyPlan.objects.exists()


def test_api_get_and_put_the_plan(world: World, client: HttpClient) -> None:
    url = f"/api/v1/clients/{world.alex.pk}/safety-plan"
    first = client.get(url, headers=_api(world.casey))
    assert first.status_code == 200
    assert first.json()["version"] is None and "988" in first.json()["professionals"]
    empty = client.put(
        url, {"sign": True}, content_type="application/json", headers=_api(world.casey)
    )
    assert empty.status_code == 422
    assert not SafetyPlan.objects.exists()  # nothing written when the signature is refused
    put = client.put(
        url, {**WORDS, "sign": True}, content_type="application/json", headers=_api(world.casey)
    )
    assert put.status_code == 200, put.content
    body = put.json()
    assert body["version"] == 1 and body["clinician_signed_at"] and not body["signed"]
    assert body["warning_signs"] == WORDS["warning_signs"]
    mine = client.put(
        url, {**WORDS, "sign": True}, content_type="application/json", headers=_api(world.alex.user)
    )
    assert mine.json()["signed"] is True
    assert client.get(url, headers=_api(world.quinn)).status_code == 404
    assert client.get(url, headers=_api(world.blair.user)).status_code == 404
    refused = client.put(url, WORDS, content_type="application/json", headers=_api(world.dale))
    assert refused.status_code == 403
    assert client.get(url).status_code == 401
