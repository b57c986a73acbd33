"""The base layout: marking, skip link, navigation by role, sign-out by POST, messages, no inline code (CSP)."""

import re

import pytest
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path, reverse

from ppda.roles import Role
from tests.factories.directory import UserFactory

pytestmark = pytest.mark.django_db


def assert_no_inline_code(html: str):
    """CSP allows only 'self': no inline <script> body, no style attribute or element, no on* handlers."""
    for attrs, body in re.findall(r"<script([^>]*)>(.*?)</script>", html, flags=re.S):
        assert "src=" in attrs and not body.strip(), f"inline script: {attrs} {body[:80]}"
    assert not re.search(r"\sstyle=", html), "inline style attribute"
    assert "<style" not in html
    assert not re.search(r"\son[a-z]+=", html), "inline event handler"


def test_login_page_has_marking_skip_link_and_no_navigation(client):
    response = client.get(reverse("accounts:login"))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("OFFICIAL-SENSITIVE") == 2  # top and bottom of every page
    assert 'class="govuk-skip-link"' in html and 'id="main-content"' in html
    assert "govuk-phase-banner" in html and "govuk-footer" in html
    assert "<title>Sign in –" in html
    assert "Sign out" not in html
    assert 'aria-label="Menu"' not in html
    assert 'src="/static/js/app.js"' in html and 'type="module"' in html
    assert_no_inline_code(html)


def test_home_shows_user_roles_and_post_sign_out(verified_client):
    user = UserFactory(first_name="Avery", last_name="Quill", roles=[Role.COORDINATOR, Role.AUDITOR])
    html = verified_client(user).get(reverse("home")).content.decode()
    assert "Signed in as <strong>Avery Quill</strong> – Case coordinator, Auditor" in html
    assert re.search(r'<form class="ppda-user-bar__form" method="post" action="/accounts/logout/">', html)
    assert "csrfmiddlewaretoken" in html
    assert 'id="card-coordinator"' in html and 'id="card-auditor"' in html
    assert 'id="card-soo"' not in html and 'id="card-panel"' not in html and 'id="card-psd"' not in html
    assert html.count("OFFICIAL-SENSITIVE") == 2
    assert_no_inline_code(html)


@pytest.mark.parametrize(
    ("role", "card"),
    [
        (Role.COORDINATOR, "card-coordinator"),
        (Role.SOO, "card-soo"),
        (Role.PANEL_CHAIR, "card-panel"),
        (Role.PANEL_MEMBER, "card-panel"),
        (Role.PSD_REP, "card-psd"),
        (Role.AUDITOR, "card-auditor"),
    ],
)
def test_home_shows_only_the_cards_of_the_users_roles(verified_client, role, card):
    html = verified_client(UserFactory(roles=[role])).get(reverse("home")).content.decode()
    cards = set(re.findall(r'id="(card-[a-z]+)"', html))
    assert cards == {card}


@pytest.mark.parametrize(
    ("role", "card", "url_name", "menu_label"),
    [
        (Role.PANEL_CHAIR, "card-panel", "panels:index", "Panels"),
        (Role.PANEL_MEMBER, "card-panel", "panels:index", "Panels"),
        (Role.PSD_REP, "card-psd", "cases:psd_cases", "My investigations"),
    ],
)
def test_panel_and_psd_homes_lead_to_their_pages(verified_client, role, card, url_name, menu_label):
    """Their home cards link their tasks and their menus hold more than Notifications (issue 16)."""
    html = verified_client(UserFactory(roles=[role])).get(reverse("home")).content.decode()
    card_html = html[html.index(f'id="{card}"') :].split('class="ppda-card"')[0]
    assert f'href="{reverse(url_name)}"' in card_html
    nav = html[html.index("govuk-service-navigation__list") :].split("</ul>")[0]
    assert f'href="{reverse(url_name)}"' in nav and menu_label in nav


def test_home_for_a_user_without_role_says_so(verified_client):
    html = verified_client(UserFactory()).get(reverse("home")).content.decode()
    assert "You have no role" in html
    assert "card-" not in html


def test_navigation_links_render_only_for_existing_views(verified_client):
    """Links to views not built yet are left out, never rendered with an empty href."""
    html = verified_client(UserFactory(roles=list(Role))).get(reverse("home")).content.decode()
    assert 'href=""' not in html
    nav = re.search(r'<ul class="govuk-service-navigation__list".*?</ul>', html, flags=re.S).group(0)
    expected = []
    for name, text in [
        ("cases:inbox", "Inbox"),
        ("cases:intake", "New case"),
        ("statistics:index", "Statistics"),
        ("retention:queue", "Retention"),
        ("oversight:dashboard", "My cases"),
        ("panels:index", "Panels"),
        ("statistics:reduced", "Panel statistics"),
        ("cases:psd_cases", "My investigations"),
        ("audit:index", "Audit trail"),
        ("notifications:list", "Notifications"),
    ]:
        try:
            expected.append((reverse(name), text))
        except Exception:  # noqa: BLE001, S112 - the view is not built yet
            continue
    found = re.findall(r'href="([^"]+)"[^>]*>(?:<strong[^>]*>)?([^<]+)<', nav)
    assert found == expected


def test_password_only_session_gets_no_navigation(client):
    """Between the password and the OTP step, the layout offers sign-out only."""
    user = UserFactory(roles=[Role.COORDINATOR])
    client.force_login(user)
    response = client.get(reverse("accounts:otp_verify"))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'aria-label="Menu"' not in html
    assert "Sign out" in html


def _message_view(request):
    messages.success(request, "Case saved.")
    messages.error(request, "Something needs attention.")
    return render(request, "home.html")


def _plain(request):
    return HttpResponse("ok")


urlpatterns = [path("t/messages/", _message_view, name="t-messages")]


def test_messages_render_as_notification_banners(verified_client, settings):
    from ppda import urls as project_urls

    settings.ROOT_URLCONF = __name__
    globals()["urlpatterns"] = urlpatterns + project_urls.urlpatterns
    # The test view sits behind the OTP gate like every other page.
    html = verified_client(UserFactory(roles=[Role.SOO])).get("/t/messages/").content.decode()
    assert 'class="govuk-notification-banner govuk-notification-banner--success" role="alert"' in html
    assert "Case saved." in html and "Something needs attention." in html
    assert html.count("govuk-notification-banner__content") == 2


@pytest.mark.parametrize("roles", [[], [Role.SOO], list(Role)])
def test_home_query_count_is_fixed(verified_client, django_assert_num_queries, roles):
    client = verified_client(UserFactory(roles=roles))
    client.get(reverse("home"))
    # The user (with its roles, unread count and confirmed authenticators) and nothing else: the layout adds
    # no query, whatever the roles. The session comes from Redis and was saved under a minute ago: no write.
    with django_assert_num_queries(1):
        client.get(reverse("home"))
