from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from accounts.models import (
    Band,
    Directorate,
    StaffGroup,
    StaffMember,
    Team,
    TeamMembership,
)


@admin.register(StaffMember)
class StaffMemberAdmin(UserAdmin):
    ordering = ["email"]
    list_display = ["email", "display_name", "directorate", "is_active"]
    search_fields = ["email", "display_name", "first_name", "last_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (
            "Profile",
            {
                "fields": (
                    "display_name",
                    "first_name",
                    "last_name",
                    "directorate",
                    "staff_group",
                    "band",
                    "profile_completed_at",
                )
            },
        ),
        (
            "Roles",
            {
                "fields": (
                    "is_active",
                    "is_staff",
                    "is_superuser",
                    "groups",
                    "user_permissions",
                )
            },
        ),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),
    )


class MembershipInline(admin.TabularInline):
    model = TeamMembership
    autocomplete_fields = ["staff_member"]
    extra = 0


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]
    search_fields = ["name"]


admin.site.register([Directorate, StaffGroup, Band])
