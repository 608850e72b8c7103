from django.contrib import admin

from openiop.accounts.models import User
from openiop.admin_site import SiteAdminModelAdmin


@admin.register(User)
class UserAdmin(SiteAdminModelAdmin):
    list_display = ["email", "display_name", "role", "is_active", "last_login"]
    list_filter = ["role", "is_active"]
    search_fields = ["email", "display_name"]
    fields = [
        "email",
        "display_name",
        "role",
        "time_zone",
        "is_active",
        "last_login",
        "date_joined",
    ]
    readonly_fields = ["last_login", "date_joined"]
    ordering = ["email"]
