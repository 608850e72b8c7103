"""Median render time of the director's capacity board: 2,000 clients, 150 weekly groups.

    .venv/bin/python bench/capacity_board.py [--clients 2000] [--sessions 150] [--requests 20]

Builds a throwaway database (a temporary SQLite file; with DATABASE_URL, a `test_` copy of
that database, dropped afterwards), fills one program through bulk inserts: four tracks,
`--sessions` group and skills sessions in one week (in America/Chicago), each with 12 seats
booked and 3 clients waiting, one in ten cancelled for a closure. Signs a director in (second
factor passed) and times full requests with Django's test client. Not part of the test run.
"""

import argparse
import time

from _support import (
    bench_program,
    bench_staff,
    report,
    signed_in,
    throwaway_database,
    time_requests,
)

WEEK = "2026-W10"  # 2 to 8 March 2026; US daylight saving starts on the 8th


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=2000)
    parser.add_argument("--sessions", type=int, default=150)
    parser.add_argument("--requests", type=int, default=20)
    args = parser.parse_args()
    with throwaway_database() as vendor:
        times, queries, rows = _run(args.clients, args.sessions, args.requests)
    print(
        f"{args.clients} clients, {args.sessions} sessions ({rows} bookings),"
        f" {args.requests} requests, {vendor} database"
    )
    report("capacity board", times, queries)


def _run(clients: int, sessions: int, requests: int) -> tuple[list[float], int, int]:
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    from openiop.accounts.models import Role
    from openiop.programs.testing import fill_program
    from openiop.scheduling.models import Booking, BookingStatus, Session, SessionKind

    started = time.perf_counter()
    program, tracks, director = bench_program(track_capacity=500)
    facilitator = bench_staff(program, Role.FACILITATOR, "facilitator")
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

    url = f"/programs/{program.slug}/capacity/?week={WEEK}"
    times, queries, response = time_requests(signed_in(director), url, requests)
    shown = sum(len(t.sessions) for t in response.context["tracks"])
    assert shown == sessions, f"the board shows {shown} of {sessions} sessions"
    return times, queries, len(bookings)


if __name__ == "__main__":
    main()
