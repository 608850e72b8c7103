"""The demo seed gives every demo client an enrollment, in phases the board can show."""

from collections.abc import Callable
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client as HttpClient

from openiop.accounts.models import User
from openiop.demo import data
from openiop.programs.models import Client, Enrollment, EnrollmentTransition, Phase, Track


def _seed() -> None:
    call_command("seed_demo", "--quiet", stdout=StringIO())


@pytest.mark.django_db
def test_every_demo_client_has_an_enrollment_and_the_board_shows_the_phases(
    login_as: Callable[[User], HttpClient],
) -> None:
    _seed()
    counts = (
        Enrollment.objects.count(),
        EnrollmentTransition.objects.count(),
        Track.objects.count(),
    )
    _seed()  # idempotent
    assert counts == (
        Enrollment.objects.count(),
        EnrollmentTransition.objects.count(),
        Track.objects.count(),
    )
    emails = [email for email, *_rest in data.CLIENTS]
    for client in Client.objects.filter(user__email__in=emails):
        assert client.enrollments.exists(), client.user.email
    phases = set(Enrollment.objects.values_list("phase", flat=True))
    assert {Phase.REFERRED, Phase.INTAKE, Phase.ACTIVE, Phase.STEP_DOWN} <= phases
    active = Enrollment.objects.filter(phase=Phase.ACTIVE).select_related("client")
    assert any(e.track_id and e.client.care_team.filter(role="primary").exists() for e in active)
    assert Track.objects.filter(name="Young adult trauma — mornings (demo)").exists()

    director = User.objects.get(email="director@demo.openiop.test")
    body = login_as(director).get("/programs/riverbend-demo/board/").content.decode()
    assert "Adult mood — evenings (demo)" in body and "Waiting to start" in body
    assert "Placeholder" in body  # Jordan, referred, is waiting
