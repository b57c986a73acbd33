"""Folding text the way a reader sees it, with a map from every folded character back to the original.

The rule: two strings a reader would read as the same identifier fold to the same text. So each character
is NFKC-normalised (fullwidth and styled letters become plain ones), decomposed with its accents dropped
(Nguyễn reads as Nguyen), casefolded, and Unicode look-alikes (Cyrillic а, Greek ο...) become the Latin
letter they imitate. Invisible characters (category Cf: zero-width space/joiner, soft hyphen, BOM...) are
removed; every apostrophe becomes ', every hyphen or dash becomes -, and runs of whitespace become one
space. When in doubt, characters fold together: a false match redacts a word, a missed one leaks a name.
"""

import functools
import json
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import confusable_homoglyphs

APOSTROPHES = frozenset("'\u2018\u2019\u201b\u02bc\u02bb\u02bd\u02b9\u0060\u00b4\u2032\u2035\uff07\u055a\ua78c")
DASHES = frozenset("-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u2043\ufe58\ufe63\uff0d\u058a\u1806\u2e3a\u2e3b")
# Characters that render as nothing but are not category Cf (Hangul fillers, the combining grapheme joiner).
INVISIBLE = frozenset("\u034f\u115f\u1160\u3164\uffa0\u2800\u17b4\u17b5")

# Latin letters that carry their stroke in the base character, so decomposition does not strip it.
LATIN_EXTRA = {
    "ł": "l",
    "ø": "o",
    "đ": "d",
    "ð": "d",
    "ħ": "h",
    "ı": "i",
    "ŧ": "t",
    "ƀ": "b",
    "ɨ": "i",
    "æ": "ae",
    "œ": "oe",
    "þ": "th",
    "ŀ": "l",
    "ĸ": "k",
    "ſ": "s",
}


@functools.cache
def homoglyphs() -> dict[str, str]:
    """Non-ASCII character -> the ASCII letter or digit it imitates, from the Unicode confusables data.

    Letters win over digits (Cyrillic о is read as o, not 0); ASCII characters are never remapped, so
    'l' and '1' stay distinct.
    """
    path = Path(confusable_homoglyphs.__file__).with_name("confusables.json")
    data = json.loads(path.read_text(encoding="utf-8"))
    table: dict[str, str] = {}

    def add(char: str, target: str) -> None:
        char = char.strip("\u200e\u200f")
        if len(char) != 1 or char.isascii() or not (target.isascii() and target.isalnum()):
            return
        target = target.lower()
        current = table.get(char)
        if current is None or (current.isdigit() and target.isalpha()):
            table[char] = target

    for key, entries in data.items():
        for entry in entries:
            other = entry["c"].strip("\u200e\u200f")
            if len(key) == 1 and key.isascii():
                add(other, key)
            elif len(other) == 1 and other.isascii():
                add(key, other)
    return table


@functools.cache
def fold_char(ch: str) -> str:
    """One original character as the folded text it contributes (possibly empty, possibly two letters)."""
    if ch in INVISIBLE or unicodedata.category(ch) == "Cf":
        return ""
    if ch.isspace():
        return " "
    if ch in APOSTROPHES:
        return "'"
    if ch in DASHES:
        return "-"
    out = []
    for c in unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", ch)):
        if unicodedata.combining(c) or unicodedata.category(c) in ("Mn", "Me", "Cf"):
            continue
        # Look-alikes are looked up before and after casefolding: Cyrillic В imitates B, its lower case в
        # imitates nothing.
        for d in homoglyphs().get(c) or c.casefold():
            if d in APOSTROPHES:
                out.append("'")
            elif d in DASHES:
                out.append("-")
            elif d.isspace():
                out.append(" ")
            elif d.isascii():
                out.append(d)
            elif unicodedata.decimal(d, None) is not None:
                out.append(str(unicodedata.decimal(d)))
            else:
                out.append(LATIN_EXTRA.get(d) or homoglyphs().get(d) or d)
    return "".join(out)


@dataclass(frozen=True)
class Folded:
    """Folded text and, for each of its characters, the index of the original character it came from."""

    source: str
    text: str
    origin: tuple[int, ...]

    def source_span(self, start: int, end: int) -> tuple[int, int]:
        """The original span behind folded [start, end), widened over characters around it that fold to
        nothing (a combining accent or zero-width character next to a name goes with the name)."""
        s = self.origin[start]
        e = self.origin[end - 1] + 1
        while s > 0 and fold_char(self.source[s - 1]) == "":
            s -= 1
        while e < len(self.source) and fold_char(self.source[e]) == "":
            e += 1
        return s, e


def fold(text: str) -> Folded:
    """Fold text for matching; whitespace runs collapse to one space (its origin is the first of the run)."""
    chars: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(text):
        for c in fold_char(ch):
            if c == " " and chars and chars[-1] == " ":
                continue
            chars.append(c)
            origin.append(i)
    return Folded(text, "".join(chars), tuple(origin))


def fold_text(text: str) -> str:
    return fold(text).text
