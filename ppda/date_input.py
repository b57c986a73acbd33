"""The GOV.UK date input (day, month and year boxes) and a plain time box, with GOV.UK-style messages.

Browsers' own date and time pickers follow the browser's locale (mm/dd/yyyy and a 12-hour clock in some),
so dates are typed as three numbers and times as 24-hour text. Render with includes/date_input.html.
"""

import datetime as dt
import re
import zoneinfo

from django import forms
from django.forms.boundfield import BoundField

PARTS = ("day", "month", "year")
LONDON = zoneinfo.ZoneInfo("Europe/London")


class DateInputWidget(forms.MultiWidget):
    """Three text boxes posted as <name>_day, <name>_month and <name>_year."""

    def __init__(self, attrs=None):
        widgets = {part: forms.TextInput(attrs={"inputmode": "numeric"}) for part in PARTS}
        super().__init__(widgets, attrs)

    def id_for_label(self, id_):
        return f"{id_}_day" if id_ else id_  # the error summary links to the first box

    def decompress(self, value):
        if isinstance(value, dt.date):
            return [str(value.day), str(value.month), str(value.year)]
        if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            y, m, d = value.split("-")
            return [str(int(d)), str(int(m)), y]
        return [None, None, None]


class DateBoundField(BoundField):
    is_date_input = True  # includes/field.html renders these with includes/date_input.html

    @property
    def parts(self) -> dict[str, str]:
        """The day, month and year as typed (or as the initial date), for the three boxes."""
        value = self.value()
        if not isinstance(value, list | tuple):
            value = self.field.widget.decompress(value)
        return {part: (v or "") for part, v in zip(PARTS, value, strict=False)}

    @property
    def error_parts(self) -> set[str]:
        """The boxes to mark as wrong (GOV.UK: only the missing ones when a part is missing, else all three)."""
        if not self.errors:
            return set()
        missing = {part for part, v in self.parts.items() if not v.strip()}
        return missing if 0 < len(missing) < len(PARTS) else set(PARTS)


class DateInputField(forms.Field):
    """A date from day, month and year boxes. `name` is how messages refer to it ("the date of the contact").

    Messages follow the GOV.UK pattern: "Enter the date of the contact", "The date of the contact must include
    a month", "The date of the contact must be a real date", "The year must include 4 numbers".
    """

    widget = DateInputWidget

    def __init__(self, *, name: str, **kwargs):
        self.name = name
        super().__init__(**kwargs)

    def get_bound_field(self, form, field_name):
        return DateBoundField(form, self, field_name)

    def to_python(self, value):
        if isinstance(value, dt.date):
            return value
        day, month, year = ((v or "").strip() for v in (value or [None, None, None]))
        if not (day or month or year):
            return None
        missing = [p for p, v in zip(PARTS, (day, month, year), strict=True) if not v]
        subject = self.name[0].upper() + self.name[1:]
        if missing:
            raise forms.ValidationError(f"{subject} must include a {' and '.join(missing)}", code="incomplete")
        if not (day.isdigit() and month.isdigit() and year.isdigit()):
            raise forms.ValidationError(f"{subject} must be a real date", code="invalid")
        if len(year) != 4:
            raise forms.ValidationError("The year must include 4 numbers", code="invalid")
        try:
            return dt.date(int(year), int(month), int(day))
        except (ValueError, OverflowError):
            raise forms.ValidationError(f"{subject} must be a real date", code="invalid") from None

    def validate(self, value):
        if value is None and self.required:
            raise forms.ValidationError(f"Enter {self.name}", code="required")


class TimeInputField(forms.TimeField):
    """A 24-hour time in one plain text box ("14:30"; "1430", "14.30" and "2:30pm" are understood)."""

    def __init__(self, *, name: str, **kwargs):
        kwargs.setdefault("help_text", "Use the 24-hour clock, for example 14:30")
        kwargs.setdefault("input_formats", ["%H:%M", "%H.%M", "%H%M", "%I:%M%p", "%I:%M %p", "%I%p", "%I %p"])
        kwargs.setdefault("widget", forms.TextInput(attrs={"class": "govuk-input govuk-input--width-5"}))
        super().__init__(**kwargs)
        self.error_messages = {
            "required": f"Enter {name}",
            "invalid": f"Enter {name} as a real time, like 14:30",
            **kwargs.get("error_messages", {}),
        }

    def to_python(self, value):
        return super().to_python(value.strip().replace(" ", "").lower() if isinstance(value, str) else value)


def london_instant(day: dt.date, time: dt.time) -> dt.datetime:
    """A UK wall-clock date and time as an aware instant. Refuses times that did not exist (clocks went
    forward) or happened twice (clocks went back): guessing would misrecord when something happened."""
    first = dt.datetime.combine(day, time, tzinfo=LONDON)
    if first.astimezone(dt.UTC).astimezone(LONDON).replace(tzinfo=None) != first.replace(tzinfo=None):
        raise forms.ValidationError(
            "That time did not exist because the clocks went forward. Enter a time after 02:00.", code="nonexistent"
        )
    if first.utcoffset() != first.replace(fold=1).utcoffset():
        raise forms.ValidationError(
            "That time happened twice because the clocks went back. Enter a time before 01:00 or after 02:00.",
            code="ambiguous",
        )
    return first.astimezone(dt.UTC)


def field_typed(form: forms.Form, name: str) -> bool:
    """Whether anything was typed in a field (for a date input, in any of its three boxes), for rows that may be left
    blank: the date's parts are posted under their own names."""
    value = form.fields[name].widget.value_from_datadict(form.data, form.files, form.add_prefix(name))
    parts = value if isinstance(value, list | tuple) else [value]
    return any((part or "").strip() for part in parts if isinstance(part, str))


def date_post(name: str, day: dt.date | str) -> dict[str, str]:
    """What the browser posts for a date input (tests): {name_day, name_month, name_year}."""
    if isinstance(day, str):
        day = dt.date.fromisoformat(day)
    return {f"{name}_day": str(day.day), f"{name}_month": str(day.month), f"{name}_year": str(day.year)}
