"""A local HTTP server that speaks Twilio's Messages wire format, for tests and the bench.

POST /2010-04-01/Accounts/{sid}/Messages.json (form To, From, Body; basic auth) answers 201
with a message resource, or the error that ``fail_next`` / ``invalid_numbers`` ask for;
GET on the same URL lists what was accepted (filter To). Everything it accepted is in
``accepted`` for the test to count.
"""

import base64
import itertools
import json
import threading
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

SID = "AC" + "0" * 32
TOKEN = "test-auth-token"


@dataclass
class FakeSms:
    base: str = ""
    accepted: list[dict[str, Any]] = field(default_factory=list)
    # Statuses to answer with, in order, before accepting again (e.g. [503, 503]).
    fail_next: list[int] = field(default_factory=list)
    invalid_numbers: set[str] = field(default_factory=set)
    unsubscribed_numbers: set[str] = field(default_factory=set)
    requests: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def answer(self, form: dict[str, str], auth: str) -> tuple[int, dict[str, Any]]:
        with self.lock:
            self.requests += 1
            expected = "Basic " + base64.b64encode(f"{SID}:{TOKEN}".encode()).decode()
            if auth != expected:
                return 401, {"code": 20003, "message": "Authenticate", "status": 401}
            if self.fail_next:
                status = self.fail_next.pop(0)
                return status, {"code": 20500, "message": "Internal error", "status": status}
            to = form.get("To", "")
            if to in self.invalid_numbers:
                return 400, {
                    "code": 21211,
                    "message": f"The 'To' number {to} is not a valid phone number.",
                    "more_info": "https://www.twilio.com/docs/errors/21211",
                    "status": 400,
                }
            if to in self.unsubscribed_numbers:
                return 400, {
                    "code": 21610,
                    "message": "Attempt to send to unsubscribed recipient",
                    "status": 400,
                }
            sid = f"SM{next(self._ids):032x}"
            resource = {
                "sid": sid,
                "account_sid": SID,
                "to": to,
                "from": form.get("From", ""),
                "body": form.get("Body", ""),
                "status": "queued",
                "date_created": format_datetime(datetime.now(UTC)),
                "error_code": None,
                "error_message": None,
            }
            self.accepted.append(resource)
            return 201, resource


def _handler(fake: FakeSms) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def _reply(self, status: int, data: dict[str, Any]) -> None:
            raw = json.dumps(data).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def do_POST(self) -> None:
            if self.path != f"/2010-04-01/Accounts/{SID}/Messages.json":
                self._reply(404, {"code": 20404, "message": "Not found", "status": 404})
                return
            length = int(self.headers.get("Content-Length", "0"))
            form = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
            self._reply(*fake.answer(form, self.headers.get("Authorization", "")))

        def do_GET(self) -> None:
            _path, _, query = self.path.partition("?")
            params = dict(urllib.parse.parse_qsl(query))
            with fake.lock:
                found = [m for m in fake.accepted if m["to"] == params.get("To", m["to"])]
            self._reply(200, {"messages": found, "page": 0})

    return Handler


@contextmanager
def fake_sms_server() -> Iterator[FakeSms]:
    fake = FakeSms()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    fake.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
