"""A case's known identifiers: every value of its parties a reader could recognise, and what replaces it."""

import re
import string
from collections.abc import Iterable
from dataclasses import dataclass

import phonenumbers

from oversight.anonymise.normalise import fold_text
from ppda.prepared import PreparedQuery

KINDS = ("name", "number", "phone", "email", "address", "postcode", "reference")
# Matched as words (word boundaries, optional separators between parts) or as codes (digits and letters,
# separators ignored).
WORD_KINDS = frozenset({"name", "address"})
CODE_KINDS = frozenset({"number", "phone", "postcode", "reference"})

NUMBER = "[number]"
PHONE = "[phone]"
EMAIL = "[email]"
ADDRESS = "[address]"
DATE_OF_BIRTH = "[date of birth]"
# A shared surname (victim and suspect in one family) cannot take one party's pseudonym.
SHARED_NAME = "[name]"
# The safe-contact codeword: neither a name nor a number, and the panel needs no hint of what it was.
CODEWORD = "[redacted]"

# Name particles: part of the surname as written, but alone they identify nobody ("van", "de", Irish Ó, Welsh ap).
PARTICLES = frozenset(
    [
        "van",
        "von",
        "der",
        "den",
        "de",
        "del",
        "della",
        "di",
        "da",
        "das",
        "dos",
        "do",
        "du",
        "la",
        "le",
        "les",
        "lo",
        "st",
        "ter",
        "ten",
        "af",
        "zu",
        "y",
        "e",
        "al",
        "el",
        "bin",
        "ben",
        "ibn",
        "bint",
        "abu",
        "o",
        "ó",
        "mac",
        "mc",
        "mag",
        "ni",
        "nic",
        "ui",
        "ua",
        "ap",
        "ab",
        "verch",
        "ferch",
    ]
)
# Address parts that identify nobody on their own.
GENERIC_ADDRESS = frozenset(
    {
        "uk",
        "gb",
        "united kingdom",
        "great britain",
        "england",
        "wales",
        "scotland",
        "northern ireland",
        "flat",
        "apartment",
        "house",
        "road",
        "street",
        "lane",
        "avenue",
        "close",
        "drive",
        "court",
        "the",
    }
)
UK_POSTCODE = r"(?<![^\W_])([a-z]{1,2}[0-9][a-z0-9]?) ?([0-9][a-z]{2})(?![^\W_])"
_POSTCODE_RE = re.compile(UK_POSTCODE)
_HOUSE_NUMBER_RE = re.compile(r"^(?:(?:flat|apartment|apt|unit|no)\.? ?)?[0-9]+[a-z]?(?:[,.]? |$)")


@dataclass(frozen=True)
class KnownIdentifier:
    """One identifying value (`value`, as stored) and what the panel sees instead (`replacement`)."""

    kind: str
    value: str
    replacement: str

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"unknown identifier kind {self.kind!r}")


def words(value: str) -> list[str]:
    """The folded alphanumeric words of a value: "O’Brien-Smith" -> ["o", "brien", "smith"]."""
    return re.findall(r"[^\W_]+", fold_text(value))


def code(value: str) -> str:
    """A code's folded letters and digits with every separator dropped: "DA/2026/000123" -> "da2026000123"."""
    return "".join(words(value))


def phone_digits(value: str) -> str:
    """The national number's digits, so "+44 7700 900123", "07700900123" and "07700 900 123" agree."""
    digits = "".join(c for c in fold_text(value) if c.isdigit())
    try:
        parsed = phonenumbers.parse(value, "GB")
    except phonenumbers.NumberParseException:
        parsed = None
    if parsed is not None and parsed.national_number:
        return str(parsed.national_number)
    if digits.startswith("44") and len(digits) > 11:
        digits = digits[2:]
    return digits.lstrip("0") or digits


def pseudonym_letters(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA: spreadsheet-style, so a 27th victim still gets a distinct label."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = string.ascii_uppercase[rem] + letters
    return letters


def _pseudonyms(parties: Iterable) -> dict[int, str]:
    by_role: dict[str, list] = {}
    for party in sorted(parties, key=lambda p: p.pk):
        by_role.setdefault(party.role, []).append(party)
    labels = {}
    for role, members in by_role.items():
        title = "Victim" if role == "victim" else "Suspect"
        for i, party in enumerate(members):
            labels[party.pk] = f"{title} {pseudonym_letters(i)}"
    return labels


def _build_parties(*, case_id):
    from cases.models import Party

    # One query: the staff record and the safe contact ride along (both are to-one).
    return Party.objects.filter(case_id=case_id).select_related("staff", "safe_contact").order_by("pk")


# Compiled once per process (issue 18): the update form and the panel rendering read it on every page.
_parties_prepared = PreparedQuery(_build_parties, case_id=int)


def case_parties(case) -> list:
    """The case's parties, each with its staff record and safe contact: what case_identifiers and role_pseudonyms
    read. One query; a page needing both reads it once and passes it as `parties`."""
    return _parties_prepared(case_id=case.pk)


def _parties(case, parties=None):
    return case_parties(case) if parties is None else parties


def role_pseudonyms(case, *, parties=None) -> dict[int, str]:
    """Party pk -> "Victim A", "Victim B", "Suspect A"...: within each role, parties are lettered in pk order
    (the order they were recorded), so labels are stable across calls and never depend on names."""
    return _pseudonyms(_parties(case, parties))


def _safe_contact(party):
    from cases.models import SafeContact

    try:
        return party.safe_contact
    except SafeContact.DoesNotExist:
        return None


def _name_identifiers(first: str, last: str, label: str) -> list[KnownIdentifier]:
    """First name, surname and full name, and each meaningful part of a multi-part name (a reader knows
    "Smith" from "Smith-Jones", "Berg" from "van der Berg")."""
    out = []
    for value in (first, last, f"{first} {last}"):
        if len(code(value)) >= 2:
            out.append(KnownIdentifier("name", value.strip(), label))
    for value in (first, last):
        parts = words(value)
        if len(parts) > 1:
            for part in parts:
                if len(part) >= 2 and part not in PARTICLES:
                    out.append(KnownIdentifier("name", part, label))
    return out


def _address_identifiers(address: str) -> list[KnownIdentifier]:
    """Each line or comma part of an address (and the part without its house number), and the postcode.
    Bare numbers, very short parts and generic words ("Flat", "UK") are left out: they identify nobody."""
    out = []
    for match in _POSTCODE_RE.finditer(fold_text(address)):
        out.append(KnownIdentifier("postcode", match.group(0), ADDRESS))
    # Split before folding: folding turns line breaks into spaces.
    for raw in re.split(r"[\n,;]+", address):
        part = " ".join(_POSTCODE_RE.sub(" ", fold_text(raw)).split()).strip(" .-'")
        street = _HOUSE_NUMBER_RE.sub("", part)
        if sum(c.isalpha() for c in street) < 3 or len(code(street)) < 4 or street in GENERIC_ADDRESS:
            continue  # "Flat 3", "12", "UK": nothing a reader could place
        out.append(KnownIdentifier("address", street, ADDRESS))
        if part != street:
            out.append(KnownIdentifier("address", part, ADDRESS))
    return out


def _number_identifiers(value: str) -> list[KnownIdentifier]:
    """An employee or collar number, and its digits alone when they are long enough to be recognised."""
    value = (value or "").strip()
    if not value:
        return []
    out = [KnownIdentifier("number", value, NUMBER)]
    digits = "".join(c for c in code(value) if c.isdigit())
    if len(digits) >= 4 and digits != code(value):
        out.append(KnownIdentifier("number", digits, NUMBER))
    return out


_MONTHS = [
    ("january", "jan"),
    ("february", "feb"),
    ("march", "mar"),
    ("april", "apr"),
    ("may",),
    ("june", "jun"),
    ("july", "jul"),
    ("august", "aug"),
    ("september", "sep", "sept"),
    ("october", "oct"),
    ("november", "nov"),
    ("december", "dec"),
]


def _ordinal(day: int) -> str:
    return "th" if 11 <= day % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")


def _date_identifiers(date) -> list[KnownIdentifier]:
    """A date of birth as people write it: 17/05/1990, 17.5.90, 1990-05-17, 17th May 1990, May 17 1990.
    Kind "number": matched as a code (separators ignored); the month-name forms must stand as words."""
    if date is None:
        return []
    d, m, y = date.day, date.month, date.year
    forms = {f"{d:02d}{m:02d}{y}", f"{d}{m}{y}", f"{d:02d}{m:02d}{y % 100:02d}", f"{d}{m}{y % 100:02d}"}
    forms.add(f"{y}{m:02d}{d:02d}")
    for month in _MONTHS[m - 1]:
        for day in (str(d), f"{d}{_ordinal(d)}"):
            forms |= {f"{day} {month} {y}", f"{month} {day} {y}", f"{day} {month} {y % 100:02d}"}
    return [KnownIdentifier("number", form, DATE_OF_BIRTH) for form in sorted(forms)]


def _dedupe(identifiers: list[KnownIdentifier]) -> list[KnownIdentifier]:
    """One identifier per folded value; a value two parties share (a family surname) becomes "[name]"."""
    seen: dict[tuple[str, str], KnownIdentifier] = {}
    for ident in identifiers:
        key = (ident.kind, phone_digits(ident.value) if ident.kind == "phone" else " ".join(words(ident.value)))
        if not key[1]:
            continue
        previous = seen.get(key)
        if previous is None:
            seen[key] = ident
        elif previous.replacement != ident.replacement:
            seen[key] = KnownIdentifier(ident.kind, previous.value, SHARED_NAME)
    return list(seen.values())


def case_identifiers(case, *, parties=None) -> list[KnownIdentifier]:
    """Every known identifier of the case, in one query: for each party (and the staff record of a police
    party) names -> role pseudonym, employee/collar numbers -> [number], phones -> [phone], emails ->
    [email], address parts and postcodes -> [address], dates of birth -> [date of birth], the safe-contact
    codeword -> [redacted]; the case reference -> the case pseudonym. `parties`: case_parties(case), when the
    caller has read it already (it must be that list, unfiltered: a party left out is a name left in)."""
    parties = _parties(case, parties)
    labels = _pseudonyms(parties)
    found: list[KnownIdentifier] = []
    if case.reference:
        found.append(KnownIdentifier("reference", case.reference, case.pseudonym))
    for party in parties:
        label = labels[party.pk]
        found += _name_identifiers(party.first_name, party.last_name, label)
        found += _address_identifiers(party.address)
        found += _date_identifiers(party.date_of_birth)
        phones = [party.phone]
        emails = [party.email]
        staff = party.staff
        if staff is not None:
            found += _name_identifiers(staff.first_name, staff.last_name, label)
            found += _number_identifiers(staff.employee_number)
            # Not in the directory yet; picked up as soon as the fields exist.
            found += _number_identifiers(getattr(staff, "collar_number", ""))
            phones.append(getattr(staff, "phone", ""))
            emails.append(staff.work_email)
        contact = _safe_contact(party)
        if contact is not None:
            phones.append(contact.safe_phone)
            emails.append(contact.safe_email)
            if len(code(contact.codeword)) >= 2:
                found.append(KnownIdentifier("name", contact.codeword.strip(), CODEWORD))
        found += [KnownIdentifier("phone", p.strip(), PHONE) for p in phones if p and len(phone_digits(p)) >= 6]
        found += [KnownIdentifier("email", e.strip(), EMAIL) for e in emails if e and e.strip()]
    return _dedupe(found)


def case_identifiers_ever(case) -> list[KnownIdentifier]:
    """case_identifiers, and every identifying value the case's parties and safe contacts ever held (their
    simple-history versions: a name corrected at triage is still a name a reader recognises). For deleting the
    identities at a retention review, where free text written before a correction must be redacted too."""
    from cases.models import Party, SafeContact

    labels = role_pseudonyms(case)
    found = case_identifiers(case)
    parties = Party.history.filter(case_id=case.pk).select_related("staff")
    for row in parties.order_by("history_id"):
        label = labels.get(row.id, "[name]")
        found += _name_identifiers(row.first_name, row.last_name, label)
        found += _address_identifiers(row.address)
        found += _date_identifiers(row.date_of_birth)
        phones, emails = [row.phone], [row.email]
        if row.staff is not None:
            found += _name_identifiers(row.staff.first_name, row.staff.last_name, label)
            found += _number_identifiers(row.staff.employee_number)
            emails.append(row.staff.work_email)
        found += [KnownIdentifier("phone", p.strip(), PHONE) for p in phones if p and len(phone_digits(p)) >= 6]
        found += [KnownIdentifier("email", e.strip(), EMAIL) for e in emails if e and e.strip()]
    party_ids = list(Party.history.filter(case_id=case.pk).values_list("id", flat=True).distinct())
    for row in SafeContact.history.filter(party_id__in=party_ids).order_by("history_id"):
        if row.safe_phone and len(phone_digits(row.safe_phone)) >= 6:
            found.append(KnownIdentifier("phone", row.safe_phone.strip(), PHONE))
        if row.safe_email.strip():
            found.append(KnownIdentifier("email", row.safe_email.strip(), EMAIL))
        if len(code(row.codeword)) >= 2:
            found.append(KnownIdentifier("name", row.codeword.strip(), CODEWORD))
    return _dedupe(found)
