"""Lists and panels take a fixed number of queries, however many alerts there are."""

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest
from django.db import transaction
from django.test import Client as HttpClient
from django.test import RequestFactory

from openiop.accounts.models import User
from openiop.audit.testing import list_read_audit_queries
from openiop.conftest import World
from openiop.safety import panels
from openiop.safety.services import alert_raise

pytestmark = pytest.mark.django_db
Queries = Callable[[int], AbstractContextManager[Any]]


def _alerts(world: World, count: int) -> None:
    with transaction.atomic():
        for i in range(count):
            alert_raise(
                client=world.alex if i % 2 else world.blair,
                severity=("high", "moderate", "low")[i % 3],
                source="checkin",
                reason=f"test {i}",
            )


def _request(user: User) -> Any:
    request = RequestFactory().get("/")
    request.user = user
    return request


def test_the_staff_home_panel_is_two_queries_and_the_list_read(
    world: World, django_assert_num_queries: Queries
) -> None:
    for count in (1, 12):
        _alerts(world, count)
        # The user's alerts with client and routing; the programs' escalated alerts; then the
        # read events of the listed alerts.
        with django_assert_num_queries(2 + list_read_audit_queries()):
            html = panels.staff_alerts(_request(world.dale))
        assert html and "Alerts for you" in html


def test_caseload_badges_are_one_query(world: World, django_assert_num_queries: Queries) -> None:
    for count in (1, 9):
        _alerts(world, count)
        with django_assert_num_queries(1):
            badges = panels.alert_badges(world.dale, [world.alex.pk, world.blair.pk])
        assert badges.get(world.alex.pk) or badges.get(world.blair.pk)


def test_the_alert_list_page_does_not_grow_with_alerts(
    world: World, login_as: Callable[[User], HttpClient], django_assert_max_num_queries: Queries
) -> None:
    http = login_as(world.dale)
    http.get("/alerts/")
    _alerts(world, 2)
    with django_assert_max_num_queries(30) as few:
        assert http.get("/alerts/").status_code == 200
    _alerts(world, 20)
    with django_assert_max_num_queries(len(few.captured_queries)):  # type: ignore[attr-defined]
        response = http.get("/alerts/")
    assert response.content.decode().count("/alerts/") > 20
