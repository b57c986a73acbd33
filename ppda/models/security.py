"""Sign-in security: hashed backup codes, per account+address lockouts, and the sessions each user holds."""

from django.conf import settings
from django.db import models


class BackupCode(models.Model):
    """A single-use recovery code. Only a slow hash of the code is stored, never the code itself."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="backup_codes")
    # The first characters of the code, so a check hashes one candidate instead of all ten.
    lookup = models.CharField(max_length=4)
    code_hash = models.CharField(max_length=256)
    created_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "lookup"], name="backupcode_user_lookup")]

    def __str__(self):
        return f"backup code {self.pk} for user {self.user_id}"


class SignInLockout(models.Model):
    """Failed sign-in attempts (password or second factor) for one account name from one address and browser.

    Keyed by account, address *and* browser, so nobody else can lock a colleague out at will. Two kinds of
    row count across browsers (ppda.accounts.services.lockout): device "*" is an account name's failures
    from all browsers at the address, username "*" all names' failures from the address; theirs are holds.
    A name that is no account's is kept as a keyed hash, so unknown names are throttled the same way.
    """

    username = models.CharField(max_length=150)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    # The browser's sign-in token id (lockout.signin_browser_id), or "*" for all browsers.
    device = models.CharField(max_length=32, blank=True, default="")
    failures = models.PositiveIntegerField(default=0)
    first_failure_at = models.DateTimeField(null=True, blank=True)
    last_failure_at = models.DateTimeField(null=True, blank=True)
    locked_until = models.DateTimeField(null=True, blank=True)
    released_at = models.DateTimeField(null=True, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-last_failure_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["username", "ip_address", "device"], name="signinlockout_key", nulls_distinct=False
            )
        ]
        indexes = [models.Index(fields=["locked_until"], name="signinlockout_locked")]

    def __str__(self):
        name = "every account name" if self.username == "*" else self.username
        browsers = " (all browsers)" if self.device == "*" and self.username != "*" else ""
        return f"{name} from {self.ip_address or 'unknown address'}{browsers}"


class UserSession(models.Model):
    """A session a user signed in with, so logout or a credential change can end the others."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="signed_in_sessions")
    session_key = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField()
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "-created_at"], name="usersession_user")]

    def __str__(self):
        return f"session of user {self.user_id} since {self.created_at:%Y-%m-%d %H:%M}"


class EnrolmentPermit(models.Model):
    """Permission to set up a new authenticator, for a limited time.

    Whoever holds the password during that time can bind their own authenticator to the account, so the
    time is short: a new account's first days, or the days after an administrator or the user reset it.
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrolment_permit")
    issued_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    def __str__(self):
        return f"enrolment permit for user {self.user_id} until {self.expires_at:%Y-%m-%d %H:%M}"
