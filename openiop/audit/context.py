"""Where the current request came from, for audit events written deeper down.

The middleware sets it per request; workers and commands leave it empty, and their events
record no IP or user agent.
"""

import ipaddress
from contextvars import ContextVar
from dataclasses import dataclass, field


@dataclass(frozen=True)
class RequestContext:
    ip: str | None = None
    user_agent: str = ""
    # Emergency-access reasons by client id: once this request has read a client's record
    # under break-the-glass, every later event about that client carries the same reason
    # (the record page's panels from other apps record their own reads).
    client_reasons: dict[int, str] = field(default_factory=dict)


_current: ContextVar[RequestContext] = ContextVar("openiop_request_context")


def current() -> RequestContext:
    return _current.get(RequestContext())


def set_current(context: RequestContext) -> object:
    return _current.set(context)


def reset(token: object) -> None:
    _current.reset(token)  # type: ignore[arg-type]


def canonical_ip(value: str | None) -> str | None:
    """The address in the one spelling every database returns it in, or None if it is not one.

    The hash chain covers the IP, so it must be hashed exactly as it will be read back:
    PostgreSQL's inet and Django's IPv6 cleaning both print `2001:0DB8::0001` as `2001:db8::1`.
    A zone id (`fe80::1%eth0`) is dropped: inet rejects it and it means nothing off the host.
    """
    if not value:
        return None
    try:
        return str(ipaddress.ip_address(value.strip().split("%", 1)[0]))
    except ValueError:
        return None
