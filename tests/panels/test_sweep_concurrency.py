"""Two panel sweeps at once, on two database connections: each meeting's grants are revoked by one of them."""

import datetime as dt
import threading

import pytest
from django.db import connection

from panels.models import AgendaItemUserObjectPermission
from panels.sweep import panel_access_sweep
from tests.factories.panels import published_panel


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_sweeps_at_once_close_each_meeting_once():
    panels = [published_panel(n_cases=1) for _ in range(3)]
    after = max(p.meeting.access_closes_at for p in panels) + dt.timedelta(minutes=1)
    barrier = threading.Barrier(2)
    results, errors = [], []

    def run():
        try:
            barrier.wait(timeout=10)
            results.append(panel_access_sweep(now=after, batch=1))
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    assert sum(r.meetings for r in results) == 3
    assert not AgendaItemUserObjectPermission.objects.exists()
