from django.contrib import admin

from voting.models import Tally


@admin.register(Tally)
class TallyAdmin(admin.ModelAdmin):
    list_display = ["target_type", "target_id", "support", "dont_support"]
    readonly_fields = ["target_type", "target_id", "support", "dont_support"]
