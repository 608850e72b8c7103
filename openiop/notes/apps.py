from django.apps import AppConfig


class NotesConfig(AppConfig):
    name = "openiop.notes"
    label = "notes"
    verbose_name = "Clinical notes"

    def ready(self) -> None:
        from openiop.lib.slots import nav_register, panel_register
        from openiop.notes.panels import client_home_panel, client_record_panel, staff_home_panel

        panel_register("staff_home", staff_home_panel, order=40)
        panel_register("client_record", client_record_panel, order=60)
        panel_register("client_home", client_home_panel, order=90)
        nav_register(
            "Notes to sign", "notes:queue", roles={"clinician", "facilitator", "director"}, order=40
        )
