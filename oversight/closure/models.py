"""Closure of a case by its SOO, the grace-period access revocation that follows, and reopening.

A CaseClosure is the closure section of the case update form: a draft the SOO saves at any time, then
closes (services.case_close). Every save is kept by simple-history (who, when, before/after).
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords


class CaseClosure(models.Model):
    class Confidence(models.TextChoices):
        YES = "yes", "Yes"
        NO = "no", "No"
        UNSURE = "unsure", "Not sure"

    class PanelAgreement(models.TextChoices):
        CONTENT = "content", "The panel is content for the case to close"
        SIGNED_OFF = "signed_off", "The panel has signed off the closure"

    class Reason(models.TextChoices):
        INVESTIGATIONS_CONCLUDED = "concluded", "The criminal and misconduct investigations have concluded"
        NO_FURTHER_ACTION = "nfa", "No further action on the allegation"
        VICTIM_WITHDREW = "withdrew", "The victim no longer wants SOO support"
        TRANSFERRED = "transferred", "Transferred to another force"
        OTHER = "other", "Another reason"

    class CriminalOutcome(models.TextChoices):
        CHARGED = "charged", "Charged"
        CONVICTED = "convicted", "Convicted"
        ACQUITTED = "acquitted", "Acquitted"
        OUT_OF_COURT = "out_of_court", "Out-of-court resolution (caution, conditional caution)"
        NO_FURTHER_ACTION = "nfa", "No further action"
        NOT_INVESTIGATED = "none", "No criminal investigation"
        OTHER = "other", "Other"

    class MisconductOutcome(models.TextChoices):
        GROSS_MISCONDUCT = "gross", "Gross misconduct proven"
        MISCONDUCT = "misconduct", "Misconduct proven"
        PRACTICE_REQUIRING_IMPROVEMENT = "rpr", "Practice requiring improvement / reflective practice"
        NO_CASE_TO_ANSWER = "no_case", "No case to answer"
        NOT_INVESTIGATED = "none", "No misconduct investigation"
        OTHER = "other", "Other"

    case = models.OneToOneField("cases.Case", on_delete=models.PROTECT, related_name="closure")

    # The checklist (DESIGN.md section 1, step 8).
    misconduct_assessment_done = models.BooleanField("Misconduct assessment done", default=False)
    iopc_referral_considered = models.BooleanField("IOPC referral considered", default=False)
    victim_informed = models.BooleanField("Victim informed of the outcome", default=False)
    panel_agreement = models.CharField(
        "Panel content or sign-off", max_length=12, choices=PanelAgreement.choices, blank=True
    )

    # The victim's feedback.
    victim_confident_to_report = models.CharField(
        "Victim would feel confident to report again", max_length=8, choices=Confidence.choices, blank=True
    )
    victim_kept_informed_rating = models.PositiveSmallIntegerField(
        "How well the victim was kept informed (1 to 5)",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )

    reason = models.CharField("Reason for closing", max_length=12, choices=Reason.choices, blank=True)
    reason_other = models.CharField("Other reason", max_length=200, blank=True)

    # Investigation outcomes as the SOO records them (until an investigation record exists: hooks.py).
    criminal_outcome = models.CharField(
        "Criminal investigation outcome", max_length=14, choices=CriminalOutcome.choices, blank=True
    )
    criminal_outcome_detail = models.TextField("Criminal outcome details", blank=True)
    misconduct_outcome = models.CharField(
        "Misconduct investigation outcome", max_length=12, choices=MisconductOutcome.choices, blank=True
    )
    misconduct_outcome_detail = models.TextField("Misconduct outcome details", blank=True)

    final_conversation_on = models.DateField("Date of the final conversation with the victim", null=True, blank=True)
    no_further_contact_explained = models.BooleanField(
        "Victim told there will be no further contact unless there are new incidents", default=False
    )
    learning = models.TextField("Learning", blank=True)

    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(victim_kept_informed_rating__isnull=True)
                | models.Q(victim_kept_informed_rating__gte=1, victim_kept_informed_rating__lte=5),
                name="closure_rating_1_to_5",
            )
        ]

    def __str__(self):
        return f"Closure of case {self.case_id}"

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None


class ClosureAccessRevocation(models.Model):
    """The SOO's read-only access to a closed case, to be revoked once the grace period is over.

    One row per ended allocation; the sweep claims a due row by setting revoked_at where it is still empty
    (row lock, skip locked), so two sweeps at once revoke it once.
    """

    allocation = models.OneToOneField("oversight.Allocation", on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+")
    soo = models.ForeignKey("ppda.StaffMember", on_delete=models.PROTECT, related_name="+")
    due_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            # The sweep's probe: only what is still to revoke, soonest first.
            models.Index(fields=["due_at"], condition=models.Q(revoked_at__isnull=True), name="closure_revoke_due"),
            models.Index(fields=["soo", "case"], name="closure_revoke_soo_case"),
        ]

    def __str__(self):
        return f"Access revocation for allocation {self.allocation_id}"


class CaseReopening(models.Model):
    """A coordinator reopened work on a closed case because of a new report about the same victim."""

    earlier_case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="reopened_by")
    new_case = models.OneToOneField("cases.Case", on_delete=models.PROTECT, related_name="reopens")
    link = models.ForeignKey("cases.CaseLink", on_delete=models.PROTECT, related_name="+")
    reopened_at = models.DateTimeField(auto_now_add=True)
    reopened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=~models.Q(earlier_case=models.F("new_case")), name="reopening_not_self")
        ]

    def __str__(self):
        return f"Case {self.new_case_id} reopens case {self.earlier_case_id}"
