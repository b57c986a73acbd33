"""User accounts. An account links to a staff record; partner-agency panel members have none."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from simple_history.models import HistoricalRecords


class User(AbstractUser):
    staff = models.OneToOneField(
        "ppda.StaffMember", on_delete=models.PROTECT, related_name="user", null=True, blank=True
    )
    organisation = models.CharField(
        max_length=120, blank=True, help_text="For partner-agency users (e.g. an IDVA service)."
    )

    history = HistoricalRecords(excluded_fields=["last_login", "password"])

    def __str__(self):
        return self.username

    @property
    def display_name(self) -> str:
        full = self.get_full_name()
        return full or self.username
