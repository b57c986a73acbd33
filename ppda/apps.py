from django.apps import AppConfig


class PpdaConfig(AppConfig):
    name = "ppda"
    verbose_name = "ppda core"
