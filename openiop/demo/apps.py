from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Fictional demo data for `make run`; sits right of every domain app and imports them."""

    name = "openiop.demo"
    label = "demo"
    verbose_name = "Demo data"
