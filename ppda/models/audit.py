"""The append-only access log (DPA 2018 s.62): every read of identifiable data, and every denial."""

import uuid

from django.conf import settings
from django.db import models


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
