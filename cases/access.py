"""Who may open a case: the one guard every case view calls, and the one recipients rule for case notices.

`case_get_for_user` is the guarded fetch (healthchecks' `_get_check_for_user`, Zulip's `access_stream_by_id`):
it returns the case or raises 404 for anyone who may not see it, whether it exists or not (a party, a
party's line manager, someone who declared a conflict, anyone without a grant), and for a case they may
see when the action is not theirs (docs/security.md, "403 or 404": object URLs never answer 403). Before the first
identified view it sends the user to the first-open declaration. Each allowed request is written to the
access log; each refusal is logged by the denial middleware (ppda.audit).

`coordinators_for_case` is who is told about a case: every notifier about a case uses it (or
`users_who_may_open` for other roles), so a notice never reaches someone who may not open the case.
"""

import functools

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.http import Http404
from django.urls import reverse

from ppda.access import DeclarationRequired, denial_context, role_page
from ppda.audit import CASE_OBJECT_TYPE, access_record, case_reference_for
from ppda.models import AccessLog
from ppda.roles import Role, has_role

from . import selectors
from .extensions import allocation_reads
from .models import Case


def declaration_url(case: Case) -> str:
    return reverse("cases:declare", args=[case.public_id])


def access_logged(request, case: Case, *, what: str) -> None:
    """Write the allowed read (GET) or change (other methods) of an identified case page to the access log."""
    access_record(
        request=request,
        action=AccessLog.Action.VIEW if request.method in ("GET", "HEAD") else AccessLog.Action.CHANGE,
        obj=case,
        case_reference=case.reference,
        what=what,
    )


def case_get_for_user(
    request,
    public_id,
    *,
    what: str,
    coordinator: bool = False,
    declaration: bool = True,
    visible: QuerySet | None = None,
    log: bool = True,
) -> Case:
    """The case for this request's user, or 404 - also for a visible case when the action is the coordinators'.

    `declaration`: the page is identified, so the first-open declaration comes first (DeclarationRequired).
    `visible`: cases_for_user(user) when the caller already built it. `log`: write the access-log row here
    (a caller that adds its own check after this one passes False and calls access_logged itself)."""
    try:
        case = selectors.case_get_visible(request.user, public_id, visible=visible, with_declaration=declaration)
    except Http404:
        denial_context(
            request,
            what=what,
            object_type=CASE_OBJECT_TYPE,
            object_id=public_id,
            case_reference=case_reference_for(public_id),
        )
        raise
    if coordinator and not has_role(request.user, Role.COORDINATOR):
        case_refused(request, case, what=what)
        raise Http404("No such case.")
    if declaration and not case.user_declared:
        raise DeclarationRequired(_declaration_url_for(request.user, case))
    if log:
        access_logged(request, case, what=what)
    return case


def case_refused(request, case: Case, *, what: str) -> None:
    """Record what is refused about a case the user may see; the caller raises Http404."""
    denial_context(
        request, what=what, object_type=CASE_OBJECT_TYPE, object_id=case.public_id, case_reference=case.reference
    )


def case_declaration_required(request, case: Case) -> None:
    """Raise DeclarationRequired unless the user has made the first-open declaration on this case."""
    if selectors.case_declaration_for(case=case, user=request.user) is None:
        raise DeclarationRequired(_declaration_url_for(request.user, case))


def _declaration_url_for(user, case: Case) -> str:
    # An SOO with a pending allocation of the case declares by answering it (oversight's response page).
    return allocation_reads().pending_response_url(case, user) or declaration_url(case)


def users_who_may_open(case: Case, users: QuerySet) -> QuerySet:
    """`users` narrowed to those who may open the case by the need-to-know rules that hold for every role:
    never a party, a party's line manager, or someone who declared a conflict on it."""
    return users.exclude(pk__in=selectors.users_excluded_from(case))


def coordinators_for_case(case: Case) -> QuerySet:
    """Active coordinators who may open this case: the recipients of every notice about it to coordinators."""
    return users_who_may_open(case, _active_coordinators()).distinct()


def _active_coordinators() -> QuerySet:
    return get_user_model().objects.filter(is_active=True, groups__name=Role.COORDINATOR)


class CaseRecipients:
    """The set-based form of users_who_may_open / coordinators_for_case, for the sweeps: who may be told about
    each of many cases, in one query (and one more for the coordinators, when asked for)."""

    def __init__(self, case_ids):
        self.case_ids = list(case_ids)
        self.excluded = selectors.users_excluded_from_cases(self.case_ids)
        self._coordinators = None

    def may_open(self, case_id: int, user_ids) -> list[int]:
        """`user_ids` narrowed to those who may open the case, sorted."""
        return sorted(set(user_ids) - self.excluded.get(case_id, set()))

    def coordinators(self, case_id: int) -> list[int]:
        """coordinators_for_case, as user ids."""
        if self._coordinators is None:
            self._coordinators = set(_active_coordinators().values_list("pk", flat=True))
        return self.may_open(case_id, self._coordinators)


def case_page(what: str, *, coordinator: bool = False, declaration: bool = True):
    """Decorator for a view of one case (URL kwarg `public_id`): the view receives the guarded case."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, public_id, *args, **kwargs):
            case = case_get_for_user(request, public_id, what=what, coordinator=coordinator, declaration=declaration)
            return view(request, case, *args, **kwargs)

        return wrapped

    return decorator


coordinator_page = functools.partial(role_page, Role.COORDINATOR)
