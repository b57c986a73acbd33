"""Retention decisions on closed cases, and the reminders that a review is due.

A closed case carries its next review date (cases.Case.retention_review_on, set on closing). At each review a
coordinator decides once: retain (with a reason and the next review date) or delete the party identities. The
decision row is the audit of who decided what, when and why; it is written in the same transaction as the
change and never edited.
"""

from django.conf import settings
from django.db import models


class RetentionDecision(models.Model):
    class Kind(models.TextChoices):
        RETAIN = "retain", "Retain the case"
        DELETE = "delete", "Delete the identities"

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="retention_decisions")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    reason = models.TextField()
    # The review this decides (the case's review date when it was made): one decision per review, so a
    # repeated or concurrent submit finds the first instead of deciding twice.
    review_on = models.DateField()
    next_review_on = models.DateField(null=True, blank=True)
    decided_at = models.DateTimeField()
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # For a deletion: how many records of each kind were changed (counts only, never content).
    erased = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["decided_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["case", "review_on"], name="retention_decision_once_per_review"),
            models.CheckConstraint(
                condition=~models.Q(kind="retain") | models.Q(next_review_on__gt=models.F("review_on")),
                name="retention_retain_moves_date",
            ),
        ]

    def __str__(self):
        return f"{self.kind} on case {self.case_id} ({self.review_on})"


class RetentionReminder(models.Model):
    """The coordinators were told that this case's review on this date is due: claimed once per review."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+")
    review_on = models.DateField()
    sent_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "review_on"], name="retention_reminder_once")]

    def __str__(self):
        return f"Retention reminder for case {self.case_id} ({self.review_on})"
