from django.apps import AppConfig


class ClosureConfig(AppConfig):
    """Closing a case (the SOO's checklist, the grace-period access sweep) and reopening on a new report."""

    name = "oversight.closure"
    label = "closure"
    verbose_name = "Case closure and reopening"
