"""Writes to cases. Keyword-only, one transaction each, and each checks the state it starts from."""

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from ppda.audit import access_record
from ppda.errors import ApplicationError
from ppda.models import AccessLog, District, StaffMember
from ppda.notifications import notification_send
from ppda.roles import Role

from .access import coordinators_for_case
from .extensions import first_open_conflict_handlers
from .models import (
    Case,
    CaseAccessDeclaration,
    CaseLink,
    ConflictDeclaration,
    CoordinatorShift,
    IntakeRequest,
    IntakeSystem,
    Party,
    SafeContact,
    case_reference_pattern,
    normalise_name,
)


class AlreadyAssigned(ApplicationError):
    """Someone else is already triaging the case (the message names them, a coordinator)."""


class IdempotencyConflict(Exception):
    """The idempotency key was used before with a different body."""


# -- Intake -------------------------------------------------------------------------------------------------


@dataclass
class SafeContactInput:
    safe_phone: str = ""
    safe_email: str = ""
    safe_times: str = ""
    voicemail_ok: bool = False
    texts_ok: bool = False
    letters_ok: bool = False
    contact_at_work_ok: bool = False
    codeword: str = ""
    notes: str = ""


@dataclass
class PartyInput:
    role: str
    is_police: bool
    employee_number: str = ""
    first_name: str = ""
    last_name: str = ""
    date_of_birth: dt.date | None = None
    address: str = ""
    phone: str = ""
    email: str = ""
    home_district: District | None = None
    safe_contact: SafeContactInput | None = None


@dataclass
class IntakeInput:
    reference: str
    received_at: dt.datetime
    route: str
    category: str
    duty: str = Case.Duty.UNKNOWN
    risk_level: str = ""
    incident_district: District | None = None
    summary: str = ""
    parties: list[PartyInput] = field(default_factory=list)


def reference_clean(value: str) -> str:
    """References are compared upper-case without surrounding spaces: 'da/2026/000123 ' is DA/2026/000123."""
    return (value or "").strip().upper()


def _intake_errors(data: IntakeInput, staff_by_number: dict[str, StaffMember]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}

    def add(key: str, message: str) -> None:
        errors.setdefault(key, []).append(message)

    now = timezone.now()
    if not re.fullmatch(case_reference_pattern(), data.reference):
        add("reference", "Enter the force reference in the force's format, like DA/2026/000123")
    elif Case.objects.filter(reference=data.reference).exists():
        add("reference", "A case with this reference already exists")
    # A small allowance for clock skew between the sending system and ours.
    if data.received_at > now + dt.timedelta(minutes=5):
        add("received_at", "The date the case was received must be today or in the past")
    elif data.received_at.year < 1990:
        add("received_at", "The date the case was received must be after 1990")
    if data.route not in Case.Route.values:
        add("route", "Select how the case came in")
    if data.category not in Case.Category.values:
        add("category", "Select the category")
    if data.duty not in Case.Duty.values:
        add("duty", "Select whether the alleged abuse was on or off duty")
    if data.risk_level and data.risk_level not in Case.Risk.values:
        add("risk_level", "Select the DASH risk level")

    victims = [p for p in data.parties if p.role == Party.Role.VICTIM]
    suspects = [p for p in data.parties if p.role == Party.Role.SUSPECT]
    if not victims:
        add("parties", "Add at least one victim")
    if not suspects:
        add("parties", "Add at least one suspect")
    seen_staff: set[int] = set()
    for i, p in enumerate(data.parties):
        prefix = f"parties.{i}"
        if p.role not in Party.Role.values:
            add(f"{prefix}.role", "Select victim or suspect")
        if p.is_police:
            staff = staff_by_number.get(p.employee_number.strip().upper())
            if not p.employee_number.strip():
                add(f"{prefix}.employee_number", "Enter the employee number of the police party")
            elif staff is None:
                add(f"{prefix}.employee_number", "No one in the staff directory has this employee number")
            elif staff.pk in seen_staff:
                add(f"{prefix}.employee_number", "This person is already a party to the case")
            else:
                seen_staff.add(staff.pk)
        else:
            if not p.first_name.strip():
                add(f"{prefix}.first_name", "Enter the first name")
            if not p.last_name.strip():
                add(f"{prefix}.last_name", "Enter the last name")
            if p.first_name.strip() and p.last_name.strip() and not normalise_name(p.first_name, p.last_name):
                add(f"{prefix}.last_name", "Enter a name with letters or numbers in it")
        if p.date_of_birth is not None:
            if p.date_of_birth > timezone.localdate():
                add(f"{prefix}.date_of_birth", "Date of birth must be in the past")
            elif p.date_of_birth.year < 1900:
                add(f"{prefix}.date_of_birth", "Date of birth must be after 1900")
    # The category says which side works for the police: it must agree with the parties.
    police_victim = any(p.is_police for p in victims)
    police_suspect = any(p.is_police for p in suspects)
    if victims and suspects and data.category in Case.Category.values:
        wanted = {
            Case.Category.POLICE_VICTIM: police_victim,
            Case.Category.POLICE_PERPETRATOR: police_suspect,
            Case.Category.BOTH: police_victim and police_suspect,
        }[data.category]
        if not wanted:
            add(
                "category",
                {
                    Case.Category.POLICE_VICTIM: "A 'police victim' case needs a victim from the staff directory",
                    Case.Category.POLICE_PERPETRATOR: "A 'police perpetrator' case needs a suspect from the "
                    "staff directory",
                    Case.Category.BOTH: "A 'both police' case needs a victim and a suspect from the staff directory",
                }[data.category],
            )
    return errors


OWN_CASE_MESSAGE = (
    "You are named in this case, or you line-manage someone who is, so you cannot record it. Ask another "
    "coordinator to record it; the other coordinators have been told."
)


def _intake_refuse_own_case(data: IntakeInput, staff_by_number: dict[str, StaffMember], created_by) -> None:
    """A coordinator never records a case in which they are a police party or a party's line manager: they could
    not open it afterwards, and they must not type the victim's safe-contact details. The other coordinators who
    may open such a case are told, by reference only; nothing of the case is written."""
    staff_id = getattr(created_by, "staff_id", None)
    if staff_id is None:
        return
    party_staff = [staff_by_number[p.employee_number.strip().upper()] for p in data.parties if p.is_police]
    if not any(s.pk == staff_id or s.line_manager_id == staff_id for s in party_staff):
        return
    # Told as if the case existed: never its parties, their line managers, or anyone with a standing conflict
    # against one of them (the rule of cases.selectors.users_excluded_from).
    excluded_staff = {s.pk for s in party_staff} | {s.line_manager_id for s in party_staff if s.line_manager_id}
    named = Q(pk__in=[])
    for p in data.parties:
        name = "" if p.is_police else normalise_name(p.first_name, p.last_name)
        if name:
            same_day = Q()  # a date unknown on either side: the name alone matches, as allocation's rules have it
            if p.date_of_birth is not None:
                same_day = Q(against_date_of_birth__isnull=True) | Q(against_date_of_birth=p.date_of_birth)
            named |= Q(against_staff__isnull=True, against_normalised_name=name) & same_day
    conflicted = ConflictDeclaration.objects.filter(Q(against_staff_id__in=[s.pk for s in party_staff]) | named)
    excluded_staff |= set(conflicted.values_list("declarer_id", flat=True))
    notification_send(
        recipients=list(
            get_user_model()
            .objects.filter(is_active=True, groups__name=Role.COORDINATOR)
            .exclude(pk=created_by.pk)
            .exclude(staff_id__in=excluded_staff)
            .distinct()
        ),
        kind="intake_refused_conflict",
        message=f"Intake of case {data.reference} was refused: the coordinator recording it is named in it or "
        "line-manages someone who is. Please record the case yourself.",
        link=reverse("cases:intake"),
        case_reference=data.reference,
        event_key=f"intake-refused:{created_by.pk}:{data.reference}",
    )
    raise ApplicationError(errors={"parties": [OWN_CASE_MESSAGE]})


def intake_create(*, data: IntakeInput, created_by=None, intake_system: IntakeSystem | None = None) -> Case:
    """Record a new case with its parties and each victim's safe-contact arrangements, all or nothing.

    The one place intake rules live (the form and the JSON API both call it): a unique reference in the
    force's format, received no later than now, at least one victim and one suspect, police parties found
    in the staff directory by employee number, dates of birth in the past, a category that matches them.
    Raises ApplicationError with every problem found; nothing is written then.
    """
    data.reference = reference_clean(data.reference)
    numbers = {p.employee_number.strip().upper() for p in data.parties if p.is_police and p.employee_number}
    staff_by_number = {s.employee_number.upper(): s for s in StaffMember.objects.filter(employee_number__in=numbers)}
    errors = _intake_errors(data, staff_by_number)
    if errors:
        raise ApplicationError(errors=errors)
    _intake_refuse_own_case(data, staff_by_number, created_by)
    try:
        with transaction.atomic():
            case = Case.objects.create(
                reference=data.reference,
                received_at=data.received_at,
                route=data.route,
                category=data.category,
                duty=data.duty,
                risk_level=data.risk_level,
                incident_district=data.incident_district,
                summary=data.summary.strip(),
                created_by=created_by,
                intake_system=intake_system,
            )
            for p in data.parties:
                if p.is_police:
                    party = Party.objects.create(
                        case=case, role=p.role, staff=staff_by_number[p.employee_number.strip().upper()]
                    )
                else:
                    party = Party.objects.create(
                        case=case,
                        role=p.role,
                        first_name=p.first_name.strip(),
                        last_name=p.last_name.strip(),
                        normalised_name=normalise_name(p.first_name, p.last_name),
                        date_of_birth=p.date_of_birth,
                        address=p.address.strip(),
                        phone=p.phone.strip(),
                        email=p.email.strip(),
                        home_district=p.home_district,
                    )
                if p.role == Party.Role.VICTIM:
                    sc = p.safe_contact or SafeContactInput()
                    SafeContact.objects.create(party=party, **sc.__dict__)
    except IntegrityError:
        # Two intakes of the same reference at once: the unique index lets one through.
        raise ApplicationError(errors={"reference": ["A case with this reference already exists"]}) from None
    return case


# -- Lifecycle ----------------------------------------------------------------------------------------------


def retention_review_date(closed_at: dt.datetime) -> dt.date:
    """The day a case closed at `closed_at` is due for its retention review: PPDA_RETENTION_REVIEW_AFTER whole
    years after the closing day (Europe/London); a closure on 29 February is reviewed on 28 February."""
    return add_years(timezone.localtime(closed_at).date(), settings.PPDA_RETENTION_REVIEW_AFTER)


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February into a year that has none
        return day.replace(year=day.year + years, day=28)


@transaction.atomic
def case_retention_set(*, case: Case, user, review_on: dt.date | None, erased_at: dt.datetime | None = None) -> Case:
    """Move a closed case's retention review date, or (erased_at) mark its identities deleted, which ends its
    reviews. Refused unless the case is closed and still holds its identities (the state it starts from)."""
    locked = _locked(case)
    if locked.status != Case.Status.CLOSED:
        raise ApplicationError(f"Case {locked.reference} is not closed, so it has no retention review.")
    if locked.identities_erased_at is not None:
        raise ApplicationError(f"The identities in case {locked.reference} have already been deleted.")
    locked.retention_review_on = None if erased_at is not None else review_on
    locked.identities_erased_at = erased_at
    locked._history_user = user
    locked.save()
    case.retention_review_on, case.identities_erased_at = locked.retention_review_on, locked.identities_erased_at
    return locked


def _locked(case: Case) -> Case:
    return Case.objects.select_for_update().get(pk=case.pk)


@transaction.atomic
def case_status_change(*, case: Case, to_status: str, user=None, needs_reallocation: bool | None = None) -> Case:
    """Move a case along its lifecycle. Only the moves in Case.TRANSITIONS are allowed, from the state now stored:
    every status change of a case, in every app, comes through here. `needs_reallocation` sets the inbox flag
    in the same write (a case back from a declined or ended allocation)."""
    locked = _locked(case)
    if not locked.can_move_to(to_status):
        raise ApplicationError(
            f"A {locked.get_status_display().lower()} case cannot become {Case.Status(to_status).label.lower()}"
        )
    now = timezone.now()
    locked.status = to_status
    if to_status == Case.Status.TRIAGED and locked.triaged_at is None:
        locked.triaged_at = now
    if to_status == Case.Status.CLOSED:
        locked.closed_at = now
        # Every closure (the SOO's, an import, the demo) comes through here, so every closed case has a date.
        locked.retention_review_on = retention_review_date(now)
    if to_status == Case.Status.REOPENED:
        locked.closed_at = None
        locked.retention_review_on = None
    if needs_reallocation is not None:
        locked.needs_reallocation = needs_reallocation
    if user is not None:
        locked._history_user = user
    locked.save()
    case.status, case.needs_reallocation = locked.status, locked.needs_reallocation
    return locked


@transaction.atomic
def case_assign_to_me(*, case: Case, user) -> Case:
    """Take an untriaged case from the inbox. The row lock makes two coordinators' clicks run one after the
    other: the second sees the first's name and is told so (AlreadyAssigned) rather than silently taking it."""
    locked = _locked(case)
    if locked.status != Case.Status.RECEIVED:
        raise ApplicationError("This case has already been triaged")
    if locked.triage_owner_id == user.pk:
        return locked
    if locked.triage_owner_id is not None:
        owner = get_user_model().objects.get(pk=locked.triage_owner_id)
        raise AlreadyAssigned(f"{owner.display_name} is already triaging this case")
    locked.triage_owner = user
    locked.triage_owner_at = timezone.now()
    locked._history_user = user
    locked.save()
    return locked


@transaction.atomic
def case_triage(
    *,
    case: Case,
    user,
    risk_level: str,
    duty: str,
    incident_district: District | None,
    category: str,
    summary: str,
) -> Case:
    """Record the coordinator's triage and move the case from received to triaged.

    Only a received case can be triaged, and only by its triage owner if someone took it."""
    locked = _locked(case)
    if locked.status != Case.Status.RECEIVED:
        raise ApplicationError("This case has already been triaged")
    if locked.triage_owner_id not in (None, user.pk):
        owner = get_user_model().objects.get(pk=locked.triage_owner_id)
        raise AlreadyAssigned(f"{owner.display_name} is triaging this case")
    if risk_level not in Case.Risk.values:
        raise ApplicationError("Select the DASH risk level")
    locked.risk_level = risk_level
    locked.duty = duty
    locked.incident_district = incident_district
    locked.category = category
    locked.summary = summary.strip()
    locked.status = Case.Status.TRIAGED
    locked.triaged_at = timezone.now()
    if locked.triage_owner_id is None:
        locked.triage_owner = user
        locked.triage_owner_at = locked.triaged_at
    locked._history_user = user
    locked.save()
    return locked


@transaction.atomic
def case_link_create(*, from_case: Case, to_case: Case, kind: str, note: str = "", user) -> CaseLink:
    """Link two cases (counter-allegation pair, repeat report, related). A pair is linked once, either way."""
    if from_case.pk == to_case.pk:
        raise ApplicationError("A case cannot be linked to itself")
    if kind not in CaseLink.Kind.values:
        raise ApplicationError("Select the kind of link")
    if (
        CaseLink.objects.filter(from_case=from_case, to_case=to_case).exists()
        or CaseLink.objects.filter(from_case=to_case, to_case=from_case).exists()
    ):
        raise ApplicationError("These cases are already linked")
    try:
        with transaction.atomic():
            return CaseLink.objects.create(
                from_case=from_case, to_case=to_case, kind=kind, note=note.strip()[:200], created_by=user
            )
    except IntegrityError:
        raise ApplicationError("These cases are already linked") from None


# -- First-open declaration ---------------------------------------------------------------------------------


@transaction.atomic
def case_access_declare(*, case: Case, user, kind: str, note: str = "", request=None) -> CaseAccessDeclaration:
    """The declaration every user makes on first opening a case. Logged. A conflict ends their access to the
    case for good, is stored as a standing conflict against each party (so allocation never picks them),
    and tells every coordinator - by reference and link only."""
    if kind not in CaseAccessDeclaration.Kind.values:
        raise ApplicationError("Select whether you know anyone in this case")
    if kind == CaseAccessDeclaration.Kind.CONFLICT and not note.strip():
        raise ApplicationError("Say briefly how you know someone in this case")
    try:
        with transaction.atomic():
            declaration = CaseAccessDeclaration.objects.create(case=case, user=user, kind=kind, note=note.strip())
    except IntegrityError:
        raise ApplicationError("You have already made your declaration for this case") from None
    access_record(
        request=request,
        user=user,
        action=AccessLog.Action.DECLARE,
        obj=case,
        case_reference=case.reference,
        what="first-open declaration: " + ("conflict" if kind == CaseAccessDeclaration.Kind.CONFLICT else "none"),
    )
    if kind == CaseAccessDeclaration.Kind.CONFLICT:
        staff_id = getattr(user, "staff_id", None)
        if staff_id is not None:
            reason = note.strip() or "Declared a conflict on first opening the case"
            for party in case.parties.all():
                if party.staff_id is None and not party.normalised_name:
                    continue
                ConflictDeclaration.objects.create(
                    declarer_id=staff_id,
                    against_staff_id=party.staff_id,
                    against_normalised_name="" if party.staff_id else party.normalised_name,
                    against_date_of_birth=None if party.staff_id else party.date_of_birth,
                    reason=reason,
                    source=ConflictDeclaration.Source.FIRST_OPEN,
                    source_case=case,
                    recorded_by=user,
                )
        for handler in first_open_conflict_handlers():
            handler(case=case, user=user)
        notification_send(
            recipients=list(coordinators_for_case(case).exclude(pk=user.pk)),
            kind="conflict_declared",
            message=f"A user declared a conflict of interest on opening case {case.reference}.",
            link=reverse("cases:detail", args=[case.public_id]),
            case_reference=case.reference,
            event_key=f"first_open_conflict:{declaration.pk}",
        )
    return declaration


# -- Rota ---------------------------------------------------------------------------------------------------


@transaction.atomic
def coordinator_shift_create(*, coordinator, starts_at: dt.datetime, ends_at: dt.datetime, note: str = ""):
    """Put a coordinator on the rota. Only coordinators can be on it; a shift ends after it starts."""
    if not coordinator.groups.filter(name=Role.COORDINATOR).exists():
        raise ApplicationError("Only a case coordinator can be on the rota")
    if ends_at <= starts_at:
        raise ApplicationError("The shift must end after it starts")
    return CoordinatorShift.objects.create(coordinator=coordinator, starts_at=starts_at, ends_at=ends_at, note=note)


# -- Intake API ---------------------------------------------------------------------------------------------


def intake_system_create(*, name: str) -> tuple[IntakeSystem, str]:
    """Register a sending system. Returns the token, which is shown once and stored only as a hash."""
    token = IntakeSystem.new_token()
    system = IntakeSystem(name=name.strip())
    system.set_token(token)
    system.save()
    return system, token


def _idempotency_lock(system_id: int, key: str) -> None:
    # Two retries of one submission arriving together: the second waits for the first and then sees its row.
    digest = hashlib.sha256(f"{system_id}:{key}".encode()).digest()
    lock_id = int.from_bytes(digest[:8], "big", signed=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [lock_id])


@transaction.atomic
def intake_api_submit(*, system: IntakeSystem, key: str, body_hash: str, data: IntakeInput) -> tuple[Case, bool]:
    """Create a case from another force system, once per idempotency key.

    Returns (case, created). A repeat with the same key and body returns the first case (created=False);
    the same key with a different body raises IdempotencyConflict. Invalid input raises ApplicationError."""
    _idempotency_lock(system.pk, key)
    previous = IntakeRequest.objects.filter(system=system, key=key).select_related("case").first()
    if previous is not None:
        if previous.body_hash != body_hash:
            raise IdempotencyConflict
        return previous.case, False
    case = intake_create(data=data, intake_system=system)
    IntakeRequest.objects.create(system=system, key=key, body_hash=body_hash, case=case)
    system.last_used_at = timezone.now()
    system.save(update_fields=["last_used_at"])
    return case, True
