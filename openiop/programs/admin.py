from django.contrib import admin

from openiop.admin_site import SiteAdminModelAdmin
from openiop.programs.models import Program, ProgramStaff, Track


class TrackInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Track
    extra = 0


class ProgramStaffInline(admin.TabularInline):  # type: ignore[type-arg]
    model = ProgramStaff
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Program)
class ProgramAdmin(SiteAdminModelAdmin):
    list_display = ["name", "level_of_care", "time_zone", "min_weekly_hours"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [TrackInline, ProgramStaffInline]
