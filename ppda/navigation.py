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
    ("retention:queue", "Retention", {Role.COORDINATOR}),
    ("oversight:dashboard", "My cases", {Role.SOO}),
    ("panels:index", "Panels", {Role.COORDINATOR, Role.PANEL_CHAIR, Role.PANEL_MEMBER, Role.PSD_REP}),
    ("statistics:reduced", "Panel statistics", {Role.PANEL_CHAIR}),
    ("cases:psd_cases", "My investigations", {Role.PSD_REP}),
    ("audit:index", "Audit trail", {Role.AUDITOR}),
    ("notifications:list", "Notifications", None),
)
NOTIFICATIONS = "notifications:list"
# Pages outside a menu link's own path that belong to its section (the case pages under the inbox, an SOO's
# case work under My cases), so the section stays highlighted there. Paths below the script prefix.
SECTIONS = {
    "cases:inbox": ("oversight/cases/",),
    "oversight:dashboard": ("cases/", "contacts/", "update-form/", "closure/"),
}


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
    """The menu for a user with `roles` on the page at `path`. The current section is the visible link whose
    path (or section, SECTIONS) is the longest start of `path`: the inbox on a case page, not New case."""
    prefix = get_script_prefix()
    visible = [
        (name, href, text) for name, href, text, allowed in _resolved_menu(prefix) if allowed is None or allowed & roles
    ]

    def match(name: str, href: str) -> int:
        starts = [href if href != prefix else None, *(prefix + p for p in SECTIONS.get(name, ()))]
        return max((len(s) for s in starts if s and (path == s or path.startswith(s))), default=0)

    best = max(visible, key=lambda item: match(item[0], item[1]), default=None)
    current = best[0] if best and match(best[0], best[1]) else None
    return [
        NavItem(href=href, text=text, active=name == current, shows_unread=name == NOTIFICATIONS)
        for name, href, text in visible
    ]
