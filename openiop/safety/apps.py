from django.apps import AppConfig


class SafetyConfig(AppConfig):
    name = "openiop.safety"
    label = "safety"
    verbose_name = "Safety"

    def ready(self) -> None:
        from openiop.lib.slots import nav_register

        nav_register("Help now", "safety:help_now", roles={"client"}, order=1)
