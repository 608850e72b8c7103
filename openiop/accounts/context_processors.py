from django.conf import settings
from django.http import HttpRequest


def idle_timeout(request: HttpRequest) -> dict[str, int]:
    """The signed-in user's idle limit in seconds, for the page's reload timer."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    limit = (
        settings.OPENIOP_IDLE_TIMEOUT_STAFF
        if user.is_staff_role  # type: ignore[union-attr]
        else settings.OPENIOP_IDLE_TIMEOUT_CLIENT
    )
    return {"idle_seconds": int(limit.total_seconds())}
