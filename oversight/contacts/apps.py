from django.apps import AppConfig


class ContactsConfig(AppConfig):
    """Victim contact by the SOO: the contact log, the 72-hour first-contact deadline, schedules, reminders."""

    name = "oversight.contacts"
    label = "contacts"
    verbose_name = "Victim contact and deadlines"
