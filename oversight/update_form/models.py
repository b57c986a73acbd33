"""The case update form: the SOO's live record of a case, one model per section, each saved on its own.

Each section is one row per case (OneToOne), written only by its own service, with django-simple-history
keeping who changed what and when. `version` counts saves: the anonymised rendering keys its "withheld"
notification on it, so coordinators are told once per version of a section, however often it is rendered.
`redactions` and `withheld` are what the redaction engine found in the section's free text when it was
last saved; the dashboard reads them without re-running the engine. The panel rendering never trusts them:
it redacts (and fails closed) again every time.

Derived sections (contact summary, and the case facts of the overview) are not stored: they are read
from the contact log and the case when shown.
"""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords


class Section(models.Model):
    """What every stored section carries."""

    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="+")
    version = models.PositiveIntegerField(default=0)
    # Whether the SOO has given everything the section asks for (set by the section's service).
    complete = models.BooleanField(default=False)
    redactions = models.PositiveIntegerField(default=0)
    withheld = models.BooleanField(default=False)
    updated_at = models.DateTimeField(null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    # Free-text fields, which the anonymised rendering redacts. Subclasses list theirs.
    FREE_TEXT: tuple[str, ...] = ()
    # Fields shown in the change list (bookkeeping fields left out).
    BOOKKEEPING = ("id", "case", "version", "complete", "redactions", "withheld", "updated_at", "updated_by")

    class Meta:
        abstract = True

    @classmethod
    def tracked_fields(cls) -> list[models.Field]:
        return [f for f in cls._meta.concrete_fields if f.name not in cls.BOOKKEEPING]


class Overview(Section):
    """The relationship between the parties. Category, route, risk and duty are the case's (triage)."""

    class Relationship(models.TextChoices):
        PARTNER = "partner", "Current partner"
        EX_PARTNER = "ex_partner", "Former partner"
        FAMILY = "family", "Family member"
        HOUSEHOLD = "household", "Other household member"
        OTHER = "other", "Other"
        NOT_KNOWN = "not_known", "Not known"

    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="uf_overview")
    relationship = models.CharField(max_length=12, choices=Relationship.choices, blank=True)

    history = HistoricalRecords()

    def __str__(self):
        return f"Overview for case {self.case_id}"


class SupportStatus(models.TextChoices):
    NOT_OFFERED = "not_offered", "Not offered"
    OFFERED = "offered", "Offered"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"


# (field prefix, label): the support the SOO links the victim to (DESIGN.md step 4).
SUPPORT_KINDS = (
    ("idva", "Independent domestic violence adviser (IDVA)"),
    ("wellbeing", "Wellbeing service"),
    ("da_services", "Domestic abuse services"),
    ("survivors_network", "Survivors' network"),
    ("reasonable_adjustments", "Reasonable adjustments at work"),
    ("occupational_health", "Occupational health"),
)


def _status_field():
    return models.CharField(max_length=12, choices=SupportStatus.choices, default=SupportStatus.NOT_OFFERED)


def _note_field():
    return models.CharField(max_length=500, blank=True)


class Support(Section):
    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="uf_support")
    idva_status = _status_field()
    idva_note = _note_field()
    wellbeing_status = _status_field()
    wellbeing_note = _note_field()
    da_services_status = _status_field()
    da_services_note = _note_field()
    survivors_network_status = _status_field()
    survivors_network_note = _note_field()
    reasonable_adjustments_status = _status_field()
    reasonable_adjustments_note = _note_field()
    occupational_health_status = _status_field()
    occupational_health_note = _note_field()

    FREE_TEXT = tuple(f"{kind}_note" for kind, _ in SUPPORT_KINDS)

    history = HistoricalRecords()

    def __str__(self):
        return f"Support for case {self.case_id}"

    def rows(self) -> list[tuple[str, str, str]]:
        """(kind of support, status, note) for each kind, in SUPPORT_KINDS order."""
        return [
            (label, getattr(self, f"get_{kind}_status_display")(), getattr(self, f"{kind}_note"))
            for kind, label in SUPPORT_KINDS
        ]


class Investigation(Section):
    """The SOO's note of the investigation's progress (until an investigation record exists: selectors)."""

    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="uf_investigation")
    progress = models.TextField(max_length=4000, blank=True)

    FREE_TEXT = ("progress",)

    history = HistoricalRecords()

    def __str__(self):
        return f"Investigation for case {self.case_id}"


class Concerns(Section):
    """What undermines the victim's confidence, picked up early (DESIGN.md step 4)."""

    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="uf_concerns")
    lack_of_updates = models.BooleanField(default=False)
    investigator_change = models.BooleanField(default=False)
    delay = models.BooleanField(default=False)
    details = models.TextField(max_length=4000, blank=True)

    FREE_TEXT = ("details",)

    history = HistoricalRecords()

    def __str__(self):
        return f"Concerns for case {self.case_id}"


class Feedback(Section):
    """Feedback the SOO gave to the investigation team and to line managers: the practice's learning loop."""

    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="uf_feedback")
    investigation_good_practice = models.TextField(max_length=2000, blank=True)
    investigation_improvements = models.TextField(max_length=2000, blank=True)
    line_manager_good_practice = models.TextField(max_length=2000, blank=True)
    line_manager_improvements = models.TextField(max_length=2000, blank=True)

    FREE_TEXT = (
        "investigation_good_practice",
        "investigation_improvements",
        "line_manager_good_practice",
        "line_manager_improvements",
    )

    history = HistoricalRecords()

    def __str__(self):
        return f"Feedback for case {self.case_id}"


# slug -> model, in the order the form shows them. The slug names the section in URLs and event keys.
SECTIONS: dict[str, type[Section]] = {
    "overview": Overview,
    "support": Support,
    "investigation": Investigation,
    "concerns": Concerns,
    "feedback": Feedback,
}
SECTION_TITLES = {
    "overview": "Overview",
    "contacts": "Contact summary",
    "support": "Support",
    "investigation": "Investigation",
    "concerns": "Concerns",
    "feedback": "Feedback to the investigation team and line managers",
    "panel": "Panel decisions and actions",
    "closure": "Closure",
}


# What each stored field is called on the form, the change list, the redaction preview and the panel view.
FIELD_LABELS = {
    "relationship": "Relationship between the victim and the suspect",
    **{f"{kind}_status": label for kind, label in SUPPORT_KINDS},
    **{f"{kind}_note": f"{label}: note" for kind, label in SUPPORT_KINDS},
    "progress": "Progress of the investigation",
    "lack_of_updates": "Lack of updates to the victim",
    "investigator_change": "Change of investigator",
    "delay": "Delay in the investigation",
    "details": "Details of the concerns",
    "investigation_good_practice": "Investigation team: good practice",
    "investigation_improvements": "Investigation team: improvements",
    "line_manager_good_practice": "Line managers: good practice",
    "line_manager_improvements": "Line managers: improvements",
}
