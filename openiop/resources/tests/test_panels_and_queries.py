"""Panels and pages keep a fixed number of queries; the family safety-plan page."""

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from django.test import Client as HttpClient
from django.test import RequestFactory
from django.utils import timezone

from openiop.accounts.models import User
from openiop.conftest import World
from openiop.family.panels import family_home
from openiop.resources import panels
from openiop.resources.services import FamilyShare, family_invite, resource_save
from openiop.safety.models import SafetyPlan

Login = Callable[[User], HttpClient]


def _request(user: User) -> object:
    request = RequestFactory().get("/")
    request.user = user
    return request


def _share(email: str, scopes: set[str]) -> FamilyShare:
    return FamilyShare(
        email=email,
        name="Fay Family",
        relationship="sister",
        scopes=frozenset(scopes),
        purpose="Support",
        expires_at=timezone.now() + timedelta(days=30),
        signed_name="Signed",
    )


@pytest.mark.parametrize("entries", [1, 12])
def test_staff_home_panel_is_two_queries(
    world: World, django_assert_num_queries: Callable, entries: int
) -> None:
    for n in range(entries):
        resource_save(
            program=world.program,
            actor=world.dale,
            name=f"Entry {n}",
            category="lab",
            postal_code="60614",
            last_verified_on=date(2020, 1, 1),
        )
    # the user's programs; stale entries counted per program
    with django_assert_num_queries(2):
        html = panels.staff_home(_request(world.casey), None)  # type: ignore[arg-type]
    assert f"{entries} {'entry needs' if entries == 1 else 'entries need'} checking" in str(html)


@pytest.mark.parametrize("clients", [1, 2])
def test_family_home_panel_is_two_queries(
    world: World, django_assert_num_queries: Callable, clients: int
) -> None:
    for client in [world.alex, world.blair][:clients]:
        family_invite(
            client=client, share=_share("fay@example.test", {"schedule"}), actor=client.user
        )
    # the active consents with their clients; family sessions open now (none here)
    with django_assert_num_queries(2):
        html = family_home(_request(world.fay), None)  # type: ignore[arg-type]
    assert "Alex" in str(html)


def test_client_record_panel_is_fixed(world: World, django_assert_num_queries: Callable) -> None:
    family_invite(
        client=world.alex, share=_share("fay@example.test", {"schedule"}), actor=world.alex.user
    )
    # the care-team check, the referral counts, the active consents
    with django_assert_num_queries(3):
        html = panels.client_record(_request(world.casey), world.alex)  # type: ignore[arg-type]
    assert "Fay Family (sister; My session schedule and family sessions" in str(html)
    assert panels.client_record(_request(world.quinn), world.alex) is None  # type: ignore[arg-type]


def test_family_sees_the_signed_safety_plan_only_when_consented(
    world: World, login_as: Login
) -> None:
    now = timezone.now()
    SafetyPlan.objects.create(
        client=world.alex,
        version=1,
        warning_signs="Not sleeping (test text)",
        review_on=date(2027, 1, 1),
        client_signed_at=now,
        clinician_signed_at=now,
        clinician_signed_by=world.casey,
    )
    family_invite(
        client=world.alex, share=_share("fay@example.test", {"safety_plan"}), actor=world.alex.user
    )
    http = login_as(world.fay)
    page = http.get(f"/family/clients/{world.alex.pk}/safety-plan/")
    assert page.status_code == 200 and "Not sleeping (test text)" in page.content.decode()
    assert http.get(f"/family/clients/{world.alex.pk}/schedule/").status_code == 404
