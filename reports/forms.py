from django import forms
from django.utils.translation import gettext_lazy as _

from reports.models import Action


class ReportForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=160)
    summary = forms.CharField(
        label=_("Summary"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("What the campaign was about, who took part and what comes next."),
    )


class ActionForm(forms.Form):
    title = forms.CharField(label=_("What will be done"), max_length=200)
    owner = forms.CharField(
        label=_("Who owns it"),
        max_length=160,
        help_text=_("A person or a team, for example “Director of Nursing”."),
    )
    due_date = forms.DateField(
        label=_("Due date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    status = forms.ChoiceField(label=_("Status"), choices=Action.Status.choices)
    theme = forms.TypedChoiceField(
        label=_("Outcome theme"), required=False, coerce=int, empty_value=None
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    ideas = forms.TypedMultipleChoiceField(
        label=_("Ideas it answers"),
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )
    note = forms.CharField(
        label=_("Update note"),
        required=False,
        max_length=1000,
        help_text=_("Shown with the date when the report is published."),
    )

    def __init__(self, *args, themes=(), ideas=(), published=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["theme"].choices = [("", _("None"))] + [
            (t.pk, t.name) for t in themes
        ]
        self.fields["ideas"].choices = [(i.pk, i.title) for i in ideas]
        if not published:
            del self.fields["note"]
