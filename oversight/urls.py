from django.urls import path

from . import views

app_name = "oversight"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("cases/<uuid:public_id>/allocate/", views.allocate, name="allocate"),
    path("cases/<uuid:public_id>/allocation/end/", views.end, name="end"),
    path("allocations/<uuid:public_id>/respond/", views.respond, name="respond"),
    path("allocations/<uuid:public_id>/pack.pdf", views.pack, name="pack"),
    path("declarations/", views.declarations, name="declarations"),
]
