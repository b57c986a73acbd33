"""Sign-in and account security forms: validation and messages only; the rules are in services."""

from django import forms
from django.conf import settings
from django.contrib.auth import authenticate, password_validation
from django.contrib.auth.forms import AuthenticationForm

from ppda.errors import ApplicationError

from . import services


class SignInForm(AuthenticationForm):
    """Username and password, refused while this browser is locked out of the name, failures counted.

    While sign-in from here is held (services.signin_held) it also takes the second factor, and a right
    password and code together sign in at once (held_signin_check): someone else's failures never keep
    the real user out. `held` says whether to show the code field; `second_factor` is set after such a
    sign-in.
    """

    code = forms.CharField(
        label="Security code",
        required=False,
        max_length=20,
        help_text="The 6-digit code from your authenticator app, or one of your backup codes.",
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "spellcheck": "false", "autocapitalize": "none"}
        ),
    )

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "Enter a correct username and password. Both are case-sensitive.",
        "inactive": "Enter a correct username and password. Both are case-sensitive.",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].error_messages["required"] = "Enter your username"
        self.fields["password"].error_messages["required"] = "Enter your password"
        self.second_factor = None
        # Before a name is typed, known only when the whole address is held (a post finds out in clean).
        self.held = (
            not self.is_bound and self.request is not None and services.signin_address_held(request=self.request)
        )

    def clean(self):
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is None or not password:
            return self.cleaned_data
        if not services.password_signin_allowed(username=username):
            raise forms.ValidationError(
                f"Sign in with {settings.OIDC_PROVIDER_NAME}. Passwords are for emergency accounts only.",
                code="sso_only",
            )
        try:
            services.signin_lock_check(request=self.request, username=username)
        except ApplicationError as error:
            raise forms.ValidationError(error.message, code="locked") from None
        try:
            if services.signin_held(request=self.request, username=username):
                self.held = True
                self.user_cache, self.second_factor = services.held_signin_check(
                    request=self.request, username=username, password=password, code=self.cleaned_data.get("code")
                )
            else:
                self.user_cache = authenticate(self.request, username=username, password=password)
                if self.user_cache is None:
                    services.password_failure_record(request=self.request, username=username)
        except ApplicationError as error:
            if error.field != "code":
                raise forms.ValidationError(error.message, code="locked") from None
            # A hold (just started, or a refusal while held): ask for the code beside the password.
            self.held = True
            self.add_error("code", error.message)
            return self.cleaned_data
        if self.user_cache is None:
            raise self.get_invalid_login_error()
        self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data


class CodeForm(forms.Form):
    """One field for the second factor: an authenticator code or, where allowed, a backup code."""

    code = forms.CharField(
        label="Security code",
        max_length=20,
        help_text="The 6-digit code from your authenticator app.",
        error_messages={"required": "Enter the 6-digit code from your authenticator app."},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "spellcheck": "false", "autocapitalize": "none"}
        ),
    )

    def __init__(self, *args, allow_backup: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if allow_backup:
            self.fields[
                "code"
            ].help_text = (
                "The 6-digit code from your authenticator app, or one of your backup codes if you do not have it."
            )
            self.fields["code"].error_messages["required"] = (
                "Enter the 6-digit code from your authenticator app, or a backup code."
            )
        else:
            self.fields["code"].widget.attrs["inputmode"] = "numeric"

    def clean_code(self):
        return self.cleaned_data["code"].strip()


class PasswordChangeForm(forms.Form):
    """The current password and a security code prove it is you; the new one passes Django's validators."""

    current_password = forms.CharField(
        label="Current password",
        strip=False,
        error_messages={"required": "Enter your current password."},
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    code = forms.CharField(
        label="Security code",
        max_length=20,
        help_text="The 6-digit code from your authenticator app, or a backup code.",
        error_messages={"required": "Enter the 6-digit code from your authenticator app, or a backup code."},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "spellcheck": "false"}),
    )
    new_password1 = forms.CharField(
        label="New password",
        strip=False,
        help_text="At least 12 characters. Avoid common passwords and anything like your name or username.",
        error_messages={"required": "Enter a new password."},
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    new_password2 = forms.CharField(
        label="Confirm new password",
        strip=False,
        error_messages={"required": "Enter the new password again."},
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_new_password2(self):
        first = self.cleaned_data.get("new_password1")
        second = self.cleaned_data["new_password2"]
        if first and first != second:
            raise forms.ValidationError("The new passwords do not match.")
        if first:
            password_validation.validate_password(second, self.user)
        return second


class ConfirmCodeForm(CodeForm):
    """Re-prove the second factor before a sensitive change."""
