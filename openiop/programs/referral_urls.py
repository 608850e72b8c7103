"""Referral intake routes: the referral form, client documents, the client's invitation."""

from django.urls import path

from openiop.programs.views import referrals

app_name = "referrals"
urlpatterns = [
    path("referrals/new/", referrals.referral_new, name="new"),
    path("clients/<int:client_id>/documents/", referrals.document_upload, name="document_upload"),
    path(
        "clients/<int:client_id>/documents/<int:document_id>/",
        referrals.document_download,
        name="document_download",
    ),
    path("clients/<int:client_id>/invite/", referrals.invite_resend, name="invite_resend"),
    path("invite/<str:uidb64>/<str:token>/", referrals.invite_accept, name="invite_accept"),
]
