"""The demo force's panels (a seed_demo step, order 30), made through the services like real work.

A meeting held three days ago with its minutes approved (outcomes, an action, a case to bring back), and a
published meeting in ten days with its agenda, so panel.chair, panel.police1 and panel.idva have something
real to open. Idempotent: nothing is added once a meeting exists.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.contrib.auth import get_user_model
from django.utils import timezone

from cases.models import Case
from oversight.models import Allocation

from . import services
from .models import Action, Meeting, Theme

LONDON = zoneinfo.ZoneInfo("Europe/London")
MEMBERS = ("panel.police1", "panel.police2", "panel.idva", "panel.council", "panel.health")


def _at(days: int, hour: int) -> dt.datetime:
    day = timezone.localtime(timezone.now(), LONDON).date() + dt.timedelta(days=days)
    return dt.datetime.combine(day, dt.time(hour, 0), tzinfo=LONDON)


def seed_panels(*, stdout, rng) -> None:
    if Meeting.objects.exists():
        stdout.write("Panels: already seeded.")
        return
    users = {
        u.username: u
        for u in get_user_model().objects.filter(username__in=(*MEMBERS, "panel.chair", "psd1", "coordinator1"))
    }
    chair, coordinator = users.get("panel.chair"), users.get("coordinator1")
    if chair is None or coordinator is None:
        stdout.write("Panels: no demo chair or coordinator; skipped.")
        return
    cases = list(
        Case.objects.filter(allocations__status=Allocation.Status.ACCEPTED)
        .exclude(status=Case.Status.CLOSED)
        .distinct()
        .order_by("received_at")[:7]
    )
    if len(cases) < 2:
        stdout.write("Panels: fewer than two allocated cases; skipped.")
        return
    meetings = []
    for days, batch in ((-3, cases[:3]), (10, cases[3:7] or cases[:2])):
        meeting = services.meeting_create(
            by=coordinator,
            starts_at=_at(days, 10),
            chair=chair,
            psd_rep=users.get("psd1"),
            place="Force headquarters, conference room 2",
            joining_details="Online: the link is in the calendar invitation. Join with your camera on.",
        )
        for username in MEMBERS:
            if username in users:
                organisation = users[username].organisation or "Demo Constabulary"
                services.attendee_add(meeting=meeting, user=users[username], organisation=organisation, by=coordinator)
        added = set()
        for case in batch:
            if case.pk in added:
                continue
            item = services.item_add(meeting=meeting, case=case, by=coordinator)
            added |= set(item.entries.values_list("case_id", flat=True))
        services.meeting_publish(meeting=meeting, by=coordinator)
        meetings.append(meeting)

    past = meetings[0]
    services.meeting_hold(meeting=past, by=chair)
    for n, item in enumerate(past.items.all()):
        services.outcome_record(
            item=item,
            by=chair,
            discussion="The panel discussed progress and the victim's confidence in the investigation.",
            decisions="The SOO to ask the OIC for a written update to the victim within two weeks.",
            bring_back=n == 0,
            bring_back_reason="Check the misconduct assessment has been completed." if n == 0 else "",
            themes=[Theme.ORGANISATIONAL] if n == 0 else [Theme.GOOD_PRACTICE],
            learning="Regular updates from the OIC kept the victim engaged.",
        )
        services.action_add(
            item=item,
            by=chair,
            description="Confirm the victim has been offered an IDVA.",
            owner_role=Action.Owner.SOO,
            due_on=(timezone.localdate() + dt.timedelta(days=14)),
        )
    services.minutes_approve(meeting=past, by=chair)
    stdout.write(f"Panels: {len(meetings)} meetings seeded.")
