"""The demo force: a synthetic staff directory and demo accounts (fictional people only).

Everything is generated from a seeded random.Random, so the same seed gives the same force. Seeding only
adds what is missing (matched by natural keys: names, employee numbers, usernames), so running it again
changes nothing. Demo accounts have a known password and a confirmed TOTP device whose key is derived from
the username: after a database reset the same authenticator entry keeps working.
"""

import hashlib
import random
from dataclasses import dataclass, field
from datetime import timedelta

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from ppda.grant_history import role_events_record
from ppda.models import Command, Department, District, GrantEvent, StaffMember, Team, User
from ppda.roles import Role

# (module, function, order) of the seeding steps of the apps built on ppda, registered by each app.
DEMO_STEPS: list[tuple[str, str]] = []
_DEMO_STEP_ORDER: dict[tuple[str, str], int] = {}


def demo_step_register(module_name: str, function_name: str, *, order: int) -> None:
    """Register a later seed_demo step (by name: nothing is imported until seed_demo runs). Idempotent."""
    key = (module_name, function_name)
    _DEMO_STEP_ORDER[key] = order
    DEMO_STEPS[:] = sorted(_DEMO_STEP_ORDER, key=_DEMO_STEP_ORDER.__getitem__)


DEMO_PASSWORD = "ppda-demo-password"  # noqa: S105 - documented demo credential, refused in production
DEMO_SEED = 2026
EMAIL_DOMAIN = "demo-constabulary.example"  # .example is reserved: mail can never reach anyone
CHANGE_REASON = "Demo force seed"

# Common first names with invented surnames: no combination names a real person on purpose.
FIRST_NAMES = [
    "Alex",
    "Amara",
    "Ari",
    "Bea",
    "Bram",
    "Cai",
    "Cara",
    "Cole",
    "Dana",
    "Dev",
    "Eden",
    "Elin",
    "Ezra",
    "Fern",
    "Finn",
    "Gale",
    "Gus",
    "Hana",
    "Hugo",
    "Ida",
    "Ines",
    "Ivo",
    "Jade",
    "Joss",
    "Juno",
    "Kai",
    "Kit",
    "Lark",
    "Leif",
    "Lena",
    "Luca",
    "Mae",
    "Mira",
    "Nell",
    "Nico",
    "Noor",
    "Oak",
    "Olin",
    "Orla",
    "Pax",
    "Pia",
    "Quin",
    "Rae",
    "Remy",
    "Rio",
    "Rosa",
    "Sage",
    "Sami",
    "Skye",
    "Tam",
    "Tess",
    "Theo",
    "Una",
    "Vale",
    "Vera",
    "Wren",
    "Yara",
    "Zeb",
    "Zora",
]
LAST_NAMES = [
    "Ashbrook",
    "Ambervale",
    "Blackthorn",
    "Bramblewick",
    "Brightwater",
    "Copperfold",
    "Cinderhill",
    "Dapplemere",
    "Duskwood",
    "Elmstead",
    "Emberley",
    "Fairwhistle",
    "Fernacre",
    "Foxglade",
    "Glimmerton",
    "Greenfinch",
    "Hazelcombe",
    "Hollowmere",
    "Ivybridge-Lane",
    "Juniperly",
    "Kestrelwood",
    "Larkspur",
    "Lindenhall",
    "Marblecroft",
    "Mossgrove",
    "Nettlefield",
    "Oakhallow",
    "Owlsworth",
    "Pebblestone",
    "Quillfeather",
    "Ravensmoor",
    "Rookwell",
    "Saltcombe",
    "Silverbirch",
    "Starling-Hythe",
    "Thistledown",
    "Thornquist",
    "Umberfield",
    "Velvetmoss",
    "Wildermere",
    "Willowgate",
    "Wrenfield",
    "Yarrowby",
    "Zephyrdale",
    "Brackenridge",
    "Clovermead",
    "Dewhurst-Vale",
    "Frostmantle",
    "Gorsewick",
    "Heatherly",
    "Kingfisher-Rowe",
    "Lanternby",
    "Mistlebrook",
    "Nightingale-Cray",
    "Orchardley",
    "Primrose-Hale",
]

DISTRICTS = {
    "North": ["Brackenmoor", "Northwold", "Kingsbarrow", "Eastmere"],
    "South": ["Saltmarsh", "Westhollow", "Oakhurst Vale", "Riverfenn"],
}

# (command, district region or None, [(department, kind, [teams])])
STRUCTURE = [
    ("Force Executive", None, [("Chief Officer Group", Department.Kind.SUPPORT, ["Executive Office"])]),
    (
        "North Command",
        "North",
        [
            ("Response North", Department.Kind.OPERATIONAL, ["Response Team 1", "Response Team 2", "Response Team 3"]),
            ("Neighbourhood Policing North", Department.Kind.OPERATIONAL, ["Brackenmoor NPT", "Northwold NPT"]),
            ("CID North", Department.Kind.OPERATIONAL, ["Serious Crime North", "Volume Crime North"]),
        ],
    ),
    (
        "South Command",
        "South",
        [
            ("Response South", Department.Kind.OPERATIONAL, ["Response Team 4", "Response Team 5", "Response Team 6"]),
            ("Neighbourhood Policing South", Department.Kind.OPERATIONAL, ["Saltmarsh NPT", "Westhollow NPT"]),
            ("CID South", Department.Kind.OPERATIONAL, ["Serious Crime South", "Volume Crime South"]),
        ],
    ),
    (
        "Specialist Operations",
        None,
        [
            ("Public Protection", Department.Kind.OPERATIONAL, ["Domestic Abuse Unit", "Safeguarding Hub"]),
            ("Roads Policing", Department.Kind.OPERATIONAL, ["Roads Policing Unit"]),
            ("Operational Support", Department.Kind.OPERATIONAL, ["Firearms", "Dog Section"]),
        ],
    ),
    (
        "Professional Standards Command",
        None,
        [
            ("Professional Standards Department", Department.Kind.PSD, ["Complaints", "Misconduct Investigations"]),
            ("Anti-Corruption Unit", Department.Kind.ACU, ["Counter-Corruption Intelligence"]),
        ],
    ),
    (
        "Corporate Services",
        None,
        [
            ("Force Control Room", Department.Kind.SUPPORT, ["Control Room"]),
            ("Information Management", Department.Kind.SUPPORT, ["Records and Disclosure"]),
            ("People Services", Department.Kind.SUPPORT, ["HR Advisory"]),
        ],
    ),
]

# A realistic rank pyramid of ~2,000 (chief officers at the top, constables the mass).
RANK_COUNTS = [
    (StaffMember.Rank.CHIEF_CONSTABLE, 1),
    (StaffMember.Rank.DCC, 1),
    (StaffMember.Rank.ACC, 2),
    (StaffMember.Rank.CHIEF_SUPERINTENDENT, 8),
    (StaffMember.Rank.SUPERINTENDENT, 24),
    (StaffMember.Rank.CHIEF_INSPECTOR, 60),
    (StaffMember.Rank.INSPECTOR, 160),
    (StaffMember.Rank.SERGEANT, 400),
    (StaffMember.Rank.CONSTABLE, 900),
    (StaffMember.Rank.PCSO, 80),
    (StaffMember.Rank.SPECIAL, 60),
    (StaffMember.Rank.POLICE_STAFF, 250),
    (StaffMember.Rank.VOLUNTEER, 50),
]
CHIEF_OFFICERS = {StaffMember.Rank.CHIEF_CONSTABLE, StaffMember.Rank.DCC, StaffMember.Rank.ACC}
# Who a rank reports to (the next rank up).
REPORTS_TO = {
    StaffMember.Rank.DCC: [StaffMember.Rank.CHIEF_CONSTABLE],
    StaffMember.Rank.ACC: [StaffMember.Rank.DCC],
    StaffMember.Rank.CHIEF_SUPERINTENDENT: [StaffMember.Rank.ACC],
    StaffMember.Rank.SUPERINTENDENT: [StaffMember.Rank.CHIEF_SUPERINTENDENT],
    StaffMember.Rank.CHIEF_INSPECTOR: [StaffMember.Rank.SUPERINTENDENT],
    StaffMember.Rank.INSPECTOR: [StaffMember.Rank.CHIEF_INSPECTOR],
    StaffMember.Rank.SERGEANT: [StaffMember.Rank.INSPECTOR],
    StaffMember.Rank.CONSTABLE: [StaffMember.Rank.SERGEANT],
    StaffMember.Rank.PCSO: [StaffMember.Rank.SERGEANT],
    StaffMember.Rank.SPECIAL: [StaffMember.Rank.SERGEANT],
    StaffMember.Rank.POLICE_STAFF: [StaffMember.Rank.SERGEANT, StaffMember.Rank.INSPECTOR],
    StaffMember.Rank.VOLUNTEER: [StaffMember.Rank.SERGEANT],
}
# Chief inspectors in PSD/ACU and on leave: suitable-SOO rules must exclude them.
CI_IN_PSD, CI_IN_ACU, CI_ON_LEAVE = 3, 2, 5

# Demo accounts: (username, roles, how to pick the staff record, organisation for partner users).
PARTNER_USERS = [
    ("panel.idva", "Juno", "Fairwhistle", "Brackenmoor IDVA Service"),
    ("panel.council", "Tess", "Marblecroft", "Northwold Council Safeguarding"),
    ("panel.health", "Ezra", "Clovermead", "Saltmarsh Health Trust"),
]
SOO_USER_COUNT = 6


@dataclass
class SeedResult:
    created: dict[str, int] = field(default_factory=dict)

    def add(self, what: str, n: int):
        self.created[what] = self.created.get(what, 0) + n

    def summary(self) -> str:
        made = {k: v for k, v in self.created.items() if v}
        return ", ".join(f"{v} {k}" for k, v in made.items()) if made else "nothing new"


def demo_totp_key(username: str) -> str:
    """The demo device key (40 hex digits): derived from the username so re-seeding keeps it."""
    return hashlib.sha256(f"ppda-demo-totp:{username}".encode()).hexdigest()[:40]


def seed_structure(result: SeedResult):
    """Commands, departments, teams and districts (a few dozen rows: get_or_create is fine)."""
    commands, departments, teams, districts = {}, {}, {}, {}
    for names in DISTRICTS.values():
        for name in names:
            districts[name], made = District.objects.get_or_create(name=name)
            result.add("districts", made)
    for command_name, _region, depts in STRUCTURE:
        commands[command_name], made = Command.objects.get_or_create(name=command_name)
        result.add("commands", made)
        for dept_name, kind, team_names in depts:
            dept, made = Department.objects.get_or_create(
                command=commands[command_name], name=dept_name, defaults={"kind": kind}
            )
            departments[dept_name] = dept
            result.add("departments", made)
            for team_name in team_names:
                teams[team_name], made = Team.objects.get_or_create(department=dept, name=team_name)
                result.add("teams", made)
    return commands, departments, teams, districts


@dataclass
class PlannedStaff:
    number: str
    first_name: str
    last_name: str
    rank: str
    department: str
    team: str
    district: str
    soo_eligible: bool = False
    on_leave: bool = False
    manager: str | None = None


def _plan_staff(rng: random.Random) -> list[PlannedStaff]:
    """The whole workforce as plain data, deterministic for a given rng state."""
    dept_region = {d: region for _c, region, depts in STRUCTURE for d, _k, _t in depts}
    dept_kind = {d: kind for _c, _r, depts in STRUCTURE for d, kind, _t in depts}
    dept_teams = {d: teams for _c, _r, depts in STRUCTURE for d, _k, teams in depts}
    all_districts = [d for names in DISTRICTS.values() for d in names]
    operational = [d for d, k in dept_kind.items() if k == Department.Kind.OPERATIONAL]
    support = [d for d, k in dept_kind.items() if k == Department.Kind.SUPPORT and d != "Chief Officer Group"]
    investigative = [d for d, k in dept_kind.items() if k in (Department.Kind.PSD, Department.Kind.ACU)]
    # Where each rank works (weighted): officers mostly operational, staff mostly support.
    officer_pool = operational * 6 + investigative + support
    staff_pool = support * 5 + operational + investigative

    planned: list[PlannedStaff] = []
    number = 0
    for rank, count in RANK_COUNTS:
        for i in range(count):
            number += 1
            if rank in CHIEF_OFFICERS:
                dept = "Chief Officer Group"
            elif rank == StaffMember.Rank.CHIEF_INSPECTOR:
                # A fixed number in PSD/ACU so the SOO rules have someone to exclude.
                if i < CI_IN_PSD:
                    dept = "Professional Standards Department"
                elif i < CI_IN_PSD + CI_IN_ACU:
                    dept = "Anti-Corruption Unit"
                else:
                    dept = (operational + support)[i % len(operational + support)]
            elif rank in (StaffMember.Rank.PCSO, StaffMember.Rank.SPECIAL, StaffMember.Rank.VOLUNTEER):
                dept = rng.choice([d for d in operational if "Neighbourhood" in d or "Response" in d])
            elif rank == StaffMember.Rank.POLICE_STAFF:
                dept = rng.choice(staff_pool)
            else:
                dept = rng.choice(officer_pool)
            region = dept_region[dept]
            district = rng.choice(DISTRICTS[region] if region else all_districts)
            ci_index = i if rank == StaffMember.Rank.CHIEF_INSPECTOR else -1
            planned.append(
                PlannedStaff(
                    number=f"D{number:06d}",
                    first_name=rng.choice(FIRST_NAMES),
                    last_name=rng.choice(LAST_NAMES),
                    rank=rank,
                    department=dept,
                    team=rng.choice(dept_teams[dept]),
                    district=district,
                    soo_eligible=rank == StaffMember.Rank.CHIEF_INSPECTOR,
                    # The last few chief inspectors are on leave.
                    on_leave=ci_index >= RANK_COUNTS[5][1] - CI_ON_LEAVE,
                )
            )
    _plan_line_managers(planned, rng)
    return planned


def _plan_line_managers(planned: list[PlannedStaff], rng: random.Random):
    """Each person reports to the next rank up: same team if possible, else department, command, force."""
    by_rank: dict[str, list[PlannedStaff]] = {}
    for p in planned:
        by_rank.setdefault(p.rank, []).append(p)
    command_of = {d: c for c, _r, depts in STRUCTURE for d, _k, _t in depts}
    for p in planned:
        ranks = REPORTS_TO.get(p.rank)
        if not ranks:
            continue
        candidates = [m for r in ranks for m in by_rank.get(r, [])]
        # Same team, else department, else command, else anyone of the rank above.
        for same in (
            lambda a, b: a.team == b.team,
            lambda a, b: a.department == b.department,
            lambda a, b: command_of[a.department] == command_of[b.department],
            lambda a, b: True,
        ):
            pool = [m for m in candidates if same(m, p)]
            if pool:
                p.manager = rng.choice(pool).number
                break


def seed_staff(rng: random.Random, departments, teams, districts, result: SeedResult) -> dict[str, StaffMember]:
    """The workforce: ~2,000 people, bulk-inserted with history; line managers linked in a second pass."""
    planned = _plan_staff(rng)
    existing = set(
        StaffMember.objects.filter(employee_number__startswith="D").values_list("employee_number", flat=True)
    )
    today = timezone.localdate()
    new = [
        StaffMember(
            employee_number=p.number,
            first_name=p.first_name,
            last_name=p.last_name,
            rank=p.rank,
            command=departments[p.department].command,
            department=departments[p.department],
            team=teams[p.team],
            district=districts[p.district],
            work_email=f"{p.first_name}.{p.last_name}.{p.number}@{EMAIL_DOMAIN}".lower(),
            soo_eligible=p.soo_eligible,
            availability=StaffMember.Availability.LEAVE if p.on_leave else StaffMember.Availability.AVAILABLE,
            available_from=today + timedelta(days=14 + 7 * (int(p.number[1:]) % 5)) if p.on_leave else None,
        )
        for p in planned
        if p.number not in existing
    ]
    if new:
        bulk_create_with_history(new, StaffMember, batch_size=1000, default_change_reason=CHANGE_REASON)
    result.add("staff", len(new))
    staff = {s.employee_number: s for s in StaffMember.objects.filter(employee_number__in=[p.number for p in planned])}
    # Link line managers only where missing: a manager changed since (in the demo) is left alone.
    to_link = []
    for p in planned:
        member = staff[p.number]
        if p.manager and member.line_manager_id is None:
            member.line_manager_id = staff[p.manager].pk
            to_link.append(member)
    if to_link:
        bulk_update_with_history(
            to_link, StaffMember, ["line_manager"], batch_size=1000, default_change_reason=CHANGE_REASON
        )
    result.add("line-manager links", len(to_link))
    return staff


def _demo_accounts(staff: dict[str, StaffMember]) -> list[dict]:
    """Who gets a demo login, picked from the directory by rule (deterministic: ordered by number)."""
    ordered = sorted(staff.values(), key=lambda s: s.employee_number)

    def pick(n, *, rank=None, dept=None, ranks=None, kinds=None, exclude=(), available_ci=False):
        out = []
        for s in ordered:
            if s.employee_number in exclude:
                continue
            if rank and s.rank != rank:
                continue
            if ranks and s.rank not in ranks:
                continue
            if dept and s.department.name != dept:
                continue
            if kinds and s.department.kind not in kinds:
                continue
            if available_ci and (s.availability != StaffMember.Availability.AVAILABLE or s.in_psd_or_acu):
                continue
            out.append(s)
            if len(out) == n:
                break
        return out

    accounts = []
    used: set[str] = set()

    def add(username, roles, member=None, **extra):
        if member is not None:
            used.add(member.employee_number)
        accounts.append({"username": username, "roles": roles, "staff": member, **extra})

    Rank = StaffMember.Rank
    for i, s in enumerate(pick(4, ranks={Rank.SERGEANT, Rank.INSPECTOR}, dept="Public Protection"), 1):
        add(f"coordinator{i}", [Role.COORDINATOR], s)
    chair = pick(1, rank=Rank.SUPERINTENDENT, dept="Public Protection") or pick(1, rank=Rank.SUPERINTENDENT)
    add("panel.chair", [Role.PANEL_CHAIR], chair[0])
    for i, s in enumerate(pick(2, rank=Rank.INSPECTOR, dept="Neighbourhood Policing North", exclude=used), 1):
        add(f"panel.police{i}", [Role.PANEL_MEMBER], s)
    for username, first, last, organisation in PARTNER_USERS:
        add(username, [Role.PANEL_MEMBER], None, first_name=first, last_name=last, organisation=organisation)
    for i, s in enumerate(pick(2, ranks={Rank.SERGEANT, Rank.INSPECTOR}, kinds={Department.Kind.PSD}, exclude=used), 1):
        add(f"psd{i}", [Role.PSD_REP], s)
    add("auditor", [Role.AUDITOR], pick(1, rank=Rank.POLICE_STAFF, dept="Information Management", exclude=used)[0])
    for i, s in enumerate(pick(SOO_USER_COUNT, rank=Rank.CHIEF_INSPECTOR, available_ci=True, exclude=used), 1):
        add(f"soo{i}", [Role.SOO], s)
    return accounts


def seed_users(staff: dict[str, StaffMember], result: SeedResult) -> list[User]:
    """Demo accounts with the demo password, their roles and a confirmed TOTP device each."""
    accounts = _demo_accounts(staff)
    usernames = [a["username"] for a in accounts]
    existing = {u.username: u for u in User.objects.filter(username__in=usernames)}
    # Another account may already hold a picked staff record (OneToOne): never steal it.
    taken = set(
        User.objects.exclude(username__in=usernames).filter(staff__isnull=False).values_list("staff_id", flat=True)
    )
    new = []
    # One hash for every demo account: the password is published anyway, and a slow hasher runs once.
    password_hash = make_password(DEMO_PASSWORD)
    for a in accounts:
        if a["username"] in existing:
            continue
        member = a["staff"]
        if member is not None and member.pk in taken:
            member = None
        new.append(
            User(
                username=a["username"],
                first_name=member.first_name if member else a["first_name"],
                last_name=member.last_name if member else a["last_name"],
                email=member.work_email if member else f"{a['username']}@{EMAIL_DOMAIN}",
                staff=member,
                organisation=a.get("organisation", ""),
                password=password_hash,
            )
        )
    if new:
        bulk_create_with_history(new, User, default_change_reason=CHANGE_REASON)
    result.add("user accounts", len(new))
    users = {u.username: u for u in User.objects.filter(username__in=usernames)}

    # The role groups come from a migration; get_or_create keeps seeding working after a flush.
    groups = {role.value: Group.objects.get_or_create(name=role.value)[0] for role in Role}
    through = User.groups.through
    have = set(through.objects.filter(user__in=users.values()).values_list("user_id", "group_id"))
    links = [
        through(user_id=users[a["username"]].pk, group_id=groups[role].pk)
        for a in accounts
        for role in a["roles"]
        if (users[a["username"]].pk, groups[role].pk) not in have
    ]
    through.objects.bulk_create(links)
    # The grant history has each role from the start, made by seed_demo (no actor).
    names = {g.pk: name for name, g in groups.items()}
    by_pk = {u.pk: u for u in users.values()}
    role_events_record(
        changes=[(by_pk[link.user_id], names[link.group_id], GrantEvent.Change.GRANTED) for link in links],
        by=None,
        source="seed_demo",
    )
    result.add("role grants", len(links))

    with_device = set(TOTPDevice.objects.filter(user__in=users.values()).values_list("user_id", flat=True))
    devices = [
        TOTPDevice(user=users[name], name="Demo authenticator", key=demo_totp_key(name), confirmed=True)
        for name in usernames
        if users[name].pk not in with_device
    ]
    TOTPDevice.objects.bulk_create(devices)
    result.add("TOTP devices", len(devices))
    return [users[name] for name in usernames]


def seed_directory(*, rng: random.Random) -> SeedResult:
    """The synthetic force and its demo accounts, in one transaction."""
    result = SeedResult()
    with transaction.atomic():
        _commands, departments, teams, districts = seed_structure(result)
        staff = seed_staff(rng, departments, teams, districts, result)
        seed_users(staff, result)
    return result
