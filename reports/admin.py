from django.contrib import admin

from reports.models import (
    Action,
    ActionReport,
    ActionUpdate,
    OutcomeTheme,
    SynthesisRun,
)


@admin.register(ActionReport)
class ActionReportAdmin(admin.ModelAdmin):
    list_display = ["title", "campaign", "state", "published_at"]
    list_filter = ["state"]
    readonly_fields = ["figures", "published_at", "published_by"]


@admin.register(Action)
class ActionAdmin(admin.ModelAdmin):
    list_display = ["title", "report", "owner", "due_date", "status"]
    list_filter = ["status"]
    raw_id_fields = ["ideas", "theme", "report"]


@admin.register(ActionUpdate)
class ActionUpdateAdmin(admin.ModelAdmin):
    list_display = ["action", "status", "changed_at", "changed_by"]


@admin.register(OutcomeTheme)
class OutcomeThemeAdmin(admin.ModelAdmin):
    list_display = ["name", "campaign", "position"]


@admin.register(SynthesisRun)
class SynthesisRunAdmin(admin.ModelAdmin):
    list_display = [
        "campaign",
        "state",
        "progress",
        "idea_count",
        "seconds",
        "created_at",
    ]
    list_filter = ["state"]
