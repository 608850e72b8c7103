"""Telehealth test fixtures: sessions around "now", signed consents, and a stand-in Janus for
the tests that are about Django's rules (tests marked with the real Janus use the harness)."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from openiop.conftest import World
from openiop.programs.models import Client, ConsentKind
from openiop.programs.onboarding import current_consent
from openiop.programs.services.onboarding import consent_sign
from openiop.scheduling.models import Booking, BookingStatus, Session, SessionKind
from openiop.telehealth import janus


def sign_consent(client: Client) -> None:
    document = current_consent(ConsentKind.TELEHEALTH)
    assert document is not None
    consent_sign(
        client=client,
        document=document,
        typed_name=f"{client.first_name} {client.last_name}",
        agreed=True,
        actor=client.user,
    )


def make_session(
    world: World,
    *,
    starts_at: datetime,
    minutes: int = 60,
    kind: str = SessionKind.GROUP,
    facilitator: Any = None,
    clients: tuple[Client, ...] = (),
) -> Session:
    session = Session.objects.create(
        program=world.program,
        kind=kind,
        facilitator=facilitator or world.fran,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=minutes),
        capacity=8 if kind in (SessionKind.GROUP, SessionKind.SKILLS) else None,
    )
    for client in clients:
        Booking.objects.create(session=session, client=client, status=BookingStatus.BOOKED)
    return session


@dataclass
class FakeJanus:
    """Records the rooms Django asks for; `down` makes every call fail as if unreachable."""

    rooms: dict[int, dict[str, Any]] = field(default_factory=dict)
    destroyed: list[int] = field(default_factory=list)
    kicked: list[int] = field(default_factory=list)
    allowed: dict[int, set[str]] = field(default_factory=dict)  # the rooms' access lists
    acl_on: set[int] = field(default_factory=set)  # rooms whose access list is enforced
    down: bool = False
    creates: int = 0

    def _check(self) -> None:
        if self.down:
            raise janus.JanusUnavailable("test: Janus is down")

    def room_create(self, server: Any, *, room: int, **kwargs: Any) -> None:
        self._check()
        self.creates += 1
        if room in self.rooms:
            raise janus.JanusError(janus.ROOM_EXISTS, "exists")
        self.rooms[room] = kwargs

    def room_destroy(self, server: Any, *, room: int, secret: str) -> bool:
        self._check()
        self.destroyed.append(room)
        return self.rooms.pop(room, None) is not None

    def room_kick(self, server: Any, *, room: int, secret: str, participant_id: int) -> None:
        self._check()
        self.kicked.append(participant_id)

    def room_allow(
        self, server: Any, *, room: int, secret: str, action: str, tokens: list[str] | None = None
    ) -> list[str]:
        self._check()
        allowed = self.allowed.setdefault(room, set())
        if action == "add":
            allowed.update(tokens or [])
        elif action == "remove":
            allowed.difference_update(tokens or [])
        elif action == "enable":
            self.acl_on.add(room)
        return sorted(allowed)


@pytest.fixture
def fake_janus(monkeypatch: pytest.MonkeyPatch, settings: Any) -> FakeJanus:
    settings.JANUS_URLS = ["http://127.0.0.1:9/janus"]
    settings.JANUS_ADMIN_KEY = "test-admin-key"
    settings.JANUS_EVENTS_SECRET = "test-events-secret"
    settings.TURN_URLS = []
    fake = FakeJanus()
    monkeypatch.setattr(janus, "room_create", fake.room_create)
    monkeypatch.setattr(janus, "room_destroy", fake.room_destroy)
    monkeypatch.setattr(janus, "room_kick", fake.room_kick)
    monkeypatch.setattr(janus, "room_allow", fake.room_allow)
    return fake


@pytest.fixture
def group_now(world: World) -> Session:
    """A group running now (started 5 minutes ago, one hour), Fran facilitating, Alex and
    Blair booked, both with the telehealth consent signed."""
    sign_consent(world.alex)
    sign_consent(world.blair)
    return make_session(
        world,
        starts_at=timezone.now() - timedelta(minutes=5),
        clients=(world.alex, world.blair),
    )


@pytest.fixture
def individual_now(world: World) -> Session:
    """Alex's individual session with Casey, running now."""
    sign_consent(world.alex)
    return make_session(
        world,
        starts_at=timezone.now() - timedelta(minutes=5),
        minutes=50,
        kind=SessionKind.INDIVIDUAL,
        facilitator=world.casey,
        clients=(world.alex,),
    )


MakeSession = Callable[..., Session]


def signed_in(user: Any) -> HttpClient:
    """A test client of its own for `user` (two people in one test need two clients)."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    http = HttpClient()
    http.force_login(user)
    if user.requires_mfa:
        device = TOTPDevice.objects.get(user=user, confirmed=True)
        session = http.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return http
