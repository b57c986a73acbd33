"""The SOO's contact with the victim, the agreed contact schedule, and deadline events claimed by the sweep."""

import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from simple_history.models import HistoricalRecords


class Contact(models.Model):
    """One contact (or attempt) by the SOO with the victim, under one allocation."""

    class Method(models.TextChoices):
        PHONE = "phone", "Phone"
        IN_PERSON = "in_person", "In person"
        VIDEO = "video", "Video call"
        EMAIL = "email", "Email"
        LETTER = "letter", "Letter"
        IDVA = "idva", "Via IDVA"

    class Outcome(models.TextChoices):
        COMPLETED = "completed", "Completed"
        ATTEMPTED = "attempted", "Attempted – no answer"
        DECLINED = "declined", "Victim declined SOO support"

    # Outcomes that meet the 72-hour first-contact deadline; an attempt never does.
    MEETS_DEADLINE = (Outcome.COMPLETED, Outcome.DECLINED)

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    allocation = models.ForeignKey("oversight.Allocation", on_delete=models.PROTECT, related_name="contacts")
    contacted_at = models.DateTimeField()
    method = models.CharField(max_length=12, choices=Method.choices)
    outcome = models.CharField(max_length=12, choices=Outcome.choices)
    note = models.CharField(max_length=500, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()
    # The contact form's one-time token: the same form posted twice (a double click, a retry) records one contact.
    form_token = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-contacted_at", "-id"]
        indexes = [models.Index(fields=["allocation", "outcome", "contacted_at"], name="contact_alloc_outcome")]

    def __str__(self):
        return f"Contact {self.public_id}"


class ContactCorrection(models.Model):
    """A correction of a saved contact: what it said before, what it says now, who corrected it, when and why.

    A contact is never edited silently: contact_correct changes the contact and writes this row in the same
    transaction, so the original stays readable (the first correction's `before`) and the contact page shows
    every correction. `before` and `after` hold the corrected fields (contacted_at as ISO 8601 UTC, method,
    outcome, note).
    """

    FIELDS = ("contacted_at", "method", "outcome", "note")

    contact = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name="corrections")
    before = models.JSONField()
    after = models.JSONField()
    reason = models.CharField(max_length=500)
    corrected_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    corrected_at = models.DateTimeField()
    # The correction form's one-time token, like the contact form's: the same form saved twice corrects once.
    form_token = models.UUIDField(unique=True, editable=False)

    class Meta:
        ordering = ["corrected_at", "id"]

    def __str__(self):
        return f"Correction of contact {self.contact_id}"


class ContactPlan(models.Model):
    """Per allocation: the victim's engagement choice and the contact schedule agreed at first contact.

    next_contact_* are derived from the schedule and the last completed contact by the services, and
    stored so that the sweep finds due and overdue contacts with one indexed query.
    """

    class Engagement(models.TextChoices):
        NOT_RECORDED = "not_recorded", "Not yet recorded"
        ENGAGED = "engaged", "Engaged with the SOO"
        DECLINED = "declined", "Declined SOO support"

    class Cadence(models.TextChoices):
        NONE = "none", "No schedule agreed"
        INTERVAL = "interval", "Every N days"
        DATES = "dates", "On listed dates"

    allocation = models.OneToOneField("oversight.Allocation", on_delete=models.PROTECT, related_name="contact_plan")
    engagement = models.CharField(max_length=12, choices=Engagement.choices, default=Engagement.NOT_RECORDED)
    engagement_recorded_at = models.DateTimeField(null=True, blank=True)
    cadence = models.CharField(max_length=10, choices=Cadence.choices, default=Cadence.NONE)
    interval_days = models.PositiveSmallIntegerField(null=True, blank=True)
    dates = ArrayField(models.DateField(), default=list, blank=True)
    schedule_agreed_at = models.DateTimeField(null=True, blank=True)
    # The local (Europe/London) date the next contact is due, and its start and end as UTC instants.
    next_contact_on = models.DateField(null=True, blank=True)
    next_contact_due_at = models.DateTimeField(null=True, blank=True)
    next_contact_overdue_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(cadence="interval") | models.Q(interval_days__gte=1, interval_days__lte=90),
                name="contactplan_interval_range",
            ),
        ]
        indexes = [
            models.Index(
                fields=["next_contact_due_at"],
                condition=models.Q(next_contact_due_at__isnull=False),
                name="contactplan_next_due",
            )
        ]

    def __str__(self):
        return f"Contact plan for allocation {self.allocation_id}"


class DeadlineEvent(models.Model):
    """A notification-worthy event, claimed once. The unique constraint is what makes reminders exactly-once:
    the sweep inserts with ON CONFLICT DO NOTHING and notifies only for the rows it inserted, in the same
    transaction, so a re-run, a second beat or a redelivered task finds the event already claimed.
    """

    class Kind(models.TextChoices):
        REMINDER_24H = "reminder_24h", "First contact reminder (24 hours)"
        REMINDER_48H = "reminder_48h", "First contact reminder (48 hours)"
        BREACH = "breach", "First contact deadline breached"
        CONTACT_DUE = "contact_due", "Scheduled contact due"
        CONTACT_OVERDUE = "contact_overdue", "Scheduled contact overdue"

    allocation = models.ForeignKey("oversight.Allocation", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # The scheduled contact's local due date; null for the first-contact events (one per allocation).
    due_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["allocation", "kind", "due_on"], nulls_distinct=False, name="deadline_event_once"
            )
        ]

    def __str__(self):
        return f"{self.kind} for allocation {self.allocation_id}"
