"""Demo investigations, run after the allocations: psd1 and psd2 are each assigned to a few open cases, through
the real services (grants, history, notices), with investigation records in several states — just opened,
under investigation with a change of officer, with the CPS, charged, and a misconduct investigation at a
hearing with a decision not to suspend. They have not made the first-open declaration: the demo shows it.
Idempotent: a second run does nothing.
"""

import datetime as dt
import random

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from cases.models import Case
from ppda.errors import ApplicationError
from ppda.models import StaffMember
from ppda.roles import Role

from .models import PsdAssignment, Strand
from .services import investigation_open, psd_assign, psd_update_post

S = Strand.Status
# Each demo investigation: the steps its strands have taken (criminal, misconduct).
PLANS = [
    ([], []),
    ([S.UNDER_INVESTIGATION, "officer"], []),
    ([S.UNDER_INVESTIGATION, S.WITH_CPS], [S.UNDER_INVESTIGATION]),
    ([S.UNDER_INVESTIGATION, S.WITH_CPS, S.CHARGED], None),
    (None, [S.UNDER_INVESTIGATION, S.GROSS_MISCONDUCT_HEARING, "decision"]),
]


def seed_investigations(*, stdout, rng: random.Random) -> None:
    users = get_user_model().objects
    if PsdAssignment.objects.exists():
        stdout.write("Demo investigations already seeded.")
        return
    coordinator = users.filter(groups__name=Role.COORDINATOR, is_active=True).order_by("pk").first()
    reps = list(users.filter(username__in=["psd1", "psd2"], groups__name=Role.PSD_REP).order_by("username"))
    if coordinator is None or not reps:
        stdout.write("No coordinator or no psd1/psd2 yet: no demo investigations.")
        return
    candidates = list(
        Case.objects.filter(status__in=[Case.Status.ACTIVE, Case.Status.ALLOCATED]).order_by("received_at")[:40]
    )
    officers = list(StaffMember.objects.filter(department__kind="psd").order_by("pk")[:10])
    plans = iter(PLANS * 2)
    seeded = 0
    with transaction.atomic():
        for rep in reps:
            for case in candidates:
                if seeded >= len(PLANS) * len(reps) or PsdAssignment.objects.filter(user=rep).count() >= len(PLANS):
                    break
                if PsdAssignment.objects.filter(case=case).exists():
                    continue
                try:
                    psd_assign(case=case, user=rep, by=coordinator)
                except ApplicationError:
                    continue  # a party, a line manager or conflicted: never assigned
                criminal, misconduct = next(plans)
                _investigate(case, rep, criminal, misconduct, officers, rng)
                seeded += 1
    stdout.write(f"Seeded {seeded} demo investigations for {', '.join(r.username for r in reps)}.")


def _investigate(case, rep, criminal, misconduct, officers, rng) -> None:
    officer = rng.choice(officers) if officers else None
    investigation = investigation_open(
        case=case,
        by=rep,
        criminal=criminal is not None,
        misconduct=misconduct is not None,
        criminal_officer=officer,
        misconduct_officer=officer,
        allegation_on=timezone.localdate() - dt.timedelta(days=rng.randint(30, 300))
        if misconduct is not None
        else None,
    )
    strands = {s.kind: s for s in investigation.strands.all()}
    for kind, steps in ((Strand.Kind.CRIMINAL, criminal), (Strand.Kind.MISCONDUCT, misconduct)):
        for step in steps or []:
            strand = strands[kind]
            if step == "officer":
                others = [o for o in officers if o.pk != strand.officer_in_charge_id]
                if others:
                    psd_update_post(
                        investigation=investigation, by=rep, kind="investigator", strand=strand, to_officer=others[0]
                    )
            elif step == "decision":
                psd_update_post(
                    investigation=investigation,
                    by=rep,
                    kind="decision",
                    strand=strand,
                    decision="Not to suspend the officer",
                    rationale="Restricted duties away from the victim's workplace meet the risk.",
                    decided_not_to=True,
                )
            else:
                psd_update_post(investigation=investigation, by=rep, kind="status", strand=strand, to_status=step)
    psd_update_post(investigation=investigation, by=rep, kind="note", text="Demo: enquiries continuing.")
