"""Every case grant held when the grant history begins, as one "granted" row each (source "baseline")."""

from django.db import migrations
from django.utils import timezone


def case_grants_baseline(apps, schema_editor):
    GrantEvent = apps.get_model("ppda", "GrantEvent")
    now = timezone.now()
    rows = []
    by_user = apps.get_model("cases", "CaseUserObjectPermission").objects.values_list(
        "user_id", "user__username", "permission__content_type__app_label", "permission__codename",
        "content_object__public_id", "content_object__reference",
    )
    by_group = apps.get_model("cases", "CaseGroupObjectPermission").objects.values_list(
        "group__name", "permission__content_type__app_label", "permission__codename",
        "content_object__public_id", "content_object__reference",
    )
    for user_id, username, app, codename, public_id, reference in by_user.order_by("pk"):
        rows.append(GrantEvent(
            at=now, kind="object", change="granted", user_id=user_id, username=username,
            permission=f"{app}.{codename}", object_type="cases.case", object_id=str(public_id),
            case_reference=reference, source="baseline",
        ))
    for group, app, codename, public_id, reference in by_group.order_by("pk"):
        rows.append(GrantEvent(
            at=now, kind="object", change="granted", group=group,
            permission=f"{app}.{codename}", object_type="cases.case", object_id=str(public_id),
            case_reference=reference, source="baseline",
        ))
    GrantEvent.objects.bulk_create(rows, batch_size=2000)


class Migration(migrations.Migration):
    dependencies = [("cases", "0005_retention_review_backfill"), ("ppda", "0008_grantevent")]

    operations = [migrations.RunPython(case_grants_baseline, migrations.RunPython.noop)]
