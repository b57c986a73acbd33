import datetime as dt

from django import forms

from cases.models import Case
from ppda.date_input import DateInputField

from .selectors import StatisticsFilter

EARLIEST, LATEST = dt.date(1990, 1, 1), dt.date(2100, 12, 31)


class StatisticsFilterForm(forms.Form):
    """The statistics filters. Every field is optional: no filter counts every case."""

    date_from = DateInputField(
        name="the start date", label="Received from", required=False, help_text="For example, 1 1 2026"
    )
    date_to = DateInputField(
        name="the end date", label="Received up to", required=False, help_text="Inclusive. For example, 31 12 2026"
    )
    category = forms.ChoiceField(
        label="Category", required=False, choices=[("", "All categories"), *Case.Category.choices]
    )

    def _in_range(self, name: str):
        value = self.cleaned_data.get(name)
        if value is not None and not (EARLIEST <= value <= LATEST):
            subject = self.fields[name].name.capitalize()
            raise forms.ValidationError(f"{subject} must be between {EARLIEST:%Y} and {LATEST:%Y}")
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

    def stats_filter(self) -> StatisticsFilter:
        """The validated filter; an invalid form counts every case (the page shows the errors too)."""
        if not self.is_valid():
            return StatisticsFilter()
        data = self.cleaned_data
        return StatisticsFilter(date_from=data["date_from"], date_to=data["date_to"], category=data["category"])


class ImportForm(forms.Form):
    file = forms.FileField(
        label="The spreadsheet (CSV or XLSX, at most 5 MB)",
        error_messages={"required": "Choose the spreadsheet to import.", "empty": "The file is empty."},
    )
