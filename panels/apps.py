from django.apps import AppConfig
from django.db.models import Q


class PanelsConfig(AppConfig):
    """Scrutiny panels (issue #14): meetings, agendas, access windows, outcomes, packs. The top layer: nothing
    imports panels; it registers with the lower apps' hooks instead."""

    name = "panels"
    verbose_name = "Scrutiny panels"

    def ready(self):
        from oversight.closure import hooks as closure_hooks
        from oversight.retention.erasure import TextSource, text_source_register
        from oversight.statistics.providers import PANELS
        from oversight.statistics.providers import register as statistics_register
        from oversight.update_form import hooks as form_hooks
        from ppda.demo import demo_step_register

        from . import selectors
        from .models import Action, Amendment, Outcome
        from .statistics import panel_tables

        closure_hooks.register_bring_back_check(selectors.bring_back_pending_for_closure)
        form_hooks.register("panel_decisions", selectors.panel_decisions_for_case)
        demo_step_register("panels.demo", "seed_panels", order=30)
        statistics_register(PANELS, panel_tables)
        # A retention deletion redacts the parties out of what the panel wrote about the case (and its history).
        on_case = lambda case: Q(item__entries__case_id=case.pk)  # noqa: E731
        text_source_register(TextSource("panel outcomes", Outcome, Outcome.FREE_TEXT, on_case))
        text_source_register(TextSource("panel actions", Action, ("description",), on_case))
        text_source_register(TextSource("panel amendments", Amendment, ("before", "after", "reason"), on_case))
