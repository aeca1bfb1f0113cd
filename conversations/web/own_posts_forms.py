"""Forms for a person's own posts: editing what they wrote."""

from django import forms
from django.utils.translation import gettext_lazy as _

from conversations.services import COMMENT_MAX
from conversations.web.forms import IdeaForm


class EditOwnIdeaForm(forms.Form):
    """The posting form's title and text, with the same limits and messages."""

    title = IdeaForm.base_fields["title"]
    body = IdeaForm.base_fields["body"]


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
