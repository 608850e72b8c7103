from typing import Any

from django.core.management.base import BaseCommand

from openiop.telehealth.tasks import rooms_close_due


class Command(BaseCommand):
    help = "Close ended rooms: attendance from presence, Janus room destroyed (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        closed = rooms_close_due.call()
        if closed or options["verbosity"] > 1:  # the clock runs this every minute
            self.stdout.write(f"{closed} room(s) closed")
