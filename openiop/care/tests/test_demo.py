"""seed_demo's care part: Sam's signed plan and homework in each state; idempotent."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from openiop.care.models import Goal, Occurrence, PlanVersion


@pytest.mark.django_db
def test_demo_plan_and_homework_and_the_seed_is_idempotent() -> None:
    call_command("seed_demo", "--quiet", stdout=StringIO())
    call_command("seed_demo", "--quiet", stdout=StringIO())
    version = PlanVersion.objects.get(plan__client__user__email="sam@demo.openiop.test")
    assert version.is_fully_signed
    assert Goal.objects.filter(version=version).count() == 3
    now = timezone.now()
    states = sorted(o.status(now) for o in Occurrence.objects.all())
    assert states == ["due", "due", "overdue", "reviewed"]
