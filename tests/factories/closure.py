"""Closure factories, named after states."""

import datetime as dt

import factory
from django.utils import timezone

from cases.models import Case
from oversight.closure.models import CaseClosure
from tests.factories.cases import CivilianVictimFactory, PoliceSuspectFactory, TriagedCaseFactory
from tests.factories.oversight import AcceptedAllocationFactory


class ActiveCaseFactory(TriagedCaseFactory):
    """A case its SOO has accepted: active. Received a month ago."""

    status = Case.Status.ACTIVE
    received_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=30))


class ActiveAllocationFactory(AcceptedAllocationFactory):
    """An accepted allocation on an active case with a civilian victim and a police suspect; the SOO has a user
    with the grant and has made the first-open declaration."""

    case = factory.SubFactory(ActiveCaseFactory)

    @factory.post_generation
    def parties(self, create, extracted, **kwargs):
        if create and extracted is not False:
            CivilianVictimFactory(case=self.case)
            PoliceSuspectFactory(case=self.case)


class DraftClosureFactory(factory.django.DjangoModelFactory):
    """A closure started but with nothing recorded yet."""

    class Meta:
        model = CaseClosure

    case = factory.SubFactory(ActiveCaseFactory)


class CompleteClosureFactory(DraftClosureFactory):
    """Every required item recorded: the case can close."""

    misconduct_assessment_done = True
    iopc_referral_considered = True
    victim_informed = True
    panel_agreement = CaseClosure.PanelAgreement.SIGNED_OFF
    victim_confident_to_report = CaseClosure.Confidence.UNSURE
    victim_kept_informed_rating = 4
    reason = CaseClosure.Reason.INVESTIGATIONS_CONCLUDED
    criminal_outcome = CaseClosure.CriminalOutcome.NO_FURTHER_ACTION
    misconduct_outcome = CaseClosure.MisconductOutcome.MISCONDUCT
    final_conversation_on = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=1))
    no_further_contact_explained = True
    learning = "Updates from the investigation team were slow at first; a weekly call helped."
