"""Scrutiny panels: meetings, attendees, agenda slots, the access window, outcomes, amendments and packs.

The lifecycle of a meeting is draft -> published -> held -> minutes approved (services check the state they
start from). Publishing opens the access window: each attendee gets an object grant (guardian, direct
foreign-key tables) on each agenda item, and the window closes `PANEL_ACCESS_WINDOW_DAYS` after the meeting.
The guard (panels/access.py) checks the window at read time; the sweep (panels/sweep.py) also deletes the
grants, claiming each meeting's expiry once (MeetingAccessExpiry.revoked_at).

Every change is kept by simple-history; reads of the papers are written to the access log.
"""

import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase
from simple_history.models import HistoricalRecords

# Object permissions on an agenda item, granted at publication (or when someone or something is added after).
READ_PAPERS = "panels.read_papers"  # the anonymised update forms of the item's cases
READ_IDENTIFIED = "panels.read_identified"  # the PSD representative's identified view of the item's cases


class Meeting(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"
        HELD = "held", "Held"
        MINUTES_APPROVED = "approved", "Minutes approved"

    TRANSITIONS = {
        Status.DRAFT: {Status.PUBLISHED},
        Status.PUBLISHED: {Status.HELD},
        Status.HELD: {Status.MINUTES_APPROVED},
        Status.MINUTES_APPROVED: set(),
    }
    # States in which the papers may be open (still subject to the window).
    OPEN = (Status.PUBLISHED, Status.HELD, Status.MINUTES_APPROVED)

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField(max_length=120, default="Scrutiny panel")
    starts_at = models.DateTimeField()
    place = models.CharField("Place", max_length=200, blank=True)
    joining_details = models.TextField("Online joining details", blank=True)
    chair = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    psd_rep = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True)
    published_at = models.DateTimeField(null=True, blank=True)
    # Set at publication: the papers are readable until then (the read-time check) and the sweep revokes after.
    access_closes_at = models.DateTimeField(null=True, blank=True)
    held_at = models.DateTimeField(null=True, blank=True)
    minutes_approved_at = models.DateTimeField(null=True, blank=True)
    minutes_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    history = HistoricalRecords()

    class Meta:
        ordering = ["-starts_at"]
        indexes = [models.Index(fields=["starts_at"], name="panel_meeting_starts")]

    def __str__(self):
        return f"{self.title} ({self.starts_at:%Y-%m-%d})"

    def can_move_to(self, status: str) -> bool:
        return status in self.TRANSITIONS.get(self.status, set())

    @property
    def outcomes_locked(self) -> bool:
        return self.status == self.Status.MINUTES_APPROVED


class Attendee(models.Model):
    """Someone at the meeting: the chair, a member (police or partner agency; a partner may have no staff
    record), or the PSD representative. Each accepts the confidentiality statement before opening the papers."""

    class Role(models.TextChoices):
        CHAIR = "chair", "Chair"
        MEMBER = "member", "Member"
        PSD = "psd", "PSD representative"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendees")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="panel_attendances")
    role = models.CharField(max_length=8, choices=Role.choices, default=Role.MEMBER)
    organisation = models.CharField(max_length=120)
    statement_accepted_at = models.DateTimeField(null=True, blank=True)
    # The sha256 of the statement text accepted: a changed statement is accepted again.
    statement_sha256 = models.CharField(max_length=64, blank=True)
    added_at = models.DateTimeField(auto_now_add=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    history = HistoricalRecords()

    class Meta:
        ordering = ["role", "pk"]
        constraints = [models.UniqueConstraint(fields=["meeting", "user"], name="panel_attendee_once")]

    def __str__(self):
        return f"Attendee {self.user_id} of meeting {self.meeting_id}"


class AgendaItem(models.Model):
    """One slot of the agenda: a case, or a counter-allegation pair sharing the slot (both SOOs come)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="items")
    starts_at = models.DateTimeField()
    minutes = models.PositiveSmallIntegerField(default=20)
    added_at = models.DateTimeField(auto_now_add=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    history = HistoricalRecords()

    class Meta:
        ordering = ["starts_at", "pk"]
        permissions = [
            ("read_papers", "Read the anonymised papers of this agenda item"),
            ("read_identified", "Read the identified view of this agenda item's cases (PSD representative)"),
        ]

    def __str__(self):
        return f"Agenda item {self.pk} of meeting {self.meeting_id}"


class AgendaCase(models.Model):
    """A case on an agenda item. A case is on a meeting's agenda at most once."""

    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="entries")
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="+")
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="panel_entries")

    history = HistoricalRecords()

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["meeting", "case"], name="panel_case_once_per_meeting")]

    def __str__(self):
        return f"Case {self.case_id} on item {self.item_id}"


class SlotInvitation(models.Model):
    """An SOO invited to their own case's slot only: its time and joining instructions, nothing else."""

    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="invitations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    invited_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["item", "user"], name="panel_invitation_once")]

    def __str__(self):
        return f"Invitation of {self.user_id} to item {self.item_id}"


class Theme(models.TextChoices):
    """Learning themes: tags read by the statistics."""

    INDIVIDUAL = "individual", "Individual learning"
    ORGANISATIONAL = "organisational", "Organisational learning"
    GOOD_PRACTICE = "good_practice", "Good practice"


class Outcome(models.Model):
    """What the panel decided on one item, recorded by the chair. Read-only once the minutes are approved:
    a correction is an Amendment (who and why)."""

    FREE_TEXT = ("discussion", "decisions", "bring_back_reason", "learning")

    item = models.OneToOneField(AgendaItem, on_delete=models.CASCADE, related_name="outcome")
    discussion = models.TextField("Discussion summary", blank=True)
    decisions = models.TextField("Decisions", blank=True)
    bring_back = models.BooleanField("Bring back to a future panel", default=False)
    bring_back_reason = models.TextField("Why it comes back", blank=True)
    themes = ArrayField(models.CharField(max_length=16, choices=Theme.choices), default=list, blank=True)
    learning = models.TextField("Learning", blank=True)
    # Complex (counter-allegation) cases: the case whose victim the panel sees as the primary victim (and whose
    # suspect as the primary perpetrator).
    primary_case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    history = HistoricalRecords()

    def __str__(self):
        return f"Outcome of item {self.item_id}"


class Action(models.Model):
    class Owner(models.TextChoices):
        SOO = "soo", "SOO"
        COORDINATOR = "coordinator", "Case coordinator"
        PSD = "psd", "PSD"
        CHAIR = "chair", "Panel chair"
        PARTNER = "partner", "Partner agency"

    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="actions")
    description = models.TextField()
    owner_role = models.CharField(max_length=12, choices=Owner.choices)
    due_on = models.DateField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    history = HistoricalRecords()

    class Meta:
        ordering = ["pk"]
        indexes = [models.Index(fields=["item"], condition=models.Q(done_at__isnull=True), name="panel_action_open")]

    def __str__(self):
        return f"Action {self.pk} on item {self.item_id}"


class Amendment(models.Model):
    """A correction to an outcome after the minutes were approved: what changed, who, and why."""

    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="amendments")
    field = models.CharField(max_length=40)
    before = models.TextField(blank=True)
    after = models.TextField(blank=True)
    reason = models.TextField()
    amended_at = models.DateTimeField(auto_now_add=True)
    amended_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    history = HistoricalRecords()

    class Meta:
        ordering = ["amended_at", "pk"]

    def __str__(self):
        return f"Amendment {self.pk} of item {self.item_id}"


class MeetingAccessExpiry(models.Model):
    """The meeting's grants, to be deleted once its window closes. The sweep claims a due row by setting
    revoked_at where it is still empty (row lock, skip locked), so two sweeps at once revoke once."""

    meeting = models.OneToOneField(Meeting, on_delete=models.CASCADE, related_name="expiry")
    due_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["due_at"], condition=models.Q(revoked_at__isnull=True), name="panel_expiry_due")
        ]

    def __str__(self):
        return f"Access expiry of meeting {self.meeting_id}"


class Pack(models.Model):
    """One recipient's copy of the agenda pack: built in a task, stored, served with the guard. The copy code is
    printed on every page; the access log maps it back to the recipient (a leaked copy is traceable)."""

    class Status(models.TextChoices):
        PENDING = "pending", "Being prepared"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="packs")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    copy_code = models.CharField(max_length=12, unique=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    requested_at = models.DateTimeField()
    built_at = models.DateTimeField(null=True, blank=True)
    pdf = models.BinaryField(null=True, blank=True, editable=False)
    pages = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at"]

    def __str__(self):
        return f"Pack copy {self.copy_code}"


# Direct foreign-key permission tables (guardian "performance"): one indexed join, no generic keys.
class AgendaItemUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(AgendaItem, on_delete=models.CASCADE)


class AgendaItemGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(AgendaItem, on_delete=models.CASCADE)
