"""`manage.py safety_sweep`: escalate overdue alerts and send pages a lost job left behind.

Run it every minute from cron (or a loop); it is idempotent, so overlapping runs are safe.
"""

from typing import Any

from django.core.management.base import BaseCommand

from openiop.safety.escalation import safety_sweep


class Command(BaseCommand):
    help = "Escalate open alerts past their deadline and finish unsent pages (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        counts = safety_sweep()
        if options["verbosity"] > 0:
            self.stdout.write(" ".join(f"{name}={value}" for name, value in counts.items()))
