"""The demo's safety data: a signed plan, a rota, local entries and one open alert; twice."""

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from openiop.safety.models import Alert, EmergencyResource, OnCallShift, SafetyPlan
from openiop.safety.routing import shift_at
from openiop.safety.selectors import crisis_view


@pytest.mark.django_db
def test_seed_safety_is_idempotent(django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", "--quiet", stdout=StringIO())
    models = (SafetyPlan, OnCallShift, EmergencyResource, Alert)
    counts = [m.objects.count() for m in models]
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", "--quiet", stdout=StringIO())
    assert counts == [
        m.objects.count() for m in (SafetyPlan, OnCallShift, EmergencyResource, Alert)
    ]
    plan = SafetyPlan.objects.get(client__user__email="alex@demo.openiop.test")
    assert plan.is_signed
    alert = Alert.objects.get(client__user__email="sam@demo.openiop.test")
    assert (alert.severity, alert.state) == ("moderate", "open")
    assert alert.pages.exists()  # routed to someone
    program = plan.client.program
    # Someone is on call on weekday evenings and over the weekend.
    first = OnCallShift.objects.filter(program=program).order_by("starts_at").first()
    assert first is not None and shift_at(program, first.starts_at) == first
    view = crisis_view(plan.client)
    assert [r.label for r in view.resources][:1] == ["Chicago north side (demo)"]
    assert view.support is not None and view.numbers.main == "911"
