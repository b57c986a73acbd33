from django.urls import path

from . import views

app_name = "retention"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("cases/<uuid:public_id>/", views.decide, name="decide"),
]
