"""seed_demo's resources part: a directory with a stale entry, a partner location with an
in-person session, and the demo family member's active consent; idempotent."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from openiop.accounts.models import User
from openiop.resources.family import consent_for
from openiop.resources.models import FamilyConsent, Resource
from openiop.resources.selectors import stale_count
from openiop.scheduling.models import Session


@pytest.mark.django_db
def test_demo_directory_location_and_family_consent_are_seeded_once() -> None:
    call_command("seed_demo", "--quiet", stdout=StringIO())
    counts = (Resource.objects.count(), FamilyConsent.objects.count())
    call_command("seed_demo", "--quiet", stdout=StringIO())
    assert (Resource.objects.count(), FamilyConsent.objects.count()) == counts == (7, 1)
    assert stale_count(User.objects.get(email="director@demo.openiop.test")) == 1
    session = Session.objects.get(in_person_location__isnull=False)
    assert session.bookings.get().client.user.email == "sam@demo.openiop.test"
    assert session.starts_at > timezone.now()
    family = User.objects.get(email="family@demo.openiop.test")
    consent = consent_for(family, session.bookings.get().client_id, "attendance")
    assert consent.scopes == ["schedule", "attendance"]
