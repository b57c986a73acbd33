"""The allocation facts the case pages show (inbox deadline, history's SOO, the live allocation).

Registered with cases.extensions by OversightConfig.ready: cases/ shows them without importing oversight/.
"""

from django.db.models import CharField, F, FilteredRelation, OuterRef, Q, Subquery, Value
from django.db.models.functions import Concat

from cases.extensions import AllocationReads
from oversight.models import Allocation


def inbox_annotations() -> dict:
    """The live allocation's first-contact deadline, read by a join (a case has at most one live allocation:
    constraint allocation_one_live_per_case)."""
    return {
        "live": FilteredRelation("allocations", condition=Q(allocations__status__in=Allocation.LIVE)),
        "contact_due": F("live__first_contact_due"),
        "contact_met": F("live__first_contact_met_at"),
    }


def history_annotations() -> dict:
    """The latest allocation's SOO name and status, by subquery."""
    latest = Allocation.objects.filter(case=OuterRef("pk")).order_by("-allocated_at")
    return {
        "soo_name": Subquery(
            latest.annotate(n=Concat("soo__first_name", Value(" "), "soo__last_name", output_field=CharField())).values(
                "n"
            )[:1]
        ),
        "soo_allocation_status": Subquery(latest.values("status")[:1]),
    }


def live_allocation(case):
    """The case's live (pending or accepted) allocation with its SOO, or None."""
    return Allocation.objects.filter(case=case, status__in=Allocation.LIVE).select_related("soo").first()


READS = AllocationReads(
    inbox_annotations=inbox_annotations, history_annotations=history_annotations, live_allocation=live_allocation
)
