from django.urls import path

from . import oidc, views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    # Single sign-on with the force's identity provider (404 unless OIDC_ISSUER is set).
    path("sso/start/", oidc.sso_start_view, name="sso_start"),
    path("sso/callback/", oidc.sso_callback_view, name="sso_callback"),
    path("verify/", views.otp_verify_view, name="otp_verify"),
    path("enrol/", views.otp_enrol_view, name="otp_enrol"),
    path("enrol/qr.svg", views.otp_enrol_qr_view, name="otp_enrol_qr"),
    path("security/", views.security_view, name="security"),
    path("security/keys/<int:key_id>/remove/", views.security_key_remove_view, name="security_key_remove"),
    path("security/sign-out-others/", views.sessions_end_others_view, name="sessions_end_others"),
    path("security/password/", views.password_change_view, name="password_change"),
    path("security/backup-codes/", views.backup_codes_regenerate_view, name="backup_codes_regenerate"),
    path("security/authenticator/reset/", views.authenticator_reset_view, name="authenticator_reset"),
]
