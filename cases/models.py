"""Cases and the people in them. Identifiable fields live on Party and SafeContact only."""

import hashlib
import re
import secrets
import unicodedata
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase
from simple_history.models import HistoricalRecords

_PSEUDONYM_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def new_pseudonym() -> str:
    """A stable, non-derivable label for anonymised views, e.g. 'Case K7QX-M2PA'."""
    a = "".join(secrets.choice(_PSEUDONYM_ALPHABET) for _ in range(4))
    b = "".join(secrets.choice(_PSEUDONYM_ALPHABET) for _ in range(4))
    return f"{a}-{b}"


# The force's reference format, e.g. "DA/2026/000123". Forces set CASE_REFERENCE_PATTERN to their own.
DEFAULT_CASE_REFERENCE_PATTERN = r"^[A-Z]{2,4}/\d{4}/\d{6}$"


def case_reference_pattern() -> str:
    return getattr(settings, "CASE_REFERENCE_PATTERN", "") or DEFAULT_CASE_REFERENCE_PATTERN


def validate_case_reference(value: str) -> None:
    if not re.fullmatch(case_reference_pattern(), value or ""):
        raise ValidationError(
            "Enter the force reference in the force's format, like DA/2026/000123", code="reference_format"
        )


def normalise_name(*parts: str) -> str:
    """Casefolded, accents and punctuation removed, single spaces: 'Ó'Brien-Smith ' -> 'o brien smith'."""
    text = " ".join(p for p in parts if p)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    text = "".join(ch if ch.isalnum() else " " for ch in text)
    return " ".join(text.split())[:170]


class Case(models.Model):
    class Route(models.TextChoices):
        CALL = "call", "999/101 call"
        LINE_MANAGER = "line_manager", "Line manager"
        COLLEAGUE = "colleague", "Colleague"
        PSD = "psd", "Professional standards (PSD)"
        ACU = "acu", "Anti-corruption unit (ACU)"
        MASH = "mash", "Multi-agency safeguarding hub (MASH)"
        IDVA = "idva", "IDVA referral"
        TRANSFER = "transfer", "Transfer from another force"
        IOPC = "iopc", "IOPC referral"
        SELF = "self", "Self-referral"
        OTHER = "other", "Other"

    class Category(models.TextChoices):
        POLICE_VICTIM = "police_victim", "Police victim"
        POLICE_PERPETRATOR = "police_perpetrator", "Police perpetrator"
        BOTH = "both", "Both police"

    class Risk(models.TextChoices):
        STANDARD = "standard", "Standard"
        MEDIUM = "medium", "Medium"
        HIGH = "high", "High"

    class Duty(models.TextChoices):
        ON = "on", "On duty"
        OFF = "off", "Off duty"
        UNKNOWN = "unknown", "Not known"

    class Status(models.TextChoices):
        RECEIVED = "received", "Received"
        TRIAGED = "triaged", "Triaged"
        ALLOCATED = "allocated", "Allocated"
        ACTIVE = "active", "Active"
        CLOSED = "closed", "Closed"
        REOPENED = "reopened", "Reopened"

    # The lifecycle: each status and the statuses it may move to (services check the state they start from).
    TRANSITIONS = {
        Status.RECEIVED: {Status.TRIAGED},
        Status.TRIAGED: {Status.ALLOCATED},
        # Back to triaged when an allocation is declined or ended and the case returns to the inbox.
        Status.ALLOCATED: {Status.ACTIVE, Status.TRIAGED, Status.CLOSED},
        Status.ACTIVE: {Status.CLOSED, Status.TRIAGED},
        Status.CLOSED: {Status.REOPENED},
        Status.REOPENED: {Status.ALLOCATED, Status.ACTIVE, Status.TRIAGED, Status.CLOSED},
    }

    # Public id used in URLs: never the reference, never a guessable integer.
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    reference = models.CharField(
        max_length=40,
        unique=True,
        validators=[validate_case_reference],
        help_text="The force's case or crime reference.",
    )
    pseudonym = models.CharField(max_length=9, unique=True, default=new_pseudonym, editable=False)
    received_at = models.DateTimeField()
    route = models.CharField(max_length=20, choices=Route.choices)
    category = models.CharField(max_length=20, choices=Category.choices)
    risk_level = models.CharField(max_length=10, choices=Risk.choices, blank=True)
    duty = models.CharField(max_length=10, choices=Duty.choices, default=Duty.UNKNOWN)
    incident_district = models.ForeignKey(
        "ppda.District", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    summary = models.TextField(blank=True, help_text="What was reported, in brief.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RECEIVED, db_index=True)
    # "Assign to me": the coordinator triaging it, so two coordinators do not triage the same case.
    triage_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    triaged_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    needs_reallocation = models.BooleanField(default=False)
    # Retention: when a closed case is next reviewed (set on closing, moved by a "retain" decision), and when its
    # party identities were deleted (then there is nothing left to review: the row stays for the statistics).
    retention_review_on = models.DateField(null=True, blank=True)
    identities_erased_at = models.DateTimeField(null=True, blank=True)
    triage_owner_at = models.DateTimeField(null=True, blank=True)
    # The investigation's outcome once known (free text from PSD, e.g. "Charged", "No further action").
    outcome = models.CharField(max_length=120, blank=True)
    # Set when the case arrived through the JSON intake API rather than the form.
    intake_system = models.ForeignKey(
        "cases.IntakeSystem", on_delete=models.PROTECT, null=True, blank=True, related_name="cases"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["received_at"]
        indexes = [
            models.Index(fields=["status", "received_at"], name="case_inbox"),
            # The inbox's order over open cases (untriaged first, then oldest): a page is read in index order
            # and stops after 25 rows, instead of sorting every open case. Same expression as inbox_cases.
            # The retention queue: closed cases still holding identities, soonest review first.
            models.Index(
                fields=["retention_review_on", "id"],
                name="case_retention_due",
                condition=models.Q(status="closed", identities_erased_at__isnull=True),
            ),
            models.Index(
                models.Case(models.When(status="received", then=models.Value(0)), default=models.Value(1)),
                "received_at",
                "id",
                name="case_inbox_open_order",
                condition=~models.Q(status="closed"),
            ),
        ]

    def __str__(self):
        return self.reference

    def can_move_to(self, status: str) -> bool:
        return status in self.TRANSITIONS.get(self.status, set())


class Party(models.Model):
    """A victim or suspect. A police party links to the staff directory; others carry their own identity."""

    class Role(models.TextChoices):
        VICTIM = "victim", "Victim"
        SUSPECT = "suspect", "Suspect / perpetrator"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="parties")
    role = models.CharField(max_length=10, choices=Role.choices)
    staff = models.ForeignKey(
        "ppda.StaffMember", on_delete=models.PROTECT, null=True, blank=True, related_name="case_parties"
    )
    first_name = models.CharField(max_length=80, blank=True)
    last_name = models.CharField(max_length=80, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    address = models.TextField(blank=True)
    phone = models.CharField(max_length=30, blank=True)
    email = models.EmailField(blank=True)
    home_district = models.ForeignKey(
        "ppda.District", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Lower-cased, accents and punctuation removed: matched with date_of_birth for history lookup.
    normalised_name = models.CharField(max_length=170, blank=True, db_index=True)
    # Set when the identities were deleted at a retention review: the police party's rank band ("above" or
    # "constable", from the staff record unlinked then), so the statistics still count the case by rank.
    erased_band = models.CharField(max_length=10, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["role", "id"]
        indexes = [models.Index(fields=["normalised_name", "date_of_birth"], name="party_name_dob")]

    def __str__(self):
        return f"{self.get_role_display()} on {self.case_id}"

    @property
    def is_police(self) -> bool:
        return self.staff_id is not None


# Rank bands a police party's statistics count under once its staff record is unlinked (Party.erased_band).
ERASED_BAND_ABOVE, ERASED_BAND_CONSTABLE = "above", "constable"


class SafeContact(models.Model):
    """How the SOO may contact a victim safely: the perpetrator may share the home, phone or workplace."""

    party = models.OneToOneField(Party, on_delete=models.CASCADE, related_name="safe_contact")
    safe_phone = models.CharField(max_length=30, blank=True)
    safe_email = models.EmailField(blank=True)
    safe_times = models.CharField(max_length=200, blank=True)
    voicemail_ok = models.BooleanField(default=False)
    texts_ok = models.BooleanField(default=False)
    letters_ok = models.BooleanField(default=False)
    contact_at_work_ok = models.BooleanField(default=False)
    codeword = models.CharField(max_length=60, blank=True)
    notes = models.TextField(blank=True)

    history = HistoricalRecords()

    def __str__(self):
        return f"Safe contact for party {self.party_id}"


class CaseLink(models.Model):
    class Kind(models.TextChoices):
        COUNTER_ALLEGATION = "counter", "Counter-allegation"
        REPEAT = "repeat", "Repeat report"
        RELATED = "related", "Related"

    from_case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="links_out")
    to_case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="links_in")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["from_case", "to_case"], name="caselink_unique"),
            models.CheckConstraint(condition=~models.Q(from_case=models.F("to_case")), name="caselink_not_self"),
        ]

    def __str__(self):
        return f"{self.from_case_id} {self.kind} {self.to_case_id}"


class CaseAccessDeclaration(models.Model):
    """The declaration every user makes the first time they open a case's identified view."""

    class Kind(models.TextChoices):
        NO_CONFLICT = "none", "I do not know the people in this case"
        CONFLICT = "conflict", "I have a conflict of interest"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="access_declarations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    note = models.TextField(blank=True)
    declared_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "user"], name="case_declaration_once")]

    def __str__(self):
        return f"{self.user_id} {self.kind} on {self.case_id}"


class ConflictDeclaration(models.Model):
    """A standing conflict: this staff member knows that person. Used by allocation as a hard exclusion."""

    class Source(models.TextChoices):
        STANDING = "standing", "Standing declaration"
        DECLINED_ALLOCATION = "declined", "Declared when declining an allocation"
        FIRST_OPEN = "first_open", "Declared on first opening a case"

    declarer = models.ForeignKey("ppda.StaffMember", on_delete=models.PROTECT, related_name="conflicts_declared")
    # Against a staff record, or a named non-police person (name + date of birth).
    against_staff = models.ForeignKey(
        "ppda.StaffMember", on_delete=models.PROTECT, null=True, blank=True, related_name="conflicts_against"
    )
    against_normalised_name = models.CharField(max_length=170, blank=True)
    against_date_of_birth = models.DateField(null=True, blank=True)
    reason = models.TextField()
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.STANDING)
    source_case = models.ForeignKey(Case, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    declared_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(against_staff__isnull=False) | ~models.Q(against_normalised_name=""),
                name="conflict_has_subject",
            )
        ]

    def __str__(self):
        return f"Conflict declared by {self.declarer_id}"


class CoordinatorShift(models.Model):
    """The coordinator rota: who reads the inbox when."""

    coordinator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="rota_shifts")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    note = models.CharField(max_length=120, blank=True)

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_at__gt=models.F("starts_at")), name="shift_ends_after_start")
        ]
        indexes = [models.Index(fields=["starts_at", "ends_at"], name="shift_window")]

    def __str__(self):
        return f"Shift {self.starts_at:%Y-%m-%d %H:%M} for {self.coordinator_id}"


def token_hash(token: str) -> str:
    # Tokens are 256-bit random strings: a fast hash is enough (no guessing to slow down).
    return hashlib.sha256(token.encode()).hexdigest()


class IntakeSystem(models.Model):
    """Another force system allowed to send cases to the JSON intake API. Only the token's hash is stored."""

    name = models.CharField(max_length=80, unique=True)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    token_prefix = models.CharField(
        max_length=8, editable=False, help_text="The first characters, to tell tokens apart."
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    @staticmethod
    def new_token() -> str:
        return secrets.token_urlsafe(32)

    def set_token(self, token: str) -> None:
        self.token_hash = token_hash(token)
        self.token_prefix = token[:8]


class IntakeRequest(models.Model):
    """One idempotency key per sending system: a retried submission returns the first case."""

    system = models.ForeignKey(IntakeSystem, on_delete=models.PROTECT, related_name="requests")
    key = models.CharField(max_length=200)
    body_hash = models.CharField(max_length=64)
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["system", "key"], name="intake_idempotency_once")]

    def __str__(self):
        return f"{self.system_id}:{self.key}"


# Direct foreign-key permission tables (guardian "performance"): one indexed join, no generic keys.
class CaseUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Case, on_delete=models.CASCADE)


class CaseGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Case, on_delete=models.CASCADE)
