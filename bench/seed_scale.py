"""Seed a force-scale synthetic data set for benchmarks (make bench). Refuses to run twice.

Run as `python -m bench.seed_scale [--staff N ...]` with DJANGO_SETTINGS_MODULE and DATABASE_URL set (bench/run
does). It lives here, not in an app's management commands: the seed writes every app's tables, and the
foundation (ppda/) must not import the apps built on it.
"""

import argparse
import random
import sys
import time


def parse(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--staff", type=int, default=40_000)
    parser.add_argument("--chief-inspectors", type=int, default=600)
    parser.add_argument("--cases", type=int, default=20_000)
    parser.add_argument("--contacts", type=int, default=150_000)
    parser.add_argument("--seed", type=int, default=20261123)
    opts = parser.parse_args(argv)
    if opts.chief_inspectors >= opts.staff:
        parser.error("--chief-inspectors must be fewer than --staff.")
    return opts


def main(argv=None, stdout=sys.stdout) -> None:
    """Seed at the sizes asked for; Django must be set up (django.setup()) before this is called."""
    from django.core.management.base import OutputWrapper
    from django.db import connection

    from bench import scale_seed
    from ppda.models import StaffMember

    opts = parse(argv)
    stdout = OutputWrapper(stdout)  # each write a line, as in a management command
    if StaffMember.objects.filter(employee_number__startswith=scale_seed.BENCH_PREFIX).exists():
        stdout.write("Scale seed already present; nothing to do.")
        return
    rng = random.Random(opts.seed)  # noqa: S311 - synthetic data, not security
    started = time.perf_counter()
    scale_seed.seed_directory(rng=rng, staff=opts.staff, chief_inspectors=opts.chief_inspectors, stdout=stdout)
    scale_seed.seed_users(stdout=stdout)
    scale_seed.seed_cases(rng=rng, cases=opts.cases, contacts=opts.contacts, stdout=stdout)
    # Fresh planner statistics (without them PostgreSQL misjudges the new tables badly) and, outside a
    # transaction, a vacuum too: it sets the visibility map that index-only scans (the inbox count) need.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")
    stdout.write(f"Scale seed done in {time.perf_counter() - started:.0f} s.")


if __name__ == "__main__":
    import django

    django.setup()
    main()
