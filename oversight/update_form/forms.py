"""One form per section: validation and clear messages only (the rules are the services')."""

from django import forms

from .models import FIELD_LABELS, SUPPORT_KINDS, Overview, SupportStatus

TEXTAREA = {"class": "govuk-textarea", "rows": 5}


def _text(name: str, max_length: int, *, hint: str = "") -> forms.CharField:
    return forms.CharField(
        label=FIELD_LABELS[name],
        required=False,
        max_length=max_length,
        help_text=hint,
        widget=forms.Textarea(attrs=TEXTAREA),
        error_messages={"max_length": f"{FIELD_LABELS[name]} must be {max_length} characters or fewer."},
    )


class SectionForm(forms.Form):
    # The section's version when the page was opened: a save over someone else's newer save is refused.
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, required=False)


class OverviewForm(SectionForm):
    relationship = forms.ChoiceField(
        label=FIELD_LABELS["relationship"],
        choices=Overview.Relationship.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select the relationship between the victim and the suspect.",
            "invalid_choice": "Select one of the relationships listed.",
        },
    )


class SupportForm(SectionForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for kind, label in SUPPORT_KINDS:
            self.fields[f"{kind}_status"] = forms.ChoiceField(
                label=label,
                choices=SupportStatus.choices,
                widget=forms.RadioSelect,
                error_messages={
                    "required": f"Select whether {label} was offered, accepted or declined.",
                    "invalid_choice": f"Select one of the options for {label}.",
                },
            )
            self.fields[f"{kind}_note"] = forms.CharField(
                label=f"Note about {label} (optional)",
                required=False,
                max_length=500,
                widget=forms.Textarea(attrs={"class": "govuk-textarea", "rows": 2}),
                error_messages={"max_length": f"The note about {label} must be 500 characters or fewer."},
            )

    def kinds(self):
        """(status field, note field) per kind of support, for the template."""
        return [(self[f"{kind}_status"], self[f"{kind}_note"]) for kind, _ in SUPPORT_KINDS]

    def support(self) -> dict[str, tuple[str, str]]:
        d = self.cleaned_data
        return {kind: (d[f"{kind}_status"], d[f"{kind}_note"]) for kind, _ in SUPPORT_KINDS}


class InvestigationForm(SectionForm):
    progress = _text(
        "progress",
        4000,
        hint="How the investigation is progressing, from your checks with the officer in charge. "
        "Refer to people by their role (the victim, the suspect, the OIC), not by name.",
    )


class ConcernsForm(SectionForm):
    lack_of_updates = forms.BooleanField(label=FIELD_LABELS["lack_of_updates"], required=False)
    investigator_change = forms.BooleanField(label=FIELD_LABELS["investigator_change"], required=False)
    delay = forms.BooleanField(label=FIELD_LABELS["delay"], required=False)
    details = _text("details", 4000, hint="What undermines the victim's confidence, and what you have done about it.")


class FeedbackForm(SectionForm):
    investigation_good_practice = _text("investigation_good_practice", 2000)
    investigation_improvements = _text("investigation_improvements", 2000)
    line_manager_good_practice = _text("line_manager_good_practice", 2000)
    line_manager_improvements = _text("line_manager_improvements", 2000)
