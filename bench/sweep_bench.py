"""Deadline sweep at force scale: seed 100,000 allocations with bulk inserts, then time the sweep.

    .venv/bin/python bench/sweep_bench.py [--allocations 100000] [--reseed]

Runs in its own database (SWEEP_BENCH_DATABASE_URL, default ppda_sweepbench; created and migrated if
absent, seeded once and reused). Target (DESIGN.md section 6): under 2 s over 100,000 allocations.

The population: 60% ended allocations, 38% live with first contact met and an agreed schedule (next
contacts spread over the past week and the next month), 2% live awaiting first contact, allocated
0-100 hours ago, so every window is populated (24-hour and 48-hour reminders, breaches). The first
sweep is a catch-up that claims and notifies all of those; the second is the steady state (nothing new).
"""

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
# As the worker runs it (docker-compose.yml): client-side binding, faster for the sweep's bulk writes.
os.environ.setdefault("DB_SERVER_SIDE_BINDING", "false")
os.environ["DJANGO_SETTINGS_MODULE"] = "ppda.settings.test"  # locmem mail, so emails are sent but go nowhere
os.environ["DATABASE_URL"] = os.environ.get(
    "SWEEP_BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ppda_sweepbench"
)


def ensure_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def seed(n: int, now: dt.datetime) -> None:
    from django.contrib.auth.models import Group
    from django.db import connection, transaction

    from cases.models import Case
    from oversight.contacts.models import ContactPlan
    from oversight.contacts.schedule import due_window, local_date
    from oversight.models import Allocation
    from ppda.models import StaffMember, User

    rng = random.Random(20261123)  # synthetic, reproducible
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                "TRUNCATE contacts_deadlineevent, contacts_contactplan, contacts_historicalcontactplan, "
                "contacts_contact, contacts_historicalcontact, ppda_notification, oversight_allocation, "
                "oversight_historicalallocation, cases_case CASCADE"
            )
        StaffMember.objects.filter(employee_number__startswith="SB").delete()
        User.objects.filter(username__startswith="sweepbench-").delete()
        chiefs = StaffMember.objects.bulk_create(
            StaffMember(
                employee_number=f"SB{i:06d}",
                first_name="Bench",
                last_name=f"Chief{i}",
                rank=StaffMember.Rank.CHIEF_INSPECTOR,
                soo_eligible=True,
            )
            for i in range(600)
        )
        users = User.objects.bulk_create(
            User(username=f"sweepbench-soo{i}", email=f"sweepbench-soo{i}@example.test", staff=s)
            for i, s in enumerate(chiefs)
        )
        coordinators = User.objects.bulk_create(
            User(username=f"sweepbench-coord{i}", email=f"sweepbench-coord{i}@example.test") for i in range(10)
        )
        Group.objects.get(name="soo").user_set.add(*users)
        Group.objects.get(name="coordinator").user_set.add(*coordinators)
        allocator = coordinators[0]

        batch = 10_000
        for start in range(0, n, batch):
            size = min(batch, n - start)
            cases = Case.objects.bulk_create(
                Case(
                    reference=f"SB/{start + i:07d}",
                    received_at=now - dt.timedelta(days=400),
                    route=Case.Route.CALL,
                    category=Case.Category.POLICE_PERPETRATOR,
                    risk_level=Case.Risk.MEDIUM,
                    status=Case.Status.ACTIVE,
                )
                for i in range(size)
            )
            allocations, plans = [], []
            for case in cases:
                roll = rng.random()
                if roll < 0.60:
                    at = now - dt.timedelta(days=rng.uniform(30, 1000))
                    status, met = Allocation.Status.ENDED, at + dt.timedelta(hours=rng.uniform(1, 70))
                elif roll < 0.98:
                    at = now - dt.timedelta(days=rng.uniform(5, 300))
                    status, met = Allocation.Status.ACCEPTED, at + dt.timedelta(hours=rng.uniform(1, 70))
                else:
                    at = now - dt.timedelta(hours=rng.uniform(0, 100))
                    status, met = rng.choice(Allocation.LIVE), None
                allocations.append(
                    Allocation(
                        case=case,
                        soo=rng.choice(chiefs),
                        status=status,
                        allocated_at=at,
                        allocated_by=allocator,
                        first_contact_due=Allocation.due_for(at),
                        first_contact_met_at=met,
                    )
                )
            Allocation.objects.bulk_create(allocations)
            for a in allocations:
                if a.status == Allocation.Status.ACCEPTED and a.first_contact_met_at:
                    day = local_date(now) + dt.timedelta(days=rng.randint(-7, 30))
                    due, overdue = due_window(day)
                    plans.append(
                        ContactPlan(
                            allocation=a,
                            engagement=ContactPlan.Engagement.ENGAGED,
                            cadence=ContactPlan.Cadence.INTERVAL,
                            interval_days=14,
                            schedule_agreed_at=a.first_contact_met_at,
                            next_contact_on=day,
                            next_contact_due_at=due,
                            next_contact_overdue_at=overdue,
                        )
                    )
            ContactPlan.objects.bulk_create(plans)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def reset_claims() -> None:
    from django.db import connection

    from oversight.models import Allocation

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE contacts_deadlineevent, ppda_notification")
    Allocation.objects.filter(breached_at__isnull=False).update(breached_at=None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--allocations", type=int, default=100_000)
    parser.add_argument("--reseed", action="store_true")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    ensure_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from oversight.contacts.sweep import deadlines_sweep
    from oversight.models import Allocation
    from ppda.notifications import services as notify

    # Emails go to worker tasks after commit; here they are counted, not queued (no broker traffic).
    enqueued: list[int] = []
    notify.notifications_email_enqueue = enqueued.extend

    call_command("migrate", verbosity=0)
    now = timezone.now().replace(microsecond=0)
    if args.reseed or Allocation.objects.count() != args.allocations:
        t = time.perf_counter()
        seed(args.allocations, now)
        print(f"seeded {args.allocations:,} allocations in {time.perf_counter() - t:.1f} s")
    else:
        # Reusing the seed: shift the clock so the windows line up with when it was seeded.
        latest = Allocation.objects.filter(first_contact_met_at__isnull=True).order_by("-allocated_at").first()
        now = latest.allocated_at if latest else now
    total = Allocation.objects.count()

    def timed(label: str, prepare) -> float:
        times, queries = [], set()
        for _ in range(args.runs):
            reset_claims()
            prepare()
            enqueued.clear()
            t = time.perf_counter()
            with CaptureQueriesContext(connection) as ctx:
                result = deadlines_sweep(now=now)
            times.append(time.perf_counter() - t)
            queries.add(len(ctx.captured_queries))
        median = statistics.median(times)
        print(
            f"  {label}: {median:.3f} s (median of {args.runs}; {sum(result.claimed.values()):,} events claimed, "
            f"{result.notifications:,} notifications, {len(enqueued):,} emails queued; {sorted(queries)} queries)"
        )
        return median

    print(f"deadline sweep over {total:,} allocations:")
    steady = timed("steady state (previous sweep 3 minutes earlier)", lambda: deadlines_sweep(now=now - STEP))
    day = timed("scheduler down for a day (previous sweep 24 h earlier)", lambda: deadlines_sweep(now=now - DAY))
    cold = timed("cold start (no sweep ever: every event ever due)", lambda: None)

    # What the email tasks then cost, per chunk of notify.EMAIL_CHUNK (built and handed to the mailer).
    chunk = enqueued[: notify.EMAIL_CHUNK]
    t = time.perf_counter()
    sent = notify.notifications_email(chunk)
    per_email = (time.perf_counter() - t) / max(sent, 1)
    print(f"  email task: {per_email * 1000:.1f} ms an email ({sent} in one chunk, locmem mailer), off the sweep")
    verdict = "met" if max(steady, day) < 2 else "MISSED"
    print(f"target < 2 s over 100,000 allocations (steady and a day's catch-up): {verdict}; cold start {cold:.2f} s")


STEP = dt.timedelta(minutes=3)
DAY = dt.timedelta(hours=24)


if __name__ == "__main__":
    main()
