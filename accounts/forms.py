from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils import translation
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
        help_text=_(
            "Your ward, locality or service. It is used to count how many people "
            "take part from each team, and to show you campaigns for your team."
        ),
    )

    class Meta:
        model = StaffMember
        fields = ["display_name", "directorate", "staff_group", "band"]
        help_texts = {
            "display_name": _(
                "Shown next to everything you post, except anonymous posts. Leave it "
                "blank to use the name on your account."
            ),
        }
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


CONFIRM_PHRASE = _("delete my account")


def _confirm_phrases() -> set[str]:
    """The phrase in every interface language: any of them confirms."""
    phrases = set()
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            phrases.add(str(CONFIRM_PHRASE))
    return phrases


class DeleteAccountForm(forms.Form):
    """Confirm with the password, or, for people who sign in through their
    organisation's single sign-on and have none, by typing a phrase."""

    remove_posts = forms.BooleanField(
        label=_("Also remove everything I posted"),
        required=False,
        help_text=_(
            'If you leave this unticked, your ideas and comments stay, shown as "a '
            'former colleague". Removing an idea also removes the comments on it.'
        ),
    )
    password = forms.CharField(
        label=_("Your password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        required=False,
    )
    # Labelled in __init__: the phrase is in the language of the request.
    confirm = forms.CharField(required=False)

    def __init__(self, *args, user: StaffMember, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if user.has_usable_password():
            del self.fields["confirm"]
            self.fields["password"].required = True
            self.fields["password"].error_messages["required"] = _(
                "Enter your password to confirm."
            )
        else:
            del self.fields["password"]
            self.fields["confirm"].label = _('Type "%(phrase)s" to confirm') % {
                "phrase": CONFIRM_PHRASE
            }
            self.fields["confirm"].required = True
            self.fields["confirm"].error_messages["required"] = _(
                'Type "%(phrase)s" to confirm.'
            ) % {"phrase": CONFIRM_PHRASE}

    def clean_password(self) -> str:
        password = self.cleaned_data.get("password", "")
        if not self.user.check_password(password):
            raise ValidationError(_("That is not your password."))
        return password

    def clean_confirm(self) -> str:
        typed = " ".join(self.cleaned_data.get("confirm", "").lower().split())
        if typed not in _confirm_phrases():
            raise ValidationError(
                _('Type "%(phrase)s" exactly to confirm.') % {"phrase": CONFIRM_PHRASE}
            )
        return typed
