"""The investigation record of a case: its strands, the PSD representatives assigned, their updates, the alerts.

Plain fields for the statistics (DESIGN §1 step 10): per strand `kind`, `status`, `outcome`, `charged_on`,
`concluded_at`; per investigation `iopc_referral`, `iopc_referred_on`, `iopc_mode`, `opened_at`. The misconduct
investigation rate is "cases with a misconduct strand", the charge rate "criminal strands with charged_on",
days from report to outcome `concluded_at - case.received_at`.

Every change to an investigation or a strand is kept by simple-history (services set `_history_user`); the
updates PSD posts are append-only rows; an assignment is ended, never deleted.
"""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords


class Unit(models.TextChoices):
    PPDA_PSD = "ppda_psd", "PPDA team in PSD"
    DISTRICT_CID = "district_cid", "District CID"
    OTHER_FORCE = "other_force", "Another force"


class Investigation(models.Model):
    """One per case. Its criminal and misconduct strands are investigated together (the PPDA team in PSD) or
    apart, each with its own unit, officer in charge, status and outcome."""

    class IopcReferral(models.TextChoices):
        NONE = "none", "Not referred"
        MANDATORY = "mandatory", "Mandatory referral"
        VOLUNTARY = "voluntary", "Voluntary referral"

    class IopcMode(models.TextChoices):
        UNDECIDED = "", "Not decided yet"
        INDEPENDENT = "independent", "Independent"
        DIRECTED = "directed", "Directed"
        LOCAL = "local", "Local"

    case = models.OneToOneField("cases.Case", on_delete=models.PROTECT, related_name="investigation")
    together = models.BooleanField(default=True, help_text="Both strands investigated together by the PPDA team.")
    iopc_referral = models.CharField(max_length=10, choices=IopcReferral.choices, default=IopcReferral.NONE)
    iopc_referred_on = models.DateField(null=True, blank=True)
    iopc_mode = models.CharField(max_length=12, choices=IopcMode.choices, blank=True, default=IopcMode.UNDECIDED)
    opened_at = models.DateTimeField()
    # Set when the last strand concludes (and cleared if one is opened again): the long-running alert stops.
    concluded_at = models.DateTimeField(null=True, blank=True)
    # The latest update posted by PSD (or the opening): the "no PSD update for 28 days" alert counts from here.
    last_update_at = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    history = HistoricalRecords()

    class Meta:
        indexes = [
            models.Index(fields=["last_update_at"], name="inv_open_last_update", condition=models.Q(concluded_at=None)),
            models.Index(fields=["opened_at"], name="inv_open_opened", condition=models.Q(concluded_at=None)),
        ]

    def __str__(self):
        return f"Investigation of case {self.case_id}"


class Strand(models.Model):
    """The criminal or the misconduct investigation of a case, with its own status steps and outcome."""

    class Kind(models.TextChoices):
        CRIMINAL = "criminal", "Criminal"
        MISCONDUCT = "misconduct", "Misconduct"

    class Status(models.TextChoices):
        # Criminal
        ASSESSMENT = "assessment", "Assessment"
        UNDER_INVESTIGATION = "under_investigation", "Under investigation"
        WITH_CPS = "with_cps", "With the CPS"
        CHARGED = "charged", "Charged"
        NFA = "nfa", "No further action"
        COURT_OUTCOME = "court_outcome", "Court outcome"
        # Misconduct
        SEVERITY_ASSESSMENT = "severity_assessment", "Severity assessment"
        NO_CASE_TO_ANSWER = "no_case_to_answer", "No case to answer"
        MISCONDUCT_MEETING = "misconduct_meeting", "Misconduct meeting"
        GROSS_MISCONDUCT_HEARING = "gross_misconduct_hearing", "Gross misconduct hearing"
        OUTCOME = "outcome", "Outcome"

    class Outcome(models.TextChoices):
        NONE = "", "Not known yet"
        # Criminal (court)
        CONVICTED = "convicted", "Convicted"
        ACQUITTED = "acquitted", "Acquitted"
        DISCONTINUED = "discontinued", "Discontinued"
        # Misconduct
        NO_ACTION = "no_action", "No action"
        REFLECTIVE_PRACTICE = "reflective_practice", "Reflective practice"
        MANAGEMENT_ACTION = "management_action", "Management action"
        WRITTEN_WARNING = "written_warning", "Written warning"
        FINAL_WRITTEN_WARNING = "final_written_warning", "Final written warning"
        DISMISSAL = "dismissal", "Dismissal"

    S = Status
    # Each strand's steps: where each status may go next. Terminal statuses conclude the strand.
    TRANSITIONS = {
        Kind.CRIMINAL: {
            S.ASSESSMENT: {S.UNDER_INVESTIGATION, S.NFA},
            S.UNDER_INVESTIGATION: {S.WITH_CPS, S.NFA},
            S.WITH_CPS: {S.CHARGED, S.NFA, S.UNDER_INVESTIGATION},
            S.CHARGED: {S.COURT_OUTCOME},
            S.NFA: set(),
            S.COURT_OUTCOME: set(),
        },
        Kind.MISCONDUCT: {
            S.SEVERITY_ASSESSMENT: {S.UNDER_INVESTIGATION, S.NO_CASE_TO_ANSWER},
            S.UNDER_INVESTIGATION: {S.NO_CASE_TO_ANSWER, S.MISCONDUCT_MEETING, S.GROSS_MISCONDUCT_HEARING},
            S.MISCONDUCT_MEETING: {S.OUTCOME},
            S.GROSS_MISCONDUCT_HEARING: {S.OUTCOME},
            S.NO_CASE_TO_ANSWER: set(),
            S.OUTCOME: set(),
        },
    }
    FIRST = {Kind.CRIMINAL: S.ASSESSMENT, Kind.MISCONDUCT: S.SEVERITY_ASSESSMENT}
    CONCLUDED = {S.NFA, S.COURT_OUTCOME, S.NO_CASE_TO_ANSWER, S.OUTCOME}
    # The statuses that need an outcome chosen, and which outcomes fit.
    OUTCOMES = {
        S.COURT_OUTCOME: {Outcome.CONVICTED, Outcome.ACQUITTED, Outcome.DISCONTINUED},
        S.OUTCOME: {
            Outcome.NO_ACTION,
            Outcome.REFLECTIVE_PRACTICE,
            Outcome.MANAGEMENT_ACTION,
            Outcome.WRITTEN_WARNING,
            Outcome.FINAL_WRITTEN_WARNING,
            Outcome.DISMISSAL,
        },
    }

    investigation = models.ForeignKey(Investigation, on_delete=models.PROTECT, related_name="strands")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    unit = models.CharField(max_length=12, choices=Unit.choices, default=Unit.PPDA_PSD)
    other_force = models.CharField(max_length=80, blank=True, help_text="The force investigating, if another.")
    # A staff record, so the conflict rules can see who investigates.
    officer_in_charge = models.ForeignKey(
        "ppda.StaffMember", on_delete=models.PROTECT, null=True, blank=True, related_name="investigations_led"
    )
    status = models.CharField(max_length=24, choices=Status.choices)
    outcome = models.CharField(max_length=24, choices=Outcome.choices, blank=True, default=Outcome.NONE)
    opened_at = models.DateTimeField()
    # Misconduct: the date of the allegation, from which reg. 19's 12-month and 6-monthly markers count.
    allegation_on = models.DateField(null=True, blank=True)
    charged_on = models.DateField(null=True, blank=True)
    concluded_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["kind"]
        constraints = [models.UniqueConstraint(fields=["investigation", "kind"], name="strand_one_per_kind")]

    def __str__(self):
        return f"{self.kind} strand of investigation {self.investigation_id}"

    @property
    def is_concluded(self) -> bool:
        return self.status in self.CONCLUDED

    def next_statuses(self) -> list[str]:
        return sorted(self.TRANSITIONS[self.kind].get(self.status, set()), key=list(self.Status.values).index)

    def can_move_to(self, status: str) -> bool:
        return status in self.TRANSITIONS[self.kind].get(self.status, set())


class PsdAssignment(models.Model):
    """A PSD representative assigned to a case by a coordinator. While live it carries their grant on the case;
    ending it revokes the grant. Never deleted: the assignment and its end are the log (and simple-history)."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="psd_assignments")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="psd_assignments")
    assigned_at = models.DateTimeField()
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["assigned_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "user"], condition=models.Q(ended_at=None), name="psd_assignment_one_live"
            )
        ]

    def __str__(self):
        return f"PSD {self.user_id} on case {self.case_id}"

    @property
    def is_live(self) -> bool:
        return self.ended_at is None


class PsdUpdate(models.Model):
    """An update posted by the assigned PSD representative. Append-only: a correction is a new update."""

    class Kind(models.TextChoices):
        NOTE = "note", "Progress update"
        STATUS = "status", "Status change"
        INVESTIGATOR = "investigator", "Change of officer in charge"
        DECISION = "decision", "Decision"
        IOPC = "iopc", "IOPC referral"

    investigation = models.ForeignKey(Investigation, on_delete=models.PROTECT, related_name="updates")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    strand = models.ForeignKey(Strand, on_delete=models.PROTECT, null=True, blank=True, related_name="updates")
    text = models.TextField(blank=True)
    from_status = models.CharField(max_length=24, blank=True)
    to_status = models.CharField(max_length=24, blank=True)
    outcome = models.CharField(max_length=24, blank=True)
    from_officer = models.ForeignKey(
        "ppda.StaffMember", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    to_officer = models.ForeignKey(
        "ppda.StaffMember", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # A decision: what was decided and why. `decided_not_to` marks a decision *not* to do something (the IOPC
    # expects those recorded too: "not to suspend", "not to refer").
    decision = models.CharField(max_length=300, blank=True)
    rationale = models.TextField(blank=True)
    decided_not_to = models.BooleanField(default=False)
    posted_at = models.DateTimeField()
    posted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-posted_at", "-id"]
        indexes = [models.Index(fields=["investigation", "-posted_at"], name="psd_update_latest")]

    def __str__(self):
        return f"{self.kind} update on investigation {self.investigation_id}"

    @staticmethod
    def _label(choices, value: str) -> str:
        return choices(value).label if value in choices.values else value

    @property
    def from_status_label(self) -> str:
        return self._label(Strand.Status, self.from_status)

    @property
    def to_status_label(self) -> str:
        return self._label(Strand.Status, self.to_status)

    @property
    def outcome_label(self) -> str:
        return self._label(Strand.Outcome, self.outcome)


class InvestigationAlert(models.Model):
    """An alert claimed once by the investigation sweep (the unique constraint is the exactly-once: the sweep
    inserts ON CONFLICT DO NOTHING and notifies only the rows it inserted, in the same transaction).

    `key` tells repeats of a kind apart: the stale period's start for "no update", the update id for an
    officer change, the marker in months (12, 18, 24, ...) for reg. 19, empty for "open six months"."""

    class Kind(models.TextChoices):
        NO_UPDATE = "no_update", "No PSD update"
        OFFICER_CHANGED = "officer_changed", "Officer in charge changed"
        LONG_RUNNING = "long_running", "Investigation open a long time"
        REG19 = "reg19", "Reg. 19 statutory marker"

    investigation = models.ForeignKey(Investigation, on_delete=models.PROTECT, related_name="alerts")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    key = models.CharField(max_length=40, blank=True, default="")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["investigation", "kind", "key"], name="investigation_alert_once")
        ]

    def __str__(self):
        return f"{self.kind} {self.key} for investigation {self.investigation_id}"
