"""Forms parse and check the shape of input; the rules live in services (shared with the JSON API)."""

from django import forms

from ppda.date_input import DateInputField, TimeInputField, field_typed, london_instant
from ppda.models import District, User
from ppda.roles import Role

from .extensions import inbox_filters
from .models import Case, CaseAccessDeclaration, CaseLink, Party
from .services import IntakeInput, PartyInput, SafeContactInput

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]


def _combine(form: forms.Form, data: dict, day: str, time: str, into: str) -> None:
    """The page's date and time boxes as one aware instant in cleaned_data[into] (UK wall-clock time)."""
    if data.get(day) and data.get(time):
        try:
            data[into] = london_instant(data[day], data[time])
        except forms.ValidationError as exc:
            form.add_error(time, exc)


def _input(width: str = "", **attrs):
    css = "govuk-input" + (f" govuk-input--width-{width}" if width else "")
    return forms.TextInput(attrs={"class": css, **attrs})


def _select():
    return forms.Select(attrs={"class": "govuk-select"})


class DistrictChoiceField(forms.ModelChoiceField):
    """Districts by name, so the JSON API and the form use the same value."""

    def __init__(self, **kwargs):
        super().__init__(queryset=District.objects.all(), to_field_name="name", widget=_select(), **kwargs)
        self.error_messages["invalid_choice"] = "Select a district from the list"


class CaseIntakeForm(forms.Form):
    """The intake page. The date received is typed in day, month and year boxes and the time in one box (UK
    time); ApiCaseIntakeForm takes the same case with received_at as one ISO 8601 date-time."""

    reference = forms.CharField(
        max_length=40,
        label="Force case or crime reference",
        help_text="For example, DA/2026/000123",
        widget=_input("20", autocomplete="off", spellcheck="false"),
        error_messages={"required": "Enter the force case or crime reference"},
    )
    received_on = DateInputField(
        name="the date the case was received", label="Date received", help_text="For example, 27 3 2026"
    )
    received_time = TimeInputField(name="the time the case was received", label="Time received (UK time)")
    route = forms.ChoiceField(
        choices=[("", "Select how the case came in")] + Case.Route.choices,
        label="How the case came in",
        widget=_select(),
        error_messages={"required": "Select how the case came in", "invalid_choice": "Select how the case came in"},
    )
    category = forms.ChoiceField(
        choices=[("", "Select the category")] + Case.Category.choices,
        label="Category",
        widget=_select(),
        error_messages={"required": "Select the category", "invalid_choice": "Select the category"},
    )
    risk_level = forms.ChoiceField(
        choices=[("", "Not assessed yet")] + Case.Risk.choices,
        required=False,
        label="DASH risk level",
        widget=_select(),
        error_messages={"invalid_choice": "Select the DASH risk level"},
    )
    duty = forms.ChoiceField(
        choices=Case.Duty.choices,
        initial=Case.Duty.UNKNOWN,
        required=False,
        label="On or off duty",
        widget=_select(),
        error_messages={"invalid_choice": "Select whether the alleged abuse was on or off duty"},
    )
    incident_district = DistrictChoiceField(required=False, label="Where it happened (district)")
    summary = forms.CharField(
        required=False,
        max_length=5000,
        label="What was reported, in brief",
        widget=forms.Textarea(attrs={"class": "govuk-textarea", "rows": 4}),
    )

    # Where a service's message about a field of IntakeInput is shown on this form.
    ERROR_FIELDS = {"received_at": "received_on"}

    def clean(self):
        data = super().clean()
        _combine(self, data, "received_on", "received_time", into="received_at")
        return data


class ApiCaseIntakeForm(CaseIntakeForm):
    """The JSON API's case (cases/openapi.py): received_at is one ISO 8601 date-time, as it always was."""

    received_on = None
    received_time = None
    received_at = forms.DateTimeField(
        input_formats=DATETIME_FORMATS,
        error_messages={
            "required": "Enter the date and time the case was received",
            "invalid": "Enter the date and time received as a real date and time",
        },
    )
    ERROR_FIELDS = {}


class PartyForm(forms.Form):
    role = forms.ChoiceField(
        choices=Party.Role.choices,
        label="Victim or suspect",
        widget=_select(),
        error_messages={"required": "Select victim or suspect", "invalid_choice": "Select victim or suspect"},
    )
    is_police = forms.ChoiceField(
        choices=[("yes", "Police officer, staff or volunteer"), ("no", "Not police")],
        label="Works for the police",
        widget=_select(),
        error_messages={"required": "Select whether this person works for the police"},
    )
    employee_number = forms.CharField(
        required=False,
        max_length=20,
        label="Employee number (police only)",
        widget=_input("10", autocomplete="off", spellcheck="false"),
    )
    first_name = forms.CharField(required=False, max_length=80, label="First name", widget=_input("20"))
    last_name = forms.CharField(required=False, max_length=80, label="Last name", widget=_input("20"))
    date_of_birth = DateInputField(
        name="the date of birth", required=False, label="Date of birth", help_text="For example, 31 3 1980"
    )
    address = forms.CharField(
        required=False,
        max_length=500,
        label="Address",
        widget=forms.Textarea(attrs={"class": "govuk-textarea", "rows": 2}),
    )
    phone = forms.CharField(required=False, max_length=30, label="Phone", widget=_input("20", type="tel"))
    email = forms.EmailField(
        required=False,
        max_length=254,
        label="Email",
        widget=_input("20", type="email"),
        error_messages={"invalid": "Enter an email address in the correct format, like name@example.com"},
    )
    home_district = DistrictChoiceField(required=False, label="Home district")

    IDENTITY_FIELDS = ("employee_number", "first_name", "last_name", "date_of_birth", "address", "phone", "email")

    def has_changed(self) -> bool:
        # A row is in use once anything identifying is typed in it; role and police choices alone are defaults.
        return any(field_typed(self, name) for name in self.IDENTITY_FIELDS)

    @property
    def identity_errors(self) -> bool:
        """Whether a field behind the "Identity" details has an error (the page opens it, so the error shows)."""
        return self.is_bound and any(name in self.errors for name in self.IDENTITY_FIELDS + ("home_district",))

    def to_input(self, safe_contact: SafeContactInput | None) -> PartyInput:
        d = self.cleaned_data
        return PartyInput(
            role=d["role"],
            is_police=d["is_police"] == "yes",
            employee_number=d.get("employee_number") or "",
            first_name=d.get("first_name") or "",
            last_name=d.get("last_name") or "",
            date_of_birth=d.get("date_of_birth"),
            address=d.get("address") or "",
            phone=d.get("phone") or "",
            email=d.get("email") or "",
            home_district=d.get("home_district"),
            safe_contact=safe_contact if d["role"] == Party.Role.VICTIM else None,
        )


class ApiPartyForm(PartyForm):
    """The JSON API's party: date_of_birth is an ISO 8601 date (1990-05-17)."""

    date_of_birth = forms.DateField(
        required=False, error_messages={"invalid": "Enter the date of birth as a real date"}
    )


class SafeContactForm(forms.Form):
    safe_phone = forms.CharField(required=False, max_length=30, label="Safe phone number", widget=_input("20"))
    safe_email = forms.EmailField(
        required=False,
        label="Safe email address",
        widget=_input("20", type="email"),
        error_messages={"invalid": "Enter the safe email address in the correct format, like name@example.com"},
    )
    safe_times = forms.CharField(required=False, max_length=200, label="Safe times to contact", widget=_input())
    voicemail_ok = forms.BooleanField(required=False, label="Voicemail is safe")
    texts_ok = forms.BooleanField(required=False, label="Texts are safe")
    letters_ok = forms.BooleanField(required=False, label="Letters are safe")
    contact_at_work_ok = forms.BooleanField(required=False, label="Contact at work is safe")
    codeword = forms.CharField(required=False, max_length=60, label="Codeword", widget=_input("10"))
    notes = forms.CharField(
        required=False,
        max_length=2000,
        label="Other notes on safe contact",
        widget=forms.Textarea(attrs={"class": "govuk-textarea", "rows": 2}),
    )

    def to_input(self) -> SafeContactInput:
        return SafeContactInput(**self.cleaned_data)


MAX_PARTIES = 20


def party_forms(data=None, count: int = 2) -> tuple[list[PartyForm], list[SafeContactForm]]:
    """`count` party rows (the first a victim, the rest suspects by default), each with its safe-contact
    block. A row left as it was is skipped, so a blank extra row is no error."""
    count = max(1, min(count, MAX_PARTIES))
    parties, safes = [], []
    for i in range(count):
        initial = {"role": Party.Role.VICTIM if i == 0 else Party.Role.SUSPECT, "is_police": "yes"}
        kwargs = {"prefix": f"party-{i}", "empty_permitted": True, "use_required_attribute": False}
        parties.append(PartyForm(data, initial=initial, **kwargs))
        safes.append(SafeContactForm(data, prefix=f"party-{i}-sc", empty_permitted=True, use_required_attribute=False))
    return parties, safes


def intake_input(case_form: CaseIntakeForm, party_forms: list[PartyForm], safe_forms: list[SafeContactForm]):
    """Turn valid forms into the service's input. Blank party rows (left empty) are skipped."""
    d = case_form.cleaned_data
    parties = [pf.to_input(sf.to_input()) for pf, sf in zip(party_forms, safe_forms, strict=True) if pf.cleaned_data]
    return IntakeInput(
        reference=d["reference"],
        received_at=d["received_at"],
        route=d["route"],
        category=d["category"],
        duty=d.get("duty") or Case.Duty.UNKNOWN,
        risk_level=d.get("risk_level") or "",
        incident_district=d.get("incident_district"),
        summary=d.get("summary") or "",
        parties=parties,
    )


class TriageForm(forms.Form):
    risk_level = forms.ChoiceField(
        choices=Case.Risk.choices,
        label="DASH risk level",
        widget=forms.RadioSelect(attrs={"class": "govuk-radios__input"}),
        error_messages={"required": "Select the DASH risk level"},
    )
    duty = forms.ChoiceField(
        choices=Case.Duty.choices,
        label="On or off duty",
        widget=forms.RadioSelect(attrs={"class": "govuk-radios__input"}),
        error_messages={"required": "Select whether the alleged abuse was on or off duty"},
    )
    incident_district = DistrictChoiceField(
        label="Where it happened (district)", error_messages={"required": "Select where it happened"}
    )
    category = forms.ChoiceField(
        choices=Case.Category.choices,
        label="Category",
        widget=_select(),
        error_messages={"required": "Select the category"},
    )
    summary = forms.CharField(
        max_length=5000,
        label="Summary",
        widget=forms.Textarea(attrs={"class": "govuk-textarea", "rows": 6}),
        error_messages={"required": "Enter a summary of what was reported"},
    )


class DeclarationForm(forms.Form):
    kind = forms.ChoiceField(
        choices=CaseAccessDeclaration.Kind.choices,
        label="Do you know anyone in this case?",
        widget=forms.RadioSelect(attrs={"class": "govuk-radios__input"}),
        error_messages={"required": "Select whether you know anyone in this case"},
    )
    note = forms.CharField(
        required=False,
        max_length=1000,
        label="If you know someone, say briefly how",
        widget=forms.Textarea(attrs={"class": "govuk-textarea", "rows": 3}),
    )

    def clean(self):
        data = super().clean()
        if data.get("kind") == CaseAccessDeclaration.Kind.CONFLICT and not (data.get("note") or "").strip():
            self.add_error("note", "Say briefly how you know someone in this case")
        return data


class CaseLinkForm(forms.Form):
    reference = forms.CharField(
        max_length=40,
        label="Reference of the other case",
        widget=_input("20", autocomplete="off"),
        error_messages={"required": "Enter the reference of the case to link"},
    )
    kind = forms.ChoiceField(
        choices=CaseLink.Kind.choices,
        label="Kind of link",
        widget=forms.RadioSelect(attrs={"class": "govuk-radios__input"}),
        error_messages={"required": "Select the kind of link"},
    )
    note = forms.CharField(required=False, max_length=200, label="Note (optional)", widget=_input())


class ShiftForm(forms.Form):
    coordinator = forms.ModelChoiceField(
        queryset=User.objects.none(),
        label="Coordinator",
        widget=_select(),
        error_messages={"required": "Select the coordinator"},
    )
    starts_on = DateInputField(name="the date the shift starts", label="Start date", help_text="For example, 27 3 2026")
    starts_time = TimeInputField(name="the time the shift starts", label="Start time (UK time)")
    ends_on = DateInputField(name="the date the shift ends", label="End date", help_text="For example, 28 3 2026")
    ends_time = TimeInputField(name="the time the shift ends", label="End time (UK time)")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["coordinator"].queryset = User.objects.filter(groups__name=Role.COORDINATOR, is_active=True)
        self.fields["coordinator"].label_from_instance = lambda u: u.display_name

    def clean(self):
        data = super().clean()
        _combine(self, data, "starts_on", "starts_time", into="starts_at")
        _combine(self, data, "ends_on", "ends_time", into="ends_at")
        if data.get("starts_at") and data.get("ends_at") and data["ends_at"] <= data["starts_at"]:
            self.add_error("ends_on", "The shift must end after it starts")
        return data

    def to_input(self) -> dict:
        return {name: self.cleaned_data[name] for name in ("coordinator", "starts_at", "ends_at")}


class InboxFilterForm(forms.Form):
    status = forms.ChoiceField(choices=[("", "Open cases")] + Case.Status.choices, required=False, widget=_select())
    risk = forms.ChoiceField(
        choices=[("", "Any risk"), ("none", "Not assessed")] + Case.Risk.choices, required=False, widget=_select()
    )
    route = forms.ChoiceField(choices=[("", "Any route")] + Case.Route.choices, required=False, widget=_select())
    q = forms.CharField(required=False, max_length=40, label="Reference", widget=_input("20"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Filters the apps built on cases add (cases.extensions), e.g. the update form's state.
        for extra in inbox_filters():
            self.fields[extra.name] = forms.ChoiceField(
                choices=extra.choices, required=False, label=extra.label, widget=_select()
            )
