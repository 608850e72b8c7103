"""The client's questionnaire pages: one question per screen, a resumable draft, a review,
one scored response, a plain thank-you, and Help now straight after a risky answer."""

import re
from collections.abc import Callable

import pytest
from django.test import Client as HttpClient

from openiop.accounts.models import User
from openiop.audit.models import AuditEvent
from openiop.conftest import World
from openiop.measures import instruments
from openiop.measures.models import Draft, Response
from openiop.safety.models import Alert


def _ids(world: World) -> dict[str, int]:
    return {x.code: x.instrument.pk for x in instruments.available(world.program)}


@pytest.fixture
def alex(world: World, login_as: Callable[[User], HttpClient]) -> HttpClient:
    return login_as(world.alex.user)


def _answer(http: HttpClient, instrument_id: int, number: int, value: str) -> str:
    response = http.post(f"/me/measures/{instrument_id}/q/{number}/", {"answer": value})
    assert response.status_code == 302, response.content.decode()[:500]
    return str(response["Location"])


def test_phq9_one_question_per_screen_then_review_then_thanks(
    world: World, alex: HttpClient
) -> None:
    phq9 = _ids(world)["phq9"]
    assert alex.get(f"/me/measures/{phq9}/")["Location"] == f"/me/measures/{phq9}/q/1/"
    page = alex.get(f"/me/measures/{phq9}/q/3/", follow=True).content.decode()
    assert "Question 1 of 10" in page
    assert "<legend>" in page and 'type="radio"' in page
    for number in range(1, 10):
        location = _answer(alex, phq9, number, "1" if number < 9 else "0")
        assert location.endswith(f"/q/{number + 1}/")
    assert not Response.objects.exists()  # the draft is not scored
    assert Draft.objects.get().answers["3"] == 1
    assert _answer(alex, phq9, 10, "").endswith("/review/")  # the difficulty item is optional
    review = alex.get(f"/me/measures/{phq9}/review/").content.decode()
    assert "Nearly every day" not in review and "Several days" in review
    assert "educational grant from Pfizer Inc." in review
    done = alex.post(f"/me/measures/{phq9}/review/", follow=True)
    page = done.content.decode()
    assert "Your care team will look at your answers with you." in page
    response = Response.objects.get()
    assert (response.total, response.band) == (8, "mild")
    for label in ("mild", "Mild", "depress", "8"):
        assert label not in page.split("<main")[1], label  # no score, band or diagnosis
    assert not Draft.objects.exists()


def test_the_draft_resumes_at_the_first_unanswered_question(world: World, alex: HttpClient) -> None:
    gad7 = _ids(world)["gad7"]
    _answer(alex, gad7, 1, "2")
    _answer(alex, gad7, 2, "0")
    assert alex.get(f"/me/measures/{gad7}/")["Location"] == f"/me/measures/{gad7}/q/3/"
    page = alex.get(f"/me/measures/{gad7}/q/1/").content.decode()
    assert re.search(r'<input[^>]*value="2"[^>]*checked', page)  # the saved answer, shown again
    assert AuditEvent.objects.filter(
        object_type="measures.draft", action="read", client_id=world.alex.pk
    ).exists()


def test_an_out_of_range_answer_is_refused_and_not_kept(world: World, alex: HttpClient) -> None:
    phq9 = _ids(world)["phq9"]
    refused = alex.post(f"/me/measures/{phq9}/q/1/", {"answer": "7"})
    assert refused.status_code == 400
    assert not Draft.objects.exists()


def test_a_risky_answer_shows_crisis_help_next_and_submitting_opens_help_now(
    world: World, alex: HttpClient
) -> None:
    phq9 = _ids(world)["phq9"]
    for number in range(1, 9):
        _answer(alex, phq9, number, "0")
    _answer(alex, phq9, 9, "2")
    nxt = alex.get(f"/me/measures/{phq9}/q/10/").content.decode()
    assert 'href="tel:988"' in nxt
    submitted = alex.post(f"/me/measures/{phq9}/review/")
    assert submitted["Location"] == "/help/"
    assert Alert.objects.get().severity == "high"
    # A second tap on Send: no second response, still the crisis page.
    again = alex.post(f"/me/measures/{phq9}/review/")
    assert again["Location"] == "/help/"
    assert Response.objects.count() == 1 and Alert.objects.count() == 1


def test_cssrs_skip_logic_drops_answers_that_are_no_longer_asked(
    world: World, alex: HttpClient
) -> None:
    cssrs = _ids(world)["cssrs_screen"]
    _answer(alex, cssrs, 1, "no")
    assert _answer(alex, cssrs, 2, "yes").endswith("/q/3/")
    _answer(alex, cssrs, 3, "no")
    _answer(alex, cssrs, 1, "no")
    assert _answer(alex, cssrs, 2, "no").endswith("/q/3/")  # question 3 is now item 6
    assert set(Draft.objects.get().answers) == {"1", "2"}
    page = alex.get(f"/me/measures/{cssrs}/q/3/").content.decode()
    assert "Question 3 of 3" in page and "end your life" in page


def test_checkin_crisis_words_raise_one_alert_and_open_help_now(
    world: World, alex: HttpClient
) -> None:
    checkin = _ids(world)["daily_checkin"]
    _answer(alex, checkin, 1, "3")
    _answer(alex, checkin, 2, "5.5")
    _answer(alex, checkin, 3, "skill_1")
    _answer(alex, checkin, 4, "I keep thinking I'd be better off dead")
    assert alex.post(f"/me/measures/{checkin}/review/")["Location"] == "/help/"
    alert = Alert.objects.get()
    assert (alert.severity, alert.source) == ("high", "checkin")


def test_staff_and_other_clients_have_no_me_pages(
    world: World, login_as: Callable[[User], HttpClient]
) -> None:
    phq9 = _ids(world)["phq9"]
    http = login_as(world.casey)
    assert http.get(f"/me/measures/{phq9}/q/1/").status_code == 404
    assert http.get("/me/measures/").status_code == 404
