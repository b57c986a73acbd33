"""What the case pages show from the apps built on cases/, provided by those apps (dependency inversion).

Also the inbox's extra filters (InboxFilter): the coordinators filter the inbox by what a higher app knows
(the update form's state), the higher app supplying the choices and the condition.

cases/ is below oversight/ and never imports it. Yet the inbox shows each case's live first-contact
deadline, the history shows each earlier case's latest SOO, and the case page shows the live allocation.
Those reads belong to oversight (oversight/allocation/case_reads.py), which registers them here in its
AppConfig.ready; without it (cases alone) the pages show no allocation.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class AllocationReads:
    # Annotations for the inbox's case queryset: `contact_due` and `contact_met` of the live allocation.
    inbox_annotations: Callable[[], dict]
    # Annotations for the history's case queryset: `soo_name` and `soo_allocation_status` of the latest one.
    history_annotations: Callable[[], dict]
    # The case's live allocation with its SOO, or None.
    live_allocation: Callable[[object], object | None]
    # {case id: [user ids of the SOO of its live allocation]} for the given case ids (notices about a case).
    soo_user_ids: Callable[[list[int]], dict[int, list[int]]] = lambda case_ids: {}
    # The page where this user answers their own pending allocation of the case, or None. For that SOO it is the
    # first-open declaration: accepting declares no conflict, declining names any (one confirmation, not two).
    pending_response_url: Callable[[object, object], str | None] = lambda case, user: None


def _no_annotations() -> dict:
    return {}


def _none(case) -> None:
    return None


_reads = AllocationReads(inbox_annotations=_no_annotations, history_annotations=_no_annotations, live_allocation=_none)


def allocation_reads_register(reads: AllocationReads) -> None:
    global _reads
    _reads = reads


def allocation_reads() -> AllocationReads:
    return _reads


@dataclass(frozen=True)
class InboxFilter:
    """An extra select on the coordinators' inbox: `condition(value)` is the Q on cases for a chosen value."""

    name: str
    label: str
    choices: list[tuple[str, str]]  # the first is the "any" choice, value ""
    condition: Callable[[str], object]


_inbox_filters: dict[str, InboxFilter] = {}


def inbox_filter_register(inbox_filter: InboxFilter) -> None:
    _inbox_filters[inbox_filter.name] = inbox_filter


def inbox_filters() -> list[InboxFilter]:
    return list(_inbox_filters.values())


# Called inside case_access_declare's transaction when a user declares a conflict on first opening a case, as
# handler(case=..., user=...). Oversight registers one: an SOO who declares a conflict on receipt gives the
# allocation back (DESIGN.md section 3).
_first_open_conflict_handlers: list[Callable] = []


def first_open_conflict_register(handler: Callable) -> None:
    if handler not in _first_open_conflict_handlers:
        _first_open_conflict_handlers.append(handler)


def first_open_conflict_handlers() -> list[Callable]:
    return list(_first_open_conflict_handlers)
