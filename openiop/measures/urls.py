"""Measures pages. Client pages carry no instrument name in the path (numbers only): a URL
in a shared browser history must not say what was asked."""

from django.urls import path

from openiop.measures import views

app_name = "measures"
urlpatterns = [
    path("me/measures/", views.my_measures, name="mine"),
    path("me/measures/thanks/", views.thanks, name="thanks"),
    path("me/measures/<int:instrument_id>/", views.start, name="start"),
    path("me/measures/<int:instrument_id>/q/<int:number>/", views.question, name="question"),
    path("me/measures/<int:instrument_id>/review/", views.review, name="review"),
    path("clients/<int:client_id>/measures/", views.client_measures, name="client"),
    path("clients/<int:client_id>/measures/enter/", views.enter, name="enter"),
    # <str:…> rather than <int:…> so that anonymous visitors to a malformed id are still sent
    # to sign in first; the views answer 404 for anything but digits.
    path(
        "clients/<int:client_id>/measures/responses/<str:response_id>/",
        views.response_detail,
        name="response",
    ),
    path("clients/<int:client_id>/measures/<str:instrument_id>/", views.trend, name="trend"),
    path("programs/<slug:slug>/outcomes/", views.outcomes, name="outcomes"),
    path("programs/<slug:slug>/measures/schedules/", views.schedules, name="schedules"),
    path(
        "programs/<slug:slug>/measures/instruments/", views.program_instruments, name="instruments"
    ),
]
