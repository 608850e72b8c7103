from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from openiop.audit import context

USER_AGENT_MAX = 400  # AuditEvent.user_agent's max_length


def client_ip(request: HttpRequest) -> str | None:
    # Behind the production proxy SECURE_PROXY_SSL_HEADER is trusted; REMOTE_ADDR is the
    # address the proxy saw only when the deployment sets it so (e.g. uvicorn --proxy-headers).
    return context.canonical_ip(request.META.get("REMOTE_ADDR"))


def client_user_agent(request: HttpRequest) -> str:
    # The header is the caller's to choose: a NUL byte would make PostgreSQL refuse the audit
    # row, and with it the page the row records.
    return request.META.get("HTTP_USER_AGENT", "").replace("\x00", "")[:USER_AGENT_MAX]


class RequestContextMiddleware:
    """Remember the caller's IP and user agent for the audit events this request writes."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = context.set_current(
            context.RequestContext(ip=client_ip(request), user_agent=client_user_agent(request))
        )
        try:
            return self.get_response(request)
        finally:
            context.reset(token)
