from django.urls import path

from . import views

app_name = "cases"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("new/", views.intake, name="intake"),
    path("rota/", views.rota, name="rota"),
    path("<uuid:public_id>/", views.detail, name="detail"),
    path("<uuid:public_id>/recorded/", views.intake_done, name="intake_done"),
    path("<uuid:public_id>/declare/", views.declare, name="declare"),
    path("<uuid:public_id>/assign/", views.assign_to_me, name="assign"),
    path("<uuid:public_id>/triage/", views.triage, name="triage"),
    path("<uuid:public_id>/link/", views.link_create, name="link_create"),
]
