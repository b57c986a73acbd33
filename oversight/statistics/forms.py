import datetime as dt

from django import forms

from cases.models import Case

from .selectors import StatisticsFilter

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]
EARLIEST, LATEST = dt.date(1990, 1, 1), dt.date(2100, 12, 31)


class StatisticsFilterForm(forms.Form):
    """The statistics filters. Every field is optional: no filter counts every case."""

    date_from = forms.DateField(
        label="Received from",
        required=False,
        input_formats=DATE_FORMATS,
        help_text="For example 2026-01-31 or 31/01/2026.",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Enter the start date as a real date, for example 2026-01-31."},
    )
    date_to = forms.DateField(
        label="Received up to",
        required=False,
        input_formats=DATE_FORMATS,
        help_text="Inclusive.",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Enter the end date as a real date, for example 2026-12-31."},
    )
    category = forms.ChoiceField(
        label="Category", required=False, choices=[("", "All categories"), *Case.Category.choices]
    )

    def _in_range(self, name: str):
        value = self.cleaned_data.get(name)
        if value is not None and not (EARLIEST <= value <= LATEST):
            raise forms.ValidationError(f"Enter a date between {EARLIEST:%Y} and {LATEST:%Y}.")
        return value

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
