"""TURN credentials for coturn's REST API scheme (`use-auth-secret` + `static-auth-secret`).

The username is ``<unix expiry>:<user id>`` and the password is
``base64(HMAC-SHA1(TURN_SECRET, username))``; coturn recomputes it and refuses the credential
after the expiry, so a leaked one is useless within the hour. Nothing is stored.

coturn side (``/etc/turnserver.conf``)::

    use-auth-secret
    static-auth-secret=<the same value as TURN_SECRET>
    realm=<your domain>
    no-tcp-relay             # and deny peers on private ranges you do not need

The browser gets the dict as one entry of janus.js's `iceServers`.
"""

import base64
import hashlib
import hmac
import time
from typing import Any

from django.conf import settings


def turn_credentials(
    user_id: int, *, ttl_seconds: int = 3600, now: float | None = None
) -> dict[str, Any] | None:
    """An RTCIceServer dict ({"urls", "username", "credential"}) valid for `ttl_seconds`,
    or None when no TURN server is configured (settings TURN_URLS and TURN_SECRET)."""
    urls = [url for url in getattr(settings, "TURN_URLS", []) if url]
    secret = getattr(settings, "TURN_SECRET", "")
    if not urls or not secret:
        return None
    if ttl_seconds <= 0:
        raise ValueError("ttl_seconds must be positive")
    expiry = int(time.time() if now is None else now) + int(ttl_seconds)
    username = f"{expiry}:{int(user_id)}"
    digest = hmac.new(secret.encode(), username.encode(), hashlib.sha1).digest()
    return {
        "urls": list(urls),
        "username": username,
        "credential": base64.b64encode(digest).decode("ascii"),
    }
