"""Pure time arithmetic for deadlines and schedules: UTC instants in, UTC instants out, London calendar days."""

import datetime as dt
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")

# Reminders before the 72-hour first-contact deadline, as elapsed hours after allocation.
REMINDER_24H = dt.timedelta(hours=24)
REMINDER_48H = dt.timedelta(hours=48)


def local_date(instant: dt.datetime) -> dt.date:
    """The Europe/London calendar date of an aware instant."""
    return instant.astimezone(LONDON).date()


def local_day_start(day: dt.date) -> dt.datetime:
    """00:00 Europe/London on `day`, as a UTC instant (UK clocks change at 01:00/02:00, so midnight always exists)."""
    return dt.datetime.combine(day, dt.time(0, 0), tzinfo=LONDON).astimezone(dt.UTC)


def next_contact_on(
    *, cadence: str, interval_days: int | None, dates: list[dt.date], last_completed: dt.datetime | None
) -> dt.date | None:
    """The local date the next scheduled contact is due, from the schedule and the last completed contact.

    Every N days counts from the day of the last completed contact; listed dates give the first listed day
    after it (a contact on a listed day satisfies that day). No completed contact yet: nothing is scheduled.
    """
    if last_completed is None:
        return None
    last_day = local_date(last_completed)
    if cadence == "interval" and interval_days:
        return last_day + dt.timedelta(days=interval_days)
    if cadence == "dates":
        later = [d for d in dates if d > last_day]
        return min(later) if later else None
    return None


def due_window(day: dt.date | None) -> tuple[dt.datetime | None, dt.datetime | None]:
    """A contact due on a local day is due from its start and overdue once the day has ended."""
    if day is None:
        return None, None
    return local_day_start(day), local_day_start(day + dt.timedelta(days=1))
