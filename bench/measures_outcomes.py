"""Median render time of the director's outcomes page: 2,000 clients × 12 weekly PHQ-9 and
GAD-7 responses (48,000 rows), and of the caseload with its overdue-measures badges.

    .venv/bin/python bench/measures_outcomes.py [--clients 2000] [--weeks 12] [--requests 10]

Builds a throwaway database (see _support.throwaway_database), fills one program through bulk
inserts (responses bypass the service, so no audit events: a load, not a history), signs a
director in and times full requests through the middleware and templates.
"""

import argparse
import time
from datetime import timedelta

from _support import (
    bench_program,
    bench_staff,
    report,
    signed_in,
    throwaway_database,
    time_requests,
)


def _fill_responses(clients: list, director: object, weeks: int) -> int:
    from django.utils import timezone

    from openiop.measures import instruments
    from openiop.measures.models import Response

    now = timezone.now()
    rows = []
    for code, top in (("phq9", 27), ("gad7", 21)):
        loaded = instruments.current(code=code, program=None)
        assert loaded is not None
        for index, client in enumerate(clients):
            start = 8 + index % (top - 8)  # baselines spread over the range
            for week in range(weeks):
                total = max(0, start - week * (index % 4))  # some improve, some stay
                rows.append(
                    Response(
                        client=client,
                        instrument=loaded.instrument,
                        version=loaded.version,
                        answers={},
                        total=total,
                        band="",
                        submitted_at=now - timedelta(days=7 * (weeks - week)),
                        submitted_by=director,
                        source="clinician",
                        body_digest=f"bench-{code}-{client.pk}-{week}",
                    )
                )
    Response.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=2000)
    parser.add_argument("--weeks", type=int, default=12)
    parser.add_argument("--requests", type=int, default=10)
    args = parser.parse_args()
    with throwaway_database() as vendor:
        from openiop.accounts.models import Role
        from openiop.programs.testing import fill_program

        started = time.perf_counter()
        program, tracks, director = bench_program(track_capacity=500)
        clinician = bench_staff(program, Role.CLINICIAN, "clinician")
        clients = fill_program(program, clients=args.clients, tracks=tracks, primary=clinician)
        responses = _fill_responses(clients, director, args.weeks)
        print(
            f"filled {args.clients} clients and {responses} responses "
            f"in {time.perf_counter() - started:.1f} s"
        )
        http = signed_in(director)
        outcomes = time_requests(http, f"/programs/{program.slug}/outcomes/", args.requests)
        caseload = time_requests(http, "/", args.requests)
    print(f"{args.clients} clients × {args.weeks} weeks, {args.requests} requests, {vendor}")
    report("outcomes", outcomes[0], outcomes[1])
    report("caseload (badges)", caseload[0], caseload[1])


if __name__ == "__main__":
    main()
