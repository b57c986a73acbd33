"""Sign-in rules: two factors, hashed backup codes, lockouts per account+address, and session control.

Views call these; nothing here renders. Every failure is written to the access log, every success that
changes credentials ends the user's other sessions. A refused credential is an ApplicationError
(ppda.errors) whose `field` names the form field the message belongs to.

One module per topic; import from here (`from ppda.accounts import services`):
  signin        the password step's failures, the second-factor check and step, password change, safe `next`
  lockout       failures counted per browser, per account at an address and per address; locks, holds, release
  enrolment     setting up, replacing and resetting the authenticator and backup codes
  sessions      sessions remembered, rotated and ended; absolute expiry; deactivation; purge
  backup_codes  generating, spending and counting hashed backup codes
  sso           single sign-on: matching a verified OIDC sign-in to staff, the IdP's MFA, the finished sign-in
"""

from .backup_codes import (
    BACKUP_CODE_ALPHABET,
    BACKUP_CODE_LENGTH,
    backup_code_format,
    backup_code_normalise,
    backup_code_use,
    backup_codes_generate,
    backup_codes_remaining,
)
from .enrolment import (
    ENROLMENT_CLOSED_MESSAGE,
    authenticator_reset,
    backup_codes_regenerate,
    enrolment_allowed,
    enrolment_permit_issue,
    otp_enrol_confirm,
    second_factor_reset_by_admin,
    security_key_remove,
    security_keys_of,
    totp_device_pending,
    totp_secret_display,
)
from .lockout import (
    HOLD_MESSAGE,
    address_hold_release,
    lockout_message,
    lockout_release,
    lockout_rows_release,
    lockout_until,
    signin_address_held,
    signin_browser_id,
    signin_browser_token_new,
    signin_failure_record,
    signin_failure_record_or_raise,
    signin_failures_clear,
    signin_held,
    signin_lock_check,
    username_normalise,
)
from .sessions import (
    SIGNED_IN_AT_SESSION_KEY,
    session_expired_absolute,
    session_key_rotate,
    signin_records_purge,
    user_deactivate,
    user_logout,
    user_session_record,
    user_sessions_end,
)
from .signin import (
    HELD_REFUSAL,
    SecondFactor,
    held_signin_check,
    otp_verify,
    password_change,
    password_failure_record,
    password_signin_allowed,
    second_factor_check,
    signin_complete,
    totp_device_confirmed,
)
from .sso import (
    IDP_MFA_SESSION_KEY,
    SSORefused,
    idp_mfa_asserted,
    sso_refusal_record,
    sso_signin_complete,
    sso_user_match,
)

__all__ = [
    "HELD_REFUSAL",
    "HOLD_MESSAGE",
    "address_hold_release",
    "held_signin_check",
    "lockout_rows_release",
    "signin_address_held",
    "signin_browser_id",
    "signin_browser_token_new",
    "signin_complete",
    "signin_held",
    "BACKUP_CODE_ALPHABET",
    "BACKUP_CODE_LENGTH",
    "ENROLMENT_CLOSED_MESSAGE",
    "IDP_MFA_SESSION_KEY",
    "SIGNED_IN_AT_SESSION_KEY",
    "SSORefused",
    "SecondFactor",
    "authenticator_reset",
    "backup_code_format",
    "backup_code_normalise",
    "backup_code_use",
    "backup_codes_generate",
    "backup_codes_regenerate",
    "backup_codes_remaining",
    "enrolment_allowed",
    "idp_mfa_asserted",
    "enrolment_permit_issue",
    "lockout_message",
    "lockout_release",
    "lockout_until",
    "otp_enrol_confirm",
    "otp_verify",
    "password_change",
    "password_failure_record",
    "password_signin_allowed",
    "second_factor_check",
    "second_factor_reset_by_admin",
    "security_key_remove",
    "security_keys_of",
    "session_expired_absolute",
    "session_key_rotate",
    "signin_failure_record",
    "signin_failure_record_or_raise",
    "signin_failures_clear",
    "signin_lock_check",
    "signin_records_purge",
    "sso_refusal_record",
    "sso_signin_complete",
    "sso_user_match",
    "totp_device_confirmed",
    "totp_device_pending",
    "totp_secret_display",
    "user_deactivate",
    "user_logout",
    "user_session_record",
    "user_sessions_end",
    "username_normalise",
]
