from datetime import UTC, datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from conversations import rules
from conversations.models import Idea, Theme
from search.services import Filters


class SearchForm(forms.Form):
    """What to look for and where: only campaigns and themes the person may see are
    offered, and only they are accepted."""

    q = forms.CharField(
        label=_("Search ideas and comments"), required=False, max_length=200
    )
    campaign = forms.ModelChoiceField(
        label=_("Campaign or board"),
        queryset=None,
        required=False,
        empty_label=_("All campaigns and boards"),
    )
    theme = forms.ModelChoiceField(
        label=_("Theme"),
        queryset=Theme.objects.none(),
        required=False,
        empty_label=_("All themes"),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("Any status")), *Idea.Status.choices],
        required=False,
    )
    mine = forms.BooleanField(label=_("Only my ideas and comments"), required=False)
    since = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = rules.visible_campaigns(user).order_by(
            "kind", "title"
        )
        campaign_id = self.data.get("campaign") if self.is_bound else None
        if campaign_id and str(campaign_id).isdigit():
            self.fields["theme"].queryset = Theme.objects.filter(
                campaign_id=int(campaign_id),
                campaign_id__in=rules.visible_ids(user),
            )
        else:
            del self.fields["theme"]

    def filters(self) -> Filters:
        data = self.cleaned_data
        since = data.get("since")
        theme = data.get("theme")
        return Filters(
            query=data.get("q", ""),
            campaign=data.get("campaign"),
            theme_id=theme.pk if theme else None,
            status=data.get("status", ""),
            mine=bool(data.get("mine")),
            since=datetime.fromtimestamp(since, UTC) if since is not None else None,
        )
