from django.apps import AppConfig


class RetentionConfig(AppConfig):
    """Retention reviews of closed cases: the coordinators' queue, retain or delete the identities, reminders."""

    name = "oversight.retention"
    label = "retention"
    verbose_name = "Retention reviews"
