from typing import Any

from django.core.management.base import BaseCommand

from openiop.resources.services import family_access_sweep


class Command(BaseCommand):
    help = (
        "Revoke the API tokens and calendar feeds of family members whose consents have all "
        "ended (run hourly from cron)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"swept {family_access_sweep()} family account(s)")
