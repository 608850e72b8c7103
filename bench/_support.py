"""What the benchmarks share: a throwaway database, a program with four tracks and a signed-in
director, and timing of full requests through the middleware and templates."""

import os
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openiop.settings")

TRACKS = [
    ("Adult mood — evenings", "evening"),
    ("Adult mood — mornings", "morning"),
    ("Young adult trauma — mornings", "morning"),
    ("Weekend skills", "weekend"),
]


@contextmanager
def throwaway_database() -> Iterator[str]:
    """A temporary SQLite file (or, with DATABASE_URL, a `test_` copy of that database),
    dropped afterwards. Yields the database vendor."""
    import django
    from django.conf import settings

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    workdir = tempfile.TemporaryDirectory(prefix="openiop-bench-")
    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        database["TEST"]["NAME"] = str(Path(workdir.name) / "bench.sqlite3")
    settings.DEBUG = False  # as served: no query log kept in memory
    setup_test_environment()  # lets the test client's host in; mail stays in memory
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        yield connection.vendor
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        workdir.cleanup()


def bench_program(*, track_capacity: int) -> tuple[Any, list[Any], Any]:
    """(program, its four tracks, a director of it with a TOTP device)."""
    from openiop.accounts.models import Role
    from openiop.accounts.services import totp_install_known_secret
    from openiop.programs.services import program_create, track_create

    program = program_create(
        name="Bench Virtual IOP", time_zone="America/Chicago", level_of_care="iop_adult"
    )
    tracks = [
        track_create(
            program=program, name=name, schedule_label=label, capacity=track_capacity, actor=None
        )
        for name, label in TRACKS
    ]
    director = bench_staff(program, Role.DIRECTOR, "director")
    totp_install_known_secret(user=director, secret_hex="00112233445566778899aabbccddeeff00112233")
    return program, tracks, director


def bench_staff(program: Any, role: str, name: str) -> Any:
    from django.contrib.auth.hashers import make_password

    from openiop.accounts.models import User
    from openiop.programs.services import program_staff_add

    user = User.objects.create(
        email=f"{name}@bench.openiop.test",
        role=role,
        display_name=f"Bench {name.title()}",
        password=make_password(None),
    )
    program_staff_add(program=program, user=user)
    return user


def signed_in(user: Any) -> Any:
    """A test client signed in as `user`, second factor passed."""
    from django.test import Client as HttpClient
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    http = HttpClient()
    http.force_login(user)
    session = http.session
    session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(user=user).persistent_id
    session.save()
    return http


def time_requests(http: Any, url: str, requests: int) -> tuple[list[float], int, Any]:
    """(seconds per request, queries of one more request, the last response)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(2):  # warm the template and query caches
        assert http.get(url).status_code == 200
    times = []
    response = None
    for _ in range(requests):
        begin = time.perf_counter()
        response = http.get(url)
        times.append(time.perf_counter() - begin)
        assert response.status_code == 200
    with CaptureQueriesContext(connection) as captured:
        http.get(url)
    return times, len(captured.captured_queries), response


def report(page: str, times: list[float], queries: int) -> None:
    print(
        f"  {page:<18} median {statistics.median(times) * 1000:7.1f} ms"
        f"  (min {min(times) * 1000:.1f}, max {max(times) * 1000:.1f}), {queries} queries"
    )
