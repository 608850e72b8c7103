"""Send the messages that are due: once (for cron) or in a loop (a dedicated sender)."""

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from openiop.notify.delivery import dispatch_due, worker_name


class Command(BaseCommand):
    help = "Send due notifications and recover claims left by a dead worker."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="One pass, then exit.")
        parser.add_argument("--interval", type=float, default=5.0, help="Seconds between passes.")
        parser.add_argument("--until-idle", action="store_true", help="Loop until nothing is due.")
        parser.add_argument("--batch", type=int, default=500)

    def handle(self, *args: Any, **options: Any) -> None:
        worker = worker_name()
        while True:
            counts = dispatch_due(worker=worker, limit=options["batch"])
            busy = sum(counts.values())
            if options["verbosity"] > 1 or (options["once"] and options["verbosity"]):
                self.stdout.write(f"{worker}: {counts}")
            if options["once"] or (options["until_idle"] and not busy):
                return
            if not busy:
                time.sleep(options["interval"])
