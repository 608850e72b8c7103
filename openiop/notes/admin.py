"""Only supervision is set up in the admin (who co-signs whose notes); notes themselves are
clinical records and never appear here."""

from django.contrib import admin

from openiop.admin_site import SiteAdminModelAdmin
from openiop.notes.models import Supervision


@admin.register(Supervision)
class SupervisionAdmin(SiteAdminModelAdmin):
    list_display = ["supervisee", "supervisor", "since"]
    autocomplete_fields = ["supervisee", "supervisor"]
