from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from simple_history.admin import SimpleHistoryAdmin

from .models import Command, Department, District, StaffMember, Team, User

admin.site.site_header = "ppda administration"


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = (*BaseUserAdmin.fieldsets, ("ppda", {"fields": ("staff", "organisation")}))
    raw_id_fields = ("staff",)


@admin.register(StaffMember)
class StaffMemberAdmin(SimpleHistoryAdmin):
    list_display = ("employee_number", "last_name", "first_name", "rank", "department", "soo_eligible")
    list_filter = ("rank", "soo_eligible", "availability")
    search_fields = ("employee_number", "last_name")
    raw_id_fields = ("line_manager",)
    list_select_related = ("department",)


admin.site.register([Command, Department, Team, District])
