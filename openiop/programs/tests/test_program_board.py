"""The director's program board (/programs/<slug>/board/) and the caseload on the home page:
what they show, who may open them, and a query count that does not grow with the clients."""

from collections.abc import Callable
from contextlib import AbstractContextManager as ContextManager

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext

from openiop.accounts.models import User
from openiop.audit.testing import list_read_audit_queries
from openiop.conftest import World
from openiop.programs.models import Phase
from openiop.programs.services import care_team_add
from openiop.programs.testing import fill_program
from openiop.programs.tests.enrollment_support import (
    Enrolled,
    drive_to,
    open_enrollments,
    persona,
)

AssertQueries = Callable[[int], ContextManager[object]]


@pytest.fixture
def enrolled(world: World) -> Enrolled:
    return open_enrollments(world)


def _board(world: World) -> str:
    return f"/programs/{world.program.slug}/board/"


def test_board_shows_tracks_capacity_phases_and_who_is_waiting(
    enrolled: Enrolled, login_as: Callable[[User], HttpClient]
) -> None:
    world = enrolled.world
    drive_to(enrolled.alex, Phase.ACTIVE, track=enrolled.evenings, actor=world.casey)
    fill_program(world.program, clients=11, tracks=[enrolled.evenings])  # 3 more in evenings
    response = login_as(world.dale).get(_board(world))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Adult mood — evenings" in body and "Young adult trauma — mornings" in body
    assert "None: over by 2" in body  # capacity 2, Alex + 3 filled clients enrolled
    assert "Teen skills" not in body  # the other program's track
    assert "Waiting to start" in body
    assert "Otherperson" in body  # Blair, referred, is waiting
    assert "Quinn Unassigned" in body  # ... with Quinn as primary clinician
    assert "Needs a track" in body
    assert f'href="/clients/{world.blair.pk}/"' in body
    assert f'href="/clients/{world.alex.pk}/"' not in body  # Alex is active, not waiting


def test_board_counts_clients_per_phase(
    enrolled: Enrolled, login_as: Callable[[User], HttpClient]
) -> None:
    world = enrolled.world
    drive_to(enrolled.alex, Phase.STEP_DOWN, track=enrolled.evenings, actor=world.dale)
    response = login_as(world.dale).get(_board(world))
    board = response.context["board"]
    counts = {phase: n for phase, _label, n in board.phases}
    assert counts[Phase.REFERRED] == 1 and counts[Phase.STEP_DOWN] == 1
    assert counts[Phase.ACTIVE] == 0
    assert board.enrolled_total == 1 and board.waiting_total == 1
    assert board.capacity_total == enrolled.evenings.capacity + enrolled.mornings.capacity


@pytest.mark.parametrize(
    "name", ["casey", "fran", "quinn", "gale", "birch_director", "cora", "ada", "alex", "fay"]
)
def test_only_the_programs_directors_open_its_board(
    enrolled: Enrolled, login_as: Callable[[User], HttpClient], name: str
) -> None:
    client = login_as(persona(enrolled.world, name))
    assert client.get(_board(enrolled.world)).status_code == 404
    assert client.get("/programs/no-such-program/board/").status_code == 404


def test_the_other_programs_director_sees_their_own_board(
    enrolled: Enrolled, login_as: Callable[[User], HttpClient]
) -> None:
    response = login_as(enrolled.world.birch_director).get("/programs/birch/board/")
    assert response.status_code == 200
    assert "Teen skills" in response.content.decode()


def test_directors_home_links_to_the_board(
    enrolled: Enrolled, login_as: Callable[[User], HttpClient]
) -> None:
    body = login_as(enrolled.world.dale).get("/").content.decode()
    assert f'href="{_board(enrolled.world)}"' in body
    assert 'href="/programs/birch/board/"' not in body


def test_caseload_shows_each_clients_phase_and_track(
    enrolled: Enrolled, login_as: Callable[[User], HttpClient]
) -> None:
    world = enrolled.world
    drive_to(enrolled.alex, Phase.ACTIVE, track=enrolled.mornings, actor=world.casey)
    body = login_as(world.casey).get("/").content.decode()
    assert "<td>Active</td>" in body
    assert "Young adult trauma — mornings" in body
    body = login_as(world.quinn).get("/").content.decode()
    assert "<td>Referred</td>" in body


def _grow_to(world: World, enrolled: Enrolled, total: int) -> None:
    """Bring Maple to `total` filled clients, all on Casey's caseload."""
    have = world.program.clients.filter(user__email__endswith="@fill.openiop.test").count()
    fill_program(
        world.program,
        clients=total - have,
        tracks=[enrolled.evenings, enrolled.mornings],
        primary=world.casey,
        prefix=f"grow{have}-",
    )


@pytest.mark.parametrize("who", ["dale", "casey"])
def test_board_and_caseload_query_counts_do_not_grow_with_clients(
    enrolled: Enrolled,
    login_as: Callable[[User], HttpClient],
    django_assert_num_queries: AssertQueries,
    who: str,
) -> None:
    world = enrolled.world
    care_team_add(client=world.blair, user=world.casey, role="clinician", actor=None)
    client = login_as(persona(world, who))
    client.get("/")  # the first request stores the session's timestamps

    def board() -> None:
        # Session, user, OTP device; the program (directed by the user); tracks with their
        # enrolled and waiting counts; enrollments counted per phase; the waiting queue with
        # client, track and referral joined and the primary clinician as a subquery; then the
        # session's idle timestamp saved inside a savepoint (SAVEPOINT, UPDATE, RELEASE); the
        # read events of the clients shown waiting, written together.
        with django_assert_num_queries(10 + list_read_audit_queries()):
            response = client.get(_board(world))
        assert response.status_code == 200

    def caseload() -> int:
        # Session, user, OTP device; the caseload counted (for its pages); one page of it with
        # the program joined and each client's phase and track as subqueries; (directors) the
        # programs they direct, for the board links; the idle timestamp (SAVEPOINT, UPDATE,
        # RELEASE); the read events of the listed clients, written together. Then the panels
        # and badges of later apps, each with its own fixed count tested in its app.
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/")
        assert response.status_code == 200
        assert len(queries) >= (9 if who == "dale" else 8) + list_read_audit_queries()
        return len(queries)

    counts = []
    for total in (10, 300):
        _grow_to(world, enrolled, total)
        if who == "dale":
            board()
        caseload()  # measures load their built-in instruments on first use
        counts.append(caseload())
    assert counts[0] == counts[1]
    assert world.program.clients.count() == 302


def test_a_long_caseload_comes_in_pages(
    enrolled: Enrolled, login_as: Callable[[User], HttpClient]
) -> None:
    world = enrolled.world
    fill_program(world.program, clients=150, primary=world.casey)  # Client00000…Client00149
    client = login_as(world.dale)
    first = client.get("/").content.decode()
    assert "Clients 1–100 of 152 (page 1 of 2)." in first
    assert 'href="?page=2" rel="next">Next page' in first
    assert "Client00000" in first and "Client00149" not in first
    second = client.get("/?page=2").content.decode()
    assert "Clients 101–152 of 152" in second and "Client00149" in second
    assert "Otherperson" in second and "Testperson" in second  # O and T sort after "Client"
    assert "Client00000" not in second
    assert client.get("/?page=99").status_code == 200  # past the end: the last page
