"""The fail-closed re-scan: does any known identifier survive in a text, in any variant a reader would know?

Deliberately a different code path from the redactor (redact.py), so a bug in one is caught by the other.
The redactor folds character by character and runs regular expressions with an offset map; this folds the
whole string at once, splits it into alphanumeric tokens and compares token sequences:

- words, emails and codes with letters survive when some run of consecutive tokens, joined, spells the
  identifier's joined tokens (optionally with a trailing "s": possessive or plural). Joining makes
  "O Brien", "O'Brien" and "OBRIEN" the same, and is more liberal than the redactor (any token boundary
  may be a gap), so a disagreement withholds rather than leaks;
- digit-only identifiers (phones, number digits) survive when their digits appear in a run of the
  digits-only text; runs break at letters (a reader does not read digits across a word as one number).

Two generic checks catch what the redactor's generic patterns should have removed: anything shaped like an
email address, and ten or more digits in a row (spaces and phone punctuation ignored).
"""

import itertools
import re
import unicodedata

from oversight.anonymise.identifiers import CODE_KINDS, KnownIdentifier, phone_digits
from oversight.anonymise.normalise import INVISIBLE, LATIN_EXTRA, homoglyphs

STREET_ABBREVIATIONS = {
    "road": ("rd",),
    "street": ("st",),
    "avenue": ("ave", "av"),
    "lane": ("ln",),
    "drive": ("dr",),
    "close": ("cl",),
    "crescent": ("cres",),
    "court": ("ct",),
    "place": ("pl",),
    "gardens": ("gdns",),
    "terrace": ("terr", "tce"),
    "square": ("sq",),
    "grove": ("gr",),
}


class _Translation(dict):
    """str.translate table: look-alikes and stroked letters to Latin, any script's decimal digit to 0-9."""

    def __missing__(self, key: int) -> str:
        digit = unicodedata.decimal(chr(key), None)
        if digit is None:
            raise LookupError(key)
        self[key] = str(digit)
        return self[key]


_TABLE = _Translation()


def _table() -> _Translation:
    if not _TABLE:
        _TABLE.update({ord(k): v for k, v in homoglyphs().items()})
        _TABLE.update({ord(k): v for k, v in LATIN_EXTRA.items()})
    return _TABLE


def flatten(text: str) -> str:
    """The whole text folded in one pass: NFKC, invisibles out, accents off, casefolded, look-alikes mapped."""
    text = unicodedata.normalize("NFKC", text)
    text = "".join(c for c in text if c not in INVISIBLE and unicodedata.category(c) != "Cf")
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    # Before and after casefolding: Cyrillic В imitates B, its lower case в imitates nothing.
    return text.translate(_table()).casefold().translate(_table())


def tokens(text: str) -> list[str]:
    return re.findall(r"[^\W_]+", flatten(text))


def _spellings(ident: KnownIdentifier) -> set[str]:
    """The identifier's joined tokens, with street types also abbreviated for an address."""
    parts = tokens(ident.value)
    if ident.kind != "address":
        return {"".join(parts)}
    options = [(p, *STREET_ABBREVIATIONS.get(p, ())) for p in parts]
    return {"".join(combo) for combo in itertools.product(*options)}


def _spelled_by_run(text_tokens: list[str], spelling: str) -> bool:
    longest = spelling + "s"
    for i, first in enumerate(text_tokens):
        if not longest.startswith(first):
            continue
        joined = ""
        for token in text_tokens[i:]:
            joined += token
            if joined in (spelling, longest):
                return True
            if not longest.startswith(joined):
                break
    return False


def _digit_runs(text: str) -> list[str]:
    return ["".join(c for c in run if c.isdigit()) for run in re.split(r"[^\W\d_]+", flatten(text))]


def _digits_only(ident: KnownIdentifier) -> str | None:
    """The digits to search for, when the identifier is all digits (a phone, or a number's digits)."""
    if ident.kind == "phone":
        return phone_digits(ident.value)
    joined = "".join(tokens(ident.value))
    if ident.kind in CODE_KINDS and joined.isdigit():
        return joined
    return None


_EMAIL_SHAPE = re.compile(r"[^\s@]@[^\s@]+\.[^\s@]")
_LONG_DIGITS = re.compile(r"\d(?:[\s\-().+/]*\d){9,}")


def generic_survivors(text: str) -> list[KnownIdentifier]:
    flat = flatten(text)
    found = [KnownIdentifier("email", m.group(0), "[email]") for m in _EMAIL_SHAPE.finditer(flat)]
    found += [KnownIdentifier("phone", m.group(0), "[phone]") for m in _LONG_DIGITS.finditer(flat)]
    return found


def survivors(text: str, identifiers: list[KnownIdentifier]) -> list[KnownIdentifier]:
    """Every known identifier still readable in `text` (in any variant), plus anything email- or phone-shaped."""
    text_tokens = tokens(text)
    runs = None
    found = []
    for ident in identifiers:
        digits = _digits_only(ident)
        if digits is not None:
            if runs is None:
                runs = _digit_runs(text)
            if digits and any(digits in run for run in runs):
                found.append(ident)
        elif any(_spelled_by_run(text_tokens, s) for s in _spellings(ident) if len(s) >= 2):
            found.append(ident)
    return found + generic_survivors(text)
