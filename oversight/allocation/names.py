"""Name normalising for name + date-of-birth matching (the same rule the cases app uses for parties)."""

import unicodedata


def normalise_name(*parts: str) -> str:
    """Casefolded, accents and punctuation removed, single spaces: 'Ó'Brien-Smith ' -> 'o brien smith'."""
    text = " ".join(p for p in parts if p)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    text = "".join(ch if ch.isalnum() else " " for ch in text)
    return " ".join(text.split())[:170]
