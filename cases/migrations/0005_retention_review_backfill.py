"""Backfill: every case already closed gets its retention review date, counted from its closing day as a closure
now would (PPDA_RETENTION_REVIEW_AFTER years; cases.services.retention_review_date). Plain updates: the
historical rows are not rewritten, since the date is new and no earlier version of a case had one."""

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import migrations

LONDON = ZoneInfo("Europe/London")
BATCH = 2000


def _review_on(closed_at: dt.datetime, years: int) -> dt.date:
    day = closed_at.astimezone(LONDON).date()
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def backfill(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    years = int(getattr(settings, "PPDA_RETENTION_REVIEW_AFTER", 6))
    todo = Case.objects.filter(status="closed", retention_review_on__isnull=True).order_by("pk")
    while True:
        rows = list(todo.values_list("pk", "closed_at", "received_at")[:BATCH])
        if not rows:
            break
        by_day: dict[dt.date, list[int]] = {}
        for pk, closed_at, received_at in rows:
            # A closed case without a closing time (an old import) counts from the day it was received.
            by_day.setdefault(_review_on(closed_at or received_at, years), []).append(pk)
        for day, pks in by_day.items():
            Case.objects.filter(pk__in=pks).update(retention_review_on=day)


class Migration(migrations.Migration):
    dependencies = [("cases", "0004_retention_review")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
