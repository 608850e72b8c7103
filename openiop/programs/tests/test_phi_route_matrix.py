"""Every page that takes a client's id, tried by everyone who must not see that client.

The routes are read from the URL configuration, so a page added later is covered without
editing this file: each answers the same 404 as for an id that does not exist (or 405 for a
method it does not take, whatever the id), writes nothing, and leaves no read in the trail.
"""

from collections.abc import Callable, Iterator

import pytest
from django.test import Client as HttpClient
from django.urls import get_resolver
from django.urls.resolvers import URLPattern, URLResolver

from openiop.accounts.models import User
from openiop.audit.models import AuditEvent
from openiop.conftest import World, without_csrf
from openiop.programs.models import ClientDocument, ConsentDocument, ConsentKind
from openiop.programs.onboarding import current_consent
from openiop.programs.services.onboarding import (
    ContactDetails,
    HomeAddress,
    consent_sign,
    onboarding_contacts_save,
)

DENIED = ["blair", "quinn", "gale", "birch_clinician", "birch_director", "cora", "ada", "fay"]
MISSING = 987_654_321


def _routes(patterns: list[URLPattern | URLResolver], prefix: str = "") -> Iterator[str]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern))
        elif "<int:client_id>" in str(pattern.pattern):
            yield prefix + str(pattern.pattern)


CLIENT_ROUTES = sorted(set(_routes(get_resolver().url_patterns)))


def _persona(world: World, name: str) -> User:
    return getattr(world, name).user if name in ("alex", "blair") else getattr(world, name)


def _path(route: str, client_id: int, objects: dict[str, int]) -> str:
    path = "/" + route.replace("<int:client_id>", str(client_id))
    for name, value in objects.items():
        path = path.replace(f"<int:{name}>", str(value))
    return path


@pytest.fixture
def alex_objects(world: World) -> dict[str, int]:
    """Real ids of things in Alex's record, so only the client id decides the answer."""
    document = ClientDocument.objects.create(
        client=world.alex,
        title="Letter",
        content_type="application/pdf",
        size=4,
        sha256="0" * 64,
        storage_name="matrix-test-not-on-disk",
    )
    return {"member_id": world.alex.care_team.first().pk, "document_id": document.pk}  # type: ignore[union-attr]


def test_the_matrix_found_the_client_pages() -> None:
    assert len(CLIENT_ROUTES) >= 10, CLIENT_ROUTES


@pytest.mark.parametrize("route", CLIENT_ROUTES)
@pytest.mark.parametrize("name", DENIED)
def test_no_client_page_opens_for_someone_outside_the_care_team(
    world: World,
    login_as: Callable[[User], HttpClient],
    alex_objects: dict[str, int],
    route: str,
    name: str,
) -> None:
    http = login_as(_persona(world, name))
    before = AuditEvent.objects.count()
    for method in ("get", "post"):
        denied = getattr(http, method)(_path(route, world.alex.pk, alex_objects))
        missing = getattr(http, method)(_path(route, MISSING, alex_objects))
        assert denied.status_code in (404, 405), (method, route, denied.status_code)
        assert denied.status_code == missing.status_code
        assert without_csrf(denied.content) == without_csrf(missing.content)
    # Nothing about Alex was read or changed; a denied look leaves no read event either.
    assert not AuditEvent.objects.filter(client_id=world.alex.pk, seq__gt=before).exists()


@pytest.mark.parametrize("route", CLIENT_ROUTES)
def test_anonymous_visitors_are_sent_to_sign_in(
    world: World, client: HttpClient, alex_objects: dict[str, int], route: str
) -> None:
    for method in ("get", "post"):
        response = getattr(client, method)(_path(route, world.alex.pk, alex_objects))
        assert response.status_code in (302, 405), (method, route)
        if response.status_code == 302:
            assert response["Location"].startswith("/login/")


def _alex_signs_and_adds_a_contact(world: World) -> tuple[int, int]:
    document = current_consent(ConsentKind.TELEHEALTH)
    assert isinstance(document, ConsentDocument)
    signature = consent_sign(
        client=world.alex,
        document=document,
        typed_name="Alex Testperson",
        agreed=True,
        actor=world.alex.user,
    )
    contact = onboarding_contacts_save(
        client=world.alex,
        address=HomeAddress(
            line="1 Example Lane",
            city="Springfield",
            region="IL",
            postal_code="62701",
            country="US",
        ),
        contact=ContactDetails(
            name="Pat Example",
            relationship="sibling",
            phone="+1 217 555 0142",
            is_support_person=True,
            consent_to_contact=True,
        ),
        actor=world.alex.user,
    )
    assert contact is not None
    return signature.pk, contact.pk


def test_a_client_cannot_open_another_clients_consent_or_contact(
    world: World, login_as: Callable[[User], HttpClient]
) -> None:
    signature_id, contact_id = _alex_signs_and_adds_a_contact(world)
    blair = login_as(world.blair.user)
    assert blair.get(f"/me/consents/{signature_id}/").status_code == 404
    assert blair.post(f"/welcome/contacts/{contact_id}/remove/").status_code == 404
    assert world.alex.emergency_contacts.filter(pk=contact_id).exists()
