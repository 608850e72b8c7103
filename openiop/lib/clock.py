"""The clock: runs the idempotent sweeps every minute (``make run`` starts it beside the worker).

Each job is also queued as a task at the moment it is due (deadline checks, room close-down,
reminders); the sweeps are the backstop that makes a lost task harmless. In production run
``python -m openiop.lib.clock`` once per deployment (several are safe: every sweep is idempotent
and takes row locks), or the same commands from cron.
"""

import logging
import os
import signal
import sys
import time
from collections.abc import Callable

# (command, arguments, seconds between runs)
JOBS: list[tuple[str, list[str], int]] = [
    ("safety_sweep", [], 60),  # escalate unacknowledged alerts past their deadline
    ("measures_sweep", [], 60),  # risky answers left in unfinished questionnaires
    ("notify_dispatch", ["--once"], 60),  # send due messages, recover dead workers' claims
    ("rooms_close", [], 60),  # attendance from video presence, then destroy the Janus room
    ("family_access_sweep", [], 300),  # tokens and feeds of family whose consent expired
    ("extend_series", [], 24 * 3600),  # keep 12 weeks of occurrences written ahead
]

log = logging.getLogger("openiop.clock")


def tick(now: float, last_run: dict[str, float], run: Callable[..., object]) -> list[str]:
    """Run each job whose interval has passed; one failing job never stops the others."""
    ran = []
    for name, arguments, every in JOBS:
        if now - last_run.get(name, float("-inf")) < every:
            continue
        last_run[name] = now
        try:
            run(name, *arguments)
            ran.append(name)
        except Exception:
            log.exception("clock job %s failed; it runs again next time", name)
    return ran


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openiop.settings")
    import django
    from django.core.management import call_command

    django.setup()
    logging.basicConfig(level=logging.INFO, format="clock: %(message)s")
    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    last_run: dict[str, float] = {}
    while not stopping:
        tick(time.monotonic(), last_run, lambda name, *a: call_command(name, *a, verbosity=0))
        for _ in range(10):  # wake often enough to stop promptly
            if stopping:
                break
            time.sleep(1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
