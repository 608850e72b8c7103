from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from openiop.audit import context


def client_ip(request: HttpRequest) -> str | None:
    # Behind the production proxy SECURE_PROXY_SSL_HEADER is trusted; REMOTE_ADDR is the
    # address the proxy saw only when the deployment sets it so (e.g. uvicorn --proxy-headers).
    return request.META.get("REMOTE_ADDR") or None


class RequestContextMiddleware:
    """Remember the caller's IP and user agent for the audit events this request writes."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = context.set_current(
            context.RequestContext(
                ip=client_ip(request),
                user_agent=request.META.get("HTTP_USER_AGENT", "")[:400],
            )
        )
        try:
            return self.get_response(request)
        finally:
            context.reset(token)
