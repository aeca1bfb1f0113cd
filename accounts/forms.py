from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from accounts.models import Band, Directorate, StaffGroup, StaffMember, Team

PREFER_NOT = _("Prefer not to say")


class ProfileForm(forms.ModelForm):
    """The once-only profile questions. Every answer is optional."""

    team = forms.ModelChoiceField(
        queryset=Team.objects.all(),
        required=False,
        empty_label=PREFER_NOT,
        label=_("Team"),
    )

    class Meta:
        model = StaffMember
        fields = ["display_name", "directorate", "staff_group", "band"]
        labels = {
            "display_name": _("Your name, as colleagues will see it"),
            "directorate": _("Directorate"),
            "staff_group": _("Staff group"),
            "band": _("Band"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("directorate", "staff_group", "band"):
            self.fields[name].empty_label = PREFER_NOT
        self.fields["display_name"].required = False
        # A name is shown on every post: plain words only, never markup.
        self.fields["display_name"].validators.append(
            RegexValidator(
                r"^[^<>]*$", _("Use letters, spaces and punctuation only, not < or >.")
            )
        )
        self.fields["directorate"].queryset = Directorate.objects.all()
        self.fields["staff_group"].queryset = StaffGroup.objects.all()
        self.fields["band"].queryset = Band.objects.all()
        first_team = self.instance.teams.first() if self.instance.pk else None
        self.fields["team"].initial = first_team.pk if first_team else None
