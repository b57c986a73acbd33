"""The force-scale seed for benchmarks: 40,000 staff, 600 chief inspectors, 20,000 cases over 8 years.

Synthetic only. Bulk inserts throughout; history rows are written with bulk_create_with_history so the
audited tables look as they would in production.
"""

import datetime as dt
import random

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from simple_history.utils import bulk_create_with_history

from ppda.models import Command, Department, District, StaffMember, Team, User
from ppda.roles import Role

FIRST = [
    "Alex",
    "Bryn",
    "Casey",
    "Dana",
    "Ellis",
    "Finley",
    "Gale",
    "Harper",
    "Indy",
    "Jules",
    "Kit",
    "Lane",
    "Morgan",
    "Noel",
    "Oakley",
    "Parker",
    "Quinn",
    "Rowan",
    "Sage",
    "Tate",
    "Umber",
    "Vale",
    "Wren",
    "Yael",
]
LAST = [
    "Ashdown",
    "Brackwell",
    "Cinderford",
    "Dunmere",
    "Elmstead",
    "Foxley",
    "Greywater",
    "Hollins",
    "Ivybridge",
    "Jessop",
    "Kestrel",
    "Larkspur",
    "Merrow",
    "Nettlefold",
    "Orchardson",
    "Pellow",
    "Quarrie",
    "Redfern",
    "Stonebury",
    "Thistlewood",
    "Underhill",
    "Vantage",
    "Whitlow",
    "Yarrowby",
]

SCALE_PASSWORD = "bench-password-not-secret-42"  # noqa: S105 - synthetic bench accounts only
BENCH_PREFIX = "bench"


def _names(rng: random.Random, n: int):
    for _ in range(n):
        yield rng.choice(FIRST), rng.choice(LAST)


@transaction.atomic
def seed_directory(*, rng: random.Random, staff: int = 40_000, chief_inspectors: int = 600, stdout=None):
    """Commands, departments (PSD and ACU among them), teams, districts and the workforce."""
    commands = [
        Command.objects.get_or_create(name=f"{name} Command")[0]
        for name in ("Northern", "Southern", "Eastern", "Western", "Specialist Operations", "Support")
    ]
    districts = [
        District.objects.get_or_create(name=f"{name} District")[0]
        for name in (
            "Ashford Vale",
            "Brookmere",
            "Carrow",
            "Dunholm",
            "Eastmarsh",
            "Fenwick",
            "Greystone",
            "Harrowgate Fields",
            "Ironbridge",
            "Kingsmoor",
            "Lowden",
            "Millbrook",
        )
    ]
    departments = []
    for command in commands:
        for dname in ("Response", "Neighbourhood", "Investigations", "Public Protection", "Operations Support"):
            departments.append(Department.objects.get_or_create(name=dname, command=command)[0])
    psd = Department.objects.get_or_create(
        name="Professional Standards", command=commands[-1], defaults={"kind": Department.Kind.PSD}
    )[0]
    acu = Department.objects.get_or_create(
        name="Anti-Corruption Unit", command=commands[-1], defaults={"kind": Department.Kind.ACU}
    )[0]
    departments += [psd, acu]
    teams = []
    for dept in departments:
        for t in range(1, 6):
            teams.append(Team.objects.get_or_create(name=f"{dept.name} Team {t}", department=dept)[0])

    ranks = [
        (StaffMember.Rank.CONSTABLE, 0.55),
        (StaffMember.Rank.POLICE_STAFF, 0.25),
        (StaffMember.Rank.PCSO, 0.04),
        (StaffMember.Rank.SPECIAL, 0.02),
        (StaffMember.Rank.VOLUNTEER, 0.01),
        (StaffMember.Rank.SERGEANT, 0.08),
        (StaffMember.Rank.INSPECTOR, 0.035),
    ]
    senior = staff - chief_inspectors
    rows = []
    n = 0
    # Chief inspectors first: 5% in PSD/ACU, a few on leave.
    for first, last in _names(rng, chief_inspectors):
        team = rng.choice(teams)
        if n % 20 == 0:
            team = rng.choice([t for t in teams if t.department_id in (psd.id, acu.id)])
        rows.append(
            StaffMember(
                employee_number=f"{BENCH_PREFIX}{n:06d}",
                first_name=first,
                last_name=last,
                rank=StaffMember.Rank.CHIEF_INSPECTOR,
                team=team,
                department_id=team.department_id,
                command_id=team.department.command_id,
                district=rng.choice(districts),
                soo_eligible=True,
                availability=StaffMember.Availability.LEAVE if n % 25 == 7 else StaffMember.Availability.AVAILABLE,
            )
        )
        n += 1
    weights = [w for _, w in ranks]
    for first, last in _names(rng, senior):
        team = rng.choice(teams)
        rows.append(
            StaffMember(
                employee_number=f"{BENCH_PREFIX}{n:06d}",
                first_name=first,
                last_name=last,
                rank=rng.choices([r for r, _ in ranks], weights)[0],
                team=team,
                department_id=team.department_id,
                command_id=team.department.command_id,
                district=rng.choice(districts),
            )
        )
        n += 1
    bulk_create_with_history(rows, StaffMember, batch_size=5000)
    # Line managers: everyone reports to a chief inspector in the same department where one exists.
    with connection.cursor() as c:
        c.execute(
            """
            WITH ci AS (
                SELECT department_id, min(id) AS manager FROM ppda_staffmember
                WHERE rank = 'ci' AND employee_number LIKE %s GROUP BY department_id
            )
            UPDATE ppda_staffmember s SET line_manager_id = ci.manager
            FROM ci WHERE s.department_id = ci.department_id AND s.id <> ci.manager
              AND s.employee_number LIKE %s
            """,
            [f"{BENCH_PREFIX}%", f"{BENCH_PREFIX}%"],
        )
    if stdout:
        stdout.write(f"  staff: {len(rows)} ({chief_inspectors} chief inspectors)")
    return districts


@transaction.atomic
def seed_users(*, stdout=None):
    """A user account with a confirmed TOTP device for every chief inspector, plus coordinators."""
    password = make_password(SCALE_PASSWORD)
    soo_group = Group.objects.get(name=Role.SOO)
    coord_group = Group.objects.get(name=Role.COORDINATOR)
    cis = list(
        StaffMember.objects.filter(
            rank=StaffMember.Rank.CHIEF_INSPECTOR, employee_number__startswith=BENCH_PREFIX
        ).order_by("id")
    )
    users = [
        User(
            username=f"{BENCH_PREFIX}-soo-{i}",
            password=password,
            staff=ci,
            first_name=ci.first_name,
            last_name=ci.last_name,
        )
        for i, ci in enumerate(cis)
    ]
    users += [
        User(username=f"{BENCH_PREFIX}-coord-{i}", password=password, first_name="Coordinator", last_name=str(i))
        for i in range(4)
    ]
    User.objects.bulk_create(users, batch_size=1000)
    users = list(User.objects.filter(username__startswith=f"{BENCH_PREFIX}-"))
    Through = User.groups.through
    Through.objects.bulk_create(
        [Through(user_id=u.id, group_id=(coord_group.id if "-coord-" in u.username else soo_group.id)) for u in users]
    )
    TOTPDevice.objects.bulk_create([TOTPDevice(user=u, name="Authenticator app", confirmed=True) for u in users])
    if stdout:
        stdout.write(f"  users: {len(users)}")


def _received_times(rng: random.Random, n: int, years: int = 8):
    """A rising trend: later years carry more cases (reports roughly double over the period)."""
    now = timezone.now()
    start = now - dt.timedelta(days=365 * years)
    span = (now - start).total_seconds()
    out = []
    for _ in range(n):
        # Inverse-CDF of a linearly rising density on [0, 1]: x = sqrt(u) skews towards recent dates.
        x = (rng.random() * 0.75 + 0.25) ** 0.5
        out.append(start + dt.timedelta(seconds=span * x))
    return sorted(out)


@transaction.atomic
def seed_cases(*, rng: random.Random, cases: int = 20_000, contacts: int = 150_000, stdout=None):
    """Cases over 8 years with a rising trend, their parties, allocations, SOO grants and contacts."""
    from django.contrib.auth.models import Permission

    from cases.models import Case, CaseUserObjectPermission, Party, normalise_name
    from oversight.contacts.models import Contact, ContactPlan
    from oversight.models import Allocation

    districts = list(District.objects.all())
    staff_ids = list(
        StaffMember.objects.filter(employee_number__startswith=BENCH_PREFIX)
        .exclude(rank=StaffMember.Rank.CHIEF_INSPECTOR)
        .values_list("id", flat=True)
    )
    soo_pool = list(
        StaffMember.objects.filter(
            employee_number__startswith=BENCH_PREFIX, rank=StaffMember.Rank.CHIEF_INSPECTOR, soo_eligible=True
        )
        .exclude(department__kind__in=["psd", "acu"])
        .values_list("id", flat=True)
    )
    user_by_staff = dict(User.objects.filter(staff_id__in=soo_pool).values_list("staff_id", "id"))
    coordinator = User.objects.filter(username=f"{BENCH_PREFIX}-coord-0").first()
    now = timezone.now()
    routes = [r for r, _ in Case.Route.choices]
    route_weights = [14, 12, 8, 10, 3, 9, 7, 3, 3, 9, 2]
    year_ago = now - dt.timedelta(days=365)

    case_rows = []
    seq: dict[int, int] = {}
    for received in _received_times(rng, cases):
        year = timezone.localtime(received).year
        seq[year] = seq.get(year, 0) + 1
        # Most cases close within months, so about two live cases per chief inspector: under the open-case
        # limit, as in a force that allocates by the rules (the allocation page then has suitable people).
        if received < year_ago:
            status = Case.Status.CLOSED if rng.random() < 0.995 else Case.Status.ACTIVE
        elif received > now - dt.timedelta(days=3):
            status = rng.choice([Case.Status.RECEIVED, Case.Status.TRIAGED, Case.Status.ALLOCATED])
        elif received < now - dt.timedelta(days=120):
            status = Case.Status.CLOSED if rng.random() < 0.95 else Case.Status.ACTIVE
        else:
            status = rng.choices(
                [Case.Status.ACTIVE, Case.Status.ALLOCATED, Case.Status.CLOSED, Case.Status.TRIAGED], [30, 4, 62, 4]
            )[0]
        case_rows.append(
            Case(
                reference=f"BN/{year}/{seq[year]:06d}",
                received_at=received,
                route=rng.choices(routes, route_weights)[0],
                category=rng.choices([c for c, _ in Case.Category.choices], [35, 55, 10])[0],
                risk_level=rng.choices(["standard", "medium", "high"], [50, 35, 15])[0],
                duty=rng.choices(["off", "on", "unknown"], [75, 15, 10])[0],
                incident_district=rng.choice(districts),
                status=status,
                triaged_at=None if status == Case.Status.RECEIVED else received + dt.timedelta(hours=6),
                closed_at=(received + dt.timedelta(days=rng.randint(40, 300)))
                if status == Case.Status.CLOSED
                else None,
                summary="Synthetic benchmark case.",
                created_by=coordinator,
            )
        )
    bulk_create_with_history(case_rows, Case, batch_size=2000)
    case_rows = list(Case.objects.filter(reference__startswith="BN/").order_by("received_at"))

    parties = []
    earlier_victims: list[int] = []
    for case in case_rows:
        police_victim = case.category in (Case.Category.POLICE_VICTIM, Case.Category.BOTH)
        police_suspect = case.category in (Case.Category.POLICE_PERPETRATOR, Case.Category.BOTH)
        if police_victim:
            # About one victim in ten has reported before.
            victim = rng.choice(earlier_victims) if earlier_victims and rng.random() < 0.1 else rng.choice(staff_ids)
            earlier_victims.append(victim)
            parties.append(Party(case=case, role=Party.Role.VICTIM, staff_id=victim))
        else:
            first, last = rng.choice(FIRST), rng.choice(LAST)
            parties.append(
                Party(
                    case=case,
                    role=Party.Role.VICTIM,
                    first_name=first,
                    last_name=last,
                    date_of_birth=dt.date(1960, 1, 1) + dt.timedelta(days=rng.randint(0, 14000)),
                    phone=f"07700 9{rng.randint(0, 99999):05d}",
                    home_district=rng.choice(districts),
                    normalised_name=normalise_name(first, last),
                )
            )
        if police_suspect:
            parties.append(Party(case=case, role=Party.Role.SUSPECT, staff_id=rng.choice(staff_ids)))
        else:
            first, last = rng.choice(FIRST), rng.choice(LAST)
            parties.append(
                Party(
                    case=case,
                    role=Party.Role.SUSPECT,
                    first_name=first,
                    last_name=last,
                    normalised_name=normalise_name(first, last),
                )
            )
    bulk_create_with_history(parties, Party, batch_size=5000)

    allocated_statuses = {Case.Status.ALLOCATED, Case.Status.ACTIVE, Case.Status.CLOSED}
    allocations = []
    # Live and ended allocations each go round the pool, so live ones spread evenly across chief inspectors.
    turn = {True: 0, False: 0}
    for case in (c for c in case_rows if c.status in allocated_statuses):
        live = case.status != Case.Status.CLOSED
        soo = soo_pool[turn[live] % len(soo_pool)]
        turn[live] += 1
        at = case.received_at + dt.timedelta(hours=rng.randint(4, 40))
        met = at + dt.timedelta(hours=rng.randint(2, 90)) if case.status != Case.Status.ALLOCATED else None
        allocations.append(
            Allocation(
                case=case,
                soo_id=soo,
                allocated_at=at,
                allocated_by=coordinator,
                first_contact_due=Allocation.due_for(at),
                status=Allocation.Status.ACCEPTED if live else Allocation.Status.ENDED,
                responded_at=at,
                no_conflict_declaration="I do not know the people in this case.",
                first_contact_met_at=met,
                breached_at=(at + dt.timedelta(hours=72)) if met and met > at + dt.timedelta(hours=72) else None,
                ended_at=case.closed_at if not live else None,
                end_reason="" if live else "Case closed",
            )
        )
    bulk_create_with_history(allocations, Allocation, batch_size=5000)
    allocations = list(Allocation.objects.filter(case__reference__startswith="BN/").select_related("case"))

    view_case = Permission.objects.get(content_type__app_label="cases", codename="view_case")
    CaseUserObjectPermission.objects.bulk_create(
        [
            CaseUserObjectPermission(user_id=user_by_staff[a.soo_id], permission=view_case, content_object_id=a.case_id)
            for a in allocations
            if a.status == Allocation.Status.ACCEPTED and a.soo_id in user_by_staff
        ],
        batch_size=5000,
        ignore_conflicts=True,
    )

    ContactPlan.objects.bulk_create(
        [
            ContactPlan(
                allocation=a,
                engagement=ContactPlan.Engagement.ENGAGED,
                cadence=ContactPlan.Cadence.INTERVAL,
                interval_days=14,
                engagement_recorded_at=a.first_contact_met_at,
                schedule_agreed_at=a.first_contact_met_at,
            )
            for a in allocations
            if a.first_contact_met_at
        ],
        batch_size=5000,
    )

    with_contact = [a for a in allocations if a.first_contact_met_at]
    contact_rows = []
    methods = [m for m, _ in Contact.Method.choices]
    recorder = coordinator
    for k in range(contacts):
        a = with_contact[k % len(with_contact)]
        when = a.first_contact_met_at + dt.timedelta(days=14 * (k // len(with_contact)))
        contact_rows.append(
            Contact(
                allocation=a,
                contacted_at=min(when, now),
                method=rng.choice(methods),
                outcome=Contact.Outcome.COMPLETED if rng.random() < 0.85 else Contact.Outcome.ATTEMPTED,
                note="Synthetic contact.",
                recorded_by=recorder,
                recorded_at=min(when, now),
            )
        )
    bulk_create_with_history(contact_rows, Contact, batch_size=5000)
    if stdout:
        stdout.write(
            f"  cases: {len(case_rows)}, parties: {len(parties)}, allocations: {len(allocations)}, "
            f"contacts: {len(contact_rows)}"
        )
