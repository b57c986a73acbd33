from django.urls import path

from . import api

# Included at the root (ppda/urls.py) without a namespace: the URL names are part of the API's contract.
urlpatterns = [
    path("cases/", api.case_intake, name="api_case_intake"),
    path("openapi.json", api.openapi, name="api_openapi"),
]
