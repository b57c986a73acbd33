"""Forms for investigations: validation and clear messages; the rules are the services'."""

from django import forms

from ppda.date_input import DateInputField
from ppda.models import StaffMember

from .models import Investigation, PsdUpdate, Strand, Unit

_TEXTAREA = forms.Textarea(attrs={"class": "govuk-textarea", "rows": 4})


def _input(width: str = "", **attrs):
    return forms.TextInput(attrs={"class": "govuk-input" + (f" govuk-input--width-{width}" if width else ""), **attrs})


def _radios():
    return forms.RadioSelect(attrs={"class": "govuk-radios__input"})


def _select():
    return forms.Select(attrs={"class": "govuk-select"})


def _checkbox():
    return forms.CheckboxInput(attrs={"class": "govuk-checkboxes__input"})


class StaffByNumberField(forms.CharField):
    """A staff record by employee number (the directory is too big for a list)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault("widget", _input("10", autocomplete="off", spellcheck="false"))
        super().__init__(**kwargs)

    def clean(self, value):
        number = super().clean(value).strip().upper()
        if not number:
            return None
        staff = StaffMember.objects.filter(employee_number__iexact=number).first()
        if staff is None:
            raise forms.ValidationError("No one in the staff directory has this employee number")
        return staff


class PsdAssignForm(forms.Form):
    user = forms.ModelChoiceField(
        queryset=None,
        label="PSD representative",
        widget=_select(),
        empty_label="Choose a PSD representative",
        error_messages={"required": "Choose a PSD representative", "invalid_choice": "Choose a PSD representative"},
    )

    def __init__(self, *args, queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = queryset
        self.fields["user"].label_from_instance = lambda u: u.display_name


class InvestigationOpenForm(forms.Form):
    criminal = forms.BooleanField(required=False, label="A criminal investigation", widget=_checkbox())
    misconduct = forms.BooleanField(required=False, label="A misconduct investigation", widget=_checkbox())
    together = forms.BooleanField(
        required=False, initial=True, label="Investigated together by the PPDA team in PSD", widget=_checkbox()
    )
    criminal_unit = forms.ChoiceField(
        choices=Unit.choices, initial=Unit.PPDA_PSD, label="Criminal: investigating unit", widget=_select()
    )
    criminal_officer = StaffByNumberField(label="Criminal: officer in charge (employee number, optional)")
    misconduct_unit = forms.ChoiceField(
        choices=Unit.choices, initial=Unit.PPDA_PSD, label="Misconduct: investigating unit", widget=_select()
    )
    misconduct_officer = StaffByNumberField(label="Misconduct: officer in charge (employee number, optional)")
    other_force = forms.CharField(
        required=False, max_length=80, label="The other force investigating (if any)", widget=_input("20")
    )
    # No default: the allegation was made before the record is opened, often long before.
    allegation_on = DateInputField(
        name="the date of the allegation",
        required=False,
        label="Date of the allegation (misconduct)",
        help_text="Reg. 19's 12-month marker counts from this date. For example, 15 1 2026",
    )


class PsdUpdateForm(forms.Form):
    kind = forms.ChoiceField(
        choices=PsdUpdate.Kind.choices,
        label="What kind of update is this?",
        widget=_radios(),
        error_messages={"required": "Choose the kind of update"},
    )
    text = forms.CharField(required=False, max_length=5000, label="Update", widget=_TEXTAREA)
    strand = forms.ModelChoiceField(
        queryset=Strand.objects.none(),
        required=False,
        label="Which investigation",
        widget=_select(),
        empty_label="Choose",
        error_messages={"invalid_choice": "Choose the investigation this is about"},
    )
    to_status = forms.ChoiceField(
        choices=[("", "Choose")] + list(Strand.Status.choices), required=False, label="New status", widget=_select()
    )
    outcome = forms.ChoiceField(
        choices=[("", "None")] + [c for c in Strand.Outcome.choices if c[0]],
        required=False,
        label="Outcome (court outcome or misconduct outcome)",
        widget=_select(),
    )
    to_officer = StaffByNumberField(label="New officer in charge (employee number)")
    decision = forms.CharField(required=False, max_length=300, label="Decision", widget=_input())
    decided_not_to = forms.BooleanField(
        required=False, label="This is a decision not to do something (for example not to suspend)", widget=_checkbox()
    )
    rationale = forms.CharField(required=False, max_length=5000, label="Rationale", widget=_TEXTAREA)
    iopc_referral = forms.ChoiceField(
        choices=[("", "Choose")] + list(Investigation.IopcReferral.choices),
        required=False,
        label="IOPC referral",
        widget=_select(),
    )
    # No default: the field is posted with every kind of update, so a filled-in today would be sent with all.
    iopc_referred_on = DateInputField(
        name="the date of the referral",
        required=False,
        label="Date of the IOPC referral",
        help_text="For example, 1 2 2026",
    )
    iopc_mode = forms.ChoiceField(
        choices=Investigation.IopcMode.choices, required=False, label="Mode of investigation decided", widget=_select()
    )

    def __init__(self, *args, investigation: Investigation, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["strand"]
        field.queryset = Strand.objects.filter(investigation=investigation)
        field.label_from_instance = lambda s: f"{s.get_kind_display()} ({s.get_status_display().lower()})"
