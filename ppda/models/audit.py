"""The append-only access log (DPA 2018 s.62): every read of identifiable data, and every denial."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


class AccessLogQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("The access log is append-only.")

    def delete(self):
        raise PermissionError("The access log is append-only.")

    def bulk_update(self, *args, **kwargs):
        raise PermissionError("The access log is append-only.")


class AccessLog(models.Model):
    class Action(models.TextChoices):
        VIEW = "view", "Viewed"
        EXPORT = "export", "Exported"
        PDF = "pdf", "Downloaded PDF"
        CHANGE = "change", "Changed"
        DECLARE = "declare", "Declared"
        DENIED = "denied", "Denied"
        LOGIN = "login", "Logged in"
        LOGIN_FAILED = "login_failed", "Login failed"
        OTP_FAILED = "otp_failed", "Two-factor code failed"
        LOGOUT = "logout", "Logged out"
        AUDIT_READ = "audit_read", "Read the audit trail"

    id = models.BigAutoField(primary_key=True)
    uuid = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Kept as text so the record outlives a renamed or removed account.
    username = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=20, choices=Action.choices)
    # What was read: a model label ("cases.case") and the object's public id, plus the case reference
    # so the auditor can answer "who accessed case X" without reading case content.
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    case_reference = models.CharField(max_length=40, blank=True, db_index=True)
    what = models.CharField(max_length=120, blank=True, help_text="The page or document, e.g. 'case page'.")
    path = models.CharField(max_length=300, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    allowed = models.BooleanField(default=True)

    objects = AccessLogQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["user", "-at"], name="accesslog_user_at"),
            models.Index(fields=["object_type", "object_id", "-at"], name="accesslog_object_at"),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.action} {self.object_type} {self.object_id}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("The access log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The access log is append-only.")


class GrantEventQuerySet(AccessLogQuerySet):
    """Append-only too: the record of who could see what, when, must survive an inquiry."""


class GrantEvent(models.Model):
    """One grant or removal of a role (group membership) or of a case grant (an object permission), and who
    made it. With these the auditor answers "who could see what, when" (ppda.audit_trail.selectors.grants_held_at).

    Written in the same transaction as the change by the services that make it (ppda.roles, ppda.permissions and
    the set-based grant code of cases, oversight and panels); ppda.grant_history's signal backstop records a
    change made any other way, with no actor and source "unrecorded".
    """

    class Kind(models.TextChoices):
        ROLE = "role", "Role"
        OBJECT = "object", "Case grant"

    class Change(models.TextChoices):
        GRANTED = "granted", "Granted"
        REMOVED = "removed", "Removed"

    id = models.BigAutoField(primary_key=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    change = models.CharField(max_length=10, choices=Change.choices)
    # Whose access changed: a user (kept as text too, so the record outlives the account), or for a grant
    # made to a group, the group's name in `group` and no user.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    username = models.CharField(max_length=150, blank=True)
    group = models.CharField(max_length=150, blank=True, help_text="The role (group) granted or removed.")
    permission = models.CharField(
        max_length=120, blank=True, help_text="A case grant's permission, e.g. cases.view_case."
    )
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    # The case the grant opens (a panel item's grant: one row per case on the item), as the access log has it.
    case_reference = models.CharField(max_length=40, blank=True, db_index=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    by_username = models.CharField(max_length=150, blank=True)
    source = models.CharField(max_length=60, help_text="The path that made the change: admin, allocation, sso ...")

    objects = GrantEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["user", "-at"], name="grantevent_user_at")]

    def __str__(self):
        what = self.group if self.kind == self.Kind.ROLE else f"{self.permission} {self.object_type} {self.object_id}"
        return f"{self.at:%Y-%m-%d %H:%M} {self.username or self.group} {self.change} {what}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("The grant history is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The grant history is append-only.")
