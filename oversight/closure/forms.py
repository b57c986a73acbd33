"""Forms check the shape of input (types, choices); what closing needs is the service's rule."""

from django import forms

from ppda.date_input import DateInputField

from .models import CaseClosure
from .services import ClosureInput


def _radios():
    return forms.RadioSelect(attrs={"class": "govuk-radios__input"})


def _text(rows: int = 4):
    return forms.Textarea(attrs={"class": "govuk-textarea", "rows": str(rows)})


def _choice(model_field: str, *, message: str) -> forms.ChoiceField:
    field = CaseClosure._meta.get_field(model_field)
    return forms.ChoiceField(
        choices=field.choices,
        required=False,
        label=field.verbose_name,
        widget=_radios(),
        error_messages={"invalid_choice": message},
    )


def _check(model_field: str, help_text: str = "") -> forms.BooleanField:
    return forms.BooleanField(
        required=False,
        label=CaseClosure._meta.get_field(model_field).verbose_name,
        help_text=help_text,
        widget=forms.CheckboxInput(attrs={"class": "govuk-checkboxes__input"}),
    )


class ClosureForm(forms.Form):
    """The closure section. Every field is optional here: a draft is saved at any stage."""

    misconduct_assessment_done = _check("misconduct_assessment_done")
    iopc_referral_considered = _check("iopc_referral_considered")
    victim_informed = _check("victim_informed")
    panel_agreement = _choice("panel_agreement", message="Select whether the panel is content or has signed off")
    victim_confident_to_report = _choice(
        "victim_confident_to_report", message="Select yes, no or not sure for whether the victim would report again"
    )
    victim_kept_informed_rating = forms.TypedChoiceField(
        choices=[("1", "1 (not at all)"), ("2", "2"), ("3", "3"), ("4", "4"), ("5", "5 (very well)")],
        coerce=int,
        empty_value=None,
        required=False,
        label="How well did the victim feel kept informed? (1 to 5)",
        widget=_radios(),
        error_messages={"invalid_choice": "Select how well the victim was kept informed, from 1 to 5"},
    )
    reason = _choice("reason", message="Select the reason for closing the case")
    reason_other = forms.CharField(
        required=False,
        max_length=200,
        label="If another reason, describe it",
        widget=forms.TextInput(attrs={"class": "govuk-input"}),
        error_messages={"max_length": "Describe the reason in 200 characters or fewer"},
    )
    criminal_outcome = _choice("criminal_outcome", message="Select the outcome of the criminal investigation")
    criminal_outcome_detail = forms.CharField(
        required=False, max_length=2000, label="Criminal outcome details", widget=_text(3)
    )
    misconduct_outcome = _choice("misconduct_outcome", message="Select the outcome of the misconduct investigation")
    misconduct_outcome_detail = forms.CharField(
        required=False, max_length=2000, label="Misconduct outcome details", widget=_text(3)
    )
    # No default: the date is one of the items closing needs, so the SOO must type it, not accept today's.
    final_conversation_on = DateInputField(
        name="the date of the final conversation",
        required=False,
        label="Date of your final conversation with the victim",
        help_text="For example, 27 3 2026",
    )
    no_further_contact_explained = _check("no_further_contact_explained")
    learning = forms.CharField(
        required=False,
        max_length=5000,
        label="Learning from this case",
        help_text="What went well and what could improve. Panels see this anonymised: do not name anyone.",
        widget=_text(6),
        error_messages={"max_length": "Write the learning in 5,000 characters or fewer"},
    )

    CHECKLIST = ("misconduct_assessment_done", "iopc_referral_considered", "victim_informed")

    def to_input(self) -> ClosureInput:
        return ClosureInput(**{name: self.cleaned_data[name] for name in self.fields})

    @classmethod
    def initial_from(cls, closure: CaseClosure | None) -> dict:
        if closure is None:
            return {}
        initial = {name: getattr(closure, name) for name in cls.base_fields}
        if closure.victim_kept_informed_rating is not None:
            initial["victim_kept_informed_rating"] = str(closure.victim_kept_informed_rating)
        return initial


class ReopenForm(forms.Form):
    reference = forms.CharField(
        max_length=40,
        label="Reference of the new report",
        help_text="The new case, recorded at intake, about a victim of this case",
        widget=forms.TextInput(attrs={"class": "govuk-input govuk-input--width-20", "autocomplete": "off"}),
        error_messages={"required": "Enter the reference of the new report"},
    )
