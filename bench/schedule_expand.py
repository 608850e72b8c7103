"""Median time to expand a year of occurrences for 150 weekly group sessions.

    .venv/bin/python bench/schedule_expand.py [--series 150] [--runs 20]

Each series is weekly on one weekday at an evening or morning wall time in America/Chicago
(both daylight-saving changes fall inside the year); the expansion is what `series_create`
and the horizon task do before writing rows: parse and check the RRULE, expand in local
time, place each occurrence in the zone. No database. Not part of the test run.
"""

import argparse
import os
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openiop.settings")

DAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", type=int, default=150)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()

    import django

    django.setup()
    from openiop.scheduling.services.series import expand, parse_rrule

    zone = ZoneInfo("America/Chicago")
    first = datetime(2026, 1, 5)  # noqa: DTZ001  (a wall time in `zone`)
    specs = [
        (f"FREQ=WEEKLY;BYDAY={DAYS[i % 7]}", first.replace(hour=(9, 13, 18)[i % 3]))
        for i in range(args.series)
    ]
    start = first.replace(tzinfo=zone).astimezone(UTC)
    until = start + timedelta(days=365)
    times, total = [], 0
    for _ in range(args.runs):
        began = time.perf_counter()
        total = 0
        for text, local in specs:
            rule = parse_rrule(text, local)
            total += len(expand(rule, zone, after=None, until=until))
        times.append(time.perf_counter() - began)
    print(f"{args.series} weekly series, one year each ({total} occurrences), {args.runs} runs")
    print(
        f"  expand a year   median {statistics.median(times) * 1000:7.1f} ms"
        f"  (min {min(times) * 1000:.1f}, max {max(times) * 1000:.1f})"
    )


if __name__ == "__main__":
    main()
