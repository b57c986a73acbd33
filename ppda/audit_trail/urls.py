from django.urls import path

from . import views

app_name = "audit"
urlpatterns = [
    path("", views.trail, name="index"),
    path("export.csv", views.trail_export, name="export"),
    path("grants/", views.grants, name="grants"),
    path("grants/export.csv", views.grants_export, name="grants_export"),
]
