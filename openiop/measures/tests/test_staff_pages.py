"""Staff see a client's trends (SVG + table), item answers (audited), the record panel and the
caseload badge; directors see outcomes (fixed queries, CSV audited), schedules, instruments."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client as HttpClient
from django.utils import timezone

from openiop.accounts.models import User
from openiop.audit.models import AuditEvent
from openiop.conftest import World
from openiop.measures import instruments
from openiop.measures.models import Response, ScheduleRule
from openiop.measures.services import response_submit
from openiop.measures.tests.support import phq9
from openiop.programs.testing import fill_program
from openiop.programs.tests.enrollment_support import drive_to, open_enrollments


def _history(world: World, totals: list[int]) -> list[Response]:
    start = timezone.now() - timedelta(days=7 * len(totals))
    out = []
    for week, total in enumerate(totals):
        with time_machine.travel(start + timedelta(days=7 * week), tick=False):
            out.append(
                response_submit(
                    client=world.alex, actor=world.alex.user, code="phq9", answers=phq9(total)
                ).response
            )
    return out


def _phq9_id(world: World) -> int:
    return next(x.instrument.pk for x in instruments.available(world.program) if x.code == "phq9")


def test_clinician_sees_the_trend_as_svg_with_bands_and_a_table(
    world: World, login_as: Callable[[User], HttpClient]
) -> None:
    _history(world, [18, 14, 9, 4])
    page = login_as(world.casey).get(f"/clients/{world.alex.pk}/measures/{_phq9_id(world)}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert '<svg class="trend"' in html and html.count("<rect") == 5  # five PHQ-9 bands
    assert "Moderately severe" in html and "<table" in html
    assert "Reliable change (5 points): yes, improved" in html
    assert "Remission (below 5): yes" in html
    assert AuditEvent.objects.filter(object_type="measures.trend", client_id=world.alex.pk).exists()


def test_item_answers_are_shown_on_demand_and_audited(
    world: World, login_as: Callable[[User], HttpClient]
) -> None:
    (response,) = _history(world, [6])
    http = login_as(world.casey)
    html = http.get(f"/clients/{world.alex.pk}/measures/responses/{response.pk}/").content.decode()
    assert "Little interest or pleasure in doing things" in html and "Nearly every day (3)" in html
    assert AuditEvent.objects.filter(
        object_type="measures.response", object_id=str(response.pk), action="read"
    ).exists()


@pytest.mark.parametrize("name", ["quinn", "birch_director", "cora", "fay", "blair", "alex"])
def test_outside_the_team_and_the_client_themself_get_404(
    world: World, login_as: Callable[[User], HttpClient], name: str
) -> None:
    (response,) = _history(world, [6])
    person = getattr(world, name)
    http = login_as(person.user if name in ("alex", "blair") else person)
    for url in (
        f"/clients/{world.alex.pk}/measures/",
        f"/clients/{world.alex.pk}/measures/{_phq9_id(world)}/",
        f"/clients/{world.alex.pk}/measures/responses/{response.pk}/",
    ):
        assert http.get(url).status_code == 404, url


def test_record_panel_and_client_home_panel(
    world: World, login_as: Callable[[User], HttpClient]
) -> None:
    with time_machine.travel("2026-03-02 15:00:00Z", tick=False):
        enrolled = open_enrollments(world)
        drive_to(enrolled.alex, "active", track=enrolled.evenings, actor=world.dale)
        _history(world, [12])
        record = login_as(world.casey).get(f"/clients/{world.alex.pk}/").content.decode()
        assert "Measures" in record and "PHQ-9" in record and "(Moderate)" in record
        home = login_as(world.alex.user).get("/me/").content.decode()
        assert "Questionnaires" in home and "Worry and nerves" in home
        assert "GAD-7" not in home


def test_caseload_badge_for_overdue_measures(
    world: World, login_as: Callable[[User], HttpClient]
) -> None:
    from openiop.lib.slots import badges_for

    with time_machine.travel("2026-03-02 15:00:00Z", tick=False) as clock:
        enrolled = open_enrollments(world)
        drive_to(enrolled.alex, "active", track=enrolled.evenings, actor=world.dale)
        clock.move_to("2026-03-06 15:00:00Z")
        badges = badges_for(world.casey, [world.alex.pk, world.blair.pk])
    texts = [b.text for b in badges[world.alex.pk]]
    assert any(t.startswith("Overdue: ") and "PHQ-9" in t for t in texts)
    assert all(b.weight == 1 for b in badges[world.alex.pk] if b.text.startswith("Overdue"))
    assert not any(b.text.startswith("Overdue") for b in badges[world.blair.pk])


def _outcomes_world(world: World, clients: int) -> None:
    enrolled = open_enrollments(world)
    filled = fill_program(world.program, clients=clients, tracks=[enrolled.evenings])
    version = instruments.current(code="phq9", program=world.program)
    assert version is not None
    now = timezone.now()
    rows = [
        Response(
            client=c,
            instrument=version.instrument,
            version=version.version,
            answers={},
            total=total,
            band="",
            submitted_at=now - timedelta(days=7 * (2 - week)),
            submitted_by=world.casey,
            source="clinician",
            body_digest=f"{c.pk}-{week}",
        )
        for c in filled
        for week, total in enumerate((16, 11, 7))
    ]
    Response.objects.bulk_create(rows)


@pytest.mark.parametrize("clients", [10, 60])
def test_outcomes_take_the_same_queries_at_any_size(
    world: World,
    login_as: Callable[[User], HttpClient],
    django_assert_num_queries: Callable[..., Any],
    clients: int,
) -> None:
    _outcomes_world(world, clients)
    http = login_as(world.dale)
    http.get(f"/programs/{world.program.slug}/outcomes/")  # warm: instruments loaded
    # Session, user, OTP device, program, instruments, tracks, schedule rules, enrollments,
    # response groups with their baseline and latest subqueries; the session's idle-timeout
    # save (savepoint, update, release).
    with django_assert_num_queries(12):
        page = http.get(f"/programs/{world.program.slug}/outcomes/")
    html = page.content.decode()
    assert "PHQ-9" in html and "100.0 %" in html  # 16 → 7: everyone responded


def test_outcomes_csv_is_an_audited_export(
    world: World, login_as: Callable[[User], HttpClient]
) -> None:
    _outcomes_world(world, 3)
    http = login_as(world.dale)
    response = http.get(f"/programs/{world.program.slug}/outcomes/?format=csv")
    lines = response.content.decode().splitlines()
    assert lines[0].startswith("track,instrument,clients,baseline_mean")
    phq9_row = next(line for line in lines if line.startswith("Adult mood — evenings,PHQ-9,"))
    assert ",16.0,7.0,100.0,100.0,0.0,0.0," in phq9_row  # improved, responded, not remitted
    assert AuditEvent.objects.filter(object_type="measures.outcomes", action="export").exists()
    assert login_as(world.casey).get(f"/programs/{world.program.slug}/outcomes/").status_code == 404


def test_director_changes_a_tracks_schedule(
    world: World, login_as: Callable[[User], HttpClient]
) -> None:
    enrolled = open_enrollments(world)
    http = login_as(world.dale)
    url = f"/programs/{world.program.slug}/measures/schedules/"
    ids = {x.code: x.instrument.pk for x in instruments.available(world.program)}
    assert "Young adult trauma" in http.get(url).content.decode()
    bad = http.post(url, {"track": enrolled.evenings.pk, f"every-{ids['phq9']}": "-3"})
    assert bad.status_code == 400 and not ScheduleRule.objects.exists()
    saved = http.post(
        url,
        {
            "track": enrolled.evenings.pk,
            f"every-{ids['phq9']}": "14",
            f"intake-{ids['pcl5']}": "on",
        },
    )
    assert saved.status_code == 302
    rules = {r.instrument_id: (r.every_days, r.at_intake) for r in ScheduleRule.objects.all()}
    assert rules[ids["phq9"]] == (14, False) and rules[ids["pcl5"]] == (0, True)
    assert rules[ids["gad7"]] == (0, False)


def test_director_publishes_a_program_instrument_from_json(
    world: World, login_as: Callable[[User], HttpClient]
) -> None:
    import json

    from openiop.measures.tests.test_instrument_upload import custom_definition

    http = login_as(world.dale)
    url = f"/programs/{world.program.slug}/measures/instruments/"
    assert http.post(url, {"definition": "{not json"}).status_code == 400
    assert http.post(url, {"definition": json.dumps(custom_definition())}).status_code == 302
    assert "sleep_diary" in [x.code for x in instruments.available(world.program)]


def test_directors_find_outcomes_from_their_home_page(
    world: World, login_as: Callable[[User], HttpClient]
) -> None:
    home = login_as(world.dale).get("/").content.decode()
    assert f'href="/programs/{world.program.slug}/outcomes/"' in home
    assert "/outcomes/" not in login_as(world.casey).get("/").content.decode()
