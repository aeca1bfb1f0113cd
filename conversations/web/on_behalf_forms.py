from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Band, Directorate, StaffGroup
from conversations.models import Campaign, Idea
from conversations.services.text import BODY_MAX, TITLE_MAX


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def _group(model, label):
    return forms.ModelChoiceField(
        queryset=model.objects.all(),
        label=label,
        required=False,
        empty_label=_("Not asked or not given"),
    )


class OnBehalfForm(forms.Form):
    source = forms.ChoiceField(
        label=_("Where was it collected?"),
        choices=Idea.Source.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose where it was collected.")},
    )
    collected_on = forms.DateField(
        label=_("Date collected"),
        widget=DateInput(),
        error_messages={
            "required": _("Enter the date it was collected."),
            "invalid": _("Enter a real date, for example 12/11/2026."),
        },
    )
    theme = forms.ModelChoiceField(
        queryset=None,
        label=_("Theme"),
        empty_label=_("Choose a theme"),
        error_messages={"required": _("Choose the theme it is about.")},
    )
    title = forms.CharField(
        label=_("Title"),
        max_length=TITLE_MAX,
        help_text=_("A short summary in the person’s own words where you can."),
        error_messages={"required": _("Enter a title.")},
    )
    body = forms.CharField(
        label=_("What they said"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=BODY_MAX,
        help_text=_(
            "Type it as written. Leave out names and anything else that could "
            "identify someone: it is posted anonymously."
        ),
        error_messages={"required": _("Enter what they said.")},
    )
    directorate = _group(Directorate, _("Directorate (if the form asked)"))
    staff_group = _group(StaffGroup, _("Staff group (if the form asked)"))
    band = _group(Band, _("Band (if the form asked)"))

    def __init__(self, *args, campaign: Campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["theme"].queryset = campaign.themes.all()
