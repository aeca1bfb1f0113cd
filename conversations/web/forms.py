from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Team
from conversations.models import AuditEntry, Campaign, Idea, Theme
from conversations.services import BODY_MAX, COMMENT_MAX, TITLE_MAX


class IdeaForm(forms.Form):
    theme = forms.ModelChoiceField(
        queryset=Theme.objects.none(),
        label=_("Theme"),
        empty_label=_("Choose a theme"),
        error_messages={"required": _("Choose the theme your idea is about.")},
    )
    title = forms.CharField(
        label=_("Title"),
        max_length=TITLE_MAX,
        help_text=_("A short summary, up to %(n)d characters.") % {"n": TITLE_MAX},
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
    anonymous = forms.BooleanField(
        label=_('Post anonymously: colleagues and moderators will see "a colleague"'),
        required=False,
    )

    def __init__(self, *args, campaign: Campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["theme"].queryset = campaign.themes.all()
        if not campaign.allow_anonymous:
            del self.fields["anonymous"]


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Add a comment"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=COMMENT_MAX,
        error_messages={
            "required": _("Write your comment before posting it."),
            "max_length": _(
                "Comments must be %(limit_value)d characters or fewer "
                "(it has %(show_value)d)."
            ),
        },
    )
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)
    anonymous = forms.BooleanField(label=_("Comment anonymously"), required=False)

    def __init__(self, *args, campaign: Campaign, **kwargs):
        super().__init__(*args, **kwargs)
        if not campaign.allow_anonymous:
            del self.fields["anonymous"]


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class CampaignForm(forms.ModelForm):
    themes = forms.CharField(
        label=_("Themes"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_('One theme per line, for example "Health and wellbeing".'),
        error_messages={"required": _("Add at least one theme, one per line.")},
    )
    moderators = forms.CharField(
        label=_("Moderators of this campaign"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Work emails, one per line, of people who moderate this campaign only. "
            "Organisation moderators and engagement managers moderate it anyway."
        ),
    )

    class Meta:
        model = Campaign
        fields = [
            "title",
            "introduction",
            "opens_at",
            "closes_at",
            "allow_anonymous",
            "pre_moderation",
            "audience_teams",
            "is_published",
        ]
        labels = {
            "title": _("Title"),
            "introduction": _("Introduction"),
            "opens_at": _("Opens"),
            "closes_at": _("Closes"),
            "allow_anonymous": _("Allow anonymous posts"),
            "pre_moderation": _("Check every post before it appears (pre-moderation)"),
            "audience_teams": _("Audience"),
            "is_published": _("Publish: open and close at the times above"),
        }
        help_texts = {
            "pre_moderation": _(
                "Posts wait in the moderation queue until a moderator approves them."
            ),
            "audience_teams": _(
                "Leave empty for everyone, or choose the teams it is for."
            ),
            "introduction": _(
                "What is this conversation about, and what will happen to it?"
            ),
            "is_published": _(
                "Leave unticked to keep it as a draft only managers can see."
            ),
        }
        widgets = {
            "opens_at": DateTimeInput(),
            "closes_at": DateTimeInput(),
            "introduction": forms.Textarea(attrs={"rows": 5}),
            "audience_teams": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["audience_teams"].queryset = Team.objects.all()
        self.fields["opens_at"].required = True
        self.fields["closes_at"].required = True
        if self.instance.pk:
            self.fields["themes"].initial = "\n".join(
                t.name for t in self.instance.themes.all()
            )
            self.fields["moderators"].initial = "\n".join(
                m.email for m in self.instance.moderators.all()
            )
        else:
            self.fields["is_published"].initial = True

    def clean_moderators(self):
        from accounts.teams import staff_by_emails

        return staff_by_emails(_emails(self.cleaned_data["moderators"]))

    def clean_themes(self) -> list[str]:
        names = [
            line.strip()
            for line in self.cleaned_data["themes"].splitlines()
            if line.strip()
        ]
        if not names:
            raise ValidationError(_("Add at least one theme, one per line."))
        if len({n.lower() for n in names}) != len(names):
            raise ValidationError(_("Each theme needs a different name."))
        if any(len(n) > 120 for n in names):
            raise ValidationError(_("Theme names must be 120 characters or fewer."))
        return names

    def clean(self):
        cleaned = super().clean()
        opens, closes = cleaned.get("opens_at"), cleaned.get("closes_at")
        if opens and closes and closes <= opens:
            self.add_error(
                "closes_at", _("The closing time must be after the opening time.")
            )
        if (
            not self.instance.pk
            and closes
            and closes <= timezone.now()
            and cleaned.get("is_published")
        ):
            self.add_error("closes_at", _("The closing time must be in the future."))
        return cleaned


class IdeaStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Idea.Status.choices)
    note = forms.CharField(
        label=_("Public note"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Shown to everyone, e.g. why an idea was not taken forward."),
    )


class HideIdeaForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=AuditEntry.Reason.choices)
    note = forms.CharField(
        label=_("Note for the audit log"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


# The same reasons for a report and for hiding, so an outcome answers the report.
HidePostForm = HideIdeaForm


class FlagForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Why are you reporting this?"),
        choices=AuditEntry.Reason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose why you are reporting this.")},
    )
    note = forms.CharField(
        label=_("Anything else a moderator should know (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only moderators see this. Do not repeat a name or number here."),
        error_messages={
            "max_length": _(
                "Keep it to %(limit_value)d characters or fewer "
                "(it has %(show_value)d)."
            )
        },
    )


class ModerationNoteForm(forms.Form):
    note = forms.CharField(
        label=_("Note for the audit log (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class EditPostForm(forms.Form):
    title = forms.CharField(
        label=_("Title"),
        max_length=TITLE_MAX,
        error_messages={"required": _("Enter a title.")},
    )
    body = forms.CharField(
        label=_("Text"),
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=BODY_MAX,
        error_messages={"required": _("Enter the text of the post.")},
    )
    note = forms.CharField(
        label=_("What you changed and why (for the audit log)"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Say what you changed and why.")},
    )

    def __init__(self, *args, is_idea: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not is_idea:
            del self.fields["title"]
            self.fields["body"] = forms.CharField(
                label=_("Text"),
                widget=forms.Textarea(attrs={"rows": 6}),
                max_length=COMMENT_MAX,
                error_messages={"required": _("Enter the text of the comment.")},
            )
            self.order_fields(["body", "note"])


class MergeForm(forms.Form):
    target = forms.ModelChoiceField(
        label=_("Merge into"),
        queryset=Idea.objects.none(),
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose the idea to merge this one into."),
            "invalid_choice": _("Choose one of the ideas listed."),
        },
    )
    note = forms.CharField(
        label=_("Note for the audit log (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = candidates


class ReviewRequestForm(forms.Form):
    message = forms.CharField(
        label=_("Why should a moderator look again? (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class BoardForm(forms.Form):
    """A lead starts their team's Your Shout board."""

    title = forms.CharField(label=_("Board name"), max_length=160, required=False)
    introduction = forms.CharField(
        label=_("Introduction"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What the board is for, and what the team will do with ideas."),
    )
    allow_anonymous = forms.BooleanField(
        label=_("Allow anonymous posts"), required=False, initial=True
    )


class PinnedNoteForm(forms.Form):
    note = forms.CharField(
        label=_("What we changed this month"),
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Pinned at the top of the board with today's date. Leave empty to unpin."
        ),
    )


class BoardStateForm(forms.Form):
    state = forms.ChoiceField(
        label=_("Board state"),
        choices=Campaign.BoardState.choices,
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note for the audit log"), required=False, max_length=1000
    )


class CarryForm(forms.Form):
    campaign = forms.ModelChoiceField(
        label=_("Campaign to carry it into"),
        queryset=Campaign.objects.none(),
        empty_label=_("Choose a campaign"),
        error_messages={"required": _("Choose the campaign to carry it into.")},
    )

    def __init__(self, *args, campaigns, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = campaigns


def _emails(value: str) -> list[str]:
    return [
        line.strip().lower()
        for line in value.replace(",", "\n").splitlines()
        if line.strip()
    ]
