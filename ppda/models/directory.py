"""The force's staff directory: the workforce, separate from user accounts and case parties."""

from django.db import models
from simple_history.models import HistoricalRecords


class Command(models.Model):
    """A top-level command (e.g. Northern Command, Specialist Operations)."""

    name = models.CharField(max_length=120, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Department(models.Model):
    class Kind(models.TextChoices):
        OPERATIONAL = "operational", "Operational"
        PSD = "psd", "Professional standards (PSD)"
        ACU = "acu", "Anti-corruption unit (ACU)"
        SUPPORT = "support", "Support services"

    name = models.CharField(max_length=120)
    command = models.ForeignKey(Command, on_delete=models.PROTECT, related_name="departments")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.OPERATIONAL)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["command", "name"], name="department_unique_in_command")]

    def __str__(self):
        return self.name


class Team(models.Model):
    name = models.CharField(max_length=120)
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="teams")

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["department", "name"], name="team_unique_in_department")]

    def __str__(self):
        return self.name


class District(models.Model):
    """A district or borough: where staff are based and where abuse happens."""

    name = models.CharField(max_length=120, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class StaffMember(models.Model):
    """One person in the force's workforce (officer, police staff or volunteer)."""

    class Rank(models.TextChoices):
        # Police staff and volunteers carry a grade, not a rank.
        VOLUNTEER = "volunteer", "Volunteer"
        POLICE_STAFF = "staff", "Police staff"
        PCSO = "pcso", "PCSO"
        SPECIAL = "special", "Special constable"
        CONSTABLE = "pc", "Constable"
        SERGEANT = "ps", "Sergeant"
        INSPECTOR = "insp", "Inspector"
        CHIEF_INSPECTOR = "ci", "Chief inspector"
        SUPERINTENDENT = "supt", "Superintendent"
        CHIEF_SUPERINTENDENT = "csupt", "Chief superintendent"
        ACC = "acc", "Assistant chief constable"
        DCC = "dcc", "Deputy chief constable"
        CHIEF_CONSTABLE = "cc", "Chief constable"

    class Availability(models.TextChoices):
        AVAILABLE = "available", "Available"
        LEAVE = "leave", "On leave"
        UNAVAILABLE = "unavailable", "Unavailable"

    employee_number = models.CharField(max_length=20, unique=True)
    first_name = models.CharField(max_length=80)
    last_name = models.CharField(max_length=80)
    rank = models.CharField(max_length=10, choices=Rank.choices)
    command = models.ForeignKey(Command, on_delete=models.PROTECT, related_name="staff", null=True, blank=True)
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="staff", null=True, blank=True)
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="staff", null=True, blank=True)
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="staff", null=True, blank=True)
    line_manager = models.ForeignKey("self", on_delete=models.SET_NULL, related_name="reports", null=True, blank=True)
    work_email = models.EmailField(blank=True)
    is_active = models.BooleanField(default=True)
    soo_eligible = models.BooleanField(
        default=False, help_text="A chief inspector who may serve as senior oversight officer."
    )
    availability = models.CharField(max_length=12, choices=Availability.choices, default=Availability.AVAILABLE)
    available_from = models.DateField(null=True, blank=True, help_text="When leave or unavailability ends.")

    history = HistoricalRecords()

    class Meta:
        ordering = ["last_name", "first_name"]
        indexes = [
            models.Index(fields=["rank", "soo_eligible", "is_active"], name="staff_soo_pool"),
            # The allocation pool (oversight/allocation/pool.py, the same predicate): 600 rows found
            # without scanning 40,000 staff.
            models.Index(
                fields=["id"], condition=models.Q(rank="ci") | models.Q(soo_eligible=True), name="staff_soo_candidates"
            ),
            models.Index(fields=["last_name", "first_name"], name="staff_name"),
        ]

    def __str__(self):
        return f"{self.get_rank_display()} {self.first_name} {self.last_name} ({self.employee_number})"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def in_psd_or_acu(self) -> bool:
        return self.department is not None and self.department.kind in (
            Department.Kind.PSD,
            Department.Kind.ACU,
        )
