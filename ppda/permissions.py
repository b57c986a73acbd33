"""The one way to ask "may this user see that object?". Views and selectors never call guardian directly.

Guardian's defaults let superusers and model-level (global) permissions see everything
(PITFALLS.md). Every helper here turns both off: only an object permission granted by the workflow
gives access to a particular case.

For models with guardian's direct foreign-key permission tables (Case), the filter is one subquery on those
two tables written here in SQL, instead of `get_objects_for_user`, whose query building cost ~5 ms of
Python per call, several times a page. The rule is exactly guardian's with superuser and global permissions off (a
user grant or a grant to one of the user's groups, for that permission on that object); a test compares
both on a mix of grants so they cannot drift apart.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import Model, QuerySet
from django.db.models.expressions import RawSQL
from guardian.shortcuts import assign_perm, get_objects_for_user
from guardian.utils import get_group_obj_perms_model, get_user_obj_perms_model

from .caches import per_process
from .grant_history import object_grants_record, object_identity, recorded
from .models import GrantEvent
from .roles import has_role


class _NoSuchPermission(Exception):
    """Raised inside the cached lookup so that a missing permission is not remembered (ppda.caches)."""


@per_process
def _granted_sql(model: type[Model]) -> str | None:
    """SQL selecting the ids of `model`'s objects granted a permission to a user directly or through one of
    their groups (params: user id, permission id, user id, permission id); None when the model only has
    guardian's generic tables. Built once per model per process (ppda.caches)."""
    by_user, by_group = get_user_obj_perms_model(model), get_group_obj_perms_model(model)
    if by_user.objects.is_generic() or by_group.objects.is_generic():
        return None
    user_model = get_user_model()
    member = user_model.groups.through._meta

    def col(meta, name):
        return connection.ops.quote_name(meta.get_field(name).column)

    def table(meta):
        return connection.ops.quote_name(meta.db_table)

    u, g = by_user._meta, by_group._meta
    return (
        f"SELECT u.{col(u, 'content_object')} FROM {table(u)} u"  # noqa: S608 - names from the models
        f" WHERE u.{col(u, 'user')} = %s AND u.{col(u, 'permission')} = %s"
        f" UNION ALL SELECT g.{col(g, 'content_object')} FROM {table(g)} g"
        f" JOIN {table(member)} m ON m.{col(member, 'group')} = g.{col(g, 'group')}"
        f" WHERE m.{col(member, user_model._meta.model_name)} = %s AND g.{col(g, 'permission')} = %s"
    )


def _permission_id(model: type[Model], perm: str) -> int | None:
    """The id of `perm` ("app_label.codename") on `model`'s content type, or None if there is no such permission.

    Resolved once per process (ppda.caches; flushed after migrate or a test database flush, both of which
    may re-create permissions with new ids). A missing permission is not remembered: a later migration
    may create it.
    """
    try:
        return _permission_id_cached(model, perm)
    except _NoSuchPermission:
        return None


@per_process
def _permission_id_cached(model: type[Model], perm: str) -> int:
    app_label, _, codename = perm.rpartition(".")
    ctype = ContentType.objects.get_for_model(model)
    if app_label and app_label != ctype.app_label:
        raise ValueError(f"{perm} is not a permission on {ctype.app_label}.{ctype.model}")
    pk = Permission.objects.filter(content_type=ctype, codename=codename).values_list("pk", flat=True).first()
    if pk is None:
        raise _NoSuchPermission(perm)
    return pk


def objects_for_user(user, perm: str, queryset: QuerySet) -> QuerySet:
    """The objects of `queryset` the user holds `perm` on through an object grant (user or group)."""
    if not (user.is_authenticated and user.is_active):
        return queryset.none()
    sql = _granted_sql(queryset.model)
    if sql is None:
        return get_objects_for_user(
            user, perm, klass=queryset, use_groups=True, with_superuser=False, accept_global_perms=False
        )
    permission_id = _permission_id(queryset.model, perm)
    if permission_id is None:
        return queryset.none()
    params = (user.pk, permission_id, user.pk, permission_id)
    return queryset.filter(pk__in=RawSQL(sql, params))  # noqa: S611 - SQL built from model metadata only


def user_has_object_perm(user, perm: str, obj: Model) -> bool:
    """True only if an object grant exists; superuser and global permissions count for nothing."""
    return objects_for_user(user, perm, type(obj)._default_manager.filter(pk=obj.pk)).exists()


def grant(user, perm: str, obj: Model, *, by, source: str) -> bool:
    """Grant `perm` on `obj` to `user` and record it with who did it (`by`, None for the system) and the path
    (`source`), in the caller's transaction (ppda.grant_history). Returns False if the grant was already held:
    nothing is changed or recorded then."""
    with transaction.atomic(), recorded():
        model = get_user_obj_perms_model(obj)
        if _user_grant_rows(model, user, perm, obj).exists():
            return False
        assign_perm(perm, user, obj)
        _record(user, perm, obj, GrantEvent.Change.GRANTED, by=by, source=source)
    return True


def revoke(user, perm: str, obj: Model, *, by, source: str) -> bool:
    """Remove `user`'s grant of `perm` on `obj` and record it (as grant does). Returns False if there was none."""
    with transaction.atomic(), recorded():
        model = get_user_obj_perms_model(obj)
        deleted, _ = _user_grant_rows(model, user, perm, obj).delete()
        if not deleted:
            return False
        _record(user, perm, obj, GrantEvent.Change.REMOVED, by=by, source=source)
    return True


def _user_grant_rows(model, user, perm: str, obj: Model) -> QuerySet:
    """The user's grant rows of `perm` on `obj` (direct or generic table)."""
    permission_id = _permission_id(type(obj), perm)
    if permission_id is None:
        raise ValueError(f"No such permission: {perm}")
    rows = model.objects.filter(user=user, permission_id=permission_id)
    if model.objects.is_generic():
        return rows.filter(content_type=ContentType.objects.get_for_model(obj), object_pk=str(obj.pk))
    return rows.filter(content_object=obj)


def _record(user, perm: str, obj: Model, change: str, *, by, source: str) -> None:
    object_type, object_id, reference = object_identity(obj)
    if "." not in perm:
        perm = f"{obj._meta.app_label}.{perm}"
    object_grants_record(
        grants=[(user.pk, perm, object_type, object_id, reference)], change=change, by=by, source=source
    )


def require_role(user, *roles: str) -> None:
    """Raise PermissionDenied unless the user holds one of the roles."""
    if not any(has_role(user, role) for role in roles):
        raise PermissionDenied
