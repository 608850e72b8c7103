"""Median render time of the director's program board and caseload with 5,000 clients.

    .venv/bin/python bench/program_board.py [--clients 5000] [--requests 20]

Builds a throwaway database (a temporary SQLite file; with DATABASE_URL, a `test_` copy of
that database, dropped afterwards), fills one program through bulk inserts, signs a director
in (second factor passed) and times full requests through the middleware and templates with
Django's test client. Not part of the test run (pytest only collects openiop/).
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=5000)
    parser.add_argument("--requests", type=int, default=20)
    args = parser.parse_args()
    with throwaway_database() as vendor:
        from openiop.accounts.models import Role
        from openiop.programs.testing import fill_program

        started = time.perf_counter()
        program, tracks, director = bench_program(track_capacity=400)
        clinician = bench_staff(program, Role.CLINICIAN, "clinician")
        fill_program(program, clients=args.clients, tracks=tracks, primary=clinician)
        print(f"filled {args.clients} clients in {time.perf_counter() - started:.1f} s")
        http = signed_in(director)
        board = time_requests(http, f"/programs/{program.slug}/board/", args.requests)
        caseload = time_requests(http, "/", args.requests)
    print(f"{args.clients} clients, {args.requests} requests each, {vendor} database")
    report("program board", board[0], board[1])
    report("director caseload", caseload[0], caseload[1])


if __name__ == "__main__":
    main()
