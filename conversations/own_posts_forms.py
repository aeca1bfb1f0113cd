"""Forms for a person's own posts: editing what they wrote."""

from django import forms
from django.utils.translation import gettext_lazy as _

from conversations.services import BODY_MAX, COMMENT_MAX, TITLE_MAX


class EditOwnIdeaForm(forms.Form):
    title = forms.CharField(
        label=_("Title"),
        max_length=TITLE_MAX,
        error_messages={
            "required": _("Enter a title for your idea."),
            "max_length": _(
                "Title must be %(limit_value)d characters or fewer "
                "(it has %(show_value)d)."
            ),
        },
    )
    body = forms.CharField(
        label=_("Your idea"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=BODY_MAX,
        error_messages={
            "required": _("Describe your idea."),
            "max_length": _(
                "Your idea must be %(limit_value)d characters or fewer "
                "(it has %(show_value)d)."
            ),
        },
    )


class EditOwnCommentForm(forms.Form):
    body = forms.CharField(
        label=_("Your comment"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=COMMENT_MAX,
        error_messages={
            "required": _("Write your comment before saving it."),
            "max_length": _(
                "Comments must be %(limit_value)d characters or fewer "
                "(it has %(show_value)d)."
            ),
        },
    )
