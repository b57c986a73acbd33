"""What the case pages show from the apps built on cases/, provided by those apps (dependency inversion).

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
