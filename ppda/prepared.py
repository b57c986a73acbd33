"""Querysets compiled once per process and run again with new parameter values.

On our hot pages, building and compiling a queryset (filter trees, annotations, select_related joins,
Django's expression hashing) cost several times more CPU than PostgreSQL took to run it: the case page's
five reads spent ~70% of their time in the ORM before a byte reached the database. A query whose *shape*
is fixed and whose only variables are a few values (a user's id, a case's id) is compiled once here, with a
stand-in (sentinel) for each value, and each later call only puts the real values into the parameter list
and runs the same SQL through Django's own iterable: model instances, select_related objects, annotations
and values() rows come out exactly as the queryset would give them, and the query counts the same.

    parties_of = PreparedQuery(lambda case_id: Party.objects.filter(case_id=case_id).order_by("id"), case_id=int)
    parties_of(case_id=case.pk)                  # -> list[Party]
    visible(coordinator, case_id=..., user_id=...)  # positional arguments: the shape (see below)

The builder must give the same SQL for every value of its keyword arguments: anything that changes the
SQL text (a role, whether the user has a staff record, a list's length) is passed positionally as the
*shape*, and each shape is compiled once. Each keyword's value must reach the parameters unchanged (an
equality filter, not `contains`, which wraps it; never written into the SQL text). Under settings
PPDA_PREPARED_VERIFY (on in tests) every call also builds and compiles the queryset for the real values and
fails if its SQL or parameters differ from the prepared ones, so a builder whose shape leaks into its values
cannot pass the test suite.

The compiled forms are per-process caches (ppda.caches): flushed with the others after migrate and before
every test (a compiled query may hold ids that a test database flush re-creates).
"""

from __future__ import annotations

import copy
import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

from .caches import per_process

# No real id is negative, and these UUIDs and strings are nobody's: stand-ins while a query is compiled.
_INT_BASE = -7_341_928_560_000
_UUID_BASE = 0x5E471E7_0000_4000_8000_000000000000


def _sentinel(kind: type, i: int):
    if kind is int:
        return _INT_BASE - i
    if kind is uuid.UUID:
        return uuid.UUID(int=_UUID_BASE + i)
    if kind is str:
        return f"ppda-prepared-sentinel-{i}"
    if kind is list:  # a list of ids, sent as one array parameter (`= ANY(%s)`, not `IN (%s, %s...)`)
        return [_INT_BASE - i]
    if kind is dt.datetime:  # aware (USE_TZ): PostgreSQL's adapter passes it to the parameters unchanged
        return dt.datetime(1901, 2, 3, 4, 5, 6, 700_000 + i, tzinfo=dt.UTC)
    raise TypeError(f"PreparedQuery parameters are int, uuid.UUID, str, datetime or list (of ids), not {kind!r}")


def _coerce(kind: type, value):
    """The value as the field would send it (an int id, a UUID): a malformed one raises ValueError or TypeError,
    as the queryset's own lookup would."""
    if kind is uuid.UUID:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    if kind is int:
        if isinstance(value, bool):
            raise TypeError("an id, not a bool")
        return int(value)
    if kind is list:
        return [int(v) for v in value]
    if kind is dt.datetime:
        if not isinstance(value, dt.datetime) or value.tzinfo is None:
            raise TypeError("an aware datetime")
        return value
    return str(value)


def any_of(ids):
    """For `pk__in=any_of(ids)`: a list of ids as one array parameter, so the SQL is the same for any number of
    them (Django's `__in=[...]` writes one placeholder per id) and the query can be prepared."""
    return RawSQL("SELECT unnest(%s::bigint[])", (ids,))  # noqa: S611 - constant SQL


@dataclass(frozen=True)
class _Compiled:
    queryset: QuerySet | None  # None: the query can match nothing (EmptyResultSet), whatever the values
    compiler: object
    sql: str
    params: tuple
    slots: dict  # parameter name -> positions in params


class _BoundQuery:
    """The queryset's query, whose compiler is the prepared one with this call's parameters."""

    def __init__(self, query, compiler):
        self._query = query
        self._compiler = compiler

    def get_compiler(self, using=None, connection=None, elide_empty=True):
        return self._compiler

    def __getattr__(self, name):
        return getattr(self._query, name)


class _BoundQuerySet:
    """What Django's iterables read of a queryset (db, model, query, fetch mode...), with the bound query."""

    def __init__(self, queryset, compiler):
        self._queryset = queryset
        self.query = _BoundQuery(queryset.query, compiler)

    def __getattr__(self, name):
        return getattr(self._queryset, name)


class PreparedQuery:
    def __init__(self, build: Callable[..., QuerySet], **params: type):
        self.build = build
        self.params = params

    def __call__(self, *shape, **values) -> list:
        """The rows of build(*shape, **values), from the SQL compiled once for this shape."""
        if set(values) != set(self.params):
            raise TypeError(f"expected values for {sorted(self.params)}, got {sorted(values)}")
        values = {name: _coerce(self.params[name], v) for name, v in values.items()}
        compiled = _compile(self, shape)
        if compiled.queryset is None:
            return []
        params = list(compiled.params)
        for name, positions in compiled.slots.items():
            for at in positions:
                params[at] = values[name]
        if getattr(settings, "PPDA_PREPARED_VERIFY", False):
            self._verify(shape, values, compiled, params)
        compiler = copy.copy(compiled.compiler)
        compiler.connection = connections[compiled.queryset.db]
        sql = compiled.sql
        compiler.as_sql = lambda *a, **kw: (sql, params)
        return list(compiled.queryset._iterable_class(_BoundQuerySet(compiled.queryset, compiler)))

    def _verify(self, shape, values, compiled, params) -> None:
        queryset = self.build(*shape, **values)
        sql, fresh = queryset.query.get_compiler(using=queryset.db).as_sql()
        if sql != compiled.sql or list(fresh) != params:
            raise AssertionError(
                f"{self.build!r}: the prepared query for shape {shape!r} differs from the queryset's own "
                "(its SQL depends on a value: pass what changes it as part of the shape)"
            )


# Bounded: a shape may carry a page's offset (the inbox), and the number of pages has no fixed limit.
@per_process(maxsize=512)
def _compile(prepared: PreparedQuery, shape: tuple) -> _Compiled:
    sentinels = {name: _sentinel(kind, i) for i, (name, kind) in enumerate(prepared.params.items())}
    queryset = prepared.build(*shape, **sentinels)
    compiler = queryset.query.get_compiler(using=queryset.db)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:
        return _Compiled(None, None, "", (), {})
    params = tuple(params)
    slots = {}
    for name, sentinel in sentinels.items():
        if str(sentinel) in sql:
            raise RuntimeError(f"{prepared.build!r}: parameter {name!r} is written into the SQL text.")
        # A value some shapes do not use finds no position; one the query changes (`contains` wraps it in %)
        # finds none either, and is caught by PPDA_PREPARED_VERIFY in the tests.
        slots[name] = [i for i, p in enumerate(params) if type(p) is type(sentinel) and p == sentinel]
    return _Compiled(queryset, compiler, sql, params, slots)
