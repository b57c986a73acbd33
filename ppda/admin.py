"""The Django admin: superusers only, behind our own sign-in and second factor, never case data.

Identifiable case data (parties, safe contact) is never registered here: a superuser has no case access.
"""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.text import capfirst
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice
from simple_history.admin import SimpleHistoryAdmin

from .accounts import services as account_services
from .grant_history import recorded, role_events_record
from .models import Command, Department, District, GrantEvent, SignInLockout, StaffMember, Team, User

admin.site.site_header = "ppda administration"
admin.site.site_title = "ppda administration"


def _admin_has_permission(request) -> bool:
    """Superusers who passed both factors; staff status alone is not enough."""
    user = request.user
    return user.is_active and user.is_superuser and user.is_verified()


def _admin_login(request, extra_context=None):
    """The admin's own login page is never used: our sign-in (password + second factor) is the only way in."""
    if request.user.is_authenticated and request.user.is_verified():
        if not _admin_has_permission(request):
            raise PermissionDenied
        return redirect("admin:index")
    target = request.GET.get("next") or reverse("admin:index")
    return redirect(f"{reverse('accounts:login')}?next={target}")


@require_POST
def _admin_logout(request, extra_context=None):
    """The admin's sign-out button does what ours does: end this and every other session, and log it."""
    account_services.user_logout(request=request)
    return redirect("accounts:login")


admin.site.has_permission = _admin_has_permission
admin.site.login = _admin_login
admin.site.logout = _admin_logout

# django-otp registers its device admin; device secrets have no business on a screen.
for model in (TOTPDevice,):
    if admin.site.is_registered(model):
        admin.site.unregister(model)


class NeverDeletedMixin:
    """Staff records and accounts are never deleted in the admin: they are marked inactive (the history, the
    access log and the cases keep referring to them). Django's delete page lists everything a deletion would touch
    ("Victim on 12", an account's case grants) and so would reveal case membership (issue 17); refusing every
    deletion with the same message reveals nothing, where refusing only a party's would."""

    never_deleted = (
        "{name} are never deleted: they stay for the history and the audit trail. Mark them inactive instead."
    )

    def has_delete_permission(self, request, obj=None):
        return False

    def delete_view(self, request, object_id, extra_context=None):
        # Before any lookup: the same answer whatever the record is, and whether it exists or not.
        name = capfirst(self.model._meta.verbose_name_plural)
        self.message_user(request, self.never_deleted.format(name=name), messages.WARNING)
        opts = self.model._meta
        return redirect(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[object_id]))


class ProtectedNotListedMixin:
    """A unit of the directory (command, department, team, district) that is still referred to cannot be deleted
    (every reference is PROTECT); the delete page says so without listing the referring rows, which would name
    the cases and parties of a district."""

    def get_deleted_objects(self, objs, request):
        to_delete, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        if protected:
            protected = ["Other records (staff, cases or their history) still refer to it: they are not listed here."]
        return to_delete, model_count, perms_needed, protected


class DirectoryUnitAdmin(ProtectedNotListedMixin, admin.ModelAdmin):
    pass


@admin.register(User)
class UserAdmin(NeverDeletedMixin, BaseUserAdmin):
    fieldsets = (*BaseUserAdmin.fieldsets, ("ppda", {"fields": ("staff", "organisation")}))
    raw_id_fields = ("staff",)
    actions = ["deactivate_and_sign_out", "reset_second_factor"]

    def user_change_password(self, request, id, form_url=""):
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            # A password set by an administrator ends the user's sessions (the admin's own, if theirs, stays).
            user = self.get_object(request, unquote(id))
            keep = request.session.session_key if user.pk == request.user.pk else None
            account_services.user_sessions_end(user=user, keep_session_key=keep)
        return response

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "is_active" in form.changed_data and not obj.is_active:
            account_services.user_deactivate(user=obj, by=request.user)

    def save_related(self, request, form, formsets, change):
        """The form's roles (groups) are saved here: each one added or removed is recorded in the grant history
        with the administrator who did it, in the admin's transaction (issue 17)."""
        user = form.instance
        before = set(user.groups.values_list("name", flat=True)) if change else set()
        with transaction.atomic(), recorded():
            super().save_related(request, form, formsets, change)
            after = set(user.groups.values_list("name", flat=True))
            role_events_record(
                changes=[(user, name, GrantEvent.Change.GRANTED) for name in sorted(after - before)]
                + [(user, name, GrantEvent.Change.REMOVED) for name in sorted(before - after)],
                by=request.user,
                source="admin",
            )

    @admin.action(description="Deactivate and sign out everywhere")
    def deactivate_and_sign_out(self, request, queryset):
        for user in queryset:
            account_services.user_deactivate(user=user, by=request.user)
        self.message_user(request, f"Deactivated {queryset.count()} account(s) and ended their sessions.")

    @admin.action(description="Reset two-factor (the user sets up a new authenticator at next sign-in)")
    def reset_second_factor(self, request, queryset):
        for user in queryset:
            account_services.second_factor_reset_by_admin(user=user, by=request.user, request=request)
        self.message_user(request, f"Reset two-factor for {queryset.count()} account(s).", messages.SUCCESS)


@admin.register(SignInLockout)
class SignInLockoutAdmin(admin.ModelAdmin):
    list_display = ("username", "ip_address", "device", "failures", "last_failure_at", "locked_until", "released_at")
    list_filter = ("locked_until",)
    search_fields = ("username",)
    readonly_fields = [f.name for f in SignInLockout._meta.fields]
    actions = ["release"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description="Release the selected lockouts")
    def release(self, request, queryset):
        # By row: a hashed name or an address's row cannot be released by its stored key.
        released = account_services.lockout_rows_release(row_ids=queryset.values_list("pk", flat=True), by=request.user)
        self.message_user(request, f"Released {released} lockout(s).", messages.SUCCESS)


@admin.register(StaffMember)
class StaffMemberAdmin(NeverDeletedMixin, SimpleHistoryAdmin):
    list_display = ("employee_number", "last_name", "first_name", "rank", "department", "soo_eligible")
    list_filter = ("rank", "soo_eligible", "availability")
    search_fields = ("employee_number", "last_name")
    raw_id_fields = ("line_manager",)
    list_select_related = ("department",)


admin.site.register([Command, Department, Team, District], DirectoryUnitAdmin)
