from typing import Any

from django.core.management.base import BaseCommand

from openiop.scheduling.services.series import HORIZON, series_extend_all


class Command(BaseCommand):
    help = "Write every running series' occurrences up to the horizon (run daily from cron)."

    def handle(self, *args: Any, **options: Any) -> None:
        written = series_extend_all()
        if options["verbosity"]:
            self.stdout.write(f"{written} occurrences written (horizon {HORIZON.days} days).")
