"""The journeys' reflow check can fail: a planted element wider than a 320 px screen makes it fire, while the
same wide table inside a scroll box (the pattern the pages use for data tables) does not."""

import pytest

from tests.e2e.journey import check, overflows

pytestmark = pytest.mark.e2e

PAGE = '<html lang="en"><head><title>t</title></head><body><main><h1>Wide</h1>{}</main></body></html>'


def test_the_reflow_check_finds_a_planted_horizontal_overflow(page, axe_source):
    page.set_viewport_size({"width": 320, "height": 640})
    page.set_content(PAGE.format('<div style="width: 900px">A row that does not wrap</div>'))
    assert overflows(page)
    with pytest.raises(AssertionError, match="scrolls sideways at 320 px"):
        check(page, axe_source, "planted overflow")


def test_a_wide_table_in_its_own_scroll_box_is_not_an_overflow(page):
    page.set_viewport_size({"width": 320, "height": 640})
    table = '<table style="width: 900px"><tr><td>Cell</td></tr></table>'
    page.set_content(PAGE.format(f'<div style="overflow-x: auto" tabindex="0">{table}</div>'))
    assert not overflows(page)


def test_the_reflow_check_finds_a_caption_cut_off_by_its_scroll_box(page, axe_source):
    """Without the stylesheet's rule (the caption wraps to the screen), a wide table's caption runs past a phone
    screen inside its scroll box, where the page-level check cannot see it."""
    page.set_viewport_size({"width": 320, "height": 640})
    table = (
        '<table style="width: 900px"><caption>Coming meetings, soonest first, with a long name</caption>'
        "<tr><th>Date</th></tr><tr><td>Cell</td></tr></table>"
    )
    box = '<div class="ppda-table-scroll" style="overflow-x: auto" tabindex="0" role="region" aria-label="Meetings">'
    page.set_content(PAGE.format(f"{box}{table}</div>"))
    assert not overflows(page)
    with pytest.raises(AssertionError, match="captions cut off"):
        check(page, axe_source, "planted cut caption")
