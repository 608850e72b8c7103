from django.contrib import admin
from django.urls import include, path

from openiop.api import api
from openiop.programs.views.records import home

urlpatterns = [
    path("", home, name="home"),
    path("", include("openiop.accounts.urls")),
    path("", include("openiop.programs.urls")),
    path("", include("openiop.programs.onboarding_urls")),
    path("", include("openiop.programs.referral_urls")),
    path("", include("openiop.scheduling.client_urls")),
    path("", include("openiop.scheduling.attendance_urls")),
    path("", include("openiop.scheduling.urls")),
    path("", include("openiop.notify.urls")),
    path("", include("openiop.resources.urls")),
    path("", include("openiop.safety.urls")),
    path("", include("openiop.measures.urls")),
    path("", include("openiop.telehealth.urls")),
    path("", include("openiop.care.urls")),
    path("", include("openiop.notes.urls")),
    path("", include("openiop.family.urls")),
    path("compliance/", include("openiop.audit.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]
