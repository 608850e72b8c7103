"""`make run`: the web server, the task worker and a local mail sink, stopped together.

Ctrl-C (or SIGTERM) stops every process this started; if one of them dies, the rest stop
too, so a half-running demo never pretends to work.
"""

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _processes(port: int) -> dict[str, list[str]]:
    py = sys.executable
    mail_dir = ROOT / "var" / "mail"
    for sub in ("tmp", "new", "cur"):  # a Maildir: read it with `mutt -f var/mail`
        (mail_dir / sub).mkdir(parents=True, exist_ok=True)
    return {
        "web": [py, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        "worker": [py, "manage.py", "db_worker", "--interval", "1", "--no-reload"],
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
    for name, cmd in _processes(args.port).items():
        running[name] = subprocess.Popen(cmd, cwd=ROOT, start_new_session=True)  # noqa: S603 (our own argv)
    print(
        f"\nOpenIOP demo: http://127.0.0.1:{args.port}/  (mail lands in var/mail; "
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
