"""The history of roles and case grants: who could see what, when (issue 17).

Every path that adds or removes a role (group membership) or a case grant (a guardian object permission)
records it here, in the same transaction, with who did it and by which path (`source`): the role services
(ppda.roles), grant/revoke (ppda.permissions), the set-based grant code of the sweeps and panels
(`object_grants_record`), the admin's user form, single sign-on and seed_demo.

The signal backstop (`connect_backstop`, from ppda.apps) records a change made any other way - a shell, a
future path that forgot - with no actor and source "unrecorded", so the history has no hole. The services
make their changes inside `recorded()`, which silences the backstop, so nothing is recorded twice.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Callable, Iterable

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import transaction
from django.db.models import Model, QuerySet, Value
from django.db.models.functions import Concat
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone

from .models import GrantEvent

UNRECORDED = "unrecorded"  # the backstop's source: no service recorded the change, so no actor is known

_explicit = contextvars.ContextVar("ppda_grant_history_explicit", default=0)


@contextlib.contextmanager
def recorded():
    """Changes made inside are recorded by the caller: the backstop stays quiet."""
    token = _explicit.set(_explicit.get() + 1)
    try:
        yield
    finally:
        _explicit.reset(token)


def _by(by) -> tuple[int | None, str]:
    if by is None or not getattr(by, "is_authenticated", False):
        return None, ""
    return by.pk, by.get_username()


def role_events_record(*, changes: Iterable[tuple[object, str, str]], by, source: str) -> int:
    """Record role changes: (user, role name, GrantEvent.Change) each. Returns rows written."""
    by_id, by_username = _by(by)
    now = timezone.now()
    rows = [
        GrantEvent(
            at=now,
            kind=GrantEvent.Kind.ROLE,
            change=change,
            user_id=user.pk,
            username=user.get_username(),
            group=role,
            by_id=by_id,
            by_username=by_username,
            source=source[:60],
        )
        for user, role, change in changes
    ]
    GrantEvent.objects.bulk_create(rows)
    return len(rows)


def object_grants_record(
    *,
    grants: Iterable[tuple[int | None, str, str, str, str]],
    change: str,
    by,
    source: str,
    group: str = "",
) -> int:
    """Record case grants made or removed: (user id, permission "app.codename", object type, object id, case
    reference) each; one row per grant and case. Set-based: two queries whatever the number of grants."""
    grants = list(grants)
    if not grants:
        return 0
    user_ids = {g[0] for g in grants if g[0] is not None}
    names = dict(get_user_model().objects.filter(pk__in=user_ids).values_list("pk", "username")) if user_ids else {}
    by_id, by_username = _by(by)
    now = timezone.now()
    rows = [
        GrantEvent(
            at=now,
            kind=GrantEvent.Kind.OBJECT,
            change=change,
            user_id=user_id,
            username=names.get(user_id, ""),
            group=group,
            permission=permission,
            object_type=object_type,
            object_id=str(object_id)[:64],
            case_reference=(reference or "")[:40],
            by_id=by_id,
            by_username=by_username,
            source=source[:60],
        )
        for user_id, permission, object_type, object_id, reference in grants
    ]
    GrantEvent.objects.bulk_create(rows)
    return len(rows)


def object_identity(obj) -> tuple[str, str, str]:
    """(object type, object id, case reference) of a granted object, as the access log names it."""
    return obj._meta.label_lower, str(getattr(obj, "public_id", None) or obj.pk), getattr(obj, "reference", "") or ""


# -- The backstop -------------------------------------------------------------------------------------------


def _on_groups_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
    if _explicit.get() or action not in ("post_add", "post_remove", "pre_clear"):
        return
    User = get_user_model()
    group_model = apps.get_model("auth", "Group")
    if action == "pre_clear":
        # The rows are gone after the clear: read them now.
        pk_set = set((instance.user_set if reverse else instance.groups).values_list("pk", flat=True))
    if not pk_set:
        return
    change = GrantEvent.Change.GRANTED if action == "post_add" else GrantEvent.Change.REMOVED
    if reverse:  # group.user_set.add(users)
        changes = [(user, instance.name, change) for user in User.objects.filter(pk__in=pk_set)]
    else:  # user.groups.add(groups)
        changes = [
            (instance, name, change)
            for name in group_model.objects.filter(pk__in=pk_set).values_list("name", flat=True)
        ]
    role_events_record(changes=changes, by=None, source=UNRECORDED)


def _grant_identity(row) -> tuple[str, str, str, str]:
    """(permission, object type, object id, case reference) of an object-permission row, without failing on a
    deleted object (a cascade from the object's own deletion)."""
    permission = f"{row.permission.content_type.app_label}.{row.permission.codename}"
    if hasattr(row, "content_object_id"):
        target = row._meta.get_field("content_object").related_model
        obj = target._default_manager.filter(pk=row.content_object_id).first()
        object_type = target._meta.label_lower
    else:  # guardian's generic tables
        target = row.content_type.model_class()
        obj = target._default_manager.filter(pk=row.object_pk).first() if target else None
        object_type = f"{row.content_type.app_label}.{row.content_type.model}"
    if obj is None:
        return permission, object_type, str(getattr(row, "content_object_id", None) or row.object_pk), ""
    _, object_id, reference = object_identity(obj)
    return permission, object_type, object_id, reference


def _on_object_permission(sender, instance, created=None, **kwargs):
    if _explicit.get() or created is False:
        return
    change = GrantEvent.Change.REMOVED if created is None else GrantEvent.Change.GRANTED
    permission, object_type, object_id, reference = _grant_identity(instance)
    object_grants_record(
        grants=[(getattr(instance, "user_id", None), permission, object_type, object_id, reference)],
        change=change,
        by=None,
        source=UNRECORDED,
        group=instance.group.name if getattr(instance, "group_id", None) else "",
    )


def connect_backstop() -> None:
    """Connect the backstop to group membership and to every object-permission model (each by sender, so other
    models keep Django's fast deletes)."""
    from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

    m2m_changed.connect(
        _on_groups_changed, sender=get_user_model().groups.through, dispatch_uid="ppda.grant_history.groups"
    )
    for model in apps.get_models():
        if issubclass(model, UserObjectPermissionBase | GroupObjectPermissionBase):
            uid = f"ppda.grant_history.{model._meta.label_lower}"
            post_save.connect(_on_object_permission, sender=model, dispatch_uid=uid + ".save")
            post_delete.connect(_on_object_permission, sender=model, dispatch_uid=uid + ".delete")


# -- Set-based grant code (sweeps, panels) ------------------------------------------------------------------

References = Callable[[set[int]], dict[int, list[str]]]


def _identified(target: type[Model], found: list[tuple[int, str, int]], references: References | None):
    """(user id, permission, object type, object id, case reference) for each (user id, permission, object pk)
    found: one per case the object opens. Two queries whatever the number of rows."""
    pks = {pk for _, _, pk in found}
    names = {f.name for f in target._meta.get_fields()}
    fields = [f for f in ("public_id", "reference") if f in names]
    known = {row["pk"]: row for row in target._default_manager.filter(pk__in=pks).values("pk", *fields)}
    refs = references(pks) if references is not None else {}
    out = []
    for user_id, permission, pk in found:
        row = known.get(pk, {})
        object_id = str(row.get("public_id") or pk)
        for reference in refs.get(pk) or [row.get("reference", "")]:
            out.append((user_id, permission, target._meta.label_lower, object_id, reference))
    return out


def object_grants_delete(rows: QuerySet, *, by, source: str, references: References | None = None) -> int:
    """Delete the user grants in `rows` (a queryset of a direct foreign-key object-permission table) and record
    each removal in the same transaction. `references(object pks)` gives the cases each object opens, for
    objects that are not cases (a panel agenda item). Returns the grants deleted."""
    model = rows.model
    with transaction.atomic(), recorded():
        found = list(
            rows.values_list(
                "pk", "user_id", "permission__content_type__app_label", "permission__codename", "content_object_id"
            )
        )
        if not found:
            return 0
        deleted, _ = model.objects.filter(pk__in=[f[0] for f in found]).delete()
        target = model._meta.get_field("content_object").related_model
        grants = [(user_id, f"{app}.{codename}", pk) for _, user_id, app, codename, pk in found]
        object_grants_record(
            grants=_identified(target, grants, references), change=GrantEvent.Change.REMOVED, by=by, source=source
        )
    return deleted


def object_grants_create(new: list[Model], *, by, source: str, references: References | None = None) -> int:
    """Create the user grants `new` (unsaved rows of a direct foreign-key object-permission table), leaving out
    those already held, and record each one made, in the same transaction. Returns the grants made."""
    if not new:
        return 0
    model = type(new[0])
    with transaction.atomic(), recorded():
        held = set(
            model.objects.filter(
                user_id__in={r.user_id for r in new},
                permission__in={r.permission_id for r in new},
                content_object_id__in={r.content_object_id for r in new},
            ).values_list("user_id", "permission_id", "content_object_id")
        )
        fresh, seen = [], set(held)
        for row in new:
            key = (row.user_id, row.permission_id, row.content_object_id)
            if key not in seen:
                seen.add(key)
                fresh.append(row)
        if not fresh:
            return 0
        model.objects.bulk_create(fresh, ignore_conflicts=True)
        labels = dict(
            Permission.objects.filter(pk__in={r.permission_id for r in fresh}).values_list(
                "pk", Concat("content_type__app_label", Value("."), "codename")
            )
        )
        target = model._meta.get_field("content_object").related_model
        grants = [(r.user_id, labels[r.permission_id], r.content_object_id) for r in fresh]
        object_grants_record(
            grants=_identified(target, grants, references), change=GrantEvent.Change.GRANTED, by=by, source=source
        )
    return len(fresh)
