"""Forms for allocation pages: validation and clear messages only; the rules live in the services."""

from django import forms
from django.utils import timezone

from cases.models import Party
from ppda.date_input import DateInputField
from ppda.models import StaffMember

from .allocation.rules import SOFT_RULE_LABELS, SOFT_RULES


class AllocateForm(forms.Form):
    soo = forms.ModelChoiceField(
        queryset=StaffMember.objects.none(),
        label="Senior oversight officer",
        error_messages={
            "required": "Choose a chief inspector to allocate",
            "invalid_choice": "Choose a chief inspector from the list",
        },
    )

    def __init__(self, *args, selectable_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        if self.is_bound:  # only a posted choice is checked; building `pk__in` over 600 ids costs milliseconds
            self.fields["soo"].queryset = StaffMember.objects.filter(pk__in=list(selectable_ids))
        for code in SOFT_RULES:
            self.fields[f"override_{code}"] = forms.CharField(
                label=SOFT_RULE_LABELS[code], required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2})
            )

    def overrides(self) -> dict[str, str]:
        return {code: self.cleaned_data.get(f"override_{code}", "") for code in SOFT_RULES}


class EndAllocationForm(forms.Form):
    reason = forms.CharField(
        label="Why is this allocation ending?",
        max_length=200,
        error_messages={"required": "Say why the allocation is ending"},
    )


class RespondForm(forms.Form):
    ACCEPT, DECLINE = "accept", "decline"
    decision = forms.ChoiceField(
        choices=[(ACCEPT, "Accept this allocation"), (DECLINE, "Decline this allocation")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether you accept or decline"},
    )
    conflict_with = forms.ModelMultipleChoiceField(
        queryset=Party.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="I have a conflict of interest with",
    )
    reason = forms.CharField(
        required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}), label="Why are you declining?"
    )

    def __init__(self, *args, parties=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["conflict_with"].queryset = parties if parties is not None else Party.objects.none()
        self.fields["conflict_with"].label_from_instance = _party_label

    def clean(self):
        data = super().clean()
        if data.get("decision") == self.DECLINE and not (data.get("reason") or "").strip():
            self.add_error("reason", "Say why you are declining")
        return data


def _party_label(party: Party) -> str:
    name = party.staff.full_name if party.staff_id else f"{party.first_name} {party.last_name}".strip()
    return f"{party.get_role_display()}: {name}"


class DeclarationForm(forms.Form):
    STAFF, PERSON = "staff", "person"
    declarer = forms.CharField(
        required=False,
        max_length=20,
        label="Employee number of the person declaring",
        help_text="Leave blank to declare for yourself.",
    )
    kind = forms.ChoiceField(
        choices=[(STAFF, "A member of the force (by employee number)"), (PERSON, "Someone outside the force")],
        widget=forms.RadioSelect,
        label="Who is the conflict with?",
        error_messages={"required": "Choose who the conflict is with"},
    )
    against_employee_number = forms.CharField(required=False, max_length=20, label="Their employee number")
    first_name = forms.CharField(required=False, max_length=80, label="First name")
    last_name = forms.CharField(required=False, max_length=80, label="Last name")
    date_of_birth = DateInputField(
        name="their date of birth", required=False, label="Date of birth", help_text="For example, 27 3 1985"
    )
    reason = forms.CharField(
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="How do you know them?",
        error_messages={"required": "Say how you know them"},
    )

    def __init__(self, *args, coordinator=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.coordinator = coordinator
        if not coordinator:
            del self.fields["declarer"]

    def clean_declarer(self):
        number = (self.cleaned_data.get("declarer") or "").strip()
        if not number:
            return None
        staff = StaffMember.objects.filter(employee_number=number).first()
        if staff is None:
            raise forms.ValidationError("No one in the staff directory has that employee number")
        return staff

    def clean(self):
        data = super().clean()
        if data.get("kind") == self.STAFF:
            number = (data.get("against_employee_number") or "").strip()
            staff = StaffMember.objects.filter(employee_number=number).first() if number else None
            if not number:
                self.add_error("against_employee_number", "Enter their employee number")
            elif staff is None:
                self.add_error("against_employee_number", "No one in the staff directory has that employee number")
            data["against_staff"] = staff
        elif data.get("kind") == self.PERSON:
            if not (data.get("first_name") or "").strip():
                self.add_error("first_name", "Enter their first name")
            if not (data.get("last_name") or "").strip():
                self.add_error("last_name", "Enter their last name")
            dob = data.get("date_of_birth")
            if dob is None and "date_of_birth" not in self.errors:
                self.add_error("date_of_birth", "Enter their date of birth")
            elif dob is not None and dob > timezone.localdate():
                self.add_error("date_of_birth", "Their date of birth must be in the past")
        return data
