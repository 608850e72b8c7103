"""Dispatch a week of session reminders for 10,000 clients to a local SMTP sink, two workers.

    .venv/bin/python bench/notify_dispatch.py [--clients 10000] [--sessions 3] [--workers 2]
                                              [--kill-after SECONDS]

Each client has `--sessions` group sessions in the week (Mon/Wed/Thu 18:00 America/Chicago)
and two reminders per session (24 h and 1 h before), written as notify Messages with their
real keys (bulk, as a scheduler would) and made due now. Then `--workers` separate
`manage.py notify_dispatch --until-idle` processes send them to an aiosmtpd sink on loopback.
Prints messages per second, the count sent, and duplicates: copies of a Message-ID the sink
received more than once (must be 0). With `--kill-after`, the first worker is SIGKILLed that
many seconds in; after the others finish, a recovery pass (clock moved past the lease) re-
examines its stale claim, as the sweeper would, and the duplicates line says what that cost.

Uses a throwaway database (SQLite file, or a test_ copy of DATABASE_URL's PostgreSQL).
Not part of the test run.
"""

import argparse
import logging
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from _support import ROOT, throwaway_database

CHICAGO = ZoneInfo("America/Chicago")
DAYS = (0, 2, 3)  # Monday, Wednesday, Thursday
BODY_1H = "You have an appointment at 6:00 PM. Open the app for details."


def _database_url(settings_dict: dict[str, Any], vendor: str) -> str:
    if vendor == "sqlite":
        return f"sqlite:///{settings_dict['NAME']}"
    user = settings_dict.get("USER") or ""
    password = settings_dict.get("PASSWORD") or ""
    auth = f"{user}:{password}@" if password else f"{user}@" if user else ""
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or 5432
    return f"postgres://{auth}{host}:{port}/{settings_dict['NAME']}"


def _schedule(clients: int, sessions: int, now: datetime) -> int:
    from django.contrib.auth.hashers import make_password

    from openiop.accounts.models import User
    from openiop.notify.models import Channel, Message

    unusable = make_password(None)
    users = User.objects.bulk_create(
        [
            User(
                email=f"client{n}@bench.openiop.test",
                role="client",
                display_name=f"Bench {n}",
                time_zone="America/Chicago",
                password=unusable,
            )
            for n in range(clients)
        ],
        batch_size=2000,
    )
    if users and users[0].pk is None:
        users = list(User.objects.filter(email__endswith="@bench.openiop.test").order_by("pk"))
    monday = datetime(2026, 12, 7, 18, 0, tzinfo=CHICAGO)
    starts = [(monday + timedelta(days=d)).astimezone(UTC) for d in DAYS[:sessions]]
    rows = []
    for user in users:
        for s, start in enumerate(starts):
            for label, before in (("24h", timedelta(hours=24)), ("1h", timedelta(hours=1))):
                rows.append(
                    Message(
                        user_id=user.pk,
                        key=f"session:{s + 1}:{user.pk}:{label}:{start:%Y%m%dT%H%MZ}",
                        channel=Channel.EMAIL,
                        subject="Appointment reminder",
                        body=BODY_1H,
                        link=f"/sessions/{s + 1}/join/",
                        send_at=start - before,
                        due_at=now,  # all due: the bench measures sending, not waiting
                    )
                )
    Message.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def _workers(count: int, env: dict[str, str]) -> list[subprocess.Popen[bytes]]:
    command = [
        sys.executable,
        "manage.py",
        "notify_dispatch",
        "--until-idle",
        "--batch",
        "500",
        "--verbosity",
        "0",
    ]
    return [
        subprocess.Popen(command, cwd=ROOT, env=env)  # noqa: S603 - our own argv
        for _ in range(count)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=10_000)
    parser.add_argument("--sessions", type=int, default=3, choices=[1, 2, 3])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--kill-after", type=float, default=None)
    args = parser.parse_args()
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every command

    with throwaway_database() as vendor:
        import time_machine
        from django.conf import settings
        from django.db import connection
        from django.utils import timezone

        from openiop.notify.delivery import LEASE, dispatch_due
        from openiop.notify.models import AttemptOutcome, DeliveryAttempt, Message, MessageState
        from openiop.notify.tests.smtp_sink import smtp_mailers, smtp_sink

        began = time.perf_counter()
        total = _schedule(args.clients, args.sessions, timezone.now())
        scheduled_in = time.perf_counter() - began
        print(
            f"{vendor}: {args.clients} clients x {args.sessions} sessions x 2 reminders = "
            f"{total} messages scheduled in {scheduled_in:.1f} s"
        )
        with smtp_sink() as sink:
            env = dict(os.environ)
            env.update(
                DATABASE_URL=_database_url(connection.settings_dict, vendor),
                OPENIOP_EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
                OPENIOP_EMAIL_HOST="127.0.0.1",
                OPENIOP_EMAIL_PORT=str(sink.port),
                OPENIOP_LOG_LEVEL="WARNING",
            )
            connection.close()  # let the workers have the database (SQLite: one writer)
            began = time.perf_counter()
            workers = _workers(args.workers, env)
            if args.kill_after is not None:
                time.sleep(args.kill_after)
                os.kill(workers[0].pid, signal.SIGKILL)
                print(f"  killed worker {workers[0].pid} after {args.kill_after:.1f} s")
            for worker in workers:
                worker.wait()
            elapsed = time.perf_counter() - began
            recovered = 0
            if args.kill_after is not None:
                settings.MAILERS = smtp_mailers(sink.port)
                with time_machine.travel(timezone.now() + LEASE + timedelta(seconds=5)):
                    while True:
                        counts = dispatch_due()
                        recovered += counts.get("recovered", 0)
                        if sum(counts.values()) == 0:
                            break
            time.sleep(0.5)  # the sink's last DATA replies
            sent = Message.objects.filter(state=MessageState.SENT).count()
            attempts_sent = DeliveryAttempt.objects.filter(
                outcome__in=[AttemptOutcome.SENT, AttemptOutcome.RECOVERED]
            ).count()
            print(
                f"  {args.workers} workers: {len(sink.received)} received by the sink in "
                f"{elapsed:.1f} s = {len(sink.received) / elapsed:.0f} messages/s"
            )
            print(
                f"  sent (rows): {sent} of {total}; successful attempts recorded: {attempts_sent}"
            )
            if args.kill_after is not None:
                print(f"  stale claims recovered after the kill: {recovered}")
            print(f"  duplicates (same Message-ID received twice): {sink.duplicates()}")
            print(f"  distinct Message-IDs received: {len(sink.message_ids())}")


if __name__ == "__main__":
    main()
