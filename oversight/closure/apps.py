from django.apps import AppConfig


class ClosureConfig(AppConfig):
    """Closing a case (the SOO's checklist, the grace-period access sweep) and reopening on a new report."""

    name = "oversight.closure"
    label = "closure"
    verbose_name = "Case closure and reopening"

    def ready(self):
        # The investigation record's outcomes satisfy the checklist's outcome items (hooks.py).
        from . import hooks

        hooks.register_investigation_outcomes(hooks.outcomes_from_investigation_record)
