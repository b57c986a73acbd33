"""In-app notifications. They carry a case reference and a link only, never identifiable data."""

from django.conf import settings
from django.db import models


class Notification(models.Model):
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=40)
    message = models.CharField(max_length=300)
    case_reference = models.CharField(max_length=40, blank=True)
    link = models.CharField(max_length=300, blank=True, help_text="A path inside ppda, never an identifier.")
    # Exactly-once: a sweep or retry that tries to send the same event again hits this constraint.
    event_key = models.CharField(max_length=120, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "event_key"], condition=~models.Q(event_key=""), name="notification_once"
            )
        ]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread")]

    def __str__(self):
        return f"{self.kind} for {self.recipient_id}"
