"""Text messages through a provider speaking Twilio's REST wire format.

Sending: ``POST {base}/2010-04-01/Accounts/{sid}/Messages.json`` (form-encoded To, From, Body;
HTTP basic auth sid:token). The answer is JSON: 201 with the message ``sid``, or an error
``{"code": 21211, "message": "...", "status": 400}``. A 4xx is permanent (the number is bad, or
the recipient sent STOP: code 21610); a 429 or 5xx, or no answer at all, is retried.

Replies come to our webhook form-encoded (From, Body) and signed: ``X-Twilio-Signature`` is
base64(HMAC-SHA1(auth token, URL + each POST parameter's name and value, sorted by name)).
"""

import base64
import hashlib
import hmac
import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping, Sequence
from datetime import datetime
from email.utils import parsedate_to_datetime

from django.conf import settings

from openiop.notify.channels import Outcome

TIMEOUT_SECONDS = 10
# Twilio's codes for a number that can never receive a text from us.
INVALID_NUMBER_CODES = frozenset({21211, 21214, 21217, 21408, 21612, 21614})
UNSUBSCRIBED_CODE = 21610
STOP_WORDS = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "OPTOUT"})
START_WORDS = frozenset({"START", "YES", "UNSTOP"})


def configured() -> bool:
    return bool(settings.SMS_API_BASE and settings.SMS_ACCOUNT_SID and settings.SMS_AUTH_TOKEN)


def _messages_url() -> str:
    sid = urllib.parse.quote(settings.SMS_ACCOUNT_SID, safe="")
    return f"{settings.SMS_API_BASE.rstrip('/')}/2010-04-01/Accounts/{sid}/Messages.json"


def _auth_header() -> str:
    pair = f"{settings.SMS_ACCOUNT_SID}:{settings.SMS_AUTH_TOKEN}".encode()
    return "Basic " + base64.b64encode(pair).decode()


def _error_of(raw: bytes) -> tuple[int | None, str]:
    try:
        data = json.loads(raw.decode() or "{}")
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None, raw[:100].decode(errors="replace")
    if not isinstance(data, dict):
        return None, ""
    code = data.get("code")
    return (code if isinstance(code, int) else None), str(data.get("message", ""))


def send_sms(*, to: str, body: str, idempotency_key: str) -> Outcome:
    """Hand one text to the provider. ``idempotency_key`` goes in an ``Idempotency-Key``
    header (a provider that knows it drops a repeat; Twilio ignores it)."""
    if not configured():
        return Outcome.failed("text messages are not set up (SMS_ACCOUNT_SID)")
    form = urllib.parse.urlencode({"To": to, "From": settings.SMS_FROM, "Body": body}).encode()
    request = urllib.request.Request(  # noqa: S310 - the URL is our own setting
        _messages_url(),
        data=form,
        method="POST",
        headers={
            "Authorization": _auth_header(),
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "application/json",
            "Idempotency-Key": hashlib.sha256(idempotency_key.encode()).hexdigest(),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            raw = response.read()
    except urllib.error.HTTPError as exc:
        code, text = _error_of(exc.read())
        label = f"provider answered {exc.code}" + (f" (code {code}: {text})" if code else "")
        if exc.code == 429 or exc.code >= 500:
            return Outcome.retry(label)
        if code == UNSUBSCRIBED_CODE:
            return Outcome.failed(label, opted_out=True)
        if code in INVALID_NUMBER_CODES or exc.code == 400:
            return Outcome.failed(label, address_invalid=code in INVALID_NUMBER_CODES)
        return Outcome.failed(label)
    except (urllib.error.URLError, OSError, TimeoutError) as exc:
        return Outcome.retry(f"provider unreachable: {type(exc).__name__}")
    try:
        data = json.loads(raw.decode())
    except (UnicodeDecodeError, json.JSONDecodeError):
        return Outcome.retry("provider answered something that is not JSON")
    if data.get("status") in ("failed", "undelivered"):
        code = data.get("error_code")
        return Outcome.failed(
            f"provider says {data.get('status')} (code {code})",
            address_invalid=code in INVALID_NUMBER_CODES,
        )
    return Outcome.sent(str(data.get("sid", "")))


def find_sent(*, to: str, body: str, since: datetime) -> str | None:
    """The provider's id of a text with this body already sent to ``to`` at or after ``since``
    (after a worker died between the provider's answer and our commit); None if there is none
    or the provider cannot be asked."""
    if not configured():
        return None
    query = urllib.parse.urlencode(
        {"To": to, "From": settings.SMS_FROM, "DateSent>": since.date().isoformat()}
    )
    request = urllib.request.Request(  # noqa: S310 - the URL is our own setting
        f"{_messages_url()}?{query}", headers={"Authorization": _auth_header()}
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            data = json.loads(response.read().decode())
    except (urllib.error.URLError, OSError, TimeoutError, ValueError):
        return None
    for item in data.get("messages", []):
        if item.get("body") != body or item.get("to") != to:
            continue
        try:
            created = parsedate_to_datetime(item.get("date_created", ""))
        except (TypeError, ValueError):
            continue
        if created >= since.replace(microsecond=0):
            return str(item.get("sid", ""))
    return None


def signature(token: str, url: str, params: Mapping[str, Sequence[str]]) -> str:
    data = url + "".join(name + value for name in sorted(params) for value in params[name])
    digest = hmac.new(token.encode(), data.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def signature_valid(url: str, params: Mapping[str, Sequence[str]], given: str) -> bool:
    if not settings.SMS_AUTH_TOKEN or not given:
        return False
    return hmac.compare_digest(signature(settings.SMS_AUTH_TOKEN, url, params), given)


def keyword(body: str) -> str | None:
    """ "stop" or "start" when a reply is one of the opt-out or opt-in words."""
    word = body.strip().strip(".!").upper()
    if word in STOP_WORDS:
        return "stop"
    if word in START_WORDS:
        return "start"
    return None
