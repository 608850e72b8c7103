"""Bearer secrets handed out once (API tokens, calendar-feed links): only a digest is stored."""

import hashlib
import secrets


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()
