"""The investigation alerts sweep: what threatens a victim's confidence, claimed once, then notified.

The same shape as the first-contact deadline sweep (oversight/contacts/sweep.py): beat runs it on an interval,
the database is the source of truth, each event is claimed by inserting an InvestigationAlert row with
ON CONFLICT DO NOTHING, and only the inserted rows are notified, in the same transaction — a re-run, a second
beat or a redelivered task finds the claim. Each kind is one set-based statement; recipients are read in a
fixed number of queries for all claimed cases together.

Alerts (thresholds in settings, INVESTIGATION_*):
- no PSD update for 28 days: once per quiet period (key: when the last update was), again 28 days after the
  next update if it goes quiet again;
- the officer in charge changed: once per change (key: the update recording it);
- the investigation open longer than 6 months: once;
- reg. 19: a misconduct investigation not concluded 12 months after the allegation, and every 6 months after
  (key: 12, 18, 24, ...). A sweep that missed a marker sends the marker the investigation is at now.
To the SOO of the live allocation and the coordinators, never to anyone who may not open the case; the
message carries the case reference and a link, nothing else.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from cases.extensions import allocation_reads
from cases.models import Case
from cases.selectors import users_excluded_from_cases
from ppda.notifications import Outgoing, notifications_send_bulk
from ppda.roles import Role

from .models import Investigation, InvestigationAlert, PsdUpdate, Strand

logger = logging.getLogger(__name__)
Kind = InvestigationAlert.Kind
LONDON = ZoneInfo("Europe/London")
# Officer changes older than this are not looked for (the sweep runs every few minutes; this is slack for
# a scheduler that was down, and keeps the scan bounded).
OFFICER_CHANGE_LOOKBACK = dt.timedelta(days=60)


@dataclass
class SweepResult:
    claimed: dict[str, int] = field(default_factory=dict)
    notifications: int = 0


@dataclass(frozen=True)
class Claimed:
    investigation_id: int
    kind: str
    key: str
    case_id: int
    case_reference: str
    case_public_id: uuid.UUID


def _t(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _claim(select_sql: str, params: list) -> list[Claimed]:
    """INSERT the alerts `select_sql` yields (investigation_id, kind, key, created_at) unless claimed before,
    returning what was inserted with the case's reference and public id: one statement."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH claimed AS (
                INSERT INTO {_t(InvestigationAlert)} (investigation_id, kind, key, created_at) {select_sql}
                ON CONFLICT DO NOTHING RETURNING investigation_id, kind, key
            )
            SELECT claimed.investigation_id, claimed.kind, claimed.key, c.id, c.reference, c.public_id
            FROM claimed
            JOIN {_t(Investigation)} i ON i.id = claimed.investigation_id
            JOIN {_t(Case)} c ON c.id = i.case_id
            """,  # noqa: S608 - table names come from the models; values are parameters
            params,
        )
        return [Claimed(*row) for row in cursor.fetchall()]


def _open_investigations() -> str:
    # Not concluded, on a case that is not closed.
    return (
        f"FROM {_t(Investigation)} i JOIN {_t(Case)} c ON c.id = i.case_id"  # noqa: S608 - names from the models
        f" WHERE i.concluded_at IS NULL AND c.status <> '{Case.Status.CLOSED.value}'"
    )


def investigation_alerts_sweep(*, now: dt.datetime | None = None) -> SweepResult:
    """Claim and notify every due investigation alert exactly once (see the module docstring)."""
    now = now or timezone.now()
    today = now.astimezone(LONDON).date()
    result = SweepResult()
    first, every = settings.INVESTIGATION_REG19_FIRST_MONTHS, settings.INVESTIGATION_REG19_REPEAT_MONTHS
    # Whole calendar months from the allegation to today (London), as PostgreSQL's age() counts them.
    months = (
        "(date_part('year', age(%s::date, s.allegation_on)) * 12 + date_part('month', age(%s::date, s.allegation_on)))"
    )
    no_update_before = now - dt.timedelta(days=settings.INVESTIGATION_NO_UPDATE_DAYS)
    with transaction.atomic():
        claims = {
            Kind.NO_UPDATE: _claim(
                "SELECT i.id, %s, (extract(epoch FROM i.last_update_at)::bigint)::text, %s "  # noqa: S608
                f"{_open_investigations()} AND i.last_update_at <= %s",
                [Kind.NO_UPDATE.value, now, no_update_before],
            ),
            Kind.OFFICER_CHANGED: _claim(
                f"SELECT u.investigation_id, %s, u.id::text, %s FROM {_t(PsdUpdate)} u"  # noqa: S608
                " WHERE u.kind = %s AND u.posted_at > %s AND u.posted_at <= %s",
                [
                    Kind.OFFICER_CHANGED.value,
                    now,
                    PsdUpdate.Kind.INVESTIGATOR.value,
                    now - OFFICER_CHANGE_LOOKBACK,
                    now,
                ],
            ),
            Kind.LONG_RUNNING: _claim(
                f"SELECT i.id, %s, '', %s {_open_investigations()}"  # noqa: S608
                " AND i.opened_at + make_interval(months => %s) <= %s",
                [Kind.LONG_RUNNING.value, now, settings.INVESTIGATION_LONG_RUNNING_MONTHS, now],
            ),
            # The marker reached: first + every * floor((months - first) / every), e.g. 12, 18, 24.
            Kind.REG19: _claim(
                f"SELECT s.investigation_id, %s, (%s + %s * floor(({months} - %s) / %s::float))::int::text, %s"  # noqa: S608
                f" FROM {_t(Strand)} s JOIN {_t(Investigation)} i ON i.id = s.investigation_id"
                f" JOIN {_t(Case)} c ON c.id = i.case_id"
                " WHERE s.kind = %s AND s.allegation_on IS NOT NULL AND s.concluded_at IS NULL"
                f" AND c.status <> '{Case.Status.CLOSED.value}'"
                " AND s.allegation_on + make_interval(months => %s) <= %s::date",
                [
                    Kind.REG19.value,
                    first,
                    every,
                    today,
                    today,
                    first,
                    every,
                    now,
                    Strand.Kind.MISCONDUCT.value,
                    first,
                    today,
                ],
            ),
        }
        result.claimed = {str(kind): len(rows) for kind, rows in claims.items()}
        if any(claims.values()):
            result.notifications = _notify([row for rows in claims.values() for row in rows])
    if result.notifications:
        logger.info("investigation sweep claimed %s, notifications %s", result.claimed, result.notifications)
    return result


def _message(row: Claimed) -> str:
    ref = row.case_reference
    return {
        Kind.NO_UPDATE: f"No PSD update on case {ref} for {settings.INVESTIGATION_NO_UPDATE_DAYS} days or more.",
        Kind.OFFICER_CHANGED: f"The officer in charge of the investigation on case {ref} has changed.",
        Kind.LONG_RUNNING: (
            f"The investigation on case {ref} has been open longer than "
            f"{settings.INVESTIGATION_LONG_RUNNING_MONTHS} months."
        ),
        Kind.REG19: (
            f"Reg. 19: the misconduct investigation on case {ref} is not concluded {row.key} months after the "
            "allegation. The force must report it to the PCC."
        ),
    }[row.kind]


def _notify(rows: list[Claimed]) -> int:
    case_ids = sorted({row.case_id for row in rows})
    coordinators = set(
        get_user_model()
        .objects.filter(groups__name=Role.COORDINATOR, is_active=True)
        .values_list("pk", flat=True)
        .distinct()
    )
    soos = allocation_reads().soo_user_ids(case_ids)
    # The one rule of who may never open a case (cases.selectors), for all these cases in one query.
    excluded = users_excluded_from_cases(case_ids)
    placeholder = uuid.UUID(int=0)
    link_template = reverse("cases:investigation", args=[placeholder]).replace(str(placeholder), "{}")
    items = []
    for row in rows:
        recipients = sorted((coordinators | set(soos.get(row.case_id, []))) - excluded.get(row.case_id, set()))
        message = _message(row)
        key = f"investigation:{row.investigation_id}:{row.kind}:{row.key}"
        link = link_template.format(row.case_public_id)
        items.extend(
            Outgoing(
                recipient_id=r,
                kind="investigation_alert",
                message=message,
                case_reference=row.case_reference,
                link=link,
                event_key=key,
            )
            for r in recipients
        )
    return len(notifications_send_bulk(items=items))
