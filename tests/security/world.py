"""The matrix's world: real objects, a fixed cast of users, and the identifiers each user may not see.

Two cases. Case A: a police victim (who is also a coordinator with an account) and a police suspect
(whose line manager is an SOO holding a stale grant on A), a safe contact with a codeword, allocated to
one SOO, with an assigned PSD representative; another SOO, not allocated, still holds a grant on it.
Case B: a civilian victim with full identity and a safe contact, and a police suspect, allocated to
another SOO. Every identifier is distinctive synthetic text,
so a match in a response body is a leak, not a coincidence.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.test import Client
from django.utils import timezone

from cases.investigations.services import psd_assign
from cases.models import Case, CaseAccessDeclaration
from cases.services import case_access_declare
from oversight.allocation.rules import SOFT_RULE_LABELS
from oversight.allocation.services import allocation_accept, allocation_create, conflict_declaration_create
from oversight.contacts.models import Contact
from oversight.contacts.services import contact_log
from oversight.models import Allocation
from ppda.audit import access_record
from ppda.models import AccessLog, Notification, SignInLockout, StaffMember
from ppda.permissions import grant
from ppda.roles import Role
from tests.conftest import login_verified
from tests.factories.cases import (
    CivilianVictimFactory,
    PoliceSuspectFactory,
    PoliceVictimFactory,
    SafeContactFactory,
    TriagedCaseFactory,
)
from tests.factories.directory import (
    ChiefInspectorFactory,
    PsdDepartmentFactory,
    StaffMemberFactory,
    TeamFactory,
    UserFactory,
)

from . import matrix as m

VIEW_CASE = "cases.view_case"

# Kinds of identifier (an entry may exempt a kind, with a reason, see matrix.py `may_show`).
REFERENCE = "reference"  # the force's case reference
STAFF = "staff"  # a police party's staff-directory identity: name, employee number, work email
PERSONAL = "personal"  # a civilian party's identity, and any party's safe-contact details


@dataclass
class CaseIdentifiers:
    """What identifies one case's people. Checked case-insensitively in bodies and headers."""

    case: Case
    by_kind: dict[str, set[str]] = field(default_factory=dict)

    def add(self, kind: str, *values) -> None:
        for value in values:
            if value:
                self.by_kind.setdefault(kind, set()).add(str(value))

    def add_staff(self, staff: StaffMember) -> None:
        self.add(STAFF, staff.first_name, staff.last_name, staff.employee_number, staff.work_email)

    def add_date(self, kind: str, date: dt.date | None) -> None:
        if date:
            self.add(
                kind,
                date.isoformat(),
                date.strftime("%d/%m/%Y"),
                f"{date.day} {date:%B %Y}",
                f"{date.day} {date:%b %Y}",
                f"{date:%B} {date.day}, {date.year}",
            )


@dataclass
class PanelWorld:
    meeting: object
    item: object
    member_attendee: object
    action: object
    pack: object
    other_meeting: object


@dataclass
class World:
    case_a: Case
    case_b: Case
    allocation_a: Allocation
    allocation_b: Allocation
    notification: Notification
    contact_a: Contact
    users: dict  # role name -> User (None for anonymous)
    sessions: dict  # role name -> {cookie name: value}
    visible: dict  # role name -> set of case pks the role may see identified
    identifiers: dict  # case pk -> CaseIdentifiers
    own: dict  # role name -> identifiers that are the viewer's own (their name is not a leak to them)
    panel: PanelWorld | None = None

    def client(self, role: str) -> Client:
        client = Client()
        for name, value in self.sessions.get(role, {}).items():
            client.cookies[name] = value
        return client

    def forbidden_identifiers(self, role: str, may_show=()) -> dict[str, tuple[Case, str]]:
        """identifier -> (case, kind) for every case the role may not see, minus kinds the page may show."""
        out = {}
        for pk, ids in self.identifiers.items():
            if pk in self.visible[role]:
                continue
            for kind, values in ids.by_kind.items():
                if kind in may_show:
                    continue
                for value in values:
                    if value.lower() not in self.own[role]:
                        out[value] = (ids.case, kind)
        return out


def _identifiers(case: Case) -> CaseIdentifiers:
    ids = CaseIdentifiers(case=case)
    ids.add(REFERENCE, case.reference)
    for party in case.parties.select_related("staff").all():
        if party.staff_id:
            ids.add_staff(party.staff)
        ids.add(PERSONAL, party.first_name, party.last_name, party.email, party.address)
        if party.phone:
            ids.add(PERSONAL, party.phone, party.phone.replace(" ", ""))
        ids.add_date(PERSONAL, party.date_of_birth)
        contact = getattr(party, "safe_contact", None)
        if contact is not None:
            ids.add(PERSONAL, contact.codeword, contact.safe_email)
            if contact.safe_phone:
                ids.add(PERSONAL, contact.safe_phone, contact.safe_phone.replace(" ", ""))
    return ids


def _allocate(case: Case, soo_user, by) -> Allocation:
    """Through the real workflow: the coordinator allocates (the grant), the SOO accepts."""
    allocation = allocation_create(
        case=case, soo=soo_user.staff, by=by, overrides=dict.fromkeys(SOFT_RULE_LABELS, "matrix world")
    )
    return allocation_accept(allocation=allocation, by=soo_user)


def _panels(users, case_a: Case, case_b: Case) -> PanelWorld:
    """A published meeting on case A (chair, a partner member, the assigned PSD representative, all having
    accepted the statement; case A's SOO invited to the slot), and another meeting on case B that only
    PANEL_MEMBER_OTHER attends. Through the services, as real work makes them."""
    from panels import services as panel_services
    from panels.models import Pack

    coordinator = users[m.COORDINATOR]
    starts = timezone.now() + dt.timedelta(days=2)

    def meeting_on(case, member, psd):
        meeting = panel_services.meeting_create(
            by=coordinator, starts_at=starts, chair=users[m.PANEL_CHAIR], psd_rep=psd, place="Room 2"
        )
        attendee = panel_services.attendee_add(meeting=meeting, user=member, organisation="IDVA", by=coordinator)
        item = panel_services.item_add(meeting=meeting, case=case, by=coordinator)
        meeting = panel_services.meeting_publish(meeting=meeting, by=coordinator)
        for a in meeting.attendees.all():
            panel_services.statement_accept(attendee=a)
        return meeting, item, attendee

    meeting, item, member_attendee = meeting_on(case_a, users[m.PANEL_MEMBER], users[m.PSD])
    other_meeting, _, _ = meeting_on(case_b, users[m.PANEL_MEMBER_OTHER], None)
    action = panel_services.action_add(
        item=item, by=users[m.PANEL_CHAIR], description="Ask for an update.", owner_role="soo"
    )
    pack = Pack.objects.create(
        meeting=meeting,
        user=users[m.PANEL_MEMBER],
        copy_code="MXPACK01",
        status=Pack.Status.READY,
        requested_at=timezone.now(),
        pdf=b"%PDF-1.4 matrix world",
    )
    return PanelWorld(
        meeting=meeting,
        item=item,
        member_attendee=member_attendee,
        action=action,
        pack=pack,
        other_meeting=other_meeting,
    )


def build_world() -> World:
    """Create the cast and the two cases. Call inside a transaction that the caller rolls back."""
    psd = PsdDepartmentFactory(name="Professional Standards (matrix)")
    TeamFactory(department=psd)
    users = {m.ANONYMOUS: None}
    users[m.COORDINATOR] = UserFactory(username="mx-coordinator", roles=[Role.COORDINATOR])
    users[m.PASSWORD_ONLY] = UserFactory(username="mx-password-only", roles=[Role.COORDINATOR])
    users[m.SOO] = UserFactory(username="mx-soo", staff=ChiefInspectorFactory(), roles=[Role.SOO])
    users[m.SOO_OTHER] = UserFactory(username="mx-soo-other", staff=ChiefInspectorFactory(), roles=[Role.SOO])
    users[m.SOO_STALE] = UserFactory(username="mx-soo-stale", staff=ChiefInspectorFactory(), roles=[Role.SOO])
    users[m.PSD] = UserFactory(username="mx-psd", staff=StaffMemberFactory(department=psd), roles=[Role.PSD_REP])
    users[m.PSD_OTHER] = UserFactory(
        username="mx-psd-other", staff=StaffMemberFactory(department=psd), roles=[Role.PSD_REP]
    )
    users[m.AUDITOR] = UserFactory(username="mx-auditor", roles=[Role.AUDITOR])
    users[m.PANEL_CHAIR] = UserFactory(username="mx-panel-chair", roles=[Role.PANEL_CHAIR])
    users[m.PANEL_MEMBER] = UserFactory(username="mx-panel-member", staff=None, roles=[Role.PANEL_MEMBER])
    users[m.PANEL_MEMBER_OTHER] = UserFactory(username="mx-panel-member-other", staff=None, roles=[Role.PANEL_MEMBER])
    users[m.SUPERUSER] = UserFactory(username="mx-root", is_superuser=True, is_staff=True)
    users[m.LINE_MANAGER] = UserFactory(
        username="mx-line-manager", staff=ChiefInspectorFactory(), roles=[Role.SOO, Role.PSD_REP]
    )

    # Case A: both parties police. The victim holds a coordinator account: a party never sees their own case.
    victim_staff = StaffMemberFactory(
        first_name="Zephyrine", last_name="Quillfeather", employee_number="PX73519", work_email="zq7@force.example"
    )
    suspect_staff = StaffMemberFactory(
        first_name="Barnaby",
        last_name="Thistlewood",
        employee_number="PX88214",
        work_email="bt8@force.example",
        rank=StaffMember.Rank.SERGEANT,
        line_manager=users[m.LINE_MANAGER].staff,
    )
    users[m.PARTY] = UserFactory(username="mx-party", staff=victim_staff, roles=[Role.COORDINATOR])
    case_a = TriagedCaseFactory(reference="WLD/2026/000417", category=Case.Category.BOTH)
    victim_a = PoliceVictimFactory(case=case_a, staff=victim_staff)
    SafeContactFactory(
        party=victim_a, codeword="Marigold-Ferret", safe_phone="07700 900731", safe_email="safe.zq@mail.example"
    )
    PoliceSuspectFactory(case=case_a, staff=suspect_staff)

    # Case B: a civilian victim, a police suspect.
    case_b = TriagedCaseFactory(reference="WLD/2026/000952", category=Case.Category.POLICE_PERPETRATOR)
    victim_b = CivilianVictimFactory(
        case=case_b,
        first_name="Ottoline",
        last_name="Wrenhaven",
        normalised_name="ottoline wrenhaven",
        date_of_birth=dt.date(1987, 3, 29),
        phone="07700 900318",
        email="ottoline.w@mail.example",
        address="14 Larkspur Mews, Oakhaven",
    )
    SafeContactFactory(party=victim_b, codeword="Juniper-Heron", safe_phone="07700 900864", safe_email="")
    PoliceSuspectFactory(
        case=case_b,
        staff=StaffMemberFactory(
            first_name="Cuthbert", last_name="Ravensmoor", employee_number="PX40977", work_email="cr4@force.example"
        ),
    )

    coordinator = users[m.COORDINATOR]
    allocation_a = _allocate(case_a, users[m.SOO], coordinator)
    allocation_b = _allocate(case_b, users[m.SOO_OTHER], coordinator)
    # A contact on each case, through the service: case A's is the one the correction URL names.
    contacts = [
        contact_log(
            allocation=allocation,
            user=allocation.soo.user,
            contacted_at=allocation.allocated_at,
            method=Contact.Method.PHONE,
            outcome=Contact.Outcome.ATTEMPTED,
            note="No answer; left no message.",
        )
        for allocation in (allocation_a, allocation_b)
    ]
    # PSD assignment, through the workflow: the coordinator assigns, the service grants the case.
    psd_assign(case=case_a, user=users[m.PSD], by=coordinator)
    # The suspect's line manager holds a grant on A (say, a stale allocation): the selector must still refuse.
    grant(users[m.LINE_MANAGER], VIEW_CASE, case_a, by=None, source="test")
    # An SOO whose grant on A lingered (a former SOO, say): they see the case, but A's allocation is not theirs.
    grant(users[m.SOO_STALE], VIEW_CASE, case_a, by=None, source="test")

    # First-open declarations ("I do not know the people in this case"). The PSD representative has not
    # opened case A yet, so the matrix also sees the declaration step.
    for user, case in [
        (coordinator, case_a),
        (coordinator, case_b),
        (users[m.SOO], case_a),
        (users[m.SOO_STALE], case_a),
        (users[m.SOO_OTHER], case_b),
        (users[m.PARTY], case_b),
    ]:
        CaseAccessDeclaration.objects.get_or_create(
            case=case, user=user, defaults={"kind": CaseAccessDeclaration.Kind.NO_CONFLICT}
        )
    notification = Notification.objects.create(
        recipient=users[m.SOO],
        kind="allocated",
        message=f"Case {case_a.reference} allocated to you",
        case_reference=case_a.reference,
        link=f"/cases/{case_a.public_id}/",
    )

    panel = _panels(users, case_a, case_b)

    # Declarations the "Your declarations" page must show only as the declarer made them (issue 17): the
    # conflicted coordinator and the suspect's line manager declared a conflict on first opening case A (stored
    # against both its parties); a coordinator recorded one for the victim (PARTY) against the suspect.
    users[m.CONFLICTED] = UserFactory(
        username="mx-coordinator-conflicted", staff=StaffMemberFactory(), roles=[Role.COORDINATOR]
    )
    CaseAccessDeclaration.objects.create(
        case=case_b, user=users[m.CONFLICTED], kind=CaseAccessDeclaration.Kind.NO_CONFLICT
    )
    for declarer in (users[m.CONFLICTED], users[m.LINE_MANAGER]):
        case_access_declare(
            case=case_a, user=declarer, kind=CaseAccessDeclaration.Kind.CONFLICT, note="I know someone in it"
        )
    conflict_declaration_create(
        declarer=victim_staff, by=coordinator, reason="Recorded for the victim", against_staff=suspect_staff
    )

    # A locked-out sign-in, for the admin's lockout pages.
    SignInLockout.objects.create(
        username="mx-locked-out", ip_address="203.0.113.9", failures=5, last_failure_at=timezone.now()
    )

    # Some audit trail for the auditor's pages: an allowed read and a denied attempt on each case.
    for case in (case_a, case_b):
        access_record(user=coordinator, obj=case, case_reference=case.reference, what="case page")
    access_record(
        user=users[m.SOO_OTHER],
        action=AccessLog.Action.DENIED,
        object_type="cases.case",
        object_id=str(case_a.public_id),
        case_reference=case_a.reference,
        what="case page",
        allowed=False,
    )

    # Everyone who signs in gets both factors, except the password-only session.
    sessions = {}
    for role, user in users.items():
        if user is None:
            continue
        client = Client()
        if role == m.PASSWORD_ONLY:
            client.force_login(user)
        else:
            login_verified(client, user)
        sessions[role] = {name: morsel.value for name, morsel in client.cookies.items()}

    visible = {role: set() for role in users}
    visible[m.COORDINATOR] = {case_a.pk, case_b.pk}
    visible[m.PARTY] = {case_b.pk}
    visible[m.SOO] = {case_a.pk}
    visible[m.SOO_OTHER] = {case_b.pk}
    visible[m.SOO_STALE] = {case_a.pk}
    visible[m.PSD] = {case_a.pk}
    visible[m.CONFLICTED] = {case_b.pk}
    # A password-only session sees nothing until the second factor, whatever the role.
    visible[m.PASSWORD_ONLY] = set()

    identifiers = {case.pk: _identifiers(case) for case in (case_a, case_b)}
    own = {role: set() for role in users}
    # The party's own name is on every page they see (the header); that is not a leak to them.
    own[m.PARTY] = {
        v.lower()
        for v in (
            victim_staff.first_name,
            victim_staff.last_name,
            victim_staff.employee_number,
            victim_staff.work_email,
        )
    }
    return World(
        case_a=case_a,
        case_b=case_b,
        allocation_a=allocation_a,
        allocation_b=allocation_b,
        notification=notification,
        contact_a=contacts[0],
        users=users,
        sessions=sessions,
        visible=visible,
        identifiers=identifiers,
        own=own,
        panel=panel,
    )
