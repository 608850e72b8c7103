from django.urls import path

from openiop.telehealth import views

app_name = "telehealth"
urlpatterns = [
    path("sessions/<int:session_id>/join/", views.join, name="join"),
    path("sessions/<int:session_id>/room/", views.room, name="room"),
    path("sessions/<int:session_id>/room/state/", views.state, name="state"),
    path("sessions/<int:session_id>/room/ticket/", views.ticket, name="ticket"),
    path("sessions/<int:session_id>/room/action/", views.action, name="action"),
    path("telehealth/tickets/redeem", views.redeem, name="redeem"),
    path("telehealth/ping/", views.ping, name="ping"),
    path("telehealth/payload/", views.payload, name="payload"),
    path("telehealth/janus-events/", views.janus_events, name="janus_events"),
    path("x/", views.neutral, name="neutral"),
]
