from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from notifications.models import Webhook, WebhookDelivery


class WebhookForm(forms.ModelForm):
    events = forms.MultipleChoiceField(
        label=_("Events"),
        choices=Webhook.Event.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Which announcements to post; none ticked: all of them."),
    )
    url = forms.URLField(label=_("Address"), max_length=1000, assume_scheme="https")
    secret = forms.CharField(
        label=_("Signing secret"),
        required=False,
        widget=forms.PasswordInput(render_value=True),
        help_text=_("For signed webhooks: the receiver checks the signature with it."),
    )

    class Meta:
        model = Webhook
        fields = ["name", "kind", "url", "secret", "events", "is_active"]

    def clean(self):
        data = super().clean()
        if data.get("kind") == Webhook.Kind.SIGNED and len(data.get("secret", "")) < 16:
            self.add_error(
                "secret",
                _("A signed webhook needs a secret of at least 16 characters."),
            )
        return data


@admin.register(Webhook)
class WebhookAdmin(admin.ModelAdmin):
    form = WebhookForm
    list_display = ["name", "kind", "is_active", "created_at"]
    list_filter = ["kind", "is_active"]


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = [
        "event",
        "webhook",
        "created_at",
        "attempts",
        "sent_at",
        "gave_up_at",
    ]
    list_filter = ["event", "webhook"]
    readonly_fields = [
        "webhook",
        "event",
        "dedupe_key",
        "payload",
        "created_at",
        "attempts",
        "sent_at",
        "gave_up_at",
        "last_error",
    ]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
