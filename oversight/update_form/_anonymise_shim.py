"""TEMPORARY stand-in for oversight/anonymise (branch `redact`), same API, naive matching. Removed on merge."""

import re
from dataclasses import dataclass, field


@dataclass(frozen=True)
class KnownIdentifier:
    value: str
    kind: str
    replacement: str


@dataclass
class Redaction:
    text: str
    spans: list = field(default_factory=list)


@dataclass
class SectionResult:
    text: str
    withheld: bool
    survivors: list
    spans: list


@dataclass
class Segment:
    text: str
    redacted: bool
    replacement: str = ""
    kind: str = ""


def role_pseudonyms(case) -> dict:
    out, counts = {}, {}
    for p in sorted(case.parties.all(), key=lambda p: p.pk):
        n = counts.get(p.role, 0)
        counts[p.role] = n + 1
        out[p.pk] = f"{'Victim' if p.role == 'victim' else 'Suspect'} {chr(65 + n)}"
    return out


def case_identifiers(case) -> list:
    names = role_pseudonyms(case)
    ids = []
    for p in case.parties.select_related("staff"):
        first, last = (p.staff.first_name, p.staff.last_name) if p.staff else (p.first_name, p.last_name)
        for v in (first, last):
            if v:
                ids.append(KnownIdentifier(v, "name", names[p.pk]))
        for v in (p.phone, p.staff.employee_number if p.staff else ""):
            if v:
                ids.append(KnownIdentifier(v, "number", "[number]"))
        for v in (p.email, p.staff.work_email if p.staff else ""):
            if v:
                ids.append(KnownIdentifier(v, "email", "[email]"))
    return ids


def _pattern(identifiers):
    alts = sorted({i.value for i in identifiers}, key=len, reverse=True)
    return re.compile("|".join(re.escape(a) for a in alts), re.IGNORECASE) if alts else None


def _lookup(identifiers):
    return {i.value.casefold(): i for i in identifiers}


def highlight(text, identifiers) -> list:
    pat, look, out, pos = _pattern(identifiers), _lookup(identifiers), [], 0
    if pat is None or not text:
        return [Segment(text or "", False)] if text else []
    for m in pat.finditer(text):
        if m.start() > pos:
            out.append(Segment(text[pos : m.start()], False))
        ident = look[m.group().casefold()]
        out.append(Segment(m.group(), True, ident.replacement, ident.kind))
        pos = m.end()
    if pos < len(text):
        out.append(Segment(text[pos:], False))
    return out


def redact(text, identifiers) -> Redaction:
    segs = highlight(text, identifiers)
    spans = [s for s in segs if s.redacted]
    return Redaction("".join(s.replacement if s.redacted else s.text for s in segs), spans)


def survivors(text, identifiers) -> list:
    pat = _pattern(identifiers)
    return [m.group() for m in pat.finditer(text)] if pat and text else []


def section_redact(text, identifiers) -> SectionResult:
    r = redact(text, identifiers)
    left = survivors(r.text, identifiers)
    if left:
        return SectionResult("", True, left, r.spans)
    return SectionResult(r.text, False, [], r.spans)
