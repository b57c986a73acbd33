"""The PSD update slot of an agenda item: the ONE place panels reads PSD investigation updates.

TODO(lead): wire to cases.investigations when the investigations branch lands. Replace the body with the
investigations app's own selector (its name there, e.g. `cases.investigations.selectors.updates_for_case`),
imported at the top of this module, and return its updates newest first. Until then there are none, and the
PSD representative gives the update in the meeting. Callers show what this returns through the same redactor
as the chair's text (panels.redaction) on anonymised pages; the identified view shows it as written.
"""

from __future__ import annotations


def psd_updates_for(case) -> list:
    """The PSD updates on `case` (newest first), each with `.posted_at` and `.text`. [] until wired (see above)."""
    return []
