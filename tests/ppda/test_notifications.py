import uuid

import pytest
from django.core import mail

from ppda.models import Notification
from ppda.notifications import notification_send

pytestmark = pytest.mark.django_db


def test_notification_once_per_event_and_email_has_reference_and_link_only(
    coordinator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = notification_send(
            recipients=[coordinator],
            kind="breach",
            message="First contact overdue.",
            link="/cases/x/",
            case_reference="DA/2026/000001",
            event_key="breach:1",
        )
        again = notification_send(
            recipients=[coordinator],
            kind="breach",
            message="First contact overdue.",
            link="/cases/x/",
            case_reference="DA/2026/000001",
            event_key="breach:1",
        )
    assert len(first) == 1 and again == []
    assert Notification.objects.count() == 1
    assert len(mail.outbox) == 1
    assert "DA/2026/000001" in mail.outbox[0].subject
    assert "/cases/x/" in mail.outbox[0].body


def test_a_notification_about_a_case_no_longer_yours_says_so_rather_than_a_bare_404(client, coordinator):
    """Issue 16: the link in a notification outlives the SOO's access; following it says the case is no longer
    available to them (and, like every 404, names nothing about the case)."""
    from django.urls import reverse

    from oversight.allocation.services import allocation_end
    from tests.conftest import login_verified
    from tests.factories.oversight import AcceptedAllocationFactory

    allocation = AcceptedAllocationFactory()  # accepted with the no-conflict declaration
    case, soo = allocation.case, allocation.soo.user
    link = reverse("cases:detail", args=[case.public_id])
    notification_send(
        recipients=[soo], kind="reminder", message="First contact due.", link=link, case_reference=case.reference
    )
    login_verified(client, soo)
    assert f'href="{link}"' in client.get(reverse("notifications:list")).content.decode()
    assert client.get(link).status_code == 200  # the link works while the case is theirs
    allocation_end(allocation=allocation, by=coordinator, reason="Reallocated")
    response = client.get(link)
    assert response.status_code == 404
    body = response.content.decode()
    assert "the case is no longer available to you" in body
    assert "Ask a case coordinator if you still need it" in body
    assert case.reference not in body
    # The same page as a case that never existed (or any other 404): it does not tell the two apart.
    never = client.get(reverse("cases:detail", args=[uuid.uuid4()]))
    assert never.status_code == 404 and _main(never) == _main(response)
    assert _main(client.get("/no-such-page/")) == _main(response)


def _main(response) -> str:
    body = response.content.decode()
    return body[body.index("<main") : body.index("</main>")]


def test_mark_as_read_names_the_case_only_when_there_is_one(client, coordinator):
    """A notice with no case (a panel invitation) has a button called "Mark as read", not "Mark as read –"."""
    from django.urls import reverse

    from tests.conftest import login_verified

    notification_send(recipients=[coordinator], kind="panel_invitation", message="You are invited.", link="/panels/")
    notification_send(
        recipients=[coordinator], kind="reminder", message="Due.", link="/cases/", case_reference="DA/2026/000007"
    )
    body = login_verified(client, coordinator).get(reverse("notifications:list")).content.decode()
    assert '<span class="govuk-visually-hidden"> – DA/2026/000007</span>' in body
    assert '<span class="govuk-visually-hidden"> – </span>' not in body
    # The notice with no case links its own words, not a bare "Open" in the Case column.
    assert '<a class="govuk-link" href="/panels/">You are invited.</a>' in body and ">Open</a>" not in body
