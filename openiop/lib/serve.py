"""`make run`: the web server, the task worker, a local mail sink and (when installed) Janus
for video, stopped together.

Ctrl-C (or SIGTERM) stops every process this started; if one of them dies, the rest stop
too, so a half-running demo never pretends to work.
"""

import argparse
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from openiop.lib.env import dev_secret_key
from openiop.telehealth.janus_config import JANUS_BINARY, janus_command, write_config

ROOT = Path(__file__).resolve().parents[2]


def _processes(port: int) -> dict[str, list[str]]:
    py = sys.executable
    mail_dir = ROOT / "var" / "mail"
    for sub in ("tmp", "new", "cur"):  # a Maildir: read it with `mutt -f var/mail`
        (mail_dir / sub).mkdir(parents=True, exist_ok=True)
    return {
        "web": [py, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        "worker": [py, "manage.py", "db_worker", "--interval", "1", "--no-reload"],
        "clock": [py, "-m", "openiop.lib.clock"],  # the sweeps: escalation, delivery, rooms
        "mail": [
            py,
            "-m",
            "aiosmtpd",
            "-n",
            "-l",
            "127.0.0.1:1025",
            "-c",
            "aiosmtpd.handlers.Mailbox",
            str(mail_dir),
        ],
    }


JANUS_PORT = 8088
INSTALL_JANUS = (
    "Video needs Janus: sudo apt-get install janus libjs-janus-gateway libjs-webrtc-adapter "
    "(video pages show the dial-in number until then)"
)


def _port_busy(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def _janus(port: int) -> list[str] | None:
    """The command for a Janus on loopback with a config generated under var/janus/ (its
    events go to this web server), or None, saying why, when it cannot start here."""
    if os.environ.get("JANUS_URL"):
        print("JANUS_URL is set: not starting a local Janus.", flush=True)
        return None
    if not JANUS_BINARY.exists():
        print(INSTALL_JANUS, flush=True)
        return None
    if _port_busy(JANUS_PORT):
        print(f"Port {JANUS_PORT} is in use already: not starting a local Janus.", flush=True)
        return None
    # The same values settings.py reads (environment, else the dev secrets under var/).
    var = Path(os.environ.get("OPENIOP_VAR_DIR", ROOT / "var"))
    folder = var / "janus"
    log = folder / "janus.log"
    write_config(
        folder,
        bind_ip="127.0.0.1",
        http_port=JANUS_PORT,
        admin_key=os.environ.get("JANUS_ADMIN_KEY") or dev_secret_key(var / "janus_admin_key"),
        events_url=os.environ.get("JANUS_EVENTS_URL")
        or f"http://127.0.0.1:{port}/telehealth/janus-events/",
        events_secret=os.environ.get("JANUS_EVENTS_SECRET")
        or dev_secret_key(var / "janus_events_secret"),
    )
    log.unlink(missing_ok=True)  # janus -L appends; one run, one log
    return janus_command(folder, log_path=log)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    args = parser.parse_args()
    running: dict[str, subprocess.Popen[bytes]] = {}
    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    processes = _processes(args.port)
    janus = _janus(args.port)
    if janus is not None:
        processes["janus"] = janus
    for name, cmd in processes.items():
        running[name] = subprocess.Popen(cmd, cwd=ROOT, start_new_session=True)  # noqa: S603 (our own argv)
    video = (
        f"video: Janus on 127.0.0.1:{JANUS_PORT}, log in var/janus/janus.log; "
        if janus is not None
        else ""
    )
    print(
        f"\nOpenIOP demo: http://127.0.0.1:{args.port}/  ({video}mail lands in var/mail; "
        "Ctrl-C stops everything)\n",
        flush=True,
    )
    exit_code = 0
    while not stopping:
        for name, proc in running.items():
            if proc.poll() is not None:
                print(f"{name} exited with {proc.returncode}; stopping the rest.", flush=True)
                exit_code = proc.returncode or 1
                stopping = True
        time.sleep(0.5)
    for proc in running.values():
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
    deadline = time.monotonic() + 10
    for proc in running.values():
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
    print("Stopped.", flush=True)
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
