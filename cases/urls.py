from django.urls import path

from . import views
from .investigations import views as investigations

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
    # Investigations and PSD updates (cases/investigations).
    path("psd/", investigations.psd_cases, name="psd_cases"),
    path("<uuid:public_id>/investigation/", investigations.investigation, name="investigation"),
    path("<uuid:public_id>/investigation/open/", investigations.investigation_open, name="investigation_open"),
    path("<uuid:public_id>/investigation/update/", investigations.investigation_update, name="investigation_update"),
    path("<uuid:public_id>/psd/", investigations.psd_assign, name="psd_assign"),
    path("<uuid:public_id>/timeline/", investigations.case_timeline, name="timeline"),
]
