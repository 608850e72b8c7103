from django.http import HttpRequest
from django_otp.admin import OTPAdminSite


class OpenIOPAdminSite(OTPAdminSite):
    """Admin for the site-admin role only, and only after a TOTP verification."""

    site_header = "OpenIOP administration"
    login_template = "admin/login.html"

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(
            user.is_active
            and getattr(user, "role", None) == "admin"
            and user.is_staff
            and user.passed_second_factor()  # type: ignore[union-attr]
        )
