from django.apps import AppConfig


class OversightConfig(AppConfig):
    name = "oversight"

    def ready(self):
        from ppda.demo import demo_step_register

        demo_step_register("oversight.demo", "seed_case_history", order=15)
        demo_step_register("oversight.demo", "seed_allocations", order=20)

        from cases.extensions import allocation_reads_register

        from .allocation.case_reads import READS

        allocation_reads_register(READS)

        from cases.extensions import first_open_conflict_register

        from .allocation.services import allocation_end_on_first_open_conflict

        first_open_conflict_register(allocation_end_on_first_open_conflict)

        from cases.investigations.timeline import timeline_source_register

        from .allocation.case_reads import timeline_events

        timeline_source_register(timeline_events)
