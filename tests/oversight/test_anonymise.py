"""The redaction engine: known identifiers of a case, the redactor, and the fail-closed re-scan.

All names, numbers and addresses are invented; phones are in Ofcom's drama ranges.
"""

import datetime as dt
import importlib

import pytest

from oversight.anonymise import (
    KnownIdentifier,
    case_identifiers,
    highlight,
    redact,
    role_pseudonyms,
    section_redact,
    survivors,
)
from tests.factories.cases import CaseFactory, CivilianVictimFactory, PoliceSuspectFactory, SafeContactFactory
from tests.factories.directory import StaffMemberFactory

K = KnownIdentifier
# The package exports the function redact, which hides the module of the same name.
redact_module = importlib.import_module("oversight.anonymise.redact")


def names(first, last, label):
    """The identifiers case_identifiers makes for one person, for tests that need no database."""
    from oversight.anonymise.identifiers import _name_identifiers

    return _name_identifiers(first, last, label)


VICTIM = names("Siobhán", "O'Brien", "Victim A")
SUSPECT = names("Tobiah", "Smith-Jones", "Suspect A")
OTHER = [
    *names("Ann", "van der Berg", "Victim B"),
    *names("Hope", "Rose", "Victim C"),
    *names("Thi", "Nguyễn", "Victim D"),
    K("phone", "+44 7700 900123", "[phone]"),
    K("number", "PX73519", "[number]"),
    K("number", "73519", "[number]"),
    K("postcode", "LS1 4AB", "[address]"),
    K("address", "12 Acacia Avenue", "[address]"),
    K("address", "Acacia Avenue", "[address]"),
    K("reference", "DA/2026/000123", "K7QX-M2PA"),
    K("email", "s.obrien@example.test", "[email]"),
    K("name", "Bluebell", "[redacted]"),
]
IDS = VICTIM + SUSPECT + OTHER


def r(text):
    return redact(text, IDS).text


# --- names: every variant a reader would recognise --------------------------------------------------------


@pytest.mark.parametrize(
    "variant",
    [
        "O'Brien",
        "O’Brien",
        "OʼBrien",
        "O`Brien",
        "OBRIEN",
        "obrien",
        "O Brien",
        "O  -  Brien",
        "O\u200bBrien",
        "O\u00adBri\u200den",
        "\ufeffO'Brien",
        "ＯʼＢｒｉｅｎ",  # fullwidth
        "О'Вrіеn",  # Cyrillic О, В, і, е
        "O'BRİEN",
    ],
)
def test_surname_variants_are_one_identifier(variant):
    assert r(f"Spoke to {variant} today.") == "Spoke to Victim A today."


def test_possessive_keeps_its_s():
    assert r("o'brien's car and O’Brien’s phone") == "Victim A's car and Victim A’s phone"


def test_full_name_becomes_one_pseudonym():
    assert r("SIOBHAN O'BRIEN attended") == "Victim A attended"
    assert r("Siobhán  O Brien attended") == "Victim A attended"


@pytest.mark.parametrize(
    "variant", ["Smith-Jones", "Smith Jones", "Smith – Jones", "Smith—Jones", "SmithJones", "smith‑jones"]
)
def test_hyphenated_surname_variants(variant):
    assert r(f"{variant} was arrested") == "Suspect A was arrested"


def test_each_part_of_a_double_barrelled_surname_is_redacted():
    assert r("Mr Smith and Mr Jones") == "Mr Suspect A and Mr Suspect A"


def test_particles():
    assert r("Ann van der Berg, Van Der Berg, vanderberg, Berg") == "Victim B, Victim B, Victim B, Victim B"
    # The particle alone identifies nobody.
    assert r("a van was parked") == "a van was parked"


def test_diacritics_are_folded_both_ways():
    assert r("Nguyen and Nguyễn and NGUYÊN") == "Victim D and Victim D and Victim D"
    assert r("Siobhan") == "Victim A"


def test_name_inside_a_longer_word_stays():
    text = "Annual planning: the banner in Annex B, and Anne's review"
    assert r(text) == text


def test_common_word_surnames_are_redacted_anyway():
    # When in doubt, redact: "Hope" and "Rose" are names of this case.
    assert r("We hope the rose garden helps") == "We Victim C the Victim C garden helps"


def test_words_that_are_not_identifiers_are_left_exactly_as_written():
    text = "Ｍeeting  held\tat the   station; 3 officers — all AGREED."
    assert r(text) == text


def test_combining_accent_after_a_name_goes_with_it():
    assert r("Siobha\u0301n said") == "Victim A said"
    assert r("Nguye\u0302\u0303n.") == "Victim D."


# --- codes and generic patterns ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "variant",
    ["+44 7700 900123", "07700900123", "07700 900 123", "(07700) 900-123", "+44 (0)7700 900123", "+447700900123"],
)
def test_phone_variants(variant):
    assert r(f"ring {variant} after six") == "ring [phone] after six"


def test_unknown_uk_phones_found_by_phonenumbers():
    assert r("landline (020) 7946 0018, mobile 07700 900 999") == "landline [phone], mobile [phone]"
    assert r("01632 960001") == "[phone]"


def test_emails_known_and_unknown():
    assert r("S.OBrien@Example.test and sam@mail.example.org.") == "[email] and [email]."


@pytest.mark.parametrize("variant", ["LS1 4AB", "ls14ab", "Ls1  4ab"])
def test_known_postcode_variants(variant):
    assert r(f"lives near {variant}.") == "lives near [address]."


def test_unknown_postcodes():
    assert r("moved to sw1a 1aa then M1 1AE") == "moved to [address] then [address]"


def test_address_lines():
    assert r("at 12 Acacia Avenue") == "at [address]"
    assert r("on acacia ave") == "on [address]"


def test_employee_numbers_known_and_shaped():
    assert r("PX73519, px 73519, 73519 and E100001") == "[number], [number], [number] and [number]"
    assert r("PC 1234 and DS 56 attended") == "[number] and [number] attended"
    assert r("crime number 123456789") == "crime number [number]"


def test_dates_and_times_are_not_numbers():
    text = "On 12/05/2026 at 1400, in 2026, 3 visits"
    assert r(text) == text


def test_reference_and_codeword():
    assert r("Case da/2026/000123: codeword BLUEBELL") == "Case K7QX-M2PA: codeword [redacted]"


def test_spans_are_in_the_original_text_and_merged():
    text = "Tel +44 7700 900123 for O’Brien"
    result = redact(text, IDS)
    assert [(text[s:e], kind, rep) for s, e, kind, rep in result.spans] == [
        ("+44 7700 900123", "phone", "[phone]"),
        ("O’Brien", "name", "Victim A"),
    ]


def test_overlaps_merge_longest_wins():
    # The full name, the first name and the surname overlap: one span, the full name's label.
    result = redact("Siobhán O'Brien", IDS)
    assert result.spans == [(0, 15, "name", "Victim A")]


def test_highlight_segments():
    segments = highlight("Met O'Brien at home", IDS)
    assert [(s.text, s.redacted, s.replacement) for s in segments] == [
        ("Met ", False, ""),
        ("O'Brien", True, "Victim A"),
        (" at home", False, ""),
    ]


# --- the fail-closed re-scan ------------------------------------------------------------------------------


def test_clean_section_passes():
    result = section_redact("O'Brien rang 07700 900123.", IDS)
    assert not result.withheld
    assert result.text == "Victim A rang [phone]."
    assert result.survivors == []


def test_survivors_finds_variants_independently():
    found = survivors("o b r i e n", IDS)  # letter-spaced: the redactor does not take it, the re-scan does
    assert K("name", "O'Brien", "Victim A") in found
    assert survivors("Annual banner", IDS) == []
    assert [s.kind for s in survivors("07700-900-123", IDS)] == ["phone", "phone"]  # known and generic


def test_letter_spaced_name_is_withheld():
    result = section_redact("spoke to O B R I E N", IDS)
    assert result.withheld and result.text == ""


@pytest.mark.parametrize(
    ("disabled", "text", "survivor"),
    [
        ("known_words", "Spoke to Smith-Jones.", K("name", "Smith-Jones", "Suspect A")),
        ("known_codes", "Number PX73519.", K("number", "PX73519", "[number]")),
    ],
)
def test_planted_bug_in_one_matcher_withholds_the_section(monkeypatch, disabled, text, survivor):
    kept = [m for m in redact_module.MATCHERS if m.name != disabled]
    if disabled == "known_codes":  # the generic number shape would otherwise cover it
        kept = [m for m in kept if m.name != "number_shapes"]
    monkeypatch.setattr(redact_module, "MATCHERS", kept)
    result = section_redact(text, IDS)
    assert result.withheld
    assert result.text == ""
    assert survivor in result.survivors


def test_planted_bug_in_the_phone_matchers_withholds(monkeypatch):
    kept = [m for m in redact_module.MATCHERS if m.name not in ("known_codes", "phones", "number_shapes")]
    monkeypatch.setattr(redact_module, "MATCHERS", kept)
    result = section_redact("call 07700 900 123", IDS)
    assert result.withheld and result.text == ""
    assert K("phone", "+44 7700 900123", "[phone]") in result.survivors


def test_planted_bug_in_the_email_matchers_withholds(monkeypatch):
    kept = [m for m in redact_module.MATCHERS if m.name not in ("known_emails", "emails")]
    monkeypatch.setattr(redact_module, "MATCHERS", kept)
    result = section_redact("write to new.person@mail.example", IDS)
    assert result.withheld and [s.kind for s in result.survivors] == ["email"]


# --- case_identifiers against the database ----------------------------------------------------------------


@pytest.fixture
def case(db):
    case = CaseFactory(reference="DA/2026/004711")
    staff = StaffMemberFactory(
        first_name="Zephyrine", last_name="Quillfeather", employee_number="PX73519", work_email="zq7@force.example"
    )
    PoliceSuspectFactory(case=case, staff=staff)
    victim = CivilianVictimFactory(
        case=case,
        first_name="Siobhán",
        last_name="Ó Súilleabháin-Pryce",
        phone="07700 900123",
        email="siobhan.os@example.test",
        address="Flat 3, 12 Acacia Avenue\nLeeds\nLS1 4AB",
    )
    SafeContactFactory(party=victim, safe_phone="+44 7700 900456", safe_email="safe@example.test", codeword="Bluebell")
    CivilianVictimFactory(case=case, first_name="Ann", last_name="Pryce")
    return case


@pytest.mark.parametrize(
    "written", ["17/05/1990", "17.5.90", "1990-05-17", "17th May 1990", "17 MAY 1990", "May 17, 1990", "17 Sept 1991"]
)
def test_date_of_birth_variants(written):
    from oversight.anonymise.identifiers import _date_identifiers

    ids = _date_identifiers(dt.date(1990, 5, 17)) + _date_identifiers(dt.date(1991, 9, 17))
    result = section_redact(f"born {written}, seen on 12/05/2026", ids)
    assert result.text == "born [date of birth], seen on 12/05/2026"


def test_role_pseudonyms_lettered_by_pk_within_role(case):
    parties = sorted(case.parties.all(), key=lambda p: p.pk)
    suspect, first_victim, second_victim = parties
    expected = {suspect.pk: "Suspect A", first_victim.pk: "Victim A", second_victim.pk: "Victim B"}
    assert role_pseudonyms(case) == expected
    assert role_pseudonyms(case) == expected  # stable across calls


def test_case_identifiers(case, django_assert_num_queries):
    with django_assert_num_queries(1):
        found = case_identifiers(case)
    got = {(i.kind, i.value, i.replacement) for i in found}
    assert {
        ("reference", "DA/2026/004711", case.pseudonym),
        ("name", "Zephyrine", "Suspect A"),
        ("name", "Zephyrine Quillfeather", "Suspect A"),
        ("number", "PX73519", "[number]"),
        ("number", "73519", "[number]"),
        ("email", "zq7@force.example", "[email]"),
        ("name", "Siobhán", "Victim A"),
        ("name", "Ó Súilleabháin-Pryce", "Victim A"),
        ("name", "suilleabhain", "Victim A"),
        ("phone", "07700 900123", "[phone]"),
        ("phone", "+44 7700 900456", "[phone]"),
        ("email", "siobhan.os@example.test", "[email]"),
        ("email", "safe@example.test", "[email]"),
        ("name", "Bluebell", "[redacted]"),
        ("postcode", "ls1 4ab", "[address]"),
        ("address", "12 acacia avenue", "[address]"),
        ("address", "acacia avenue", "[address]"),
        ("address", "leeds", "[address]"),
        ("name", "Ann", "Victim B"),
        ("number", "17051990", "[date of birth]"),
        ("number", "17th may 1990", "[date of birth]"),
    } <= got
    # Shared by two parties: no single pseudonym fits.
    assert ("name", "pryce", "[name]") in got
    # Generic or trivially short address parts identify nobody.
    assert not {v for k, v, _ in got if k == "address"} & {"flat 3", "flat", "3"}


def test_case_identifiers_query_count_does_not_grow_with_parties(case, django_assert_num_queries):
    for _ in range(5):
        PoliceSuspectFactory(case=case)
    with django_assert_num_queries(1):
        case_identifiers(case)


def test_case_identifiers_redact_a_form(case):
    ids = case_identifiers(case)
    text = (
        "Spoke to SIOBHAN O'Suilleabhain-Pryce (07700900123) about DA/2026/004711; PX73519 Quillfeather "
        "lives at 12 Acacia Ave, leeds ls14ab. Ann Pryce is safe; codeword bluebell."
    )
    result = section_redact(text, ids)
    assert not result.withheld, result.survivors
    assert result.text == (
        f"Spoke to Victim A ([phone]) about {case.pseudonym}; [number] Suspect A "
        "lives at [address], [address] [address]. Victim B is safe; codeword [redacted]."
    )
