"""Where the current request came from, for audit events written deeper down.

The middleware sets it per request; workers and commands leave it empty, and their events
record no IP or user agent.
"""

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    ip: str | None = None
    user_agent: str = ""


_current: ContextVar[RequestContext] = ContextVar("openiop_request_context")


def current() -> RequestContext:
    return _current.get(RequestContext())


def set_current(context: RequestContext) -> object:
    return _current.set(context)


def reset(token: object) -> None:
    _current.reset(token)  # type: ignore[arg-type]
