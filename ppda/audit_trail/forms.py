import datetime as dt

from django import forms

from ppda.date_input import DateInputField
from ppda.models import AccessLog, GrantEvent


class TrailSearchForm(forms.Form):
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

    def clean_reference(self):
        return self.cleaned_data["reference"].strip()

    def clean_username(self):
        return self.cleaned_data["username"].strip()

    # Dates at the edges of the calendar overflow when turned into London midnights (issue 17): a form error.
    EARLIEST, LATEST = dt.date(1900, 1, 1), dt.date(2999, 12, 31)

    def _in_range(self, name: str):
        value = self.cleaned_data[name]
        if value is not None and not (self.EARLIEST <= value <= self.LATEST):
            subject = self.fields[name].name.capitalize()
            raise forms.ValidationError(f"{subject} must be between 1 January 1900 and 31 December 2999")
        return value

    def clean_date_from(self):
        return self._in_range("date_from")

    def clean_date_to(self):
        return self._in_range("date_to")

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", "The end date must be the same as or after the start date")
        return cleaned

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


class GrantSearchForm(forms.Form):
    """Filters for the history of roles and case grants. `held_at` asks "who held what at that moment"."""

    KINDS = [("", "Roles and case grants"), *GrantEvent.Kind.choices]
    HELD_AT_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"]

    username = forms.CharField(label="Username", required=False, max_length=150, help_text="Whose roles and grants.")
    reference = forms.CharField(
        label="Case reference", required=False, max_length=40, help_text="Who could open this case."
    )
    kind = forms.ChoiceField(label="Roles or case grants", required=False, choices=KINDS)
    held_at = forms.DateTimeField(
        label="Held at",
        required=False,
        input_formats=HELD_AT_FORMATS,
        help_text="A moment, UK time (for example 2026-03-01 14:30): what was held then.",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    date_from = forms.DateField(
        label="Changes from",
        required=False,
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    date_to = forms.DateField(
        label="Changes to",
        required=False,
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def clean_username(self):
        return self.cleaned_data["username"].strip()

    def clean_reference(self):
        return self.cleaned_data["reference"].strip()

    def _in_range(self, name: str):
        value = self.cleaned_data[name]
        day = value.date() if isinstance(value, dt.datetime) else value
        if day is not None and not (TrailSearchForm.EARLIEST <= day <= TrailSearchForm.LATEST):
            raise forms.ValidationError(TrailSearchForm.RANGE_MESSAGE)
        return value

    def clean_held_at(self):
        return self._in_range("held_at")

    def clean_date_from(self):
        return self._in_range("date_from")

    def clean_date_to(self):
        return self._in_range("date_to")

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", "The end date must be the same as or after the start date.")
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
