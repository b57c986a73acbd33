"""Demo cases for the demo force: some years of history with a rising trend, every route and category,
repeat victims and suspects, a counter-allegation pair, and a few untriaged cases in the inbox.

All people are synthetic: police parties come from the (synthetic) demo staff directory, others are
made up from the name lists below.
"""

import datetime as dt
import random

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from ppda.models import Department, District, StaffMember
from ppda.roles import Role

from .models import Case, CaseLink, CoordinatorShift
from .services import IntakeInput, PartyInput, SafeContactInput, case_status_change, intake_create

FIRST_NAMES = [
    "Avery", "Blair", "Casey", "Dale", "Eden", "Frankie", "Gale", "Harper", "Indy", "Jules", "Kit", "Lennon",
    "Marlow", "Noor", "Oakley", "Perry", "Quinn", "Rowan", "Sasha", "Tatum", "Umi", "Vale", "Wren", "Yael",
]  # fmt: skip
LAST_NAMES = [
    "Ashdown", "Brackley", "Carrow", "Dunmere", "Elsford", "Fairlie", "Garrow", "Holloway", "Ingram", "Jessop",
    "Kettering", "Lomax", "Merriott", "Northam", "Oxley", "Pendry", "Quarrell", "Ravensby", "Stainton", "Tolley",
]  # fmt: skip
SUMMARIES = [
    "Reported controlling behaviour and monitoring of phone and finances.",
    "Report of assault at the shared home after an argument.",
    "Harassment by repeated messages after separation.",
    "Threats made referring to the suspect's police role.",
    "Stalking near the victim's workplace.",
    "Criminal damage to the victim's car and threats.",
]
# Cases per year, oldest first: reports rise as trust in the process grows.
YEARLY = [12, 18, 28, 42, 56]
DEMO_MARK = "000001"


def _year_dates(rng: random.Random, year: int, count: int, now: dt.datetime) -> list[dt.datetime]:
    start = dt.datetime(year, 1, 1, tzinfo=dt.UTC)
    end = min(dt.datetime(year + 1, 1, 1, tzinfo=dt.UTC), now - dt.timedelta(hours=1))
    span = (end - start).total_seconds()
    return sorted(start + dt.timedelta(seconds=rng.random() * span) for _ in range(count))


def seed_cases(*, stdout, rng: random.Random) -> None:
    """Seed the demo cases once (a second run does nothing). Needs the demo staff directory."""
    now = timezone.now()
    first_year = now.year - len(YEARLY) + 1
    if Case.objects.filter(reference=f"DA/{first_year}/{DEMO_MARK}").exists():
        stdout.write("Demo cases already seeded.")
        return
    staff = list(
        StaffMember.objects.filter(is_active=True)
        .exclude(department__kind__in=[Department.Kind.PSD, Department.Kind.ACU])
        .select_related("department", "user")
        .order_by("pk")
    )
    if not staff:
        stdout.write("No staff directory yet: seed the directory first. No demo cases created.")
        return
    # Parties are drawn from staff without accounts, so demo users are never parties to demo cases.
    pool = [s for s in staff if not s.soo_eligible and getattr(s, "user", None) is None] or staff
    districts = list(District.objects.order_by("pk"))
    coordinators = list(get_user_model().objects.filter(groups__name=Role.COORDINATOR, is_active=True).order_by("pk"))
    coordinator = coordinators[0] if coordinators else None
    with transaction.atomic():
        created = _seed(rng, now, first_year, pool, districts, coordinator)
        _seed_rota(now, coordinators)
    stdout.write(f"Seeded {created} demo cases over {len(YEARLY)} years.")


def _civilian(rng: random.Random, districts) -> dict:
    return {
        "first_name": rng.choice(FIRST_NAMES),
        "last_name": rng.choice(LAST_NAMES),
        "date_of_birth": dt.date(rng.randint(1960, 2002), rng.randint(1, 12), rng.randint(1, 28)),
        "phone": f"07700 900{rng.randint(0, 999):03d}",  # Ofcom's drama range: never a real number
        "address": f"{rng.randint(1, 120)} Example Road",
        "home_district": rng.choice(districts) if districts else None,
    }


def _safe(rng: random.Random) -> SafeContactInput:
    return SafeContactInput(
        safe_phone=f"07700 900{rng.randint(0, 999):03d}",
        safe_times=rng.choice(["Weekdays 09:00-12:00", "Evenings after 19:00 only", "Weekdays at work, not at home"]),
        voicemail_ok=rng.random() < 0.3,
        texts_ok=rng.random() < 0.5,
        letters_ok=rng.random() < 0.2,
        contact_at_work_ok=rng.random() < 0.4,
        codeword=rng.choice(["Bluebell", "Heron", "Lantern", "Juniper", "Pebble"]),
    )


def _seed(rng, now, first_year, pool, districts, coordinator) -> int:
    # A few people who come back: two police victims, one civilian victim, one police suspect.
    repeat_staff_victims = rng.sample(pool, k=min(2, len(pool)))
    repeat_civilian = _civilian(rng, districts)
    repeat_suspect = pool[-1]
    routes = list(Case.Route.values)
    categories = list(Case.Category.values)
    created = 0
    counter_done = False
    repeats: dict = {}

    for offset, count in enumerate(YEARLY):
        year = first_year + offset
        for seq, received_at in enumerate(_year_dates(rng, year, count, now), start=1):
            index = created
            route = routes[index % len(routes)] if index < len(routes) else rng.choice(routes)
            category = categories[index % 3] if index < 6 else rng.choices(categories, weights=[3, 6, 1])[0]
            victim_key, victim = None, None
            if category in (Case.Category.POLICE_VICTIM, Case.Category.BOTH):
                if rng.random() < 0.07 and repeat_staff_victims:
                    staff_victim = rng.choice(repeat_staff_victims)
                else:
                    staff_victim = rng.choice(pool)
                victim = PartyInput(role="victim", is_police=True, employee_number=staff_victim.employee_number)
                victim_key = ("staff", staff_victim.pk)
            else:
                person = repeat_civilian if rng.random() < 0.08 else _civilian(rng, districts)
                victim = PartyInput(role="victim", is_police=False, **person)
                victim_key = ("civ", person["first_name"], person["last_name"], person["date_of_birth"])
            victim.safe_contact = _safe(rng)
            if category in (Case.Category.POLICE_PERPETRATOR, Case.Category.BOTH):
                suspect_staff = repeat_suspect if rng.random() < 0.06 else rng.choice(pool)
                if victim.is_police and suspect_staff.employee_number == victim.employee_number:
                    suspect_staff = next(s for s in pool if s.employee_number != victim.employee_number)
                suspect = PartyInput(role="suspect", is_police=True, employee_number=suspect_staff.employee_number)
            else:
                suspect = PartyInput(role="suspect", is_police=False, **_civilian(rng, districts))
            case = intake_create(
                data=IntakeInput(
                    reference=f"DA/{year}/{seq:06d}",
                    received_at=received_at,
                    route=route,
                    category=category,
                    duty=rng.choice(Case.Duty.values),
                    incident_district=rng.choice(districts) if districts else None,
                    summary=rng.choice(SUMMARIES),
                    parties=[victim, suspect],
                ),
                created_by=coordinator,
            )
            created += 1
            _triage(rng, case, now, coordinator)
            if victim_key in repeats:
                CaseLink.objects.create(from_case=case, to_case=repeats[victim_key], kind=CaseLink.Kind.REPEAT)
            repeats[victim_key] = case

            # One counter-allegation pair in the last year: both present as victims of the other.
            if not counter_done and year == now.year and category == Case.Category.BOTH and suspect.is_police:
                seq_b = count + 1
                pair = intake_create(
                    data=IntakeInput(
                        reference=f"DA/{year}/{seq_b:06d}",
                        received_at=received_at + dt.timedelta(hours=3),
                        route=Case.Route.LINE_MANAGER,
                        category=Case.Category.BOTH,
                        duty=case.duty,
                        incident_district=case.incident_district,
                        summary="Counter-allegation: each reports the other.",
                        parties=[
                            PartyInput(
                                role="victim",
                                is_police=True,
                                employee_number=suspect.employee_number,
                                safe_contact=_safe(rng),
                            ),
                            PartyInput(role="suspect", is_police=True, employee_number=victim.employee_number),
                        ],
                    ),
                    created_by=coordinator,
                )
                created += 1
                _triage(rng, pair, now, coordinator)
                CaseLink.objects.create(
                    from_case=pair, to_case=case, kind=CaseLink.Kind.COUNTER_ALLEGATION, note="Counter-allegation"
                )
                counter_done = True

    # A few fresh reports in the inbox: four untriaged (two for over a day), two triaged awaiting an SOO.
    for i, hours in enumerate((2, 9, 28, 50, 70, 96)):
        victim = PartyInput(role="victim", is_police=False, safe_contact=_safe(rng), **_civilian(rng, districts))
        suspect_staff = rng.choice(pool)
        fresh = intake_create(
            data=IntakeInput(
                reference=f"DA/{now.year}/{YEARLY[-1] + 10 + i:06d}",
                received_at=now - dt.timedelta(hours=hours),
                route=routes[(i * 3) % len(routes)],
                category=Case.Category.POLICE_PERPETRATOR,
                summary=rng.choice(SUMMARIES),
                parties=[
                    victim,
                    PartyInput(role="suspect", is_police=True, employee_number=suspect_staff.employee_number),
                ],
            ),
            created_by=coordinator,
        )
        if hours > 60 and coordinator is not None:
            fresh.risk_level = rng.choice(Case.Risk.values)
            fresh.triaged_at = fresh.received_at + dt.timedelta(hours=4)
            fresh.triage_owner = coordinator
            fresh.save(update_fields=["risk_level", "triaged_at", "triage_owner"])
            case_status_change(case=fresh, to_status=Case.Status.TRIAGED, user=coordinator)
        created += 1
    return created


def _triage(rng, case: Case, now, coordinator) -> None:
    """Triage a case according to its age (the newest may still wait in the inbox), through the lifecycle
    service. Allocation, contact and closure of the older cases are oversight's: oversight.demo replays them
    through the allocation services."""
    age = now - case.received_at
    if coordinator is None or (age < dt.timedelta(days=3) and rng.random() < 0.8):
        return  # still in the inbox, untriaged
    case.risk_level = rng.choices(Case.Risk.values, weights=[5, 4, 2])[0]
    case.triaged_at = case.received_at + dt.timedelta(hours=rng.randint(2, 30))
    case.triage_owner = coordinator
    case._history_user = coordinator
    case.save(update_fields=["risk_level", "triaged_at", "triage_owner"])
    case_status_change(case=case, to_status=Case.Status.TRIAGED, user=coordinator)


def _seed_rota(now, coordinators) -> None:
    """Eight-hour shifts from yesterday to a week ahead, taking turns."""
    if not coordinators or CoordinatorShift.objects.exists():
        return
    start = now.replace(minute=0, second=0, microsecond=0) - dt.timedelta(hours=now.hour % 8 + 24)
    shifts = []
    for i in range(8 * 3):
        starts = start + dt.timedelta(hours=8 * i)
        shifts.append(
            CoordinatorShift(
                coordinator=coordinators[i % len(coordinators)],
                starts_at=starts,
                ends_at=starts + dt.timedelta(hours=8),
            )
        )
    CoordinatorShift.objects.bulk_create(shifts)
