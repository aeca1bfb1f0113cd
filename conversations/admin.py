from django.contrib import admin

from conversations.models import AuditEntry, Campaign, Idea, Theme


class ThemeInline(admin.TabularInline):
    model = Theme
    extra = 0


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "is_published", "opens_at", "closes_at"]
    inlines = [ThemeInline]
    prepopulated_fields = {"slug": ["title"]}
    # Ids, not a list of every staff member's name.
    raw_id_fields = ["moderators", "created_by"]


@admin.register(Idea)
class IdeaAdmin(admin.ModelAdmin):
    # No author column and no author filter: anonymous posts must stay anonymous here too.
    list_display = ["title", "campaign", "theme", "status", "visibility", "created_at"]
    list_filter = ["campaign", "status", "visibility"]
    search_fields = ["title"]
    exclude = ["author", "put_forward_by", "carried_from"]


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: nobody can add, change or delete audit entries through the admin."""

    list_display = ["created_at", "action", "actor", "campaign", "idea", "reason"]
    list_filter = ["action", "campaign"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
