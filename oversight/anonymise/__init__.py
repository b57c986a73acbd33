"""Redaction for anonymised views: what the scrutiny panel may read of an SOO's or chair's free text.

The rule: **fail closed; when in doubt, redact.** Every known identifier of the case (party names and
their parts, employee numbers, phones, emails, address parts, postcodes, the codeword, the reference) is
found in every variant a reader would recognise — case, spacing, punctuation, accents, Unicode look-alikes,
invisible characters — and replaced by a role pseudonym ("Victim A") or a token ("[phone]"); generic
patterns (any email, UK phone, postcode, employee-number shape) are replaced too. The output is then
re-scanned by an independent matcher, and a section in which anything survives is withheld from the panel
(`section_redact(...).withheld`) for the coordinators to review. A word wrongly redacted costs the panel a
word; a name that leaks breaks need-to-know.
"""

from oversight.anonymise.identifiers import KnownIdentifier, case_identifiers, case_parties, role_pseudonyms
from oversight.anonymise.redact import Redaction, SectionResult, Segment, highlight, redact, section_redact
from oversight.anonymise.rescan import survivors

__all__ = [
    "KnownIdentifier",
    "Redaction",
    "SectionResult",
    "Segment",
    "case_identifiers",
    "case_parties",
    "highlight",
    "redact",
    "role_pseudonyms",
    "section_redact",
    "survivors",
]
