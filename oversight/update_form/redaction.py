"""The redaction engine this app uses (oversight/anonymise). TEMPORARY indirection until `redact` is merged."""

try:
    from oversight.anonymise import case_identifiers, highlight, role_pseudonyms, section_redact
except ImportError:  # pragma: no cover - until the redact branch lands
    from ._anonymise_shim import case_identifiers, highlight, role_pseudonyms, section_redact

__all__ = ["case_identifiers", "highlight", "role_pseudonyms", "section_redact"]
