from django.apps import AppConfig


class PanelsConfig(AppConfig):
    """Scrutiny panels (issue #14): meetings, agendas, access windows, outcomes, packs. The top layer: nothing
    imports panels; it registers with the lower apps' hooks instead."""

    name = "panels"
    verbose_name = "Scrutiny panels"

    def ready(self):
        from oversight.closure import hooks as closure_hooks
        from oversight.statistics.providers import PANELS
        from oversight.statistics.providers import register as statistics_register
        from oversight.update_form import hooks as form_hooks
        from ppda.demo import demo_step_register

        from . import selectors
        from .statistics import panel_tables

        closure_hooks.register_bring_back_check(selectors.bring_back_pending_for_closure)
        form_hooks.register("panel_decisions", selectors.panel_decisions_for_case)
        demo_step_register("panels.demo", "seed_panels", order=30)
        statistics_register(PANELS, panel_tables)
