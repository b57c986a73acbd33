"""What each benchmarked page requests, as which users. Each builder returns [(path, cookie)] or None."""

import time

from django.conf import settings
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from bench.scale_seed import BENCH_PREFIX
from ppda.models import User

USERS_PER_PAGE = 16


def _cookie(user) -> str:
    """A real session for the user, past both factors, as its Cookie header."""
    client = Client()
    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def _sessions(users) -> list[str]:
    """USERS_PER_PAGE sessions over the users, round robin: one each when there are enough users (SOOs), several
    each when the role has fewer people (the seed's four coordinators, a meeting's one chair)."""
    if not users:
        return []
    return [_cookie(users[i % len(users)]) for i in range(USERS_PER_PAGE)]


def _url(name: str, **kwargs) -> str | None:
    try:
        return reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:
        return None


def _coordinators():
    return list(User.objects.filter(username__startswith=f"{BENCH_PREFIX}-coord-").order_by("id"))


def _soos_with_cases():
    from oversight.models import Allocation

    staff_ids = (
        Allocation.objects.filter(status=Allocation.Status.ACCEPTED, case__reference__startswith="BN/")
        .values_list("soo_id", flat=True)
        .distinct()[:USERS_PER_PAGE]
    )
    return list(User.objects.filter(staff_id__in=list(staff_ids)).order_by("id"))


def _declare(user, case) -> None:
    """Benchmark users have made their first-open declaration, as real users would have."""
    from cases.models import CaseAccessDeclaration

    CaseAccessDeclaration.objects.get_or_create(
        case=case, user=user, defaults={"kind": CaseAccessDeclaration.Kind.NO_CONFLICT}
    )


def bare_view():
    """/health/: one query, no session. The ceiling of the stack (gunicorn, Django, a database round trip)."""
    return [(reverse("health"), "")]


def signed_in_floor():
    """The accessibility statement: the same middleware, session, second-factor check and base layout as every
    signed-in page, and no content. As coordinators and SOOs, whose pages it is the floor of."""
    url = _url("accessibility")
    if not url:
        return None
    return [(url, cookie) for cookie in _sessions(_coordinators() + _soos_with_cases())]


def admin_peer():
    """The peer: the Django admin's changelist of the staff directory (40,000 rows, 100 a page), as a superuser
    past the second factor. A page from a well-known codebase on the same stack, to compare ours with."""
    url = _url("admin:ppda_staffmember_changelist")
    if not url:
        return None
    admin, created = User.objects.get_or_create(
        username=f"{BENCH_PREFIX}-admin",
        defaults={"first_name": "Bench", "last_name": "Admin", "is_staff": True, "is_superuser": True},
    )
    if created:  # no role: the admin is all a superuser gets (ppda/admin.py)
        TOTPDevice.objects.create(user=admin, name="Authenticator app", confirmed=True)
    return [(url, cookie) for cookie in _sessions([admin])]


def coordinator_inbox():
    url = _url("cases:inbox")
    if not url:
        return None
    return [(url, cookie) for cookie in _sessions(_coordinators())]


def statistics_page():
    url = _url("statistics:index")
    if not url:
        return None
    return [(url, cookie) for cookie in _sessions(_coordinators())]


def soo_dashboard():
    url = _url("oversight:dashboard")
    if not url:
        return None
    return [(url, _cookie(u)) for u in _soos_with_cases()]


def _soo_cases():
    """(SOO, one of their cases they may open), declared, for each of USERS_PER_PAGE SOOs."""
    from cases.selectors import cases_for_user
    from oversight.models import Allocation

    out = []
    for user in _soos_with_cases():
        # The seed allocates at random, so a few SOOs manage a party on one of their cases and may not open it.
        allocation = (
            Allocation.objects.filter(
                soo_id=user.staff_id, status=Allocation.Status.ACCEPTED, case__in=cases_for_user(user)
            )
            .select_related("case")
            .first()
        )
        _declare(user, allocation.case)
        out.append((user, allocation.case))
    return out


def case_page():
    return [(reverse("cases:detail", kwargs={"public_id": c.public_id}), _cookie(u)) for u, c in _soo_cases()]


def update_form_page():
    """The case update form (every section, with the redaction preview), as the allocated SOO."""
    return [(reverse("update_form:detail", kwargs={"public_id": c.public_id}), _cookie(u)) for u, c in _soo_cases()]


def allocation_suggestions():
    from cases.models import Case

    cases = list(Case.objects.filter(reference__startswith="BN/", status=Case.Status.TRIAGED)[:USERS_PER_PAGE])
    coordinators = _coordinators()
    out = []
    for i, case in enumerate(cases):
        url = _url("oversight:allocate", public_id=case.public_id)
        if not url:
            return None
        user = coordinators[i % len(coordinators)]
        _declare(user, case)
        out.append((url, _cookie(user)))
    return out


def offline_benchmarks() -> dict:
    """Benchmarks that run in-process: the deadline sweep and the allocation pack PDF."""
    out = {}
    out.update(_pdf_bench())
    return out


def _pdf_bench() -> dict:
    """The allocation pack for a live allocation, rendered in-process as the pack view does (median of 3)."""
    from cases.models import Party
    from oversight import guidance
    from oversight.models import Allocation
    from ppda.pdf import render_pdf

    allocation = (
        Allocation.objects.filter(status=Allocation.Status.ACCEPTED, case__reference__startswith="BN/")
        .select_related("case", "soo")
        .first()
    )
    if allocation is None:
        return {"allocation pack PDF": "no live allocation"}
    parties = list(
        Party.objects.filter(case=allocation.case)
        .select_related("staff", "staff__department", "home_district", "safe_contact")
        .order_by("role", "id")
    )
    context = {
        "allocation": allocation,
        "case": allocation.case,
        "parties": parties,
        "guidance": guidance,
        "user": None,
        "force_name": settings.PPDA_FORCE_NAME,
    }
    times = sorted(timed(render_pdf, "oversight/pack.html", context)[0] for _ in range(3))
    return {"allocation pack PDF": f"{times[1]:.2f} s (median of 3)"}


def timed(fn, *args, **kwargs) -> tuple[float, object]:
    t0 = time.perf_counter()
    value = fn(*args, **kwargs)
    return time.perf_counter() - t0, value


def panel_agenda_page():
    """The chair's meeting page (the agenda) of a 10-item published meeting, as its chair; made once through
    the panels services from the scale seed's allocated cases if the seed has no meeting yet."""
    import datetime as dt

    from django.contrib.auth.models import Group
    from django.utils import timezone

    from cases.models import Case
    from oversight.models import Allocation
    from ppda.roles import Role

    if not _url("panels:index"):
        return None
    from panels import services
    from panels.models import Meeting

    meeting = Meeting.objects.filter(title="Bench panel", status=Meeting.Status.PUBLISHED).first()
    if meeting is None:
        coordinator = _coordinators()[0]
        chair = User.objects.filter(groups__name=Role.PANEL_CHAIR, is_active=True).first()
        if chair is None:
            chair = User.objects.create(username=f"{BENCH_PREFIX}-panel-chair", first_name="Bench", last_name="Chair")
            chair.groups.add(Group.objects.get(name=Role.PANEL_CHAIR))
            TOTPDevice.objects.create(user=chair, name="Authenticator app", confirmed=True)
        meeting = services.meeting_create(
            by=coordinator,
            starts_at=timezone.now() + dt.timedelta(days=3),
            chair=chair,
            place="Bench room",
            title="Bench panel",
        )
        cases = Case.objects.filter(
            reference__startswith="BN/", allocations__status=Allocation.Status.ACCEPTED
        ).distinct()[:10]
        for case in cases:
            services.item_add(meeting=meeting, case=case, by=coordinator)
        meeting = services.meeting_publish(meeting=meeting, by=coordinator)
    url = reverse("panels:meeting", kwargs={"meeting_id": meeting.public_id})
    return [(url, cookie) for cookie in _sessions([meeting.chair])]
