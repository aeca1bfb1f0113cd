"""Administrators create service-account tokens here (the token is shown once, on the
page that follows), revoke them, and read the record of API requests."""

from django.contrib import admin
from django.template.response import TemplateResponse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy as _

from api import tokens
from api.models import ApiRequest, ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "prefix",
        "created_by",
        "created_at",
        "last_used_at",
        "revoked",
    ]
    list_filter = ["revoked"]
    search_fields = ["name"]
    readonly_fields = ["prefix", "created_by", "created_at", "last_used_at"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["name"]
        return ["name", "revoked", "prefix", "created_by", "created_at", "last_used_at"]

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
        else:
            # Kept on the request only for the page that shows it; never stored.
            request.api_token_shown_once = tokens.issue(obj, request.user)

    def response_add(self, request, obj, post_url_continue=None):
        response = TemplateResponse(
            request,
            "api/admin/token_created.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Token created"),
                "token": obj,
                "key": request.api_token_shown_once,
                "header": "Authorization: Bearer <token>",  # HTTP, not translated
                "opts": self.opts,
            },
        )
        add_never_cache_headers(response)  # the token must not sit in any cache
        return response


@admin.register(ApiRequest)
class ApiRequestAdmin(admin.ModelAdmin):
    list_display = ["at", "token", "method", "path", "status", "duration_ms"]
    list_filter = ["status", "method"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
