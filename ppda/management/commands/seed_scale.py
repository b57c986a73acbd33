"""Seed a force-scale synthetic data set for benchmarks (make bench). Refuses to run twice."""

import random
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from ppda import scale_seed
from ppda.models import StaffMember


class Command(BaseCommand):
    help = "Seed 40,000 staff, 600 chief inspectors, 20,000 cases and 150,000 contacts (synthetic)."

    def add_arguments(self, parser):
        parser.add_argument("--staff", type=int, default=40_000)
        parser.add_argument("--chief-inspectors", type=int, default=600)
        parser.add_argument("--cases", type=int, default=20_000)
        parser.add_argument("--contacts", type=int, default=150_000)
        parser.add_argument("--seed", type=int, default=20261123)

    def handle(self, *args, **opts):
        if StaffMember.objects.filter(employee_number__startswith=scale_seed.BENCH_PREFIX).exists():
            self.stdout.write("Scale seed already present; nothing to do.")
            return
        if opts["chief_inspectors"] >= opts["staff"]:
            raise CommandError("--chief-inspectors must be fewer than --staff.")
        rng = random.Random(opts["seed"])
        started = time.perf_counter()
        scale_seed.seed_directory(
            rng=rng, staff=opts["staff"], chief_inspectors=opts["chief_inspectors"], stdout=self.stdout
        )
        scale_seed.seed_users(stdout=self.stdout)
        scale_seed.seed_cases(rng=rng, cases=opts["cases"], contacts=opts["contacts"], stdout=self.stdout)
        # Fresh planner statistics (without them PostgreSQL misjudges the new tables badly) and, outside a
        # transaction, a vacuum too: it sets the visibility map that index-only scans (the inbox count) need.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")
        self.stdout.write(f"Scale seed done in {time.perf_counter() - started:.0f} s.")
