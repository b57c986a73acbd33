from django.urls import path

from . import views

app_name = "panels"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.meeting_create, name="meeting_create"),
    path("<uuid:meeting_id>/", views.meeting, name="meeting"),
    path("<uuid:meeting_id>/items/", views.item_add, name="item_add"),
    path("<uuid:meeting_id>/items/<uuid:item_id>/remove/", views.item_remove, name="item_remove"),
    path("<uuid:meeting_id>/items/<uuid:item_id>/outcome/", views.outcome, name="outcome"),
    path("<uuid:meeting_id>/items/<uuid:item_id>/actions/", views.action_add, name="action_add"),
    path("<uuid:meeting_id>/items/<uuid:item_id>/amend/", views.amend, name="amend"),
    path("<uuid:meeting_id>/actions/<int:action_id>/done/", views.action_done, name="action_done"),
    path("<uuid:meeting_id>/attendees/", views.attendee_add, name="attendee_add"),
    path("<uuid:meeting_id>/attendees/<int:attendee_id>/remove/", views.attendee_remove, name="attendee_remove"),
    path("<uuid:meeting_id>/publish/", views.publish, name="publish"),
    path("<uuid:meeting_id>/held/", views.hold, name="hold"),
    path("<uuid:meeting_id>/approve/", views.approve, name="approve"),
    path("<uuid:meeting_id>/statement/", views.statement, name="statement"),
    path("<uuid:meeting_id>/papers/", views.papers, name="papers"),
    path("<uuid:meeting_id>/pack/", views.pack_request, name="pack_request"),
    path("papers/<uuid:item_id>/", views.paper, name="paper"),
    path("identified/<uuid:item_id>/", views.identified, name="identified"),
    path("slots/<uuid:item_id>/", views.slot, name="slot"),
    path("packs/<uuid:pack_id>/", views.pack_download, name="pack_download"),
]
