"""The deadline sweep: what is due, claimed once in the database, then notified — in one transaction.

Beat runs it every few minutes. The database is the source of truth (no 72-hour countdown tasks), so a
sweep that was down for a day finds everything still due and catches up. Each event is claimed by
inserting a DeadlineEvent row with ON CONFLICT DO NOTHING; only the inserted rows are notified, and the
claim and the in-app notifications commit together: a re-run or a second beat finds the claim, and a
worker that dies mid-sweep rolls both back so the redelivered task (acks_late) claims them again.

Every step is one set-based statement, so the number of queries does not depend on the number of
allocations or events.

Windows: the 24-hour reminder is sent between 24 and 48 hours, the 48-hour one between 48 and 72, and
the breach from 72 hours on; a scheduled contact is "due" on its local day and "overdue" after it. A
sweep that missed a window sends the event the allocation is in now, not a stale earlier reminder.
"""

import datetime as dt
import logging
import uuid
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import DateField, DateTimeField, F, Value
from django.urls import reverse
from django.utils import timezone

from cases.access import CaseRecipients
from cases.models import Case
from oversight.models import FIRST_CONTACT_HOURS, Allocation
from ppda.notifications import Outgoing, notifications_send_bulk

from .models import DeadlineEvent
from .schedule import LONDON, REMINDER_24H, REMINDER_48H

logger = logging.getLogger(__name__)
Kind = DeadlineEvent.Kind
DEADLINE = dt.timedelta(hours=FIRST_CONTACT_HOURS)


@dataclass
class SweepResult:
    claimed: dict[str, int] = field(default_factory=dict)
    notifications: int = 0


@dataclass(frozen=True)
class Claimed:
    allocation_id: int
    due_on: dt.date | None
    first_contact_due: dt.datetime
    case_reference: str
    case_public_id: uuid.UUID
    soo_user_id: int | None
    case_id: int


def _claim(kind: str, allocations, due_on, now: dt.datetime) -> list[Claimed]:
    """INSERT one DeadlineEvent per matching allocation unless already claimed, and return what was inserted
    with what the notification needs (case reference, public id, the SOO's account) — one statement."""
    select = (
        allocations.order_by()
        .annotate(_kind=Value(kind), _due_on=due_on, _created=Value(now, output_field=DateTimeField()))
        .values_list("pk", "_kind", "_due_on", "_created")
    )
    sql, params = select.query.sql_with_params()
    event, allocation = DeadlineEvent._meta.db_table, Allocation._meta.db_table
    case, user = Case._meta.db_table, get_user_model()._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH claimed AS (
                INSERT INTO {event} (allocation_id, kind, due_on, created_at) {sql}
                ON CONFLICT DO NOTHING RETURNING allocation_id, due_on
            )
            SELECT claimed.allocation_id, claimed.due_on, a.first_contact_due, c.reference, c.public_id, u.id, c.id
            FROM claimed
            JOIN {allocation} a ON a.id = claimed.allocation_id
            JOIN {case} c ON c.id = a.case_id
            LEFT JOIN {user} u ON u.staff_id = a.soo_id AND u.is_active
            """,  # noqa: S608 - table names come from the models; values are parameters
            params,
        )
        return [Claimed(*row) for row in cursor.fetchall()]


def _breach_mark(allocation_ids: list[int]) -> None:
    """Set breached_at (the moment the 72 hours ran out) and write the history rows, set-based."""
    if not allocation_ids:
        return
    to_mark = list(Allocation.objects.filter(pk__in=allocation_ids, breached_at__isnull=True))
    if not to_mark:
        return
    # One UPDATE for the set; QuerySet.update writes no history, so the rows are recorded just below.
    Allocation.objects.filter(pk__in=[a.pk for a in to_mark], breached_at__isnull=True).update(
        breached_at=F("first_contact_due")
    )
    for a in to_mark:
        a.breached_at = a.first_contact_due
    Allocation.history.bulk_history_create(
        to_mark, update=True, default_change_reason="72-hour first-contact deadline breached (deadline sweep)"
    )


def _message(kind: str, due: dt.datetime | None, due_on: dt.date | None) -> str:
    when = due.astimezone(LONDON).strftime("%H:%M on %a %-d %b %Y") if due else ""
    day = due_on.strftime("%a %-d %b %Y") if due_on else ""
    return {
        Kind.REMINDER_24H: f"First contact with the victim is due by {when}: 48 hours remain.",
        Kind.REMINDER_48H: f"First contact with the victim is due by {when}: 24 hours remain.",
        Kind.BREACH: f"The 72-hour first-contact deadline passed at {when} with no contact recorded.",
        Kind.CONTACT_DUE: f"A scheduled contact with the victim is due today, {day}.",
        Kind.CONTACT_OVERDUE: f"The scheduled contact due on {day} has not been recorded.",
    }[kind]


def deadlines_sweep(*, now: dt.datetime | None = None) -> SweepResult:
    """Claim and notify every due reminder, breach and scheduled contact exactly once.

    Reminders go to the allocated SOO; a breach alerts the SOO and every coordinator who may open the case; a
    scheduled contact due goes to the SOO, and an overdue one to the SOO and, as its own kind of alert, to the
    coordinators who may open the case. Notifications carry the case reference and a link only.
    """
    now = now or timezone.now()
    result = SweepResult()
    pending = Allocation.objects.filter(status__in=Allocation.LIVE, first_contact_met_at__isnull=True)
    no_date = Value(None, output_field=DateField())
    with transaction.atomic():
        # Windows on first_contact_due (indexed, partial): allocated_at + 24h <= now  <=>  due <= now + 48h.
        claims = {
            Kind.REMINDER_24H: _claim(
                Kind.REMINDER_24H,
                pending.filter(
                    first_contact_due__lte=now + DEADLINE - REMINDER_24H,
                    first_contact_due__gt=now + DEADLINE - REMINDER_48H,
                ),
                no_date,
                now,
            ),
            Kind.REMINDER_48H: _claim(
                Kind.REMINDER_48H,
                pending.filter(first_contact_due__lte=now + DEADLINE - REMINDER_48H, first_contact_due__gt=now),
                no_date,
                now,
            ),
            Kind.BREACH: _claim(Kind.BREACH, pending.filter(first_contact_due__lte=now), no_date, now),
        }
        # A victim who declined has no next contact (services clear it), so the plan's dates say it all.
        scheduled = Allocation.objects.filter(status=Allocation.Status.ACCEPTED)
        due_on = F("contact_plan__next_contact_on")
        claims[Kind.CONTACT_DUE] = _claim(
            Kind.CONTACT_DUE,
            scheduled.filter(contact_plan__next_contact_due_at__lte=now, contact_plan__next_contact_overdue_at__gt=now),
            due_on,
            now,
        )
        claims[Kind.CONTACT_OVERDUE] = _claim(
            Kind.CONTACT_OVERDUE, scheduled.filter(contact_plan__next_contact_overdue_at__lte=now), due_on, now
        )
        result.claimed = {str(kind): len(rows) for kind, rows in claims.items()}
        if not any(claims.values()):
            return result

        _breach_mark([row.allocation_id for row in claims[Kind.BREACH]])
        result.notifications = _notify(claims)
    logger.info("deadline sweep claimed %s, notifications %s", result.claimed, result.notifications)
    return result


def _notify(claims: dict[str, list[Claimed]]) -> int:
    # Recipients through the case's one rule (cases.access): a breach or an overdue scheduled contact alerts every
    # coordinator who may open the case, and no notice reaches a party, a party's line manager or anyone
    # conflicted. Set-based: one query for the exclusions of every case claimed, one for the coordinators when
    # there is a breach or an overdue contact.
    recipients = CaseRecipients({row.case_id for rows in claims.values() for row in rows})
    # reverse() once: the link differs only by the case's public id.
    placeholder = uuid.UUID(int=0)
    link_template = reverse("contacts:detail", args=[placeholder]).replace(str(placeholder), "{}")
    items = []
    for kind, rows in claims.items():
        for row in rows:
            to = recipients.may_open(row.case_id, [row.soo_user_id] if row.soo_user_id else [])
            if kind == Kind.BREACH:
                to = sorted(set(to) | set(recipients.coordinators(row.case_id)))
            key = f"contacts:{row.allocation_id}:{kind}:{row.due_on.isoformat() if row.due_on else ''}"
            message = _message(kind, row.first_contact_due, row.due_on)
            link = link_template.format(row.case_public_id)
            items.extend(
                Outgoing(
                    recipient_id=r,
                    kind=kind,
                    message=message,
                    case_reference=row.case_reference,
                    link=link,
                    event_key=key,
                )
                for r in to
            )
            if kind == Kind.CONTACT_OVERDUE:
                # Claimed by the same event as the SOO's notice, so exactly once per overdue contact; a kind of its
                # own because it says what a coordinator needs (the SOO has not recorded it), not "you are late".
                items.extend(
                    Outgoing(
                        recipient_id=r,
                        kind="contact_overdue_alert",
                        message=_overdue_alert_message(row.due_on),
                        case_reference=row.case_reference,
                        link=link,
                        event_key=f"contacts:{row.allocation_id}:contact_overdue_alert:{row.due_on.isoformat()}",
                    )
                    for r in recipients.coordinators(row.case_id)
                )
    return len(notifications_send_bulk(items=items))


def _overdue_alert_message(due_on: dt.date) -> str:
    return f"The SOO has not recorded the scheduled contact with the victim that was due on {due_on:%a %-d %b %Y}."
