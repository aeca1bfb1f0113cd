"""Everything that changes a campaign. Views, commands and tests call these.

Each function checks the rules, writes in one transaction and leaves the page
counts fresh. Live events are published from here, and only from here, through
``conversations.live.events`` (recorded in the transaction, broadcast on commit).
"""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import slugify
from django.utils.translation import gettext as _

import conversations.services.announcements as announcements
import conversations.services.moderation as moderation
from accounts import ratelimit
from conversations import rules, versions
from conversations.exceptions import (
    CampaignNotOpen,
    NotInAudience,
    RateLimited,
    Refused,
)
from conversations.live import events
from conversations.models import (
    Campaign,
    CampaignStatus,
    Comment,
    Idea,
    Participation,
    Theme,
    Visibility,
)
from conversations.sanitise import sanitise
from conversations.services.text import BODY_MAX, COMMENT_MAX, TITLE_MAX, clean_text
from notifications import services as notifications
from voting import services as voting


def _unique_slug(title: str) -> str:
    base = slugify(title)[:160] or "campaign"
    slug, n = base, 2
    while Campaign.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def create_campaign(
    created_by,
    *,
    title: str,
    introduction: str,
    themes: list[str],
    opens_at: datetime,
    closes_at: datetime | None,
    publish: bool = True,
    allow_anonymous: bool = False,
    pre_moderation: bool = False,
    audience_teams=(),
    kind: str = Campaign.Kind.CAMPAIGN,
    moderators=(),
) -> Campaign:
    """Create a campaign with its themes; ``publish=False`` keeps it a draft."""
    if not rules.can_manage(created_by):
        raise Refused(_("Only engagement managers can create campaigns."))
    if not themes:
        raise ValidationError(_("Add at least one theme."))
    campaign = Campaign.objects.create(
        kind=kind,
        title=sanitise(title, allow_markup=False),
        slug=_unique_slug(title),
        introduction=sanitise(introduction),
        is_published=publish,
        opens_at=opens_at,
        closes_at=closes_at,
        allow_anonymous=allow_anonymous,
        pre_moderation=pre_moderation,
        created_by=created_by,
    )
    campaign.audience_teams.set(audience_teams)
    campaign.moderators.set(moderators)
    Theme.objects.bulk_create(
        Theme(campaign=campaign, name=sanitise(name, allow_markup=False), position=i)
        for i, name in enumerate(themes)
    )
    return campaign


@transaction.atomic
def update_campaign(
    campaign: Campaign, changed_by, *, themes: list[str], **fields
) -> Campaign:
    """Change a campaign's settings. Themes are added or renamed by position; a theme
    that already has ideas is kept even if left out, so no idea loses its theme."""
    if not rules.can_manage(changed_by, campaign):
        raise Refused(_("Only engagement managers can change campaigns."))
    audience_teams = fields.pop("audience_teams", None)
    moderators = fields.pop("moderators", None)
    for name, value in fields.items():
        if name in ("title",):
            value = sanitise(value, allow_markup=False)
        elif name == "introduction":
            value = sanitise(value)
        setattr(campaign, name, value)
    campaign.save()
    if audience_teams is not None:
        campaign.audience_teams.set(audience_teams)
    if moderators is not None:
        campaign.moderators.set(moderators)
    existing = list(campaign.themes.all())
    for i, name in enumerate(themes):
        name = sanitise(name, allow_markup=False)
        if i < len(existing):
            if existing[i].name != name or existing[i].position != i:
                existing[i].name, existing[i].position = name, i
                existing[i].save()
        else:
            Theme.objects.create(campaign=campaign, name=name, position=i)
    for theme in existing[len(themes) :]:
        if not theme.ideas.exists():
            theme.delete()
    versions.bump(campaign)
    return campaign


def require_open(user, campaign: Campaign, now: datetime) -> None:
    """Raise a refusal that says why ``user`` cannot take part in ``campaign`` now."""
    if not rules.in_audience(user, campaign):
        if campaign.is_board:
            raise NotInAudience(
                _("Only the team's members can post, comment or vote on its board.")
            )
        raise NotInAudience()
    if campaign.board_state == Campaign.BoardState.PAUSED:
        raise CampaignNotOpen(
            _(
                "This board is paused: you can read everything on it, but it is not "
                "taking ideas, comments or votes for now."
            )
        )
    if campaign.board_state == Campaign.BoardState.ARCHIVED:
        raise CampaignNotOpen(
            _(
                "This board is archived: you can read everything on it, but it no "
                "longer takes ideas, comments or votes."
            )
        )
    status = campaign.status(now)
    if status == CampaignStatus.SCHEDULED:
        raise CampaignNotOpen(
            _("This campaign opens on %(date)s. You can take part from then.")
            % {"date": date_format(timezone.localtime(campaign.opens_at), "j F Y, H:i")}
        )
    if status == CampaignStatus.DRAFT:
        raise CampaignNotOpen(
            _(
                "This campaign is still a draft, so it is not taking ideas, comments or votes yet."
            )
        )
    if status != CampaignStatus.OPEN:
        raise CampaignNotOpen()


def _record_participation(user, campaign: Campaign) -> None:
    if not Participation.objects.filter(campaign=campaign, staff_member=user).exists():
        try:
            with transaction.atomic():
                Participation.objects.create(campaign=campaign, staff_member=user)
        except IntegrityError:
            pass  # a concurrent request recorded it first


def post_idea(
    author,
    campaign: Campaign,
    *,
    theme: Theme,
    title: str,
    body: str,
    anonymous: bool = False,
    now: datetime | None = None,
) -> Idea:
    """Post an idea to an open campaign the author is in the audience of."""
    now = now or timezone.now()
    require_open(author, campaign, now)
    if theme.campaign_id != campaign.pk:
        raise ValidationError(_("Choose one of this campaign's themes."))
    if anonymous and not campaign.allow_anonymous:
        raise Refused(_("This campaign does not allow anonymous posts."))
    title = clean_text(
        title, label=_("a title"), max_length=TITLE_MAX, allow_markup=False
    )
    body = clean_text(
        body, label=_("your idea"), max_length=BODY_MAX, allow_markup=True
    )
    ratelimit.enforce("post", author, RateLimited)
    # Held before anyone sees it: no live event, not counted, until a moderator approves.
    hold_reason = moderation.hold_reason_for(campaign, title, body)
    with transaction.atomic():
        idea = Idea.objects.create(
            campaign=campaign,
            theme=theme,
            author=author,
            is_anonymous=anonymous,
            title=title,
            body=body,
            visibility=Visibility.HELD if hold_reason else Visibility.VISIBLE,
            hold_reason=hold_reason,
        )
        # Authors follow what they post, held or not, so they hear what happens to it.
        announcements.follow_idea(author, idea, explicit=False, now=now)
        if hold_reason:
            moderation.post_was_held(idea)
        else:
            _record_participation(author, campaign)
            idea.support = idea.dont_support = 0
            events.record_event(
                campaign,
                "idea.posted",
                idea_id=idea.pk,
                theme_id=theme.pk,
                html=events.render_idea_card(idea),
            )
            announcements.idea_shown(idea, now)
    return idea


def post_comment(
    author,
    idea: Idea,
    *,
    body: str,
    parent: Comment | None = None,
    anonymous: bool = False,
    now: datetime | None = None,
) -> Comment:
    """Comment on an idea, or reply to a top-level comment (replies are one level deep)."""
    now = now or timezone.now()
    campaign = idea.campaign
    require_open(author, campaign, now)
    if anonymous and not campaign.allow_anonymous:
        raise Refused(_("This campaign does not allow anonymous posts."))
    if idea.comments_locked:
        raise Refused(
            _("A moderator has closed comments on this idea, so it takes no new ones.")
        )
    if idea.merged_into_id is not None:
        raise Refused(_("This idea was merged into another one: please comment there."))
    if idea.visibility != Visibility.VISIBLE:
        raise Refused(_("You can comment once a moderator has approved this idea."))
    if parent is not None:
        if parent.idea_id != idea.pk:
            raise ValidationError(_("You can only reply to a comment on this idea."))
        # Replying to a reply attaches to its top-level comment: one level of replies.
        if parent.parent_id is not None:
            parent = parent.parent
        if parent.visibility != Visibility.VISIBLE:
            raise Refused(_("You can only reply to a comment that everyone can see."))
    body = clean_text(
        body, label=_("a comment"), max_length=COMMENT_MAX, allow_markup=True
    )
    ratelimit.enforce("post", author, RateLimited)
    hold_reason = moderation.hold_reason_for(campaign, body)
    if hold_reason:
        with transaction.atomic():
            comment = Comment.objects.create(
                idea=idea,
                parent=parent,
                author=author,
                is_anonymous=anonymous,
                body=body,
                visibility=Visibility.HELD,
                hold_reason=hold_reason,
            )
            moderation.post_was_held(comment)
            announcements.follow_idea(author, idea, explicit=False, now=now)
        return comment
    with transaction.atomic():
        comment = Comment.objects.create(
            idea=idea, parent=parent, author=author, is_anonymous=anonymous, body=body
        )
        Idea.objects.filter(pk=idea.pk).update(comment_count=F("comment_count") + 1)
        _record_participation(author, campaign)
        comment_count = Idea.objects.values_list("comment_count", flat=True).get(
            pk=idea.pk
        )
        comment.support = comment.dont_support = 0
        events.record_event(
            campaign,
            "comment.posted",
            idea_id=idea.pk,
            comment_id=comment.pk,
            parent_id=comment.parent_id,
            comment_count=comment_count,
            html=events.render_comment(comment),
        )
        announcements.follow_idea(author, idea, explicit=False, now=now)
        announcements.comment_shown(comment, now)
    return comment


def vote(voter, target: Idea | Comment, value: int, *, now: datetime | None = None):
    """Support (1), don't support (-1) or take back (0) a vote on an idea or comment."""
    now = now or timezone.now()
    campaign = target.campaign if isinstance(target, Idea) else target.idea.campaign
    require_open(voter, campaign, now)
    ratelimit.enforce("vote", voter, RateLimited)
    idea = target if isinstance(target, Idea) else target.idea
    if (
        target.visibility != Visibility.VISIBLE
        or idea.visibility != Visibility.VISIBLE
        or idea.merged_into_id is not None
    ):
        # Hidden, held or merged away: votes belong on what everyone can see.
        raise Refused(_("This post is not open for votes."))
    kind = "idea" if isinstance(target, Idea) else "comment"
    with transaction.atomic():
        # Participation first: the tally row lock, taken by cast_vote, is then held
        # only until commit, which keeps a hot idea's votes flowing.
        if value != voting.TAKE_BACK:
            _record_participation(voter, campaign)
        result = voting.cast_vote(voter, target, value)
        if result.changed:
            versions.bump_votes(campaign)
            # Not a numbered event: viewers get coalesced, exact tallies from the hub.
            transaction.on_commit(
                lambda: events.broadcast(
                    campaign.pk, {"type": "tally.dirty", "targets": [[kind, target.pk]]}
                )
            )
    return result


# -- following -----------------------------------------------------------------------


def follow_idea(person, idea: Idea, *, now: datetime | None = None) -> None:
    """Follow an idea: hear about its status changes and moderator notes."""
    now = now or timezone.now()
    if not announcements.follow_idea(person, idea, explicit=True, now=now):
        raise NotInAudience(_("You cannot follow this idea."))


def follow_campaign(person, campaign: Campaign, *, now: datetime | None = None) -> None:
    """Follow a campaign or board: hear about new ideas in it."""
    now = now or timezone.now()
    if not rules.can_view(person, campaign, now):
        raise NotInAudience()
    notifications.follow(person, campaign)


def unfollow(person, target: Campaign | Idea) -> None:
    notifications.unfollow(person, target)


def is_following(person, target: Campaign | Idea) -> bool:
    return notifications.is_following(person, target)


def record_outcome(idea: Idea, note: str, url: str) -> None:
    """Say on the idea what happened because of it (an action of a published report),
    with a link to that action; an empty note takes it away."""
    note = sanitise(note, allow_markup=False)[:300]
    url = url if url.startswith("/") else ""
    with transaction.atomic():
        Idea.objects.filter(pk=idea.pk).update(outcome_note=note, outcome_url=url)
        versions.bump(idea.campaign_id)
    idea.outcome_note, idea.outcome_url = note, url
