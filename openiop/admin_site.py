from typing import Any

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest
from django_otp.admin import OTPAdminSite


def _is_verified_admin(request: HttpRequest) -> bool:
    user = request.user
    return bool(
        user.is_active
        and getattr(user, "role", None) == "admin"
        and user.is_staff
        and user.passed_second_factor()  # type: ignore[union-attr]
    )


class OpenIOPAdminSite(OTPAdminSite):
    """Admin for the site-admin role only, and only after a TOTP verification."""

    site_header = "OpenIOP administration"
    site_title = "OpenIOP administration"
    index_title = "Accounts and settings"
    login_template = "admin/login.html"

    def has_permission(self, request: HttpRequest) -> bool:
        return _is_verified_admin(request)


class SiteAdminModelAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Full rights for verified site admins, none for anyone else; every change audited.

    Only accounts and settings are registered: clinical records never appear in the admin,
    so the admin role cannot read PHI around the audited pages.
    """

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _is_verified_admin(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_verified_admin(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return _is_verified_admin(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_verified_admin(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # deactivate instead; rows referenced by the audit trail stay

    def save_model(self, request: HttpRequest, obj: Model, form: Any, change: bool) -> None:
        from openiop.audit.models import Action
        from openiop.audit.services import audit_record

        super().save_model(request, obj, form, change)
        audit_record(
            actor=request.user,
            action=Action.UPDATE if change else Action.CREATE,
            object_type=f"admin.{obj._meta.label_lower}",
            object_id=obj.pk,
        )
