from typing import Any

from django.core.management.base import BaseCommand, CommandError

from openiop.audit.models import AuditEvent
from openiop.audit.services import iter_chain_breaks


class Command(BaseCommand):
    help = "Check the audit trail's hash chain; exit non-zero at the first broken link."

    def handle(self, *args: Any, **options: Any) -> None:
        for event, problem in iter_chain_breaks():
            raise CommandError(
                f"audit chain broken at event seq={event.seq} id={event.pk} "
                f"({event.at.isoformat()}): {problem}"
            )
        count = AuditEvent.objects.count()
        self.stdout.write(f"audit chain intact: {count} events verified")
