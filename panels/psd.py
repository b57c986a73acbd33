"""The PSD update slot of an agenda item: the ONE place panels reads PSD investigation updates.

From the investigations app (cases.investigations.selectors.psd_updates_for_case), newest first, as plain
text a panel page can show: what kind of update, the status step or outcome, a decision (or a decision not
to do something) with its rationale, and the PSD representative's text. Officers are not named here. The
anonymised papers pass `.text` through the same redactor as the chair's text (panels.redaction); the PSD
representative's identified view shows it as written.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from cases.investigations.selectors import psd_updates_for_case

# The latest updates an agenda item shows.
SHOWN = 10


@dataclass(frozen=True)
class PanelPsdUpdate:
    posted_at: dt.datetime
    text: str


def psd_updates_for(case) -> list[PanelPsdUpdate]:
    """The PSD updates on `case`, newest first (one query)."""
    updates = []
    for u in psd_updates_for_case(case, limit=SHOWN):
        parts = [u.get_kind_display()]
        if u.to_status:
            parts.append(f"{u.from_status_label or 'start'} to {u.to_status_label}")
        if u.outcome:
            parts.append(f"Outcome: {u.outcome_label}")
        if u.decision:
            parts.append(("Decided not to: " if u.decided_not_to else "Decision: ") + u.decision)
        if u.rationale:
            parts.append(f"Rationale: {u.rationale}")
        if u.text:
            parts.append(u.text)
        updates.append(PanelPsdUpdate(posted_at=u.posted_at, text=". ".join(parts)))
    return updates
