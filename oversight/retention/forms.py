"""Forms check the shape of input (a choice, a date); what a decision needs is the service's rule."""

from django import forms

from ppda.date_input import DateInputField

from .models import RetentionDecision


class RetentionDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=RetentionDecision.Kind.choices,
        label="Your decision",
        widget=forms.RadioSelect(attrs={"class": "govuk-radios__input"}),
        error_messages={
            "required": "Select whether to retain the case or delete the identities",
            "invalid_choice": "Select whether to retain the case or delete the identities",
        },
    )
    reason = forms.CharField(
        label="Reason for your decision",
        help_text="Do not name the people in the case.",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"class": "govuk-textarea", "rows": "4"}),
        error_messages={"max_length": "The reason must be 2000 characters or fewer"},
    )
    next_review_on = DateInputField(
        name="the date of the next review",
        label="If you retain it: date of the next review",
        required=False,
        help_text="For example, 27 3 2031",
    )
    confirm = forms.BooleanField(
        required=False,
        label="If you delete: I understand the names, dates of birth and contact details will be deleted from the "
        "case, its free text and its history, and cannot be recovered",
        widget=forms.CheckboxInput(attrs={"class": "govuk-checkboxes__input"}),
    )
    # The review the page was opened on: a decision applies to that review only (the service checks it).
    review_on = forms.DateField(widget=forms.HiddenInput, input_formats=["%Y-%m-%d"])
