"""Room chat lives in the cache only: numbered by an atomic counter so simultaneous posts from
several server processes are all kept, read from a number on, forgotten when the room
closes. Run on the in-memory cache and on the real Redis on 127.0.0.1 (OPENIOP_CACHE_URL)."""

import os
import socket
import threading
import uuid
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.core.cache import caches
from django.test import override_settings
from django.utils import timezone

from openiop.conftest import World
from openiop.scheduling.models import Session
from openiop.telehealth import services
from openiop.telehealth.tests.conftest import make_session

REDIS = ("127.0.0.1", 6379)


def _redis_up() -> bool:
    try:
        with socket.create_connection(REDIS, timeout=0.5):
            return True
    except OSError:
        return False


@pytest.fixture(params=["memory", "redis"])
def chat_cache(request: pytest.FixtureRequest) -> Iterator[str]:
    if request.param == "memory":
        backend = {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": uuid.uuid4().hex,
        }
    else:
        if not _redis_up():
            if os.environ.get("CI"):
                pytest.fail("Redis is not running on 127.0.0.1:6379")
            pytest.skip("Redis is not running on 127.0.0.1:6379")
        backend = {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://{REDIS[0]}:{REDIS[1]}/15",
            "KEY_PREFIX": f"test-{uuid.uuid4().hex}",  # this test's keys only
        }
    with override_settings(CACHES={"default": backend}):
        yield request.param
        if request.param == "redis":  # remove this test's keys only (never FLUSHDB)
            client = caches["default"]._cache.get_client(write=True)  # type: ignore[attr-defined]
            for key in client.scan_iter(match=f"{backend['KEY_PREFIX']}:*"):
                client.delete(key)


@pytest.fixture
def session(world: World) -> Session:
    return make_session(world, starts_at=timezone.now() - timedelta(minutes=5))


def test_numbered_read_from_a_number_and_forgotten(chat_cache: str, session: Session) -> None:
    for text in ("one", "  two   words ", "three"):
        services.chat_post(session=session, name="Fran", text=text)
    assert [(m["n"], m["text"]) for m in services.chat_since(session, 0)] == [
        (1, "one"),
        (2, "two words"),
        (3, "three"),
    ]
    assert [m["text"] for m in services.chat_since(session, 2)] == ["three"]
    assert services.chat_since(session, 3) == []
    services.chat_forget(session.pk)
    assert services.chat_since(session, 0) == []
    services.chat_post(session=session, name="Fran", text="again")  # numbering restarts
    assert [m["n"] for m in services.chat_since(session, 0)] == [1]


def test_only_the_last_messages_are_served(
    chat_cache: str, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(services, "CHAT_LIMIT", 3)
    for i in range(5):
        services.chat_post(session=session, name="Fran", text=f"m{i}")
    assert [m["text"] for m in services.chat_since(session, 0)] == ["m2", "m3", "m4"]


def test_simultaneous_posts_from_separate_connections_are_all_kept(
    chat_cache: str, session: Session
) -> None:
    """Each thread has its own cache connection (on Redis, its own socket), like a web
    process of its own; none of 24 simultaneous messages is lost or shares a number."""
    start = threading.Barrier(8)

    def post(worker: int) -> None:
        start.wait()
        for i in range(3):
            services.chat_post(session=session, name=f"P{worker}", text=f"{worker}-{i}")

    threads = [threading.Thread(target=post, args=(w,)) for w in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    messages = services.chat_since(session, 0)
    assert sorted(m["n"] for m in messages) == list(range(1, 25))
    assert len({m["text"] for m in messages}) == 24
