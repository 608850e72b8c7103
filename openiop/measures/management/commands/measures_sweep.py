"""`manage.py measures_sweep`: alert the care team about risky answers left in questionnaires
the client did not finish (30 minutes untouched). Idempotent; the clock runs it every minute."""

from typing import Any

from django.core.management.base import BaseCommand

from openiop.measures.services import risky_drafts_alert


class Command(BaseCommand):
    help = "Raise one alert per unfinished questionnaire holding a risky answer (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        raised = risky_drafts_alert()
        if raised and options["verbosity"] > 0:
            self.stdout.write(f"alerts raised for unfinished questionnaires: {raised}")
