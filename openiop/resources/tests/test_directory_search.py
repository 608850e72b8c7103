"""Directory search by distance from a ZIP code, offline: worked examples."""

import math
from datetime import date

import pytest

from openiop.conftest import World
from openiop.resources import geo
from openiop.resources.models import Resource
from openiop.resources.selectors import UnknownPostalCode, crisis_resources, directory_search
from openiop.resources.services import resource_save


def test_haversine_one_degree_of_latitude_is_69_miles() -> None:
    # 3958.8 mi × π/180 = 69.094 mi, on any meridian.
    assert geo.haversine_miles((0, 0), (1, 0)) == pytest.approx(69.094, abs=0.001)
    assert geo.haversine_miles((45, 10), (46, 10)) == pytest.approx(69.094, abs=0.001)


def test_haversine_new_york_to_los_angeles() -> None:
    # City halls: the great-circle distance is about 2,445 miles.
    miles = geo.haversine_miles((40.7128, -74.0060), (34.0522, -118.2437))
    assert miles == pytest.approx(2445.6, abs=0.5)


def test_haversine_longitude_shrinks_with_latitude() -> None:
    at_60 = geo.haversine_miles((60, 0), (60, 1))
    assert at_60 == pytest.approx(69.094 * math.cos(math.radians(60)), rel=0.001)


def test_centroids_come_from_the_package_without_network() -> None:
    assert geo.centroid("60601") == (41.8858, -87.6181)
    assert geo.centroid("60601-1234") == (41.8858, -87.6181)
    assert geo.centroid("00000") is None
    assert geo.centroid("6061") is None
    assert geo.centroid("K1A 0B1", "CA") is None


def _entry(world: World, name: str, postal_code: str, **extra: object) -> Resource:
    fields: dict = {
        "name": name,
        "category": "peer_support",
        "postal_code": postal_code,
        "city": "Testville",
        "region": "IL",
        "last_verified_on": date(2026, 11, 1),
        **extra,
    }
    return resource_save(program=world.program, actor=world.casey, **fields)


@pytest.fixture
def chicago(world: World) -> dict[str, Resource]:
    """From ZIP 60601 (downtown Chicago): Lincoln Park 60614 is 3.0 mi, Evanston 60201 12.3
    mi, Naperville 60540 28.2 mi, Milwaukee 53202 81.7 mi; one online group."""
    return {
        "lincoln_park": _entry(world, "Lincoln Park peer group", "60614"),
        "evanston": _entry(world, "Evanston peer group", "60201"),
        "naperville": _entry(world, "Naperville lab", "60540", category="lab"),
        "milwaukee": _entry(world, "Milwaukee peer group", "53202"),
        "online": _entry(world, "Online peer group", "", is_online=True),
        "other_program": resource_save(
            program=world.other_program,
            actor=world.birch_director,
            name="Other program's group",
            category="peer_support",
            postal_code="60614",
            last_verified_on=date(2026, 11, 1),
        ),
    }


def test_entries_are_geocoded_when_saved(chicago: dict[str, Resource]) -> None:
    assert (chicago["evanston"].latitude, chicago["evanston"].longitude) == (42.0546, -87.6943)
    assert chicago["online"].latitude is None


def _names(found: list) -> list[tuple[str, float | None]]:
    return [(f.resource.name, f.miles) for f in found]


def test_within_ten_miles_nearest_first_then_online(
    world: World, chicago: dict[str, Resource]
) -> None:
    found = directory_search(world.program, postal_code="60601", radius_miles=10)
    assert _names(found) == [("Lincoln Park peer group", 3.0), ("Online peer group", None)]


def test_a_larger_radius_takes_in_more_in_distance_order(
    world: World, chicago: dict[str, Resource]
) -> None:
    found = directory_search(world.program, postal_code="60601", radius_miles=50)
    assert _names(found) == [
        ("Lincoln Park peer group", 3.0),
        ("Evanston peer group", 12.3),
        ("Naperville lab", 28.2),
        ("Online peer group", None),
    ]
    assert "Milwaukee peer group" in _names_of(
        directory_search(world.program, postal_code="60601", radius_miles=100)
    )


def _names_of(found: list) -> list[str]:
    return [f.resource.name for f in found]


def test_category_filters_and_other_programs_never_show(
    world: World, chicago: dict[str, Resource]
) -> None:
    found = directory_search(world.program, category="lab", postal_code="60601", radius_miles=50)
    assert _names(found) == [("Naperville lab", 28.2)]
    everything = _names_of(directory_search(world.program))
    assert "Other program's group" not in everything
    assert len(everything) == 5


def test_an_unknown_zip_code_is_refused(world: World, chicago: dict[str, Resource]) -> None:
    with pytest.raises(UnknownPostalCode):
        directory_search(world.program, postal_code="00000")


def test_search_is_one_query(
    world: World, chicago: dict[str, Resource], django_assert_num_queries: object
) -> None:
    with django_assert_num_queries(1):  # type: ignore[operator]
        directory_search(world.program, postal_code="60601", radius_miles=100)


def test_crisis_entries_are_shared_with_help_now(world: World) -> None:
    line = _entry(world, "Demo crisis line", "", is_online=True, is_crisis=True)
    _entry(world, "Not crisis", "60614")
    assert list(crisis_resources(world.program)) == [line]
