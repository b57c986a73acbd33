"""Indexes for the allocation suggestion list (oversight/allocation/pool.py).

allocation_soo_carried: each candidate's last carried (not declined) allocation is one index probe, newest
first, instead of a heap scan and sort of their whole history for each of 600 chief inspectors.
allocation_soo_live: open cases are one grouped, index-only count over the live allocations alone.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("oversight", "0001_initial"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="allocation",
            index=models.Index(
                condition=models.Q(("status", "declined"), _negated=True),
                fields=["soo", "-allocated_at"],
                name="allocation_soo_carried",
            ),
        ),
        migrations.AddIndex(
            model_name="allocation",
            index=models.Index(
                condition=models.Q(("status__in", ["pending", "accepted"])),
                fields=["soo"],
                name="allocation_soo_live",
            ),
        ),
    ]
