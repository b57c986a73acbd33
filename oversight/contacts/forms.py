"""Input validation with clear messages. Times are entered in UK local time and stored as UTC."""

import datetime as dt

from django import forms

from ppda.date_input import LONDON, DateInputField, TimeInputField, london_instant

from .models import Contact, ContactPlan


class ContactForm(forms.Form):
    # A new token with each blank form, claimed once by the contact it records (contact_log).
    form_token = forms.UUIDField(
        widget=forms.HiddenInput,
        error_messages={
            "required": "This form has expired. Reload the page and enter the contact again.",
            "invalid": "This form has expired. Reload the page and enter the contact again.",
        },
    )
    contact_date = DateInputField(name="the date of the contact", label="Date of contact")
    contact_time = TimeInputField(
        name="the time of the contact",
        label="Time of contact (UK time)",
        help_text="Use the 24-hour clock, for example 14:30",
    )
    method = forms.ChoiceField(
        label="How did you contact the victim?",
        choices=Contact.Method.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how you contacted the victim."},
    )
    outcome = forms.ChoiceField(
        label="Outcome",
        choices=Contact.Outcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the outcome of the contact."},
    )
    note = forms.CharField(
        label="Short note (optional)",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3, "class": "govuk-textarea"}),
        error_messages={"max_length": "The note must be 500 characters or fewer."},
    )

    def clean(self):
        data = super().clean()
        day, time = data.get("contact_date"), data.get("contact_time")
        if day and time:
            try:
                data["contacted_at"] = london_instant(day, time)
            except forms.ValidationError as exc:
                self.add_error("contact_time", exc)
        return data


class ContactCorrectionForm(ContactForm):
    """The contact as recorded, to change what was wrong, and why. Its own one-time token (contact_correct)."""

    reason = forms.CharField(
        label="Why are you correcting this contact?",
        help_text="For example, the wrong time was typed. The original stays on the contact log with your reason.",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3, "class": "govuk-textarea"}),
        error_messages={
            "required": "Enter why the contact is being corrected.",
            "max_length": "The reason must be 500 characters or fewer.",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        expired = "This form has expired. Reload the page and enter the correction again."
        self.fields["form_token"].error_messages.update(required=expired, invalid=expired)

    @classmethod
    def initial_for(cls, contact: Contact) -> dict:
        local = contact.contacted_at.astimezone(LONDON)
        return {
            "contact_date": local.date(),
            "contact_time": local.strftime("%H:%M"),
            "method": contact.method,
            "outcome": contact.outcome,
            "note": contact.note,
        }


class EngagementForm(forms.Form):
    engagement = forms.ChoiceField(
        label="Does the victim want to engage with you?",
        choices=[
            (ContactPlan.Engagement.ENGAGED, ContactPlan.Engagement.ENGAGED.label),
            (ContactPlan.Engagement.DECLINED, ContactPlan.Engagement.DECLINED.label),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether the victim engages with you or declines support."},
    )


class ScheduleForm(forms.Form):
    cadence = forms.ChoiceField(
        label="How often did you agree to contact the victim?",
        choices=ContactPlan.Cadence.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how often you agreed to contact the victim."},
    )
    interval_days = forms.IntegerField(
        label="Every how many days?",
        required=False,
        min_value=1,
        max_value=90,
        widget=forms.NumberInput(attrs={"class": "govuk-input govuk-input--width-3"}),
        error_messages={
            "invalid": "Enter a whole number of days.",
            "min_value": "Enter a number of days between 1 and 90.",
            "max_value": "Enter a number of days between 1 and 90.",
        },
    )
    dates = forms.CharField(
        label="Planned contact dates",
        help_text="One date a line, for example 2026-12-01 or 01/12/2026.",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "class": "govuk-textarea govuk-!-width-one-third"}),
    )

    def clean_dates(self) -> list[dt.date]:
        parsed = []
        for line in (self.cleaned_data.get("dates") or "").split():
            for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
                try:
                    parsed.append(dt.datetime.strptime(line, fmt).date())  # noqa: DTZ007 - a calendar date
                    break
                except ValueError:
                    continue
            else:
                raise forms.ValidationError(f"“{line[:20]}” is not a date: use 2026-12-01 or 01/12/2026.")
        return parsed

    def clean(self):
        data = super().clean()
        cadence = data.get("cadence")
        if (
            cadence == ContactPlan.Cadence.INTERVAL
            and data.get("interval_days") is None
            and not self.has_error("interval_days")
        ):
            self.add_error("interval_days", "Enter every how many days you will contact the victim.")
        if cadence == ContactPlan.Cadence.DATES and not data.get("dates") and not self.has_error("dates"):
            self.add_error("dates", "Enter at least one date for a planned contact.")
        return data
