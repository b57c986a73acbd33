import datetime as dt

from django import forms

from ppda.date_input import DateInputField, TimeInputField, london_instant
from ppda.models import AccessLog, GrantEvent

# Dates at the edges of the calendar overflow when turned into London midnights (issue 17): a form error.
EARLIEST, LATEST = dt.date(1900, 1, 1), dt.date(2999, 12, 31)


def in_calendar_range(form: forms.Form, name: str):
    """The cleaned date field `name`, refused with its own name in the message when outside 1900-2999."""
    value = form.cleaned_data[name]
    if value is not None and not (EARLIEST <= value <= LATEST):
        subject = form.fields[name].name.capitalize()
        raise forms.ValidationError(f"{subject} must be between 1 January 1900 and 31 December 2999")
    return value


class _SearchForm(forms.Form):
    """What the auditor's searches share: a username and a case reference (trimmed), and a period whose dates
    stay inside the calendar and come in order. Subclasses declare the fields."""

    def clean_reference(self):
        return self.cleaned_data["reference"].strip()

    def clean_username(self):
        return self.cleaned_data["username"].strip()

    def clean_date_from(self):
        return in_calendar_range(self, "date_from")

    def clean_date_to(self):
        return in_calendar_range(self, "date_to")

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", "The end date must be the same as or after the start date")
        return cleaned


class TrailSearchForm(_SearchForm):
    """Filters for the audit trail. Every field is optional: no filter lists the most recent entries."""

    OUTCOMES = [("", "Allowed and denied"), ("allowed", "Allowed only"), ("denied", "Denied only")]

    reference = forms.CharField(
        label="Case reference",
        required=False,
        max_length=40,
        help_text="Who accessed this case, for example DA/2026/000123.",
    )
    username = forms.CharField(label="Username", required=False, max_length=150, help_text="What did this user access.")
    date_from = DateInputField(name="the start date", label="From", required=False, help_text="For example, 1 7 2026")
    date_to = DateInputField(name="the end date", label="To", required=False, help_text="For example, 31 7 2026")
    outcome = forms.ChoiceField(label="Outcome", required=False, choices=OUTCOMES)
    action = forms.ChoiceField(label="Action", required=False, choices=[("", "Any action"), *AccessLog.Action.choices])

    def summary(self) -> str:
        """The filters in words, for the heading and for the audit-read log row (no case content)."""
        data = self.cleaned_data
        parts = []
        if data.get("reference"):
            parts.append(f"case {data['reference']}")
        if data.get("username"):
            parts.append(f"user {data['username']}")
        if data.get("date_from"):
            parts.append(f"from {data['date_from']:%Y-%m-%d}")
        if data.get("date_to"):
            parts.append(f"to {data['date_to']:%Y-%m-%d}")
        if data.get("outcome"):
            parts.append(data["outcome"])
        if data.get("action"):
            parts.append(f"action {data['action']}")
        return ", ".join(parts) or "all entries"


class GrantSearchForm(_SearchForm):
    """Filters for the history of roles and case grants. `held_at` asks "who held what at that moment"."""

    KINDS = [("", "Roles and case grants"), *GrantEvent.Kind.choices]
    username = forms.CharField(label="Username", required=False, max_length=150, help_text="Whose roles and grants.")
    reference = forms.CharField(
        label="Case reference", required=False, max_length=40, help_text="Who could open this case."
    )
    kind = forms.ChoiceField(label="Roles or case grants", required=False, choices=KINDS)
    # A moment as a GOV.UK date and a 24-hour time (UK time); with no time, the end of that day.
    held_on = DateInputField(
        name="the date held at", label="Held at", required=False, help_text="What was held then. For example, 1 3 2026"
    )
    held_time = TimeInputField(
        name="the time held at",
        label="Time (optional)",
        required=False,
        help_text="UK time, 24-hour clock, for example 14:30. Leave blank for the end of the day.",
    )
    date_from = DateInputField(
        name="the changes from date", label="Changes from", required=False, help_text="For example, 1 7 2026"
    )
    date_to = DateInputField(
        name="the changes to date", label="Changes to", required=False, help_text="For example, 31 7 2026"
    )

    def clean_held_on(self):
        return in_calendar_range(self, "held_on")

    def clean(self):
        cleaned = super().clean()
        day, time = cleaned.get("held_on"), cleaned.get("held_time")
        cleaned["held_at"] = None
        if time and not day and "held_on" not in self.errors:
            self.add_error("held_on", "Enter the date held at, or leave the time blank")
        elif day:
            try:
                cleaned["held_at"] = london_instant(day, time or dt.time(23, 59))
            except forms.ValidationError as error:
                self.add_error("held_time", error)
        return cleaned

    def summary(self) -> str:
        data = self.cleaned_data
        parts = []
        if data.get("username"):
            parts.append(f"user {data['username']}")
        if data.get("reference"):
            parts.append(f"case {data['reference']}")
        if data.get("kind"):
            parts.append(data["kind"])
        if data.get("held_at"):
            parts.append(f"held at {data['held_at']:%Y-%m-%d %H:%M}")
        if data.get("date_from"):
            parts.append(f"from {data['date_from']:%Y-%m-%d}")
        if data.get("date_to"):
            parts.append(f"to {data['date_to']:%Y-%m-%d}")
        return ", ".join(parts) or "all changes"
