"""Median render time of the director's program board and caseload with 5,000 clients.

    .venv/bin/python bench/program_board.py [--clients 5000] [--requests 20]

Builds a throwaway database (a temporary SQLite file; with DATABASE_URL, a `test_` copy of
that database, dropped afterwards), fills one program through bulk inserts, signs a director
in (second factor passed) and times full requests through the middleware and templates with
Django's test client. Not part of the test run (pytest only collects openiop/).
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=5000)
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
        board_times, caseload_times, queries = _run(args.clients, args.requests)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        workdir.cleanup()
    vendor = connection.vendor
    print(f"{args.clients} clients, {args.requests} requests each, {vendor} database")
    for page, times in (("program board", board_times), ("director caseload", caseload_times)):
        print(
            f"  {page:<18} median {statistics.median(times) * 1000:7.1f} ms"
            f"  (min {min(times) * 1000:.1f}, max {max(times) * 1000:.1f}),"
            f" {queries[page]} queries"
        )


def _run(clients: int, requests: int) -> tuple[list[float], list[float], dict[str, int]]:
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

    started = time.perf_counter()
    program = program_create(
        name="Bench Virtual IOP", time_zone="America/Chicago", level_of_care="iop_adult"
    )
    tracks = [
        track_create(program=program, name=name, schedule_label=label, capacity=400, actor=None)
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
    clinician = User.objects.create(
        email="clinician@bench.openiop.test",
        role=Role.CLINICIAN,
        display_name="Bench Clinician",
        password=make_password(None),
    )
    program_staff_add(program=program, user=clinician)
    fill_program(program, clients=clients, tracks=tracks, primary=clinician)
    print(f"filled {clients} clients in {time.perf_counter() - started:.1f} s")

    http = HttpClient()
    http.force_login(director)
    session = http.session
    session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(user=director).persistent_id
    session.save()

    def timed(url: str) -> tuple[list[float], int]:
        for _ in range(2):  # warm the template and query caches
            assert http.get(url).status_code == 200
        times = []
        for _ in range(requests):
            begin = time.perf_counter()
            response = http.get(url)
            times.append(time.perf_counter() - begin)
            assert response.status_code == 200
        with CaptureQueriesContext(connection) as captured:
            http.get(url)
        return times, len(captured.captured_queries)

    board_times, board_queries = timed(f"/programs/{program.slug}/board/")
    caseload_times, caseload_queries = timed("/")
    return (
        board_times,
        caseload_times,
        {"program board": board_queries, "director caseload": caseload_queries},
    )


if __name__ == "__main__":
    main()
