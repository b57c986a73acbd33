"""The allocation facts the case pages show (inbox deadline, history's SOO, the live allocation).

Registered with cases.extensions by OversightConfig.ready: cases/ shows them without importing oversight/.
"""

from django.contrib.auth import get_user_model
from django.db.models import CharField, F, FilteredRelation, OuterRef, Q, Subquery, Value
from django.db.models.functions import Concat
from django.urls import reverse

from cases.extensions import AllocationReads
from oversight.models import Allocation
from ppda.prepared import PreparedQuery
from ppda.roles import Role, has_role


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
    """The case's live (pending or accepted) allocation with its SOO, or None (one query, prepared: ppda.prepared)."""
    found = _live_allocation(case_id=case.pk)
    if not found:
        return None
    found[0].case = case
    return found[0]


def _build_live_allocation(*, case_id):
    # first() in the model's order: at most one is live (constraint allocation_one_live_per_case).
    return Allocation.objects.filter(case_id=case_id, status__in=Allocation.LIVE).select_related("soo")[:1]


_live_allocation = PreparedQuery(_build_live_allocation, case_id=int)


def soo_user_ids(case_ids: list[int]) -> dict[int, list[int]]:
    """The active user accounts of the SOOs of these cases' live allocations, by case id (one query)."""
    out: dict[int, list[int]] = {}
    rows = (
        get_user_model()
        .objects.filter(
            is_active=True, staff__allocations__case_id__in=case_ids, staff__allocations__status__in=Allocation.LIVE
        )
        .values_list("staff__allocations__case_id", "pk")
    )
    for case_id, user_id in rows:
        out.setdefault(case_id, []).append(user_id)
    return out


def timeline_events(case) -> list:
    """The case timeline's oversight events (cases.investigations.timeline): allocations, responses, ends and
    victim contacts, in two queries whatever their number."""
    from cases.investigations.timeline import TimelineEvent
    from oversight.contacts.models import Contact

    def soo(a) -> str:
        return f"{a.soo.get_rank_display()} {a.soo.first_name} {a.soo.last_name}"

    events = []
    for a in Allocation.objects.filter(case=case).select_related("soo", "allocated_by"):
        events.append(
            TimelineEvent(
                at=a.allocated_at,
                title="SOO allocated",
                detail=soo(a),
                names_staff=True,
                by=a.allocated_by.display_name,
                kind="allocation",
            )
        )
        if a.responded_at and a.status != Allocation.Status.PENDING:
            declined = a.status == Allocation.Status.DECLINED
            events.append(
                TimelineEvent(
                    at=a.responded_at,
                    title="Allocation declined" if declined else "Allocation accepted",
                    detail=soo(a),
                    names_staff=True,
                    kind="allocation",
                )
            )
        if a.ended_at:
            events.append(
                TimelineEvent(at=a.ended_at, title="Allocation ended", detail=a.end_reason, kind="allocation")
            )
    contacts = Contact.objects.filter(allocation__case=case).select_related("recorded_by")
    for c in contacts:
        events.append(
            TimelineEvent(
                at=c.contacted_at,
                title=f"Victim contact: {c.get_method_display().lower()}, {c.get_outcome_display().lower()}",
                detail=c.note,
                by=c.recorded_by.display_name,
                kind="contact",
            )
        )
    return events


def pending_response_url(case, user) -> str | None:
    """The response page of this SOO's own pending allocation of the case, or None."""
    staff_id = getattr(user, "staff_id", None)
    if staff_id is None or not has_role(user, Role.SOO):
        return None
    allocation = (
        Allocation.objects.filter(case_id=case.pk, soo_id=staff_id, status=Allocation.Status.PENDING)
        .only("public_id")
        .first()
    )
    return reverse("oversight:respond", args=[allocation.public_id]) if allocation else None


READS = AllocationReads(
    inbox_annotations=inbox_annotations,
    history_annotations=history_annotations,
    live_allocation=live_allocation,
    soo_user_ids=soo_user_ids,
    pending_response_url=pending_response_url,
)
