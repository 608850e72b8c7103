"""Join tickets: median issue time, and 300 clients getting tickets for 30 group rooms at once.

    .venv/bin/python bench/join_tickets.py [--rooms 30] [--per-room 10] [--requests 50]
                                          [--threads 8] [--no-janus]

Starts a Janus of its own on loopback (a generated config in a temporary directory, a free
port; media is not involved) unless `--no-janus`, in which case rooms are "created" by a stub
and only Django's side is timed. Builds a throwaway database (SQLite file; with DATABASE_URL a
`test_` copy), one program, `--rooms` group sessions starting at the same minute (the top of
the hour, ten minutes from now) with `--per-room` booked clients each, consents signed, and
an API token per person. Then:

1. median time of `POST /api/v1/sessions/{id}/join-ticket` for one client whose room already
   exists (`--requests` requests; the first ticket for the room is timed separately: it
   creates the Janus room just in time);
2. the time for every client of every room to get a ticket, all rooms new (the rush at the
   top of the hour), with `--threads` clients asking at once (on SQLite the writes queue).

Prints figures; not part of the test run.
"""

import argparse
import os
import secrets
import shutil
import socket
import statistics
import subprocess
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from _support import bench_program, bench_staff, throwaway_database


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rooms", type=int, default=30)
    parser.add_argument("--per-room", type=int, default=10)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--no-janus", action="store_true")
    args = parser.parse_args()
    janus = None if args.no_janus else LocalJanus.start()
    try:
        with throwaway_database() as vendor:
            _run(args, janus, vendor)
    finally:
        if janus is not None:
            janus.stop()


class LocalJanus:
    """A Janus on 127.0.0.1 with the project's generated config (HTTP API only matters)."""

    def __init__(self, workdir: Path, port: int, admin_key: str, process: Any) -> None:
        self.workdir, self.port, self.admin_key, self.process = workdir, port, admin_key, process

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/janus"

    @classmethod
    def start(cls) -> "LocalJanus":
        from openiop.telehealth.janus_config import JANUS_BINARY, janus_command, write_config

        if not os.access(JANUS_BINARY, os.X_OK):
            raise SystemExit(f"{JANUS_BINARY} is missing: apt-get install janus, or --no-janus")
        workdir = Path(tempfile.mkdtemp(prefix="openiop-bench-janus-"))
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        admin_key = secrets.token_urlsafe(16)
        write_config(
            workdir,
            bind_ip="127.0.0.1",
            http_port=port,
            admin_key=admin_key,
            events_url="http://127.0.0.1:9/telehealth/janus-events/",  # nobody listens: fine
            events_secret=secrets.token_urlsafe(16),
            media_ip="127.0.0.1",
            rtp_ports=(40000, 40100),
            debug_level=2,
        )
        process = subprocess.Popen(  # noqa: S603 (our own argv)
            janus_command(workdir, log_path=workdir / "janus.log"),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        janus = cls(workdir, port, admin_key, process)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{janus.url}/info", timeout=1):  # noqa: S310
                    return janus
            except OSError:
                time.sleep(0.1)
        janus.stop()
        raise SystemExit("Janus did not answer on loopback within 15 s")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        shutil.rmtree(self.workdir, ignore_errors=True)


def _stub_janus() -> None:
    from openiop.telehealth import janus

    janus.room_create = lambda server, **kwargs: None  # type: ignore[assignment]
    janus.room_destroy = lambda server, **kwargs: True  # type: ignore[assignment]


def _run(args: argparse.Namespace, local: LocalJanus | None, vendor: str) -> None:
    import logging
    from datetime import timedelta

    from django.conf import settings
    from django.test import Client as HttpClient
    from django.utils import timezone

    from openiop.accounts.models import Role
    from openiop.accounts.services import api_token_issue
    from openiop.programs.models import ConsentKind, ConsentSignature
    from openiop.programs.onboarding import current_consent
    from openiop.programs.testing import fill_program
    from openiop.scheduling.models import Booking, BookingStatus, Session, SessionKind
    from openiop.telehealth import services

    logging.getLogger("django.tasks").setLevel(logging.WARNING)
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    settings.TURN_URLS = []
    if local is None:
        settings.JANUS_URLS = ["http://127.0.0.1:9/janus"]
        _stub_janus()
    else:
        settings.JANUS_URLS = [local.url]
        settings.JANUS_ADMIN_KEY = local.admin_key

    program, tracks, _director = bench_program(track_capacity=500)
    total = args.rooms * args.per_room
    clients = fill_program(program, clients=total + 1, tracks=tracks)
    document = current_consent(ConsentKind.TELEHEALTH)
    assert document is not None, "no telehealth consent published"
    ConsentSignature.objects.bulk_create(
        [
            ConsentSignature(
                client=c, document=document, typed_name="Bench", signed_at=timezone.now()
            )
            for c in clients
        ]
    )
    top_of_hour = (timezone.now() + timedelta(minutes=10)).replace(second=0, microsecond=0)
    facilitators = [
        bench_staff(program, Role.FACILITATOR, f"fac{i}") for i in range(args.rooms + 1)
    ]

    def group(facilitator: Any, members: list[Any]) -> Session:
        session = Session.objects.create(
            program=program,
            kind=SessionKind.GROUP,
            facilitator=facilitator,
            starts_at=top_of_hour,
            ends_at=top_of_hour + timedelta(hours=3),
            capacity=len(members),
        )
        Booking.objects.bulk_create(
            [Booking(session=session, client=c, status=BookingStatus.BOOKED) for c in members]
        )
        return session

    tokens = {c.user_id: api_token_issue(user=c.user)[0] for c in clients}

    def ticket(user_id: int, session_id: int) -> float:
        http = HttpClient()  # one per call: threads share nothing
        begin = time.perf_counter()
        response = http.post(
            f"/api/v1/sessions/{session_id}/join-ticket",
            headers={"Authorization": f"Bearer {tokens[user_id]}"},
        )
        elapsed = time.perf_counter() - begin
        assert response.status_code == 200, response.content
        return elapsed

    # 1. One client, a room that exists: the steady-state cost of a ticket.
    solo = clients[-1]
    warmup = group(facilitators[-1], [solo])
    for _ in range(3):  # Django's first request imports and compiles; not what we measure
        ticket(solo.user_id, warmup.pk)
    warm = group(facilitators[-2], [solo])
    first = ticket(solo.user_id, warm.pk)
    times = [ticket(solo.user_id, warm.pk) for _ in range(args.requests)]
    where = f"Janus on loopback {local.url}" if local else "stub Janus (--no-janus)"
    load = os.getloadavg()[0]
    print(f"{vendor} database, {where}, load average {load:.1f} on {os.cpu_count()} CPUs")
    print(
        f"  first ticket (creates the room)  {first * 1000:7.1f} ms\n"
        f"  join ticket, room exists          median {statistics.median(times) * 1000:6.1f} ms"
        f"  (min {min(times) * 1000:.1f}, max {max(times) * 1000:.1f}, n={len(times)})"
    )

    # 2. The rush: every client of `rooms` new rooms at the same minute.
    sessions = [
        group(facilitators[i], clients[i * args.per_room : (i + 1) * args.per_room])
        for i in range(args.rooms)
    ]
    asks = [
        (c.user_id, s.pk)
        for n in range(args.per_room)
        for s, c in ((s, clients[i * args.per_room + n]) for i, s in enumerate(sessions))
    ]
    begin = time.perf_counter()
    with ThreadPoolExecutor(max_workers=args.threads) as pool:
        rush = list(pool.map(lambda ask: _threaded(ticket, *ask), asks))
    wall = time.perf_counter() - begin
    rush.sort()
    print(
        f"  {len(asks)} clients, {args.rooms} new rooms, {args.threads} at once:"
        f" all tickets in {wall:.2f} s; per ticket median {statistics.median(rush) * 1000:.1f} ms,"
        f" p95 {rush[int(len(rush) * 0.95) - 1] * 1000:.1f} ms"
    )
    from openiop.telehealth.models import Room

    print(f"  rooms created: {Room.objects.filter(session__in=sessions).count()}")
    for session in [*sessions, warm, warmup]:
        room = Room.objects.get(session=session)
        services.room_close(room, now=session.ends_at + services.CLOSE_AFTER_END)


def _threaded(fn: Any, *args: Any) -> float:
    from django.db import connection

    try:
        return fn(*args)
    finally:
        connection.close()


if __name__ == "__main__":
    main()
