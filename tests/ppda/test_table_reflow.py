"""Every data table on a page sits in its own named, keyboard-focusable scroll box (.ppda-table-scroll), so a
table wider than a phone scrolls by itself and the page never scrolls sideways (WCAG 1.4.10). The browser
journeys check the pages they visit at 320 px; this covers every template, visited or not. PDF templates
(WeasyPrint lays them out on paper) are exempt."""

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
# Rendered to PDF only: no screen to reflow on.
PDF_ONLY = {"panels/pack_pdf.html", "oversight/pack.html", "update_form/panel_pdf.html"}
BOX = re.compile(r'<div class="ppda-table-scroll" role="region" aria-labelledby="([^"]+)" tabindex="0">\s*<table\b')


def _page_templates():
    for path in sorted(TEMPLATES.rglob("*.html")):
        name = path.relative_to(TEMPLATES).as_posix()
        if name not in PDF_ONLY:
            yield name, path.read_text()


def test_every_table_is_in_a_named_scroll_box():
    unboxed = []
    for name, text in _page_templates():
        boxed = BOX.findall(text)
        if text.count("<table") != len(boxed):
            unboxed.append(name)
        for label in boxed:  # the region is named by the table's caption
            assert f'id="{label}"' in text, f"{name}: no caption with id {label}"
    assert unboxed == []


def test_the_check_finds_a_bare_table():
    assert not BOX.search('<table class="govuk-table"><caption>x</caption></table>')
    assert BOX.search('<div class="ppda-table-scroll" role="region" aria-labelledby="c" tabindex="0">\n<table>')
