from django.urls import path

from . import views

app_name = "update_form"

urlpatterns = [
    path("<uuid:public_id>/", views.detail, name="detail"),
    path("<uuid:public_id>/overview/", views.overview, name="overview"),
    path("<uuid:public_id>/support/", views.support, name="support"),
    path("<uuid:public_id>/investigation/", views.investigation, name="investigation"),
    path("<uuid:public_id>/concerns/", views.concerns, name="concerns"),
    path("<uuid:public_id>/feedback/", views.feedback, name="feedback"),
    path("<uuid:public_id>/history/", views.history, name="history"),
    path("<uuid:public_id>/panel-view/", views.panel_view, name="panel_view"),
    path("<uuid:public_id>/panel-view.pdf", views.panel_pdf, name="panel_pdf"),
]
