"""A clinician records a client's answers in session on one page (#6 with #7): scored and
risk-checked like the client's own, marked as entered by staff; items the skip logic does
not ask are dropped, a missing answer is named and nothing is saved; only the care team's
clinicians may do it."""

from collections.abc import Callable

import pytest
from django.test import Client as HttpClient

from openiop.accounts.models import User
from openiop.conftest import World
from openiop.measures.models import Response, ResponseSource
from openiop.measures.tests.support import phq9
from openiop.safety.models import Alert

Login = Callable[[User], HttpClient]


def _url(world: World, code: str = "") -> str:
    base = f"/clients/{world.alex.pk}/measures/enter/"
    return f"{base}?instrument={code}" if code else base


def test_the_clinician_picks_a_questionnaire_and_saves_a_scored_phq9(
    world: World, login_as: Login
) -> None:
    casey = login_as(world.casey)
    measures = casey.get(f"/clients/{world.alex.pk}/measures/").content.decode()
    assert _url(world) in measures
    pick = casey.get(_url(world)).content.decode()
    assert "?instrument=phq9" in pick and "?instrument=cssrs_screen" in pick
    form = casey.get(_url(world, "phq9")).content.decode()
    assert "Little interest or pleasure in doing things" in form
    saved = casey.post(_url(world, "phq9"), {**phq9(12), "difficulty": "1"})
    assert saved.status_code == 302
    response = Response.objects.get(client=world.alex)
    assert (response.total, response.source) == (12, ResponseSource.CLINICIAN)
    assert response.alert_id is None
    follow = casey.get(saved["Location"]).content.decode()
    assert "Saved PHQ-9: 12 (Moderate)." in follow


def test_a_risky_answer_raises_the_alert_and_opens_the_crisis_panel(
    world: World, login_as: Login
) -> None:
    saved = login_as(world.casey).post(_url(world, "phq9"), {**phq9(10), "9": "1"})
    assert saved["Location"] == f"/clients/{world.alex.pk}/crisis-panel/"
    assert Alert.objects.filter(client=world.alex).count() == 1


def test_cssrs_on_one_page_drops_the_skipped_items_and_names_a_missing_one(
    world: World, login_as: Login
) -> None:
    casey = login_as(world.casey)
    # 2 is "no", so 3–5 are not asked: their answers are dropped, not refused; 6 is missing.
    missing = casey.post(
        _url(world, "cssrs_screen"), {"1": "no", "2": "no", "3": "yes", "4": "yes"}
    )
    assert missing.status_code == 400
    assert "is missing" in missing.content.decode()
    assert not Response.objects.exists() and not Alert.objects.exists()
    saved = casey.post(
        _url(world, "cssrs_screen"), {"1": "no", "2": "no", "3": "yes", "4": "yes", "6": "no"}
    )
    assert saved.status_code == 302
    response = Response.objects.get()
    assert set(response.answers) == {"1", "2", "6"}
    assert not Alert.objects.exists()


@pytest.mark.parametrize(("name", "status"), [("fran", 403), ("dale", 403), ("quinn", 404)])
def test_only_the_care_teams_clinicians_may_enter_answers(
    world: World, login_as: Login, name: str, status: int
) -> None:
    http = login_as(getattr(world, name))
    assert http.get(_url(world, "phq9")).status_code == status
    assert http.post(_url(world, "phq9"), phq9(5)).status_code == status
    assert not Response.objects.exists()
    if status == 403:  # sees the record, but not the link
        page = http.get(f"/clients/{world.alex.pk}/measures/").content.decode()
        assert _url(world) not in page
