"""The demo seed leaves one client through onboarding and one half-way (issue #3)."""

from io import StringIO

import pytest
from django.core.management import call_command

from openiop.programs.models import Client, ConsentSignature, EmergencyContact
from openiop.programs.onboarding import (
    Step,
    onboarding_progress,
    onboarding_required,
    telehealth_consent_signed,
)


@pytest.mark.django_db
def test_demo_has_a_finished_and_a_half_way_client_and_reruns_change_nothing() -> None:
    call_command("seed_demo", "--quiet", stdout=StringIO())
    rows = (ConsentSignature.objects.count(), EmergencyContact.objects.count())
    call_command("seed_demo", "--quiet", stdout=StringIO())
    assert (ConsentSignature.objects.count(), EmergencyContact.objects.count()) == rows

    alex = Client.objects.get(user__email="alex@demo.openiop.test")
    assert onboarding_progress(alex).is_complete and alex.onboarding_completed_at is not None
    assert not onboarding_required(alex)

    jordan = Client.objects.get(user__email="jordan@demo.openiop.test")
    progress = onboarding_progress(jordan)
    assert progress.next_step == Step.TREATMENT and progress.done_count == 2
    assert telehealth_consent_signed(jordan)
    assert onboarding_required(jordan)
