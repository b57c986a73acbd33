"""The chair's free text as attendees see it: through the same redactor as the update form, failing closed.

The identifiers are those of every case on the item (a counter-allegation pair has two). A field in which a
known identifier survives redaction is withheld (WITHHELD) and never shown redacted.
"""

from __future__ import annotations

from dataclasses import dataclass

from oversight.anonymise import case_identifiers, section_redact

WITHHELD = "Withheld: needs review"


@dataclass(frozen=True)
class Redacted:
    text: str
    withheld: bool
    changed: bool  # redaction replaced something: the writer is warned


def item_identifiers(item) -> list:
    found = []
    for entry in item.entries.all():
        found += case_identifiers(entry.case)
    return found


def redacted(text: str, identifiers) -> Redacted:
    if not text:
        return Redacted("", False, False)
    result = section_redact(text, identifiers)
    if result.withheld:
        return Redacted(WITHHELD, True, True)
    return Redacted(result.text, False, result.text != text)
