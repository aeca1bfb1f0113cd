from allauth.account.forms import LoginForm
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from accounts.models import Band, Directorate, StaffGroup, StaffMember, Team
from accounts.safety import sessions

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


def _email_lines(value: str) -> list[str]:
    return [
        line.strip().lower()
        for line in value.replace(",", "\n").splitlines()
        if line.strip()
    ]


class TeamForm(forms.Form):
    """An engagement manager names a team and its leads."""

    name = forms.CharField(
        label=_("Team name"),
        max_length=160,
        help_text=_('A ward, locality or service, for example "Ward 7".'),
        error_messages={"required": _("Enter the team's name.")},
    )
    leads = forms.CharField(
        label=_("Team leads"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Their work emails, one per line."),
    )

    def clean_leads(self) -> list[StaffMember]:
        from accounts.teams import staff_by_emails

        return staff_by_emails(_email_lines(self.cleaned_data["leads"]))


class LeadsForm(forms.Form):
    leads = TeamForm.base_fields["leads"]
    clean_leads = TeamForm.clean_leads


class AddMemberForm(forms.Form):
    email = forms.EmailField(
        label=_("Work email of the colleague to add"),
        error_messages={
            "required": _("Enter the colleague's work email."),
            "invalid": _("Enter an email address like name@nhs.net."),
        },
    )


class DirectoryUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Staff list (CSV)"),
        help_text=_(
            "As exported from the HR system: one row per person, with their work "
            "email, name, directorate, staff group, band and team or cost centre."
        ),
        error_messages={"required": _("Choose the CSV file to upload.")},
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > 20 * 1024 * 1024:
            raise ValidationError(_("The file must be 20 MB or smaller."))
        return upload


class DirectoryMappingForm(forms.Form):
    """Which heading of the file holds which field; remembered for next time."""

    def __init__(self, *args, headings: list[str], fields: dict, required, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("Not in this file"))] + [(h, h) for h in headings]
        for name, label in fields.items():
            self.fields[name] = forms.ChoiceField(
                label=label,
                choices=choices,
                required=name in required,
                error_messages={
                    "required": _("Choose the column that holds the work email.")
                },
            )


class StaffLoginForm(LoginForm):
    """allauth's sign-in form (``ACCOUNT_FORMS``) with a "shared computer" choice: on
    a ward computer others use, the session ends when the browser closes and after a
    shorter spell without activity (``accounts.safety.sessions``)."""

    shared_computer = forms.BooleanField(
        label=_("This is a shared computer"),
        help_text=_(
            "Tick this on a ward or office computer that others use: you will be "
            "signed out when the browser closes, or sooner if you leave it."
        ),
        required=False,
    )

    def login(self, request, redirect_url=None):
        response = super().login(request, redirect_url=redirect_url)
        if self.cleaned_data.get("shared_computer"):
            sessions.mark_shared(request)
        elif request.user.is_authenticated:
            sessions.note_activity(request)
        return response
