"""Median render time of the director's capacity board: 2,000 clients, 150 weekly groups.

    .venv/bin/python bench/capacity_board.py [--clients 2000] [--sessions 150] [--requests 20]

Builds a throwaway database (a temporary SQLite file; with DATABASE_URL, a `test_` copy of
that database, dropped afterwards), fills one program through bulk inserts: four tracks,
`--sessions` group and skills sessions in one week (in America/Chicago), each with 12 seats
booked and 3 clients waiting, one in ten cancelled for a closure. Signs a director in (second
factor passed) and times full requests with Django's test client. Not part of the test run.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openiop.settings")

WEEK = "2026-W10"  # 2 to 8 March 2026; US daylight saving starts on the 8th


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=2000)
    parser.add_argument("--sessions", type=int, default=150)
    parser.add_argument("--requests", type=int, default=20)
    args = parser.parse_args()

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
        times, queries, rows = _run(args.clients, args.sessions, args.requests)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        workdir.cleanup()
    print(
        f"{args.clients} clients, {args.sessions} sessions ({rows} bookings),"
        f" {args.requests} requests, {connection.vendor} database"
    )
    print(
        f"  capacity board   median {statistics.median(times) * 1000:7.1f} ms"
        f"  (min {min(times) * 1000:.1f}, max {max(times) * 1000:.1f}), {queries} queries"
    )


def _run(clients: int, sessions: int, requests: int) -> tuple[list[float], int, int]:
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    from django.contrib.auth.hashers import make_password
    from django.db import connection
    from django.test import Client as HttpClient
    from django.test.utils import CaptureQueriesContext
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from openiop.accounts.models import Role, User
    from openiop.accounts.services import totp_install_known_secret
    from openiop.programs.services import program_create, program_staff_add, track_create
    from openiop.programs.testing import fill_program
    from openiop.scheduling.models import Booking, BookingStatus, Session, SessionKind

    started = time.perf_counter()
    program = program_create(
        name="Bench Virtual IOP", time_zone="America/Chicago", level_of_care="iop_adult"
    )
    tracks = [
        track_create(program=program, name=name, schedule_label=label, capacity=500, actor=None)
        for name, label in [
            ("Adult mood — evenings", "evening"),
            ("Adult mood — mornings", "morning"),
            ("Young adult trauma — mornings", "morning"),
            ("Weekend skills", "weekend"),
        ]
    ]
    director = User.objects.create(
        email="director@bench.openiop.test",
        role=Role.DIRECTOR,
        display_name="Bench Director",
        password=make_password(None),
    )
    totp_install_known_secret(user=director, secret_hex="00112233445566778899aabbccddeeff00112233")
    program_staff_add(program=program, user=director)
    facilitator = User.objects.create(
        email="facilitator@bench.openiop.test",
        role=Role.FACILITATOR,
        display_name="Bench Facilitator",
        password=make_password(None),
    )
    program_staff_add(program=program, user=facilitator)
    members = fill_program(program, clients=clients, tracks=tracks)

    zone = ZoneInfo("America/Chicago")
    monday = datetime(2026, 3, 2, tzinfo=zone)
    rows = Session.objects.bulk_create(
        [
            Session(
                program=program,
                track=tracks[i % len(tracks)],
                kind=SessionKind.SKILLS if i % 3 == 0 else SessionKind.GROUP,
                facilitator=facilitator,
                # Spread over the week's days and three wall times, in Chicago.
                starts_at=monday + timedelta(days=i % 7, hours=(9, 13, 18)[i % 3]),
                ends_at=monday + timedelta(days=i % 7, hours=(9, 13, 18)[i % 3] + 3),
                capacity=12,
                status="cancelled" if i % 10 == 9 else "scheduled",
                status_reason="Closed: Bench holiday" if i % 10 == 9 else "",
            )
            for i in range(sessions)
        ]
    )
    bookings = [
        Booking(
            session=row,
            client=members[(i * 15 + seat) % clients],
            status=BookingStatus.BOOKED if seat < 12 else BookingStatus.WAITLISTED,
        )
        for i, row in enumerate(rows)
        for seat in range(15)
    ]
    Booking.objects.bulk_create(bookings, batch_size=1000)
    print(f"filled in {time.perf_counter() - started:.1f} s")

    http = HttpClient()
    http.force_login(director)
    session = http.session
    session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(user=director).persistent_id
    session.save()

    url = f"/programs/{program.slug}/capacity/?week={WEEK}"
    for _ in range(2):  # warm the template and query caches
        assert http.get(url).status_code == 200
    times = []
    for _ in range(requests):
        begin = time.perf_counter()
        response = http.get(url)
        times.append(time.perf_counter() - begin)
        assert response.status_code == 200
    shown = sum(len(t.sessions) for t in response.context["tracks"])
    assert shown == sessions, f"the board shows {shown} of {sessions} sessions"
    with CaptureQueriesContext(connection) as captured:
        http.get(url)
    return times, len(captured.captured_queries), len(bookings)


if __name__ == "__main__":
    main()
