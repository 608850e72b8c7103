from io import StringIO

import pytest
from django.core.management import call_command

from openiop.lib import clock


def test_each_job_runs_when_its_interval_has_passed() -> None:
    ran: list[str] = []
    last: dict[str, float] = {}

    assert clock.tick(0, last, lambda name, *a: ran.append(name)) == [n for n, *_ in clock.JOBS]
    assert clock.tick(59, last, lambda name, *a: ran.append(name)) == []
    assert clock.tick(60, last, lambda name, *a: ran.append(name)) == [
        "safety_sweep",
        "measures_sweep",
        "notify_dispatch",
        "rooms_close",
    ]


def test_a_failing_job_does_not_stop_the_others() -> None:
    def run(name: str, *arguments: str) -> None:
        if name == "safety_sweep":
            raise RuntimeError("database busy")

    assert "notify_dispatch" in clock.tick(0, {}, run)


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "arguments", "_every"), clock.JOBS)
def test_every_clock_job_is_a_real_command_that_runs_on_an_empty_database(
    name: str, arguments: list[str], _every: int
) -> None:
    call_command(name, *arguments, stdout=StringIO())
