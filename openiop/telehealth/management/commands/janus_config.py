"""`manage.py janus_config DIR`: write a Janus configuration directory for this deployment."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from openiop.telehealth.janus_config import janus_command, write_config


def _port_range(value: str) -> tuple[int, int]:
    low, sep, high = value.partition("-")
    if not sep or not low.isdigit() or not high.isdigit():
        raise ValueError(value)
    return int(low), int(high)


class Command(BaseCommand):
    help = (
        "Write a Janus config directory (videoroom + HTTP API + event handler posting to "
        "JANUS_EVENTS_URL) and print the command that starts Janus on it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory")
        parser.add_argument("--bind-ip", default="127.0.0.1", help="HTTP API address")
        parser.add_argument("--http-port", type=int, default=8088)
        parser.add_argument("--media-ip", default=None, help="address Janus puts in SDP")
        parser.add_argument(
            "--ice-interface", default=None, help="ice_enforce_list (interface names or IPs)"
        )
        parser.add_argument("--rtp-ports", default="20000-20100", help="UDP range, LOW-HIGH")
        parser.add_argument("--events-url", default=None, help="default: JANUS_EVENTS_URL")
        parser.add_argument("--allow-origin", default=None, help="CORS origin (default: any)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            rtp_ports = _port_range(options["rtp_ports"])
        except ValueError:
            raise CommandError(f"--rtp-ports {options['rtp_ports']!r}: use LOW-HIGH") from None
        try:
            path = write_config(
                options["directory"],
                bind_ip=options["bind_ip"],
                http_port=options["http_port"],
                media_ip=options["media_ip"],
                ice_interface=options["ice_interface"],
                rtp_ports=rtp_ports,
                admin_key=settings.JANUS_ADMIN_KEY,
                events_url=options["events_url"] or settings.JANUS_EVENTS_URL,
                events_secret=settings.JANUS_EVENTS_SECRET,
                allow_origin=options["allow_origin"],
            )
        except ValueError as error:
            raise CommandError(str(error)) from None
        command = janus_command(path.parent, log_path=path.parent / "janus.log")
        self.stdout.write(f"Wrote {path.parent}. Start Janus with:\n  {' '.join(command)}")
