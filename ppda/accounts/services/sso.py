"""Single sign-on: who a verified OpenID Connect sign-in is, whether the IdP's MFA counts, and the finished sign-in.

The token itself (signature, issuer, audience, expiry, nonce, state) is checked by mozilla-django-oidc and
ppda.accounts.oidc before anything here runs. These rules decide what the verified claims mean in ppda:

- A person is their **staff record**, found by employee number (never by name or email), and through it their
  existing account. No staff record, an inactive one, no account, an inactive account, or an account with no
  ppda role: refused, logged, and no account is created.
- Roles are ppda's own. Only when OIDC_GROUP_ROLES maps IdP groups to roles are the mapped roles synced from
  the token (and only those: a role the mapping does not name is left as ppda set it).
- The IdP's MFA stands in for ppda's second factor only when the ID token says so (`amr`, or a configured
  `acr`). Otherwise the user goes on to ppda's own second factor, exactly as after a password.
"""

import logging

from django.conf import settings
from django.db import transaction

from ppda.audit import access_record
from ppda.models import AccessLog, StaffMember
from ppda.roles import Role, user_roles_change

from ..addresses import client_ip
from .lockout import signin_browser_id, signin_failures_clear
from .sessions import session_key_rotate, user_session_record

logger = logging.getLogger(__name__)

# The session's note that the IdP did the second factor: the id of the user it did it for.
IDP_MFA_SESSION_KEY = "ppda_idp_mfa_user"
SSO_SESSION_KEY = "ppda_sso"


class SSORefused(Exception):
    """A verified sign-in ppda will not accept. `reason` is a code; `message` is what the person is told."""

    MESSAGES = {
        "no_employee_number": "Your force account did not send an employee number, so ppda cannot tell who you "
        "are. Ask your IT service desk to check the single sign-on set-up.",
        "no_staff_record": "There is no staff record with your employee number in ppda.",
        "staff_inactive": "Your staff record in ppda is not active.",
        "no_account": "You do not have a ppda account.",
        "account_inactive": "Your ppda account is not active.",
        "no_role": "Your ppda account has no role.",
        "token": "The sign-in could not be checked. Start again from the sign-in page.",
        "provider_error": "Your force's sign-in service did not sign you in.",
    }

    def __init__(self, reason: str, *, user=None):
        super().__init__(reason)
        self.reason = reason
        self.user = user
        self.message = self.MESSAGES[reason]


def _claim(claims: dict, name: str):
    value = claims.get(name)
    return value if value not in ("", None, []) else None


def employee_number_from_claims(*, claims: dict) -> str | None:
    value = _claim(claims, settings.OIDC_EMPLOYEE_NUMBER_CLAIM)
    if value is None or isinstance(value, (list, dict, bool)):
        return None
    return str(value).strip() or None


def idp_mfa_asserted(*, id_token_claims: dict) -> bool:
    """True only if the (verified) ID token says the IdP did multi-factor authentication."""
    if not settings.OIDC_ACCEPT_IDP_MFA:
        return False
    amr = id_token_claims.get("amr") or []
    if isinstance(amr, str):
        amr = [amr]
    if any(value in settings.OIDC_MFA_AMR_VALUES for value in amr if isinstance(value, str)):
        return True
    acr = id_token_claims.get("acr")
    return isinstance(acr, str) and acr in settings.OIDC_MFA_ACR_VALUES


def _roles_sync(*, user, claims: dict) -> None:
    """Only with an explicit OIDC_GROUP_ROLES mapping: add and remove the mapped roles to match the token."""
    mapping = settings.OIDC_GROUP_ROLES
    if not mapping:
        return
    groups = claims.get(settings.OIDC_GROUPS_CLAIM) or []
    groups = [groups] if isinstance(groups, str) else [g for g in groups if isinstance(g, str)]
    # A mapped name that is no ppda role is ignored, as before.
    wanted = {mapping[g] for g in groups if g in mapping} & set(Role.values)
    managed = set(mapping.values()) & set(Role.values)
    current = set(user.groups.values_list("name", flat=True))
    # Recorded in the grant history with no actor: the identity provider's groups decided (source "sso").
    add, remove = user_roles_change(
        user=user, add=wanted - current, remove=(managed & current) - wanted, by=None, source="sso"
    )
    if add or remove:
        logger.info("sso roles synced from IdP groups: +%d -%d", len(add), len(remove))


def sso_user_match(*, claims: dict):
    """The existing, active account with a role whose active staff record has the claims' employee number.

    Raises SSORefused. Never creates or links an account.
    """
    number = employee_number_from_claims(claims=claims)
    if number is None:
        raise SSORefused("no_employee_number")
    staff = StaffMember.objects.filter(employee_number=number).select_related("user").first()
    if staff is None:
        raise SSORefused("no_staff_record")
    user = getattr(staff, "user", None)
    if not staff.is_active:
        raise SSORefused("staff_inactive", user=user)
    if user is None:
        raise SSORefused("no_account")
    if not user.is_active:
        raise SSORefused("account_inactive", user=user)
    with transaction.atomic():
        _roles_sync(user=user, claims=claims)
    if not user.groups.exists():
        raise SSORefused("no_role", user=user)
    return user


def sso_refusal_record(*, request, refusal: SSORefused) -> None:
    """Log a refused single sign-on: the access log (account if known) and the application log (reason only)."""
    logger.warning("single sign-on refused: %s", refusal.reason)
    access_record(
        request=request,
        user=refusal.user,
        action=AccessLog.Action.LOGIN_FAILED,
        what=f"single sign-on refused: {refusal.reason}",
        allowed=False,
    )


def sso_signin_complete(*, request, user, mfa: bool) -> None:
    """After Django's login (which rotated the key): remember the session; if the IdP did MFA, finish here.

    Without the IdP's MFA the session is password-only in effect: the middleware sends it to ppda's second factor.
    """
    request.session[SSO_SESSION_KEY] = True
    user_session_record(request=request, user=user)
    if not mfa:
        access_record(request=request, user=user, action=AccessLog.Action.LOGIN, what="single sign-on (first factor)")
        return
    request.session[IDP_MFA_SESSION_KEY] = user.pk
    session_key_rotate(request=request)
    signin_failures_clear(
        username=user.get_username(),
        ip_address=client_ip(request),
        device=signin_browser_id(request=request),
    )
    access_record(request=request, user=user, action=AccessLog.Action.LOGIN, what="single sign-on with the IdP's MFA")
