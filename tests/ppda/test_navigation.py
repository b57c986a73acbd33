"""The menu by role (ppda/navigation.py): what each role sees, the current page, pages not built yet."""

from django.urls import reverse

from ppda import caches, navigation
from ppda.roles import Role


def _texts(items):
    return [item.text for item in items]


def test_each_role_sees_only_its_own_links():
    coordinator = _texts(navigation.navigation_items(roles={Role.COORDINATOR}, path="/"))
    assert coordinator[:2] == ["Inbox", "New case"]
    assert "My cases" not in coordinator and "Audit trail" not in coordinator
    assert _texts(navigation.navigation_items(roles={Role.SOO}, path="/")) == ["My cases", "Notifications"]
    assert _texts(navigation.navigation_items(roles=set(), path="/")) == ["Notifications"]


def test_the_current_page_is_marked_active_and_only_it():
    inbox = reverse("cases:inbox")
    items = navigation.navigation_items(roles={Role.COORDINATOR}, path=inbox)
    assert [item.text for item in items if item.active] == ["Inbox"]
    assert [item.text for item in items if item.shows_unread] == ["Notifications"]


def test_a_page_not_built_yet_has_no_link(monkeypatch):
    monkeypatch.setattr(navigation, "MENU", (*navigation.MENU, ("nowhere:yet", "Soon", None)))
    caches.flush_all()
    try:
        assert "Soon" not in _texts(navigation.navigation_items(roles=set(Role), path="/"))
    finally:
        caches.flush_all()


def test_the_current_section_is_marked_on_the_pages_below_it():
    case_page = reverse("cases:inbox") + "0b7e3a7e-0000-4000-8000-000000000000/"
    items = navigation.navigation_items(roles={Role.COORDINATOR}, path=case_page)
    assert [item.text for item in items if item.active] == ["Inbox"]
    items = navigation.navigation_items(roles={Role.COORDINATOR}, path=reverse("cases:intake"))
    assert [item.text for item in items if item.active] == ["New case"]
    items = navigation.navigation_items(roles={Role.SOO}, path="/contacts/0b7e3a7e-0000-4000-8000-000000000000/")
    assert [item.text for item in items if item.active] == ["My cases"]
    assert not [item for item in navigation.navigation_items(roles={Role.SOO}, path="/") if item.active]
