"""Referrals out: who may refer, status tracking, and records sent only with the client's
consent, as a disclosure in the audit trail naming the recipient."""

from collections.abc import Callable
from datetime import date

import pytest
from django.test import Client as HttpClient

from openiop.accounts.models import User
from openiop.audit.models import Action, AuditEvent
from openiop.conftest import World
from openiop.resources.models import Disclosure, DisclosureConsent, ReferralOut, Resource
from openiop.resources.services import resource_save

Login = Callable[[User], HttpClient]


@pytest.fixture
def clinic(world: World) -> Resource:
    return resource_save(
        program=world.program,
        actor=world.dale,
        name="Lakeshore Counseling (demo)",
        category="clinic",
        postal_code="60614",
        phone="312-555-0142",
        last_verified_on=date(2026, 11, 1),
    )


def _refer(http: HttpClient, world: World, clinic: Resource) -> ReferralOut:
    response = http.post(
        f"/clients/{world.alex.pk}/referrals-out/", {"kind": "therapy", "resource": clinic.pk}
    )
    assert response.status_code == 302, response.content.decode()
    return ReferralOut.objects.get()


def test_a_referral_sends_records_only_after_consent_and_the_export_is_audited(
    world: World, clinic: Resource, login_as: Login
) -> None:
    http = login_as(world.casey)
    referral = _refer(http, world, clinic)
    assert referral.provider_name == "Lakeshore Counseling (demo)"
    assert referral.status == "sent"
    page = f"/referrals-out/{referral.pk}/"

    # No consent yet: nothing goes.
    refused = http.post(page, {"action": "send"}, follow=True)
    assert "Records can only be sent with the client" in refused.content.decode()
    assert not Disclosure.objects.exists()
    assert not AuditEvent.objects.filter(action=Action.EXPORT).exists()

    # A consent without purpose or expiry is refused with nothing written.
    bad = http.post(page, {"action": "consent", "information": "Discharge summary"})
    assert bad.status_code == 400
    assert "Say what the information is for." in bad.content.decode()
    assert not DisclosureConsent.objects.exists()

    ok = http.post(
        page,
        {
            "action": "consent",
            "information": "Discharge summary and medication list",
            "purpose": "Continuity of care",
            "expires_on": "2099-01-31",
            "signed_name": "Alex Testperson",
        },
    )
    assert ok.status_code == 302
    consent = DisclosureConsent.objects.get()
    assert consent.recipient == "Lakeshore Counseling (demo)"

    sent = http.post(page, {"action": "send"})
    assert sent.status_code == 302
    disclosure = Disclosure.objects.get()
    assert disclosure.consent == consent and disclosure.recipient == consent.recipient
    event = AuditEvent.objects.get(action=Action.EXPORT)
    assert event.object_type == "referral_disclosure"
    assert event.object_id == str(disclosure.pk)
    assert event.client_id == world.alex.pk
    assert event.actor == world.casey
    assert event.reason == f"consent {consent.pk}; to Lakeshore Counseling (demo)"

    http.post(page, {"action": "status", "status": "scheduled"})
    referral.refresh_from_db()
    assert referral.status == "scheduled"
    listing = http.get(f"/clients/{world.alex.pk}/referrals-out/").content.decode()
    assert "Scheduled" in listing


def test_a_facilitator_reads_but_does_not_refer(
    world: World, clinic: Resource, login_as: Login
) -> None:
    http = login_as(world.fran)
    assert http.get(f"/clients/{world.alex.pk}/referrals-out/").status_code == 200
    response = http.post(f"/clients/{world.alex.pk}/referrals-out/", {"kind": "therapy"})
    assert response.status_code == 404
    assert not ReferralOut.objects.exists()


@pytest.mark.parametrize("name", ["quinn", "gale", "birch_clinician", "cora", "fay", "alex"])
def test_outside_the_care_team_is_404(
    world: World, clinic: Resource, login_as: Login, name: str
) -> None:
    referral = _refer(login_as(world.casey), world, clinic)
    persona = world.alex.user if name == "alex" else getattr(world, name)
    http = login_as(persona)
    assert http.get(f"/clients/{world.alex.pk}/referrals-out/").status_code == 404
    assert http.get(f"/referrals-out/{referral.pk}/").status_code == 404
    assert http.post(f"/referrals-out/{referral.pk}/", {"action": "send"}).status_code == 404
    assert http.get("/referrals-out/987654/").status_code == 404


def test_the_client_record_panel_links_the_pages(world: World, login_as: Login) -> None:
    page = login_as(world.casey).get(f"/clients/{world.alex.pk}/").content.decode()
    assert f"/clients/{world.alex.pk}/referrals-out/" in page
    assert "Shared with family" in page
