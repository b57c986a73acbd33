"""The service navigation by role: which links a signed-in user sees, built once per process.

A link appears only once its page exists: a URL name that does not reverse (a page not built yet) is
left out. Reversing eight names on every page (each missing one a caught exception) cost more than the
rest of the header, so the resolved links are kept per script prefix for the life of the process
(ppda.caches).
"""

from dataclasses import dataclass

from django.urls import NoReverseMatch, get_script_prefix, reverse

from .caches import per_process
from .roles import Role

# (URL name, link text, roles that see it) in menu order; the notifications link is for everyone.
MENU = (
    ("cases:inbox", "Inbox", {Role.COORDINATOR}),
    ("cases:intake", "New case", {Role.COORDINATOR}),
    ("statistics:index", "Statistics", {Role.COORDINATOR}),
    ("oversight:dashboard", "My cases", {Role.SOO}),
    ("panels:index", "Panels", {Role.COORDINATOR, Role.PANEL_CHAIR, Role.PANEL_MEMBER, Role.PSD_REP}),
    ("statistics:reduced", "Panel statistics", {Role.PANEL_CHAIR}),
    ("cases:psd_cases", "My investigations", {Role.PSD_REP}),
    ("audit:index", "Audit trail", {Role.AUDITOR}),
    ("notifications:list", "Notifications", None),
)
NOTIFICATIONS = "notifications:list"


@dataclass(frozen=True)
class NavItem:
    href: str
    text: str
    active: bool = False
    shows_unread: bool = False  # the template adds the unread-notification count


@per_process
def _resolved_menu(script_prefix: str) -> tuple[tuple[str, str, str, frozenset | None], ...]:
    out = []
    for name, text, roles in MENU:
        try:
            href = reverse(name)
        except NoReverseMatch:
            continue  # the page is not built yet
        out.append((name, href, text, frozenset(roles) if roles is not None else None))
    return tuple(out)


@per_process
def _layout_urls(script_prefix: str) -> dict[str, str]:
    return {
        "home_url": reverse("home"),
        "security_url": reverse("accounts:security"),
        "logout_url": reverse("accounts:logout"),
    }


def layout_urls() -> dict[str, str]:
    """The links every page's header carries (home, account security, sign out), reversed once per process."""
    return _layout_urls(get_script_prefix())


def navigation_items(*, roles: set[str], path: str) -> list[NavItem]:
    """The menu for a user with `roles` on the page at `path`."""
    items = []
    for name, href, text, allowed in _resolved_menu(get_script_prefix()):
        if allowed is not None and not (allowed & roles):
            continue
        items.append(NavItem(href=href, text=text, active=path == href, shows_unread=name == NOTIFICATIONS))
    return items
