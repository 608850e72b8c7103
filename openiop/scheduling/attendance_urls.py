"""Attendance, hours compliance and calendar-feed pages."""

from django.urls import path

from openiop.scheduling.views import calendar, staff

app_name = "attendance"
urlpatterns = [
    path("sessions/<int:session_id>/roster/", staff.session_roster, name="roster"),
    path("programs/<slug:slug>/compliance/", staff.compliance, name="compliance"),
    path("calendar/", calendar.calendar_page, name="calendar"),
    path("calendar/new/", calendar.calendar_issue, name="calendar_issue"),
    path("calendar/revoke/", calendar.calendar_revoke, name="calendar_revoke"),
    path("calendar/<str:token>.ics", calendar.feed, name="feed"),
]
