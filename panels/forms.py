"""Forms for panels: validation and clear messages only; the rules are the services'."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone

from ppda.date_input import DateInputField, TimeInputField, london_instant
from ppda.roles import Role

from .models import Action, Theme
from .services import AMENDABLE

LONDON = zoneinfo.ZoneInfo("Europe/London")
MAX_TEXT = 10_000


_CLASSES = {
    forms.Textarea: "govuk-textarea",
    forms.Select: "govuk-select",
    forms.CheckboxInput: "govuk-checkboxes__input",
    forms.CheckboxSelectMultiple: "",
}


class GovukForm(forms.Form):
    """Every widget gets its GOV.UK class (the shared partials render {{ field }})."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = next((c for kind, c in _CLASSES.items() if isinstance(field.widget, kind)), "govuk-input")
            if css:
                field.widget.attrs.setdefault("class", css)


def _users_with(*roles):
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name__in=roles)
        .distinct()
        .order_by("last_name", "username")
    )


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.display_name} ({obj.organisation})" if getattr(obj, "organisation", "") else obj.display_name


def local_datetime(day: dt.date, time: dt.time) -> dt.datetime:
    """A UK wall-clock date and time as an aware datetime (right across clock changes)."""
    return dt.datetime.combine(day, time, tzinfo=LONDON)


class MeetingForm(GovukForm):
    # No default date: meetings are scheduled weeks ahead, so today is not the likely answer.
    date = DateInputField(name="the date of the meeting", label="Date", help_text="For example, 12 5 2026")
    time = TimeInputField(name="the start time", label="Start time (UK time)")
    place = forms.CharField(label="Place", max_length=200, required=False)
    joining_details = forms.CharField(
        label="Online joining details", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    chair = UserChoiceField(queryset=_users_with(Role.PANEL_CHAIR), label="Chair", empty_label="Choose the chair")
    psd_rep = UserChoiceField(
        queryset=_users_with(Role.PSD_REP), label="PSD representative", required=False, empty_label="None yet"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Fresh querysets per form (a role granted since the process started shows).
        self.fields["chair"].queryset = _users_with(Role.PANEL_CHAIR)
        self.fields["psd_rep"].queryset = _users_with(Role.PSD_REP)

    def clean(self):
        data = super().clean()
        if data.get("date") and data.get("time"):
            try:
                data["starts_at"] = london_instant(data["date"], data["time"])
            except forms.ValidationError as exc:
                self.add_error("time", exc)
            else:
                # Meetings are scheduled ahead: a past date is a mistyped year or day, and would invite no one.
                if data["date"] < timezone.localdate():
                    self.add_error("date", "The date of the meeting must be today or in the future")
                elif data["starts_at"] <= timezone.now():
                    self.add_error("time", "The start time must be later than now")
        return data

    def starts_at(self) -> dt.datetime:
        return self.cleaned_data["starts_at"]


class ItemForm(GovukForm):
    reference = forms.CharField(label="Case reference", max_length=40)
    time = TimeInputField(
        name="the slot start time",
        required=False,
        label="Slot start time (UK time)",
        help_text="Leave empty for the next free time. Use the 24-hour clock, for example 10:30",
    )
    minutes = forms.IntegerField(label="Length in minutes", min_value=5, max_value=180, initial=20)


class AttendeeForm(GovukForm):
    user = UserChoiceField(
        queryset=_users_with(Role.PANEL_MEMBER, Role.PANEL_CHAIR), label="Attendee", empty_label="Choose"
    )
    organisation = forms.CharField(label="Organisation", max_length=120)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = _users_with(Role.PANEL_MEMBER, Role.PANEL_CHAIR)


class StatementForm(GovukForm):
    accept = forms.BooleanField(label="I accept the confidentiality statement", required=True)


class OutcomeForm(GovukForm):
    discussion = forms.CharField(
        label="Discussion summary", required=False, max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 5})
    )
    decisions = forms.CharField(
        label="Decisions", required=False, max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 4})
    )
    bring_back = forms.BooleanField(label="Bring this case back to a future panel", required=False)
    bring_back_reason = forms.CharField(
        label="Why it comes back", required=False, max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 2})
    )
    themes = forms.MultipleChoiceField(
        label="Learning themes", choices=Theme.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    learning = forms.CharField(
        label="Learning", required=False, max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 3})
    )
    primary_case = forms.ChoiceField(label="Primary victim (shared slot)", required=False, choices=())

    def __init__(self, *args, cases=(), **kwargs):
        super().__init__(*args, **kwargs)
        # Counter-allegation pairs: the victim of which case the panel sees as the primary victim. By pseudonym.
        self.cases = {str(c.public_id): c for c in cases}
        choices = [("", "Not decided")] + [(str(c.public_id), f"The victim in case {c.pseudonym}") for c in cases]
        self.fields["primary_case"].choices = choices
        if len(cases) < 2:
            del self.fields["primary_case"]

    def primary(self):
        return self.cases.get(self.cleaned_data.get("primary_case") or "")


class ActionForm(GovukForm):
    description = forms.CharField(label="Action", max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    owner_role = forms.ChoiceField(label="Owner", choices=Action.Owner.choices)
    due_on = DateInputField(
        name="the due date", label="Due date (optional)", required=False, help_text="For example, 30 6 2026"
    )


class AmendmentForm(GovukForm):
    field = forms.ChoiceField(
        label="What to correct",
        choices=[
            (f, label)
            for f, label in (
                ("discussion", "Discussion summary"),
                ("decisions", "Decisions"),
                ("bring_back_reason", "Why it comes back"),
                ("learning", "Learning"),
            )
            if f in AMENDABLE
        ],
    )
    value = forms.CharField(label="Corrected text", max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 4}))
    reason = forms.CharField(
        label="Why the correction is needed", max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
