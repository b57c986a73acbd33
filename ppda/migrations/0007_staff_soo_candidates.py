"""A partial index over the allocation pool (chief inspectors and anyone marked SOO-eligible).

The suggestion list and its line-management walk select the pool with this very predicate; without it
each request scanned all 40,000 staff (in parallel workers) to find 600 rows.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("ppda", "0006_signinlockout_device"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="staffmember",
            index=models.Index(
                condition=models.Q(("rank", "ci"), ("soo_eligible", True), _connector="OR"),
                fields=["id"],
                name="staff_soo_candidates",
            ),
        ),
    ]
