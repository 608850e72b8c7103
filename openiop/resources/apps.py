from django.apps import AppConfig


class ResourcesConfig(AppConfig):
    name = "openiop.resources"
    label = "resources"
    verbose_name = "Resources and referrals out"
