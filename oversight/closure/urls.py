from django.urls import path

from . import views

app_name = "closure"

urlpatterns = [
    path("cases/<uuid:public_id>/", views.edit, name="edit"),
    path("cases/<uuid:public_id>/review/", views.review, name="review"),
    path("cases/<uuid:public_id>/reopen/", views.reopen, name="reopen"),
]
