from django.contrib.admin.apps import AdminConfig


class OpenIOPAdminConfig(AdminConfig):
    """The Django admin, replaced by a site that only MFA-verified admins may enter."""

    default_site = "openiop.admin_site.OpenIOPAdminSite"
