"""Writes about staff members; views and commands call these."""

import uuid

from django.db import transaction
from django.utils import timezone

from accounts.models import StaffMember, Team, TeamMembership


@transaction.atomic
def save_profile(staff_member: StaffMember, cleaned: dict) -> StaffMember:
    """Store the profile answers (any may be blank) and mark the questions as asked."""
    for field in ("display_name", "directorate", "staff_group", "band"):
        setattr(
            staff_member,
            field,
            cleaned.get(field) or (None if field != "display_name" else ""),
        )
    staff_member.profile_completed_at = timezone.now()
    staff_member.save()
    team: Team | None = cleaned.get("team")
    if team is not None:
        TeamMembership.objects.get_or_create(team=team, staff_member=staff_member)
    return staff_member


def skip_profile(staff_member: StaffMember) -> None:
    staff_member.profile_completed_at = timezone.now()
    staff_member.save(update_fields=["profile_completed_at"])


# Session key: a language chosen while signed out, taken on by the account at sign-in.
SIGNED_OUT_LANGUAGE = "language_chosen_signed_out"


def remember_language(staff_member: StaffMember, language: str) -> None:
    """Keep the interface language a person chose, for every browser they use."""
    if staff_member.language != language:
        staff_member.language = language
        staff_member.save(update_fields=["language"])


def language_on_sign_in(
    staff_member: StaffMember, chosen_signed_out: str | None
) -> str:
    """The language to show someone who has just signed in ("" to leave it be).

    A choice made on this browser just before signing in wins and is kept for the
    account; otherwise the account's own choice follows them to this browser.
    """
    if chosen_signed_out:
        remember_language(staff_member, chosen_signed_out)
        return chosen_signed_out
    return staff_member.language


def _end_sessions(staff_member: StaffMember) -> int:
    """Delete every stored session signed in as ``staff_member``.

    Sessions are looked up by decoding them, as Django stores no user column; only
    unexpired ones are read. (Changing the password hash already makes Django refuse
    them on their next request; deleting them also frees the rows.)
    """
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import SESSION_KEY
    from django.contrib.sessions.models import Session

    ended = []
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(session.get_decoded().get(SESSION_KEY)) == str(staff_member.pk):
            ended.append(session.pk)
    # Through the session engine, so a copy in the cache (cached_db) goes too.
    engine = import_module(settings.SESSION_ENGINE)
    for key in ended:
        engine.SessionStore(session_key=key).delete()
    return len(ended)


@transaction.atomic
def erase_personal_data(staff_member: StaffMember) -> StaffMember:
    """Blank everything that says who this person was, and close the account.

    The row stays (votes, flags and audit entries point at it, and tallies must keep
    equalling the votes) but nothing in it identifies anyone: a unique placeholder
    email, no names, no profile answers, no teams or roles, no way to sign in, and
    no sign-in sessions. Posts are the caller's business (see
    ``conversations.services.own_posts.delete_account``), since accounts knows no posts.
    """
    from allauth.account.models import EmailAddress
    from allauth.socialaccount.models import SocialAccount

    staff_member.email = f"deleted-{uuid.uuid4().hex}@deleted.invalid"
    staff_member.display_name = ""
    staff_member.first_name = ""
    staff_member.last_name = ""
    staff_member.directorate = None
    staff_member.staff_group = None
    staff_member.band = None
    staff_member.language = ""
    staff_member.is_active = False
    staff_member.is_staff = False
    staff_member.is_superuser = False
    staff_member.last_login = None
    staff_member.set_unusable_password()
    staff_member.save()
    staff_member.groups.clear()
    staff_member.user_permissions.clear()
    TeamMembership.objects.filter(staff_member=staff_member).delete()
    EmailAddress.objects.filter(user=staff_member).delete()
    SocialAccount.objects.filter(user=staff_member).delete()
    _end_sessions(staff_member)
    return staff_member
