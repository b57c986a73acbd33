"""The root URLconf: every app's URLs, included by dotted name (ppda/ imports no app built on it)."""

from django.contrib import admin
from django.urls import include, path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("health/", views.health, name="health"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("accounts/", include("ppda.accounts.urls")),
    path("accounts/webauthn/", include("ppda.accounts.webauthn")),
    path("contacts/", include("oversight.contacts.urls")),
    path("notifications/", include("ppda.notifications.urls")),
    path("oversight/", include("oversight.urls")),
    path("update-form/", include("oversight.update_form.urls")),
    path("closure/", include("oversight.closure.urls")),
    path("retention/", include("oversight.retention.urls")),
    path("statistics/", include("oversight.statistics.urls")),
    path("panels/", include("panels.urls")),
    path("audit/", include("ppda.audit_trail.urls")),
    path("admin/", admin.site.urls),
    path("cases/", include("cases.urls")),
    path("api/v1/", include("cases.api_urls")),
]
