from django.urls import path

from openiop.resources import views

app_name = "resources"
urlpatterns = [
    path("programs/<slug:slug>/resources/", views.directory, name="directory"),
    path("programs/<slug:slug>/resources/new/", views.resource_edit, name="resource_new"),
    path(
        "programs/<slug:slug>/resources/<int:resource_id>/edit/",
        views.resource_edit,
        name="resource_edit",
    ),
    path(
        "programs/<slug:slug>/resources/<int:resource_id>/verify/",
        views.resource_verify,
        name="resource_verify",
    ),
    path("programs/<slug:slug>/resources/part2/", views.part2_set, name="part2"),
    path("programs/<slug:slug>/locations/new/", views.location_edit, name="location_new"),
    path(
        "programs/<slug:slug>/locations/<int:location_id>/edit/",
        views.location_edit,
        name="location_edit",
    ),
    path("me/resources/", views.my_resources, name="my_resources"),
    path("me/family/", views.my_family, name="my_family"),
    path("me/family/<int:consent_id>/revoke/", views.my_family_revoke, name="my_family_revoke"),
    path("clients/<int:client_id>/resources/", views.client_resources, name="client_resources"),
    path("clients/<int:client_id>/referrals-out/", views.referrals_out, name="referrals_out"),
    # The referral's own id is enough: the client is read from it, then checked as above.
    path("referrals-out/<int:referral_id>/", views.referral_out, name="referral_out"),
]
