import datetime as dt

from django import forms

from ppda.date_input import DateInputField
from ppda.models import AccessLog


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
