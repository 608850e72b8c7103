from django.apps import AppConfig


class MeasuresConfig(AppConfig):
    name = "openiop.measures"
    label = "measures"
    verbose_name = "Measures"

    def ready(self) -> None:
        from openiop.lib.slots import badges_register, nav_register, panel_register
        from openiop.measures import panels, selectors
        from openiop.programs.selectors import register_measure_change

        panel_register("client_home", panels.client_home, order=20)
        panel_register("client_record", panels.client_record, order=30)
        panel_register("staff_home", panels.staff_home, order=60)
        badges_register(selectors.overdue_badges, order=40)
        nav_register("Questionnaires", "measures:mine", roles={"client"}, order=20)
        # The discharge summary states measure change without programs importing measures.
        register_measure_change(selectors.enrollment_measure_change)
