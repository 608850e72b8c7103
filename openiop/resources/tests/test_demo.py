"""seed_demo's resources part: a directory with a stale entry, a partner location with an
in-person session, the demo family member's active consent and a family video session they
may join within minutes; idempotent."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from openiop.accounts.models import User
from openiop.resources.family import consent_for, family_may_join
from openiop.resources.models import FamilyConsent, Resource
from openiop.resources.selectors import stale_count
from openiop.scheduling.models import Session, SessionKind


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
    assert consent.scopes == ["schedule", "attendance", "family_notes"]
    # Pat may join Sam's family session, whose room opens within minutes of seeding.
    family_session = Session.objects.get(
        kind=SessionKind.FAMILY,
        bookings__client__user__email="sam@demo.openiop.test",
        ends_at__gt=timezone.now(),
    )
    assert family_may_join(family, family_session)
    assert family_session.ends_at > timezone.now()  # the next free half hour (usually minutes)
