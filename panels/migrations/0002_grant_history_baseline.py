"""Every panel papers grant held when the grant history begins, one "granted" row per grant and case on the
agenda item (source "baseline")."""

from django.db import migrations
from django.utils import timezone


def papers_grants_baseline(apps, schema_editor):
    GrantEvent = apps.get_model("ppda", "GrantEvent")
    AgendaCase = apps.get_model("panels", "AgendaCase")
    refs = {}
    for item_id, reference in AgendaCase.objects.values_list("item_id", "case__reference"):
        refs.setdefault(item_id, []).append(reference)
    now = timezone.now()
    rows = []
    grants = apps.get_model("panels", "AgendaItemUserObjectPermission").objects.values_list(
        "user_id", "user__username", "permission__content_type__app_label", "permission__codename",
        "content_object_id", "content_object__public_id",
    )
    for user_id, username, app, codename, item_id, public_id in grants.order_by("pk"):
        for reference in refs.get(item_id) or [""]:
            rows.append(GrantEvent(
                at=now, kind="object", change="granted", user_id=user_id, username=username,
                permission=f"{app}.{codename}", object_type="panels.agendaitem", object_id=str(public_id),
                case_reference=reference, source="baseline",
            ))
    GrantEvent.objects.bulk_create(rows, batch_size=2000)


class Migration(migrations.Migration):
    dependencies = [("panels", "0001_initial"), ("ppda", "0008_grantevent")]

    operations = [migrations.RunPython(papers_grants_baseline, migrations.RunPython.noop)]
