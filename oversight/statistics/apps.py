from django.apps import AppConfig


class StatisticsConfig(AppConfig):
    """The practice's figures: the statistics page and charts, figure exports, the inspection export, imports."""

    name = "oversight.statistics"
    label = "statistics"
    verbose_name = "Statistics, exports and imports"

    def ready(self):
        from .investigations import investigation_tables
        from .providers import INVESTIGATIONS, register

        register(INVESTIGATIONS, investigation_tables)
