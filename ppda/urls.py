from django.contrib import admin
from django.urls import include, path

from cases import api as cases_api

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("health/", views.health, name="health"),
    path("accounts/", include("ppda.accounts.urls")),
    path("contacts/", include("oversight.contacts.urls")),
    path("notifications/", include("oversight.contacts.notification_urls")),
    path("oversight/", include("oversight.urls")),
    path("closure/", include("oversight.closure.urls")),
    path("audit/", include("ppda.audit_trail.urls")),
    path("admin/", admin.site.urls),
    path("cases/", include("cases.urls")),
    path("api/v1/cases/", cases_api.case_intake, name="api_case_intake"),
    path("api/v1/openapi.json", cases_api.openapi, name="api_openapi"),
]
