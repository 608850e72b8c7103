"""Schedules per track, due and overdue in the client's zone, a C-SSRS made due by PHQ-9
item 9, and reliable change / response / remission on worked examples."""

from typing import Any

import pytest
import time_machine

from openiop.conftest import World
from openiop.measures import instruments
from openiop.measures.selectors import change_summary, due_for_clients
from openiop.measures.services import response_submit, schedule_set
from openiop.measures.tests.support import definition, phq9
from openiop.programs.tests.enrollment_support import drive_to, open_enrollments


def _due(world: World) -> dict[str, Any]:
    return {d.code: d for d in due_for_clients([world.alex.pk])[world.alex.pk]}


def _enrol(world: World, *, trauma: bool = False) -> Any:
    enrolled = open_enrollments(world)
    track = enrolled.mornings if trauma else enrolled.evenings
    return drive_to(enrolled.alex, "active", track=track, actor=world.dale)


def test_defaults_weekly_phq9_gad7_daily_checkin_cssrs_at_intake_no_pcl5(world: World) -> None:
    with time_machine.travel("2026-03-02 15:00:00Z", tick=False):
        _enrol(world)
        assert set(_due(world)) == {"phq9", "gad7", "cssrs_screen", "daily_checkin"}


def test_trauma_focused_tracks_add_the_pcl5(world: World) -> None:
    with time_machine.travel("2026-03-02 15:00:00Z", tick=False):
        _enrol(world, trauma=True)
        assert "pcl5" in _due(world)


def test_weekly_due_seven_days_later_overdue_two_days_after(world: World) -> None:
    with time_machine.travel("2026-03-02 15:00:00Z", tick=False) as clock:
        _enrol(world)
        response_submit(client=world.alex, actor=world.alex.user, code="phq9", answers=phq9(5))
        assert "phq9" not in _due(world)
        clock.move_to("2026-03-08 15:00:00Z")
        assert "phq9" not in _due(world)
        clock.move_to("2026-03-09 15:00:00Z")
        assert not _due(world)["phq9"].overdue
        clock.move_to("2026-03-11 15:00:00Z")
        assert _due(world)["phq9"].overdue


def test_days_are_counted_in_the_clients_zone_across_the_dst_change(world: World) -> None:
    # Alex lives in Chicago. Answered Saturday 7 March 23:30 local (05:30Z on the 8th); the
    # clocks go forward on Sunday 8 March. Due again on Saturday 14 March local, which in UTC
    # starts at 05:00Z on the 14th (CDT), not on the 15th.
    with time_machine.travel("2026-03-01 15:00:00Z", tick=False) as clock:
        _enrol(world)
        clock.move_to("2026-03-08 05:30:00Z")
        response_submit(client=world.alex, actor=world.alex.user, code="phq9", answers=phq9(5))
        clock.move_to("2026-03-14 04:30:00Z")  # still Friday the 13th, 23:30 CDT
        assert "phq9" not in _due(world)
        clock.move_to("2026-03-14 05:30:00Z")  # Saturday 00:30 CDT
        assert _due(world)["phq9"].due_on.isoformat() == "2026-03-14"


def test_phq9_item9_makes_a_cssrs_due_at_once_even_after_intake(world: World) -> None:
    with time_machine.travel("2026-03-02 15:00:00Z", tick=False) as clock:
        _enrol(world)
        response_submit(
            client=world.alex,
            actor=world.alex.user,
            code="cssrs_screen",
            answers={"1": False, "2": False, "6": False},
        )
        assert "cssrs_screen" not in _due(world)
        clock.shift(3600)
        response_submit(
            client=world.alex, actor=world.alex.user, code="phq9", answers=phq9(2, **{"9": 1})
        )
        assert "cssrs_screen" in _due(world)
        clock.move_to("2026-03-04 15:00:00Z")
        assert _due(world)["cssrs_screen"].overdue


def test_a_directors_schedule_replaces_the_defaults(world: World) -> None:
    with time_machine.travel("2026-03-02 15:00:00Z", tick=False):
        enrollment = _enrol(world)
        ids = {x.code: x.instrument.pk for x in instruments.available(world.program)}
        rules = {pk: (0, False) for pk in ids.values()}
        rules[ids["pcl5"]] = (14, False)
        schedule_set(track=enrollment.track, rules=rules, actor=world.dale)
        assert set(_due(world)) == {"pcl5"}


def test_referred_clients_have_nothing_due(world: World) -> None:
    open_enrollments(world)
    assert due_for_clients([world.alex.pk]) == {world.alex.pk: []}


# Worked examples (PHQ-9: reliable change 5 points, response a 50 % drop, remission < 5).
@pytest.mark.parametrize(
    ("baseline", "latest", "improved", "worsened", "responded", "remitted"),
    [
        (18, 13, True, False, False, False),  # down 5: reliable, not yet half
        (18, 14, False, False, False, False),  # down 4: within measurement error
        (18, 9, True, False, True, False),  # down exactly half
        (18, 4, True, False, True, True),  # remission
        (12, 5, True, False, True, False),  # 5 is not below 5: response, no remission
        (4, 0, False, False, True, False),  # started below the cut-off: no remission
        (9, 14, False, True, False, False),  # up 5: reliable worsening
        (0, 0, False, False, False, False),
    ],
)
def test_phq9_change_worked_examples(
    baseline: int, latest: int, improved: bool, worsened: bool, responded: bool, remitted: bool
) -> None:
    summary = change_summary(definition("phq9"), baseline, latest)
    assert (summary.improved, summary.worsened, summary.responded, summary.remitted) == (
        improved,
        worsened,
        responded,
        remitted,
    )
    assert summary.change == latest - baseline


def test_gad7_and_pcl5_use_their_own_reliable_change() -> None:
    assert change_summary(definition("gad7"), 12, 8).improved  # 4 points
    assert not change_summary(definition("pcl5"), 50, 41).improved  # 9 of 10
    assert change_summary(definition("pcl5"), 50, 40).improved


def test_the_discharge_summary_states_measure_change(world: World) -> None:
    from openiop.programs.selectors import MEASURE_CHANGE_PLACEHOLDER, measure_change_for

    with time_machine.travel("2026-03-02 15:00:00Z", tick=False) as clock:
        enrollment = _enrol(world)
        assert measure_change_for(enrollment) == MEASURE_CHANGE_PLACEHOLDER
        for total in (18, 12, 4):
            response_submit(
                client=world.alex, actor=world.alex.user, code="phq9", answers=phq9(total)
            )
            clock.shift(7 * 86400)
        text = measure_change_for(enrollment)
    assert text == (
        "PHQ-9: 18 on 2 Mar 2026 → 4 on 16 Mar 2026 "
        "(change -14: reliable improvement, response, remission; 3 results)."
    )
