"""The investigation figures on the statistics page come from the investigation record (cases/investigations),
read by oversight's provider: rates of misconduct investigation, IOPC referral and charge, and outcomes."""

import datetime as dt

import pytest

from cases.investigations.models import Investigation, PsdUpdate, Strand
from cases.investigations.services import psd_update_post
from oversight.statistics import providers
from oversight.statistics.figures import NO_DATA, SUPPRESSED
from oversight.statistics.selectors import StatisticsFilter
from tests.factories.investigations import open_investigation, psd_assigned_case

pytestmark = pytest.mark.django_db


def _figures():
    tables = {t.slug: t for t in providers.tables(providers.INVESTIGATIONS, StatisticsFilter())}
    return {slug: dict(t.shown(suppress=False)) for slug, t in tables.items() if t.available}, tables


def test_rates_and_outcomes_come_from_the_investigation_record():
    case, _, _, psd = psd_assigned_case()
    investigation = open_investigation(case, psd, criminal=True, misconduct=True)
    psd_update_post(
        investigation=investigation,
        by=psd,
        kind=PsdUpdate.Kind.IOPC,
        iopc_referral=Investigation.IopcReferral.VOLUNTARY,
        iopc_referred_on=dt.date(2026, 2, 1),
        iopc_mode=Investigation.IopcMode.LOCAL,
    )
    other, _, _, psd2 = psd_assigned_case(distinctive=False)
    open_investigation(other, psd2, criminal=True, misconduct=False)
    figures, tables = _figures()
    rates = figures["investigation_rates"]
    assert rates["Cases with a misconduct investigation"] == ["50.0% (1 of 2)"]
    assert rates["Cases referred to the IOPC"] == ["50.0% (1 of 2)"]
    assert rates["Criminal investigations that led to a charge"] == ["0.0% (0 of 2)"]
    # Nothing concluded yet: no median. Outside the coordinators, rates on a base under 10 are suppressed.
    assert figures["investigation_outcomes"]["Median days from report to outcome"] == [NO_DATA]
    assert dict(tables["investigation_rates"].shown(suppress=True))["Cases referred to the IOPC"] == [SUPPRESSED]
    assert not tables["supporting_investigation"].available
    assert Strand.objects.count() == 3


def test_the_investigation_figures_cost_a_fixed_number_of_queries(django_assert_num_queries):
    for _ in range(3):
        case, _, _, psd = psd_assigned_case(distinctive=False)
        open_investigation(case, psd)
    with django_assert_num_queries(2):
        providers.tables(providers.INVESTIGATIONS, StatisticsFilter())
