"""Onboarding routes: the client's first-sign-in steps, their signed consents, the intake queue."""

from django.urls import path

from openiop.programs.views import onboarding

app_name = "onboarding"
urlpatterns = [
    path("welcome/", onboarding.onboarding, name="resume"),
    path("welcome/start/", onboarding.welcome, name="welcome"),
    path(
        "welcome/telehealth-consent/",
        onboarding.telehealth_consent,
        name="telehealth_consent",
    ),
    path("welcome/treatment-consent/", onboarding.treatment_consent, name="treatment_consent"),
    path("welcome/contacts/", onboarding.contacts, name="contacts"),
    path(
        "welcome/contacts/<int:contact_id>/remove/",
        onboarding.contact_remove,
        name="contact_remove",
    ),
    path("welcome/device-check/", onboarding.device_check, name="device_check"),
    path("me/consents/", onboarding.my_consents, name="my_consents"),
    path("me/consents/<int:signature_id>/", onboarding.my_consent, name="my_consent"),
    path("intake/", onboarding.intake, name="intake_queue"),
]
