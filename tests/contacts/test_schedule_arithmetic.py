"""Property tests of the time arithmetic (no database): UTC instants in, London calendar days out."""

import datetime as dt
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from oversight.contacts.schedule import due_window, local_date, next_contact_on
from oversight.models import Allocation

LONDON = ZoneInfo("Europe/London")
instants = st.datetimes(
    min_value=dt.datetime(2024, 1, 1), max_value=dt.datetime(2030, 12, 31), timezones=st.just(dt.UTC)
)
days = st.dates(min_value=dt.date(2024, 1, 1), max_value=dt.date(2030, 12, 31))


@given(instants)
def test_first_contact_is_due_72_elapsed_hours_after_allocation(allocated_at):
    due = Allocation.due_for(allocated_at)
    assert due.timestamp() - allocated_at.timestamp() == 72 * 3600


@given(days)
def test_a_due_day_runs_from_local_midnight_to_local_midnight(day):
    due, overdue = due_window(day)
    assert due.astimezone(LONDON).date() == day and due.astimezone(LONDON).time() == dt.time(0, 0)
    assert overdue.astimezone(LONDON).date() == day + dt.timedelta(days=1)
    # 23 hours on the spring-forward day, 25 on the fall-back day, 24 otherwise.
    assert overdue - due in (dt.timedelta(hours=23), dt.timedelta(hours=24), dt.timedelta(hours=25))


@given(instants, st.integers(min_value=1, max_value=90))
def test_every_n_days_counts_local_calendar_days_from_the_last_completed_contact(last, n):
    day = next_contact_on(cadence="interval", interval_days=n, dates=[], last_completed=last)
    assert day == local_date(last) + dt.timedelta(days=n)


@given(instants, st.lists(days, max_size=10))
def test_listed_dates_give_the_first_listed_day_after_the_last_contact(last, listed):
    day = next_contact_on(cadence="dates", interval_days=None, dates=listed, last_completed=last)
    later = sorted(d for d in listed if d > local_date(last))
    assert day == (later[0] if later else None)


def test_no_completed_contact_means_nothing_scheduled():
    assert next_contact_on(cadence="interval", interval_days=7, dates=[], last_completed=None) is None
    assert next_contact_on(cadence="none", interval_days=None, dates=[], last_completed=dt.datetime.now(dt.UTC)) is None
