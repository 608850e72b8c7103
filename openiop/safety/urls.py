from django.urls import path

from openiop.safety import views, views_director, views_staff

app_name = "safety"
urlpatterns = [
    # The client's pages
    path("help/", views.help_now, name="help_now"),
    path("help/sw.js", views.help_sw, name="help_sw"),
    path("help/alert/", views.help_press, name="help_press"),
    path("help/sent/", views.help_sent, name="help_sent"),
    path("me/safety-plan/", views.my_plan, name="my_plan"),
    path("me/safety-plan/sign/", views.my_plan_sign, name="my_plan_sign"),
    path("me/contacts/", views.my_contacts, name="my_contacts"),
    path(
        "me/contacts/<int:contact_id>/consent/",
        views.my_contact_consent,
        name="my_contact_consent",
    ),
    path("me/contacts/<int:contact_id>/remove/", views.my_contact_remove, name="my_contact_remove"),
    # Staff
    path("alerts/", views_staff.alert_list, name="alert_list"),
    path("alerts/working-hours/", views_director.my_hours, name="my_hours"),
    path("alerts/<int:alert_id>/", views_staff.alert_detail, name="alert_detail"),
    path(
        "alerts/<int:alert_id>/acknowledge/",
        views_staff.alert_acknowledge,
        name="alert_acknowledge",
    ),
    path("alerts/<int:alert_id>/resolve/", views_staff.alert_resolve, name="alert_resolve"),
    path("clients/<int:client_id>/safety-plan/", views_staff.client_plan, name="client_plan"),
    path(
        "clients/<int:client_id>/safety-plan/sign/",
        views_staff.client_plan_sign,
        name="client_plan_sign",
    ),
    path("clients/<int:client_id>/crisis-panel/", views_staff.crisis_panel, name="crisis_panel"),
    path("clients/<int:client_id>/crisis-panel/tick/", views_staff.crisis_tick, name="crisis_tick"),
    path(
        "clients/<int:client_id>/alerts/raise/",
        views_staff.client_alert_raise,
        name="client_alert_raise",
    ),
    # Directors
    path("programs/<slug:slug>/on-call/", views_director.on_call, name="on_call"),
    path(
        "programs/<slug:slug>/on-call/<int:shift_id>/remove/",
        views_director.on_call_remove,
        name="on_call_remove",
    ),
    path("programs/<slug:slug>/emergency-resources/", views_director.resources, name="resources"),
    path(
        "programs/<slug:slug>/emergency-resources/<int:resource_id>/",
        views_director.resources,
        name="resource_edit",
    ),
    path(
        "programs/<slug:slug>/emergency-resources/<int:resource_id>/remove/",
        views_director.resource_remove,
        name="resource_remove",
    ),
]
