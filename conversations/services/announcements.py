"""Who hears about what in a campaign or board, and the scheduled announcements.

Notifications knows no campaigns; this module decides who may be told what and hands
``notifications`` the words. Every recipient passes ``rules.can_view`` at the moment
of telling, so nobody hears about a campaign or board they may not see, whatever they
once followed. Messages are callables, rendered in each recipient's language, and
never name the author of an anonymous post (nor, simply, any author).

The "opens" and "closes in 48 hours" announcements come from ``manage.py
send_notifications`` (run every few minutes by cron or a systemd timer): campaigns
open and close by time, with no job, so the command looks for campaigns that opened
recently or close soon and tells their audience. A dedupe key per campaign and
announcement, unique per recipient in the database, makes it exactly once, however
often the command runs and however many copies run at once.
"""

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django_tasks import task

from conversations import rules
from conversations.models import Campaign, Comment, Idea, Visibility
from notifications import services as notifications
from notifications import webhooks

logger = logging.getLogger(__name__)

# A campaign that opened longer ago than this is not announced as "now open" (say,
# the command was not running then): old news is noise.
OPENED_WITHIN = timedelta(days=2)
CLOSES_WITHIN = timedelta(hours=48)


def _quoted(text: str) -> str:
    return f"\u201c{text}\u201d"


def may_view(people: Iterable, campaign: Campaign, now: datetime) -> list:
    return [person for person in people if rules.can_view(person, campaign, now)]


# -- following ---------------------------------------------------------------------


def follow_idea(person, idea: Idea, *, explicit: bool, now: datetime) -> bool:
    if not rules.can_view(person, idea.campaign, now):
        return False
    seen = idea.visibility == Visibility.VISIBLE or idea.author_id == person.pk
    if not seen and not rules.can_moderate(person, idea.campaign):
        return False
    notifications.follow(person, idea, explicit=explicit)
    return True


# -- replies, new ideas, status changes --------------------------------------------


def comment_shown(comment: Comment, now: datetime | None = None) -> None:
    """A comment everyone can now see: tell the idea's author and, for a reply, the
    author of the comment replied to (never the commenter themself)."""
    now = now or timezone.now()
    idea = comment.idea
    if idea.visibility != Visibility.VISIBLE:
        return
    idea_author = idea.author if idea.author_id != comment.author_id else None
    parent = comment.parent
    parent_author = None
    if (
        parent is not None
        and parent.author_id not in (comment.author_id, idea.author_id)
        and parent.visibility == Visibility.VISIBLE
    ):
        parent_author = parent.author
    title = _quoted(idea.title)
    url = comment.get_absolute_url()
    for person in may_view([idea_author], idea.campaign, now) if idea_author else []:
        notifications.notify(
            person,
            "reply",
            lambda: _("Someone replied to your idea %(title)s.") % {"title": title},
            url,
        )
    for person in (
        may_view([parent_author], idea.campaign, now) if parent_author else []
    ):
        notifications.notify(
            person,
            "reply",
            lambda: (
                _("Someone replied to your comment on %(title)s.") % {"title": title}
            ),
            url,
        )


def idea_shown(idea: Idea, now: datetime | None = None) -> None:
    """An idea everyone can now see: its campaign's (or board's) followers are told,
    after commit, by a background task, so that a campaign with many followers does
    not slow down posting."""
    if notifications.followers(idea.campaign).exclude(pk=idea.author_id).exists():
        idea_id = idea.pk
        transaction.on_commit(
            lambda: tell_followers_of_new_idea.enqueue(idea_id), robust=True
        )


@task()
def tell_followers_of_new_idea(idea_id: int) -> int:
    idea = Idea.objects.select_related("campaign").filter(pk=idea_id).first()
    if idea is None or idea.visibility != Visibility.VISIBLE:
        return 0  # hidden or deleted since: nobody is told about it
    now = timezone.now()
    campaign = idea.campaign
    campaign_followers = notifications.followers(campaign).exclude(pk=idea.author_id)
    people = may_view(campaign_followers, campaign, now)
    title, where = _quoted(idea.title), _quoted(campaign.title)
    return len(
        notifications.notify_many(
            people,
            "idea.new",
            lambda: (
                _("A new idea in %(campaign)s: %(title)s.")
                % {"campaign": where, "title": title}
            ),
            idea.get_absolute_url(),
            dedupe_key=f"idea.new.{idea.pk}",
        )
    )


def idea_status_changed(idea: Idea, moderator, now: datetime | None = None) -> None:
    """Tell an idea's followers its new status and the moderator's note."""
    now = now or timezone.now()
    if idea.visibility != Visibility.VISIBLE:
        return
    people = may_view(
        notifications.followers(idea).exclude(pk=moderator.pk), idea.campaign, now
    )
    title, note = _quoted(idea.title), idea.status_note

    def message() -> str:
        status = Idea.Status(idea.status).label
        if note:
            return _("%(title)s is now %(status)s. The moderator's note: %(note)s") % {
                "title": title,
                "status": str(status).lower(),
                "note": note,
            }
        return _("%(title)s is now %(status)s.") % {
            "title": title,
            "status": str(status).lower(),
        }

    notifications.notify_many(people, "idea.status", message, idea.get_absolute_url())


# -- scheduled announcements -------------------------------------------------------


def audience(campaign: Campaign, now: datetime) -> list:
    """Everyone who may see ``campaign`` now: a query narrows it down, the rule
    decides."""
    people = get_user_model().objects.filter(is_active=True).order_by("pk")
    team_ids = [team.pk for team in campaign.audience_teams.all()]
    if team_ids:
        people = people.filter(
            Q(memberships__team_id__in=team_ids)
            | Q(groups__permissions__codename__in=["manage_campaigns", "moderate"])
            | Q(is_superuser=True)
        ).distinct()
    return may_view(people, campaign, now)


def announce_opened(campaign: Campaign, now: datetime) -> int:
    title = _quoted(campaign.title)
    closes_at = campaign.closes_at

    def message() -> str:
        if closes_at is None:
            return _("%(title)s is open. Share your ideas.") % {"title": title}
        return _("%(title)s is open until %(date)s. Share your ideas.") % {
            "title": title,
            "date": date_format(timezone.localtime(closes_at), "j F Y, H:i"),
        }

    _post_outside(campaign, "campaign.opened", message)
    return len(
        notifications.notify_many(
            audience(campaign, now),
            "campaign.opened",
            message,
            campaign.get_absolute_url(),
            dedupe_key=f"campaign.opened.{campaign.pk}",
        )
    )


def announce_closing(campaign: Campaign, now: datetime) -> int:
    title = _quoted(campaign.title)
    closes_at = campaign.closes_at

    def message() -> str:
        return _("%(title)s closes on %(date)s. There is still time to take part.") % {
            "title": title,
            "date": date_format(timezone.localtime(closes_at), "j F Y, H:i"),
        }

    _post_outside(campaign, "campaign.closing", message)
    return len(
        notifications.notify_many(
            audience(campaign, now),
            "campaign.closing",
            message,
            campaign.get_absolute_url(),
            dedupe_key=f"campaign.closing.{campaign.pk}",
        )
    )


def _post_outside(campaign: Campaign, event: str, message) -> None:
    """The same announcement to the organisation's webhooks (a Teams channel), for a
    campaign everyone may see only."""
    if rules.is_for_everyone(campaign):
        webhooks.announce(
            event,
            title=lambda: campaign.title,
            text=message,
            url=campaign.get_absolute_url(),
            dedupe_key=f"{event}.{campaign.pk}",
        )


def send_scheduled(now: datetime | None = None) -> dict[str, int]:
    """The scheduled command's announcements: campaigns that opened recently, and
    campaigns closing within 48 hours. Boards never close and are not announced."""
    now = now or timezone.now()
    campaigns = Campaign.objects.filter(kind=Campaign.Kind.CAMPAIGN).prefetch_related(
        "audience_teams"
    )
    told = {"opened": 0, "closing": 0}
    for campaign in campaigns.open(now).filter(opens_at__gte=now - OPENED_WITHIN):
        told["opened"] += announce_opened(campaign, now)
    for campaign in campaigns.open(now).filter(closes_at__lte=now + CLOSES_WITHIN):
        told["closing"] += announce_closing(campaign, now)
    return told
