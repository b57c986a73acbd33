from django.apps import AppConfig


class InvestigationsConfig(AppConfig):
    """The investigation record, PSD assignment and updates, and the investigation alerts sweep."""

    name = "cases.investigations"
    label = "investigations"
    verbose_name = "Investigations and PSD updates"

    def ready(self):
        from ppda.demo import demo_step_register

        demo_step_register("cases.investigations.demo", "seed_investigations", order=30)
