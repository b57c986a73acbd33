from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cases"

    def ready(self):
        from ppda.demo import demo_step_register

        demo_step_register("cases.demo", "seed_cases", order=10)
