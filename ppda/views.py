from django.db import connection
from django.http import HttpResponse
from django.shortcuts import render


def home(request):
    """The role-aware home page."""
    return render(request, "home.html")


def accessibility(request):
    """The accessibility statement (public sector accessibility regulations 2018), for every signed-in user.

    It has no content of its own beyond the base layout, so make bench uses it as the signed-in floor: the cost
    of the middleware, the session, the second-factor check and the layout, with nothing else.
    """
    return render(request, "accessibility.html")


def health(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")
