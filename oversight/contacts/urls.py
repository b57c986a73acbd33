from django.urls import path

from . import views

app_name = "contacts"

urlpatterns = [
    path("overdue/", views.first_contact_overdue, name="overdue"),
    path("<uuid:case_id>/", views.contact_log_detail, name="detail"),
    path("<uuid:case_id>/record/", views.contact_create, name="create"),
    path("<uuid:case_id>/<uuid:contact_id>/correct/", views.contact_correct, name="correct"),
    path("<uuid:case_id>/engagement/", views.engagement_edit, name="engagement"),
    path("<uuid:case_id>/schedule/", views.schedule_edit, name="schedule"),
]
