"""Browser: a clinician acknowledges and resolves an alert from the staff home page, and
cannot resolve without saying what happened."""

import pytest
from django.db import transaction
from playwright.sync_api import expect

from openiop.browser import NewPage, a11y_problems, horizontal_overflow, sign_in
from openiop.conftest import World
from openiop.safety.models import Alert
from openiop.safety.services import alert_raise

pytestmark = pytest.mark.browser


def test_clinician_acknowledges_then_resolves_with_an_outcome(
    world: World, new_page: NewPage
) -> None:
    with transaction.atomic():
        alert = alert_raise(
            client=world.alex, severity="high", source="measure", reason="PHQ-9 item 9: 2"
        )
    page = new_page("phone")
    sign_in(page, world.casey)
    expect(page.get_by_role("heading", name="Alerts for you (1)")).to_be_visible()
    page.get_by_role("link", name="High: Alex Testperson").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("High alert: Alex Testperson")
    assert a11y_problems(page) == []
    assert horizontal_overflow(page) == 0
    page.get_by_role("button", name="I have this alert").click()
    expect(page.get_by_text("Acknowledged: escalation stopped")).to_be_visible()
    page.get_by_role("button", name="Resolve the alert").click()
    expect(page.get_by_text("Choose what happened before resolving the alert.")).to_be_visible()
    page.get_by_label("What happened").select_option("support_contacted")
    page.get_by_label("Note", exact=True).fill("Spoke with the support person; safe at home.")
    page.get_by_role("button", name="Resolve the alert").click()
    expect(page.get_by_text("Resolved.")).to_be_visible()
    alert.refresh_from_db()
    assert (alert.state, alert.outcome, alert.resolved_by) == (
        "resolved",
        "support_contacted",
        world.casey,
    )
    assert Alert.objects.count() == 1
