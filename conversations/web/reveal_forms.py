from django import forms
from django.utils.translation import gettext_lazy as _

from conversations.services.reveal import REASON_MAX


class RevealRequestForm(forms.Form):
    reason = forms.CharField(
        label=_("Why does the author need to be identified?"),
        help_text=_(
            "For serious cases only, such as a risk to someone's life or a "
            "safeguarding concern. The reason is kept in the audit log, the second "
            "person deciding will read it, and the author will be told it."
        ),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=REASON_MAX,
        error_messages={"required": _("Give the reason for this request.")},
    )


class RevealDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Your decision"),
        choices=[
            ("approve", _("Approve: reveal the author to the requester and me")),
            ("refuse", _("Refuse: the author stays anonymous")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose approve or refuse.")},
    )
    reason = forms.CharField(
        label=_("Reason for your decision"),
        help_text=_("Kept in the audit log."),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=REASON_MAX,
        error_messages={"required": _("Give the reason for your decision.")},
    )
