from django.db import connection
from django.http import HttpResponse
from django.shortcuts import render


def home(request):
    """The role-aware home page."""
    return render(request, "home.html")


def health(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")
