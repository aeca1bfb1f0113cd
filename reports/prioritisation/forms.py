from django import forms
from django.utils.translation import gettext_lazy as _

from conversations.web.forms import DateTimeInput
from reports.prioritisation.models import DEFAULT_POINTS, MAX_POINTS, Round


class RoundForm(forms.Form):
    question = forms.CharField(
        label=_("Question"),
        max_length=200,
        initial=_("Which of these should we do first?"),
        error_messages={"required": _("Enter the question staff are asked.")},
    )
    opens_at = forms.DateTimeField(
        label=_("Opens"),
        widget=DateTimeInput(),
        error_messages={"required": _("Enter when the round opens.")},
    )
    closes_at = forms.DateTimeField(
        label=_("Closes"),
        widget=DateTimeInput(),
        error_messages={"required": _("Enter when the round closes.")},
    )
    points = forms.IntegerField(
        label=_("Points per person"),
        min_value=1,
        max_value=MAX_POINTS,
        initial=DEFAULT_POINTS,
        error_messages={"required": _("Enter how many points each person spreads.")},
    )
    ideas = forms.TypedMultipleChoiceField(
        label=_("Ideas on the shortlist"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    themes = forms.TypedMultipleChoiceField(
        label=_("Outcome themes on the shortlist"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, ideas, themes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ideas"].choices = [(i.pk, i.title) for i in ideas]
        self.fields["themes"].choices = [(t.pk, t.name) for t in themes]
        if not themes:
            del self.fields["themes"]

    @staticmethod
    def initial_for(round_: Round | None) -> dict:
        if round_ is None:
            return {}
        items = list(round_.items.all())
        return {
            "question": round_.question,
            "opens_at": round_.opens_at,
            "closes_at": round_.closes_at,
            "points": round_.points,
            "ideas": [i.idea_id for i in items if i.idea_id],
            "themes": [i.outcome_theme_id for i in items if i.outcome_theme_id],
        }


class AllocationForm(forms.Form):
    """A number input per shortlist item, named ``item-<id>``."""

    def __init__(self, *args, round_: Round, items, current: dict[int, int], **kwargs):
        super().__init__(*args, **kwargs)
        self.items = items
        for item in items:
            self.fields[f"item-{item.pk}"] = forms.IntegerField(
                label=item.label,
                min_value=0,
                max_value=round_.points,
                required=False,
                initial=current.get(item.pk, 0),
                widget=forms.NumberInput(
                    attrs={"inputmode": "numeric", "data-points": ""}
                ),
                error_messages={
                    "invalid": _("Enter a whole number of points."),
                    "min_value": _("Points cannot be below nought."),
                    "max_value": _("You have %(limit_value)s points to spread."),
                },
            )

    def points(self) -> dict[int, int]:
        return {
            item.pk: self.cleaned_data.get(f"item-{item.pk}") or 0
            for item in self.items
        }

    def rows(self):
        """(item, bound field) pairs, in shortlist order."""
        return [(item, self[f"item-{item.pk}"]) for item in self.items]
