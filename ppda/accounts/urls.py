from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("verify/", views.otp_verify_view, name="otp_verify"),
    path("enrol/", views.otp_enrol_view, name="otp_enrol"),
    path("enrol/qr.svg", views.otp_enrol_qr_view, name="otp_enrol_qr"),
]
