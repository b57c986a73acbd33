"""Demo allocations, run after cases.demo.seed_cases: the older cases' past (seed_case_history), then the
allocation screens get something real to show (seed_allocations).

Through the real services (rules checked, grants given, SOOs notified): about half of the triaged cases
still waiting for an SOO are allocated to the top suggestion; one allocation is declined with a conflict
(so the inbox shows a case needing reallocation and the allocate page a "declined" exclusion); a few
standing conflict declarations are recorded; and a counter-allegation pair never shares an SOO.
Idempotent: a second run does nothing.
"""

import datetime as dt
import random

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from cases.models import Case, CaseLink, ConflictDeclaration
from cases.services import case_status_change
from ppda.errors import ApplicationError
from ppda.models import Notification, StaffMember
from ppda.roles import Role

from .allocation.selectors import allocation_suggestions
from .allocation.services import (
    allocation_accept,
    allocation_create,
    allocation_decline,
    allocation_end,
    conflict_declaration_create,
)
from .models import Allocation

DEMO_REASON = "Demo: we served in the same team for several years and are friends outside work."
OUTCOMES = [
    "No further action",
    "Charged",
    "Gross misconduct: dismissed",
    "Misconduct: final written warning",
    "Case to answer: management action",
    "No case to answer",
    "Victim withdrew support",
]


# Live cases per demo SOO after the replay: room under the open-case limit for seed_allocations' new ones.
LIVE_PER_SOO = 2


def seed_case_history(*, stdout, rng: random.Random) -> None:
    """Give the older demo cases their past, through the real services: each triaged case older than ten days
    is allocated to its top suggestion (continuity first: a returning victim keeps their SOO), most are
    accepted and had first contact (a few late, so breached), and those older than six weeks to four months
    were closed; a demo SOO carries at most two live cases, so some wait in the inbox. The services stamp
    everything "now"; the demo then moves each allocation's times back to the case's own timeline (saved
    with history, never by a bulk update). Idempotent."""
    coordinator = get_user_model().objects.filter(groups__name=Role.COORDINATOR, is_active=True).order_by("pk").first()
    if coordinator is None:
        stdout.write("No coordinator yet: no demo case history replayed.")
        return
    if Allocation.objects.exists():
        stdout.write("Demo case history already replayed.")
        return
    now = timezone.now()
    started = now
    replayed = closed = 0
    with transaction.atomic():
        older = Case.objects.filter(status=Case.Status.TRIAGED, received_at__lt=now - dt.timedelta(days=10))
        for case in older.order_by("received_at", "pk"):
            age = now - case.received_at
            closing = age > dt.timedelta(days=rng.randint(45, 120))
            soo = _top(case)
            live = Allocation.objects.filter(soo=soo, status__in=Allocation.LIVE).count() if soo else 0
            if soo is None or (not closing and live >= LIVE_PER_SOO):
                continue  # stays in the inbox awaiting an SOO, as some do
            allocation = allocation_create(case=case, soo=soo, by=coordinator)
            allocated_at = case.triaged_at + dt.timedelta(hours=rng.randint(1, 20))
            times = {"allocated_at": allocated_at, "first_contact_due": Allocation.due_for(allocated_at)}
            if not (age < dt.timedelta(days=14) and rng.random() < 0.5):
                # Accepting is the SOO's first-open declaration too, as on the response page.
                allocation = allocation_accept(allocation=allocation, by=soo.user)
                met = allocated_at + dt.timedelta(hours=rng.randint(4, 90))
                times |= {"responded_at": allocated_at + dt.timedelta(hours=2), "first_contact_met_at": met}
                if met > times["first_contact_due"]:
                    times["breached_at"] = times["first_contact_due"]
            if closing:
                allocation = allocation_end(
                    allocation=allocation, by=coordinator, reason="Case closed", reallocate=False
                )
                ended = case.received_at + dt.timedelta(days=rng.randint(30, 44))
                times["ended_at"] = ended
                closed_case = case_status_change(case=case, to_status=Case.Status.CLOSED, user=coordinator)
                closed_case.closed_at, closed_case.outcome = ended, rng.choice(OUTCOMES)
                closed_case._history_user = coordinator
                closed_case.save(update_fields=["closed_at", "outcome"])
                closed += 1
            for name, value in times.items():
                setattr(allocation, name, value)
            allocation._history_user = coordinator
            allocation.save(update_fields=list(times))
            replayed += 1
        # The replay's notices ("you have been allocated", "your allocation has ended") are history: read, and
        # marked emailed before the commit would send them.
        Notification.objects.filter(created_at__gte=started, read_at__isnull=True).update(read_at=now, emailed_at=now)
    stdout.write(f"Replayed the history of {replayed} older demo cases ({closed} closed).")


def seed_allocations(*, stdout, rng: random.Random) -> None:
    """Seed demo allocations once. Needs demo cases, a coordinator and SOO-eligible chief inspectors."""
    if ConflictDeclaration.objects.filter(reason=DEMO_REASON).exists():
        stdout.write("Demo allocations already seeded.")
        return
    coordinator = get_user_model().objects.filter(groups__name=Role.COORDINATOR, is_active=True).order_by("pk").first()
    if coordinator is None or not StaffMember.objects.filter(soo_eligible=True).exists():
        stdout.write("No coordinator or no SOO-eligible chief inspectors yet: no demo allocations created.")
        return
    with transaction.atomic():
        fixed = _separate_counter_pairs(coordinator)
        declared = _standing_declarations(coordinator, rng)
        allocated, declined = _allocate_waiting(coordinator, rng)
    stdout.write(
        f"Seeded demo allocations: {allocated} allocated, {declined} declined with a conflict, "
        f"{declared} standing declarations, {fixed} counter-allegation pairs given separate SOOs."
    )


def _top(case: Case):
    first = allocation_suggestions(case).first
    return None if first is None else StaffMember.objects.get(pk=first.candidate.staff_id)


def _separate_counter_pairs(coordinator) -> int:
    """Each victim in a counter-allegation pair has their own SOO, never the same one."""
    fixed = 0
    for link in CaseLink.objects.filter(kind=CaseLink.Kind.COUNTER_ALLEGATION).select_related("from_case", "to_case"):
        a = Allocation.objects.filter(case=link.from_case, status__in=Allocation.LIVE).first()
        b = Allocation.objects.filter(case=link.to_case, status__in=Allocation.LIVE).first()
        if a is None or b is None or a.soo_id != b.soo_id:
            continue
        allocation_end(allocation=b, by=coordinator, reason="Counter-allegation: each victim needs their own SOO")
        soo = _top(link.to_case)
        if soo is not None:
            allocation_create(case=link.to_case, soo=soo, by=coordinator)
            fixed += 1
    return fixed


def _standing_declarations(coordinator, rng: random.Random) -> int:
    """A few SOOs have declared they know a police party to a waiting case (so the exclusion shows)."""
    waiting = Case.objects.filter(status=Case.Status.TRIAGED).order_by("received_at")
    soos = list(StaffMember.objects.filter(soo_eligible=True, is_active=True, user__isnull=False).order_by("pk"))
    made = 0
    for case in waiting[:3]:
        party = case.parties.filter(staff__isnull=False).select_related("staff").first()
        if party is None or not soos:
            continue
        declarer = rng.choice(soos)
        if declarer.pk == party.staff_id:
            continue
        try:
            conflict_declaration_create(
                declarer=declarer, by=coordinator, reason=DEMO_REASON, against_staff=party.staff
            )
        except ApplicationError:
            continue
        made += 1
    if made == 0 and soos:
        # Always leave a marker so a second run is a no-op.
        other = StaffMember.objects.exclude(pk=soos[0].pk).order_by("pk").first()
        if other is not None:
            conflict_declaration_create(declarer=soos[0], by=coordinator, reason=DEMO_REASON, against_staff=other)
    return made


def _allocate_waiting(coordinator, rng: random.Random) -> tuple[int, int]:
    """Allocate about half the triaged cases waiting for an SOO; the newest stays for the demo coordinator."""
    waiting = list(Case.objects.filter(status=Case.Status.TRIAGED, allocations__isnull=True).order_by("received_at"))
    allocated = declined = 0
    for i, case in enumerate(waiting[:-1]):
        if i % 2:
            continue
        soo = _top(case)
        if soo is None:
            continue
        allocation = allocation_create(case=case, soo=soo, by=coordinator)
        allocated += 1
        if declined == 0:
            # The SOO finds on receipt they know the victim: declined, back to the inbox, declaration kept.
            victim = case.parties.filter(role="victim").first()
            allocation_decline(
                allocation=allocation,
                by=soo.user,
                reason="I know the victim: we were on the same training course and keep in touch.",
                conflict_with=[victim] if victim else [],
            )
            declined += 1
    return allocated - declined, declined
