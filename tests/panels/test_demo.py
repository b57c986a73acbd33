"""The demo panels: a past meeting with approved minutes and an upcoming published one, through the services."""

import random
from io import StringIO

import pytest

from panels import selectors
from panels.demo import seed_panels
from panels.models import Meeting, Outcome
from ppda.roles import Role
from tests.factories.directory import StaffMemberFactory, UserFactory
from tests.factories.panels import panel_case

pytestmark = pytest.mark.django_db


def test_seeds_a_held_and_an_upcoming_meeting_once():
    UserFactory(username="coordinator1", staff=None, roles=[Role.COORDINATOR])
    UserFactory(username="panel.chair", staff=None, roles=[Role.PANEL_CHAIR])
    idva = UserFactory(username="panel.idva", staff=None, roles=[Role.PANEL_MEMBER], organisation="IDVA service")
    UserFactory(username="psd1", staff=StaffMemberFactory(), roles=[Role.PSD_REP])
    for _ in range(5):
        panel_case()
    out = StringIO()
    seed_panels(stdout=out, rng=random.Random(1))
    assert "2 meetings" in out.getvalue()
    approved = Meeting.objects.get(status=Meeting.Status.MINUTES_APPROVED)
    assert Outcome.objects.filter(item__meeting=approved).count() == approved.items.count() >= 1
    upcoming = Meeting.objects.get(status=Meeting.Status.PUBLISHED)
    assert selectors.papers_items(idva).filter(meeting=upcoming).exists()
    seed_panels(stdout=StringIO(), rng=random.Random(1))
    assert Meeting.objects.count() == 2


def test_does_nothing_without_the_demo_people():
    out = StringIO()
    seed_panels(stdout=out, rng=random.Random(1))
    assert "skipped" in out.getvalue() and not Meeting.objects.exists()
