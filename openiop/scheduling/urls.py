"""Staff scheduling pages."""

from django.urls import path

from openiop.scheduling.views import sessions

app_name = "scheduling"
urlpatterns = [
    path("schedule/day/", sessions.day, name="day"),
    path("schedule/<slug:slug>/series/new/", sessions.series_new, name="series_new"),
]
