"""The redactor: find identifiers in free text the way a reader would, and replace them in the original.

Detection runs on a folded copy (normalise.fold: NFKC, accents off, casefold, look-alikes to Latin,
invisibles out, one apostrophe, one hyphen, one space) that maps each character back to the original, so
the output keeps the writer's text exactly as written everywhere except in the replaced spans.

Matchers form a registry (MATCHERS), each returning spans in folded coordinates:
- known words (names, address parts, the codeword): on word boundaries, so "Ann" is not found in
  "Annual"; any run of spaces, apostrophes, hyphens or dots — or none — may stand between the parts of the
  identifier ("O'Brien" = "O Brien" = "OBRIEN", "van der Berg" = "Vanderberg"), and a possessive or
  plural "'s"/"s'"/"s" may follow (the suffix itself is kept: "Victim A's");
- known codes (phones, employee numbers, postcodes, the reference): compared on letters and digits with
  separators (space - ( ) . / + ' ,) ignored; phones by national number, so +44 7700 900123 = 07700900123;
- known emails; then generic patterns: any email, UK phone numbers (phonenumbers), UK postcodes,
  employee/collar-number shapes and long digit runs.
Overlapping spans merge into their union, with the longest match's replacement.
"""

import functools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import phonenumbers

from oversight.anonymise.identifiers import (
    ADDRESS,
    CODE_KINDS,
    EMAIL,
    NUMBER,
    PHONE,
    UK_POSTCODE,
    WORD_KINDS,
    KnownIdentifier,
    code,
    phone_digits,
    words,
)
from oversight.anonymise.normalise import Folded, fold, fold_text
from oversight.anonymise.rescan import STREET_ABBREVIATIONS, survivors

# (start, end, kind, replacement): in folded coordinates inside matchers, original ones in results.
Span = tuple[int, int, str, str]

_SEPARATORS = r"[\s'\-.]*"
_WORD_START = r"(?<![^\W_])"
_WORD_END = r"(?=(?:'s|s'|'|s)?(?![^\W_]))"


@functools.lru_cache(maxsize=4096)
def _word_pattern(parts: tuple[str, ...], address: bool) -> re.Pattern:
    alternatives = []
    for part in parts:
        forms = (part, *STREET_ABBREVIATIONS.get(part, ())) if address else (part,)
        alternatives.append("(?:" + "|".join(re.escape(f) for f in forms) + ")")
    return re.compile(_WORD_START + _SEPARATORS.join(alternatives) + _WORD_END)


def match_known_words(folded: Folded, identifiers: Iterable[KnownIdentifier]) -> list[Span]:
    spans = []
    for ident in identifiers:
        if ident.kind not in WORD_KINDS:
            continue
        parts = tuple(words(ident.value))
        if not parts or len("".join(parts)) < 2:
            continue
        for m in _word_pattern(parts, ident.kind == "address").finditer(folded.text):
            spans.append((m.start(), m.end(), ident.kind, ident.replacement))
    return spans


_CODE_SEPARATORS = frozenset(" -()./+',")


def _skeleton(folded: Folded) -> tuple[str, list[int]]:
    """Letters and digits of the folded text with separators dropped; any other character breaks a code."""
    chars, index = [], []
    for i, c in enumerate(folded.text):
        if c in _CODE_SEPARATORS:
            continue
        chars.append(c if c.isalnum() else "\x00")
        index.append(i)
    return "".join(chars), index


def match_known_codes(folded: Folded, identifiers: Iterable[KnownIdentifier]) -> list[Span]:
    skeleton, index = None, None
    text = folded.text
    spans = []
    for ident in identifiers:
        if ident.kind not in CODE_KINDS:
            continue
        key = phone_digits(ident.value) if ident.kind == "phone" else code(ident.value)
        if len(key) < 2:
            continue
        if skeleton is None:
            skeleton, index = _skeleton(folded)
        at = skeleton.find(key)
        while at != -1:
            start, end = at, at + len(key)
            if ident.kind == "phone":
                # Take the trunk 0 and the country code with the number: "+44 (0)7700 900123" goes whole.
                if start and skeleton[start - 1] == "0":
                    start -= 1
                if skeleton[max(0, start - 2) : start] == "44":
                    start -= 2
            fstart, fend = index[start], index[end - 1] + 1
            if ident.kind == "phone" and fstart and text[fstart - 1] == "+":
                fstart -= 1
            # A code with letters must stand as its own word ("ls14ab" is not in "tools 14 abbey"); digits
            # are taken wherever they are, since a reader still sees the number inside a longer run.
            bounded = key.isdigit() or (
                (fstart == 0 or not text[fstart - 1].isalnum()) and (fend == len(text) or not text[fend].isalnum())
            )
            if bounded:
                spans.append((fstart, fend, ident.kind, ident.replacement))
            at = skeleton.find(key, at + 1)
    return spans


def match_known_emails(folded: Folded, identifiers: Iterable[KnownIdentifier]) -> list[Span]:
    spans = []
    for ident in identifiers:
        if ident.kind != "email":
            continue
        key = fold_text(ident.value).strip()
        spans += [(m.start(), m.end(), "email", ident.replacement) for m in re.finditer(re.escape(key), folded.text)]
    return spans


_EMAIL_RE = re.compile(r"[^\s@<>()\[\]{},;:\"]+@[^\s@<>()\[\]{},;:\"]+\.[^\s@<>()\[\]{},;:\".']+")


def match_emails(folded: Folded, identifiers: Iterable[KnownIdentifier]) -> list[Span]:
    return [(m.start(), m.end(), "email", EMAIL) for m in _EMAIL_RE.finditer(folded.text)]


def match_phones(folded: Folded, identifiers: Iterable[KnownIdentifier]) -> list[Span]:
    """UK numbers as phonenumbers finds them. POSSIBLE leniency, because numbers in Ofcom's drama ranges
    (07700 900xxx) are "invalid" yet read as real; short runs (dates, times) are then dropped by length."""
    spans = []
    matcher = phonenumbers.PhoneNumberMatcher(folded.text, "GB", leniency=phonenumbers.Leniency.POSSIBLE)
    for m in matcher:
        digits = sum(c.isdigit() for c in m.raw_string)
        start = m.start
        if m.raw_string.startswith("(") and ")" not in m.raw_string:
            start += 1  # "(07700 900123)": the bracket opens the aside, not the number
        if phonenumbers.is_valid_number(m.number) or digits >= 10:
            spans.append((start, m.end, "phone", PHONE))
    return spans


_POSTCODE_RE = re.compile(UK_POSTCODE)


def match_postcodes(folded: Folded, identifiers: Iterable[KnownIdentifier]) -> list[Span]:
    return [(m.start(), m.end(), "postcode", ADDRESS) for m in _POSTCODE_RE.finditer(folded.text)]


# Directory employee numbers are one to three letters then digits (E100001, PX73519, D000042); collar
# numbers follow a rank abbreviation (PC 1234, DS 56). Six or more digits in a row are some number too.
_NUMBER_RES = (
    re.compile(r"(?<![^\W_])[a-z]{1,3}-?[0-9]{4,8}(?![^\W_])"),
    re.compile(r"(?<![^\W_])(?:pc|ps|pcso|dc|ds|dcs|sgt|dsgt|insp|di|dci|ci|supt)\.? ?[0-9]{1,6}(?![0-9])"),
    re.compile(r"(?<![0-9])[0-9]{6,}(?![0-9])"),
)


def match_number_shapes(folded: Folded, identifiers: Iterable[KnownIdentifier]) -> list[Span]:
    return [(m.start(), m.end(), "number", NUMBER) for r in _NUMBER_RES for m in r.finditer(folded.text)]


@dataclass(frozen=True)
class Matcher:
    name: str
    find: Callable[[Folded, list[KnownIdentifier]], list[Span]]


# Order breaks ties between equally long overlapping matches: known identifiers before generic shapes.
MATCHERS: list[Matcher] = [
    Matcher("known_words", match_known_words),
    Matcher("known_codes", match_known_codes),
    Matcher("known_emails", match_known_emails),
    Matcher("emails", match_emails),
    Matcher("phones", match_phones),
    Matcher("postcodes", match_postcodes),
    Matcher("number_shapes", match_number_shapes),
]


@dataclass(frozen=True)
class Redaction:
    text: str
    spans: list[Span]


def _merge(found: list[tuple[int, int, str, str, int]]) -> list[Span]:
    """Overlapping spans become one span over their union, labelled by the longest (then earliest matcher)."""
    merged: list[Span] = []
    found.sort(key=lambda s: (s[0], -(s[1] - s[0]), s[4]))
    cluster_start, cluster_end, best = None, None, None
    for span in found:
        if cluster_end is not None and span[0] < cluster_end:
            cluster_end = max(cluster_end, span[1])
            if (span[1] - span[0], -span[4]) > (best[1] - best[0], -best[4]):
                best = span
            continue
        if best is not None:
            merged.append((cluster_start, cluster_end, best[2], best[3]))
        cluster_start, cluster_end, best = span[0], span[1], span
    if best is not None:
        merged.append((cluster_start, cluster_end, best[2], best[3]))
    return merged


def find_spans(text: str, identifiers: list[KnownIdentifier]) -> list[Span]:
    """Spans to redact, in the original text, sorted and non-overlapping."""
    folded = fold(text)
    found = []
    for order, matcher in enumerate(MATCHERS):
        for start, end, kind, replacement in matcher.find(folded, identifiers):
            if end > start:
                found.append((*folded.source_span(start, end), kind, replacement, order))
    return _merge(found)


def redact(text: str, identifiers: list[KnownIdentifier]) -> Redaction:
    """The text with every identifier found replaced; everything else exactly as written."""
    spans = find_spans(text, identifiers)
    out, last = [], 0
    for start, end, _kind, replacement in spans:
        out += [text[last:start], replacement]
        last = end
    out.append(text[last:])
    return Redaction("".join(out), spans)


@dataclass(frozen=True)
class SectionResult:
    """What the panel gets for one free-text section: the redacted text, or nothing if it was withheld."""

    text: str
    withheld: bool
    survivors: list[KnownIdentifier]
    spans: list[Span]


def section_redact(text: str, identifiers: list[KnownIdentifier]) -> SectionResult:
    """Redact, then re-scan the output independently: if any identifier survives, the section is withheld
    (text empty) and the survivors are returned for the coordinators. Fail closed."""
    result = redact(text, identifiers)
    left = survivors(result.text, identifiers)
    if left:
        return SectionResult("", True, left, result.spans)
    return SectionResult(result.text, False, [], result.spans)


@dataclass(frozen=True)
class Segment:
    text: str
    redacted: bool
    replacement: str = ""
    kind: str = ""


def highlight(text: str, identifiers: list[KnownIdentifier]) -> list[Segment]:
    """The original text cut into plain and to-be-redacted segments, for the writer's preview on saving."""
    segments, last = [], 0
    for start, end, kind, replacement in find_spans(text, identifiers):
        if start > last:
            segments.append(Segment(text[last:start], False))
        segments.append(Segment(text[start:end], True, replacement, kind))
        last = end
    if last < len(text):
        segments.append(Segment(text[last:], False))
    return segments


__all__ = ["MATCHERS", "Redaction", "SectionResult", "Segment", "highlight", "redact", "section_redact", "survivors"]
