"""A test-only URLconf: the project's URLs plus a planted leak, to prove the matrix catches leaks."""

from django.http import HttpResponse, HttpResponseNotFound, HttpResponseRedirect
from django.urls import path

from cases.models import Case
from ppda.urls import urlpatterns as project_urlpatterns


def leaky_case_view(request, public_id):
    # The bug being planted: no guarded fetch (case_get_for_user), so anyone signed in sees the names.
    case = Case.objects.get(public_id=public_id)
    names = ", ".join(f"{p.staff.first_name} {p.staff.last_name}" for p in case.parties.all() if p.staff_id)
    return HttpResponse(f"<h1>Case</h1><p>{names}</p>")


def leaky_redirect_view(request, public_id):
    # A leak outside the body: a reference in a redirect's Location header.
    case = Case.objects.get(public_id=public_id)
    return HttpResponseRedirect(f"/?ref={case.reference}")


urlpatterns = [
    *project_urlpatterns,
    path("leaky/<uuid:public_id>/", leaky_case_view, name="leaky"),
    path("leaky-redirect/<uuid:public_id>/", leaky_redirect_view, name="leaky_redirect"),
]


def quiet_refusal_view(request, public_id):
    # A refusal that bypasses the access log: a 404 returned rather than raised, and not recorded.
    return HttpResponseNotFound("Not found")


urlpatterns.append(path("quiet/<uuid:public_id>/", quiet_refusal_view, name="quiet"))
