"""Team "Your Shout" boards: starting one, pausing or archiving it, the pinned
"what we changed this month" note, and carrying a board idea into an
organisation-wide campaign.

A board is a ``Campaign`` of kind BOARD with a team and no closing time, so ideas,
comments, votes, live updates and moderation are the campaign's own; the rules that
keep it to its team live in ``conversations.rules``.
"""

from datetime import datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

import conversations.services.moderation as moderation
from accounts.models import Team
from accounts.security_log import log_event
from conversations import pii, rules, versions
from conversations.exceptions import Refused
from conversations.live import events
from conversations.models import AuditEntry, Campaign, CampaignStatus, Idea, Visibility
from conversations.sanitise import sanitise
from conversations.services import posting
from notifications.services import notify

DEFAULT_THEMES = [
    gettext_lazy("Ideas to make things better"),
    gettext_lazy("What gets in the way"),
]
NOTE_MAX = 3000


def _audit(actor, campaign: Campaign, action: str, *, idea=None, note="", prior=None):
    entry = AuditEntry.objects.create(
        campaign=campaign,
        actor=actor,
        action=action,
        idea=idea,
        note=note,
        prior_state=prior or {},
    )
    log_event(f"board.{action}", user=actor.pk, audit=entry.pk)
    return entry


def board_of(team: Team) -> Campaign | None:
    """The team's board that is not archived, if it has one."""
    return (
        Campaign.objects.filter(kind=Campaign.Kind.BOARD, team=team)
        .exclude(board_state=Campaign.BoardState.ARCHIVED)
        .first()
    )


def can_start_board(user, team: Team) -> bool:
    return rules.can_manage(user) or rules.leads_team(user, team.pk)


@transaction.atomic
def start_board(
    by,
    team: Team,
    *,
    title: str = "",
    introduction: str = "",
    themes: list[str] | None = None,
    allow_anonymous: bool = True,
    now: datetime | None = None,
) -> Campaign:
    """Open the team's Your Shout board: published now, never closing."""
    if not can_start_board(by, team):
        raise PermissionDenied(_("Only the team's leads can start its board."))
    if board_of(team) is not None:
        raise ValidationError(_("This team already has a board."))
    now = now or timezone.now()
    themes = themes or [str(name) for name in DEFAULT_THEMES]
    title = title or _("Your Shout: %(team)s") % {"team": team.name}
    # ``create_campaign`` is for managers only; a lead starts their own team's board.
    board = Campaign.objects.create(
        kind=Campaign.Kind.BOARD,
        team=team,
        title=sanitise(title, allow_markup=False),
        slug=posting._unique_slug(title),
        introduction=sanitise(introduction),
        is_published=True,
        opens_at=now,
        closes_at=None,
        allow_anonymous=allow_anonymous,
        created_by=by,
    )
    for i, name in enumerate(themes):
        board.themes.create(name=sanitise(name, allow_markup=False), position=i)
    return board


@transaction.atomic
def set_board_state(by, board: Campaign, state: str, note: str = "") -> Campaign:
    """Pause (read-only), resume or archive (read-only, out of every list) a board."""
    if not rules.can_run_board(by, board):
        raise PermissionDenied(
            _("Only the team's leads can pause or archive its board.")
        )
    if state not in Campaign.BoardState.values:
        raise ValidationError(_("Choose active, paused or archived."))
    board = Campaign.objects.select_for_update().get(pk=board.pk)
    if board.board_state == state:
        return board
    prior = {"board_state": board.board_state}
    board.board_state = state
    board.save(update_fields=["board_state", "updated_at"])
    _audit(
        by,
        board,
        AuditEntry.Action.BOARD_STATE,
        note=sanitise(note, allow_markup=False)[:1000],
        prior=prior,
    )
    versions.bump(board)
    return board


@transaction.atomic
def pin_note(by, board: Campaign, text: str, now: datetime | None = None) -> Campaign:
    """Pin (or with empty text, unpin) "what we changed this month", dated today."""
    if not rules.can_pin_note(by, board):
        raise PermissionDenied(_("Only the team's leads can pin a note on its board."))
    text = sanitise(text)
    pii.refuse_if_found(text)  # a note is shown at once, so it cannot wait
    if len(text) > NOTE_MAX:
        raise ValidationError(
            _("The note must be %(max)d characters or fewer.") % {"max": NOTE_MAX}
        )
    prior = {"pinned_note": board.pinned_note}
    board.pinned_note = text
    board.pinned_note_at = (now or timezone.now()) if text else None
    board.save(update_fields=["pinned_note", "pinned_note_at", "updated_at"])
    _audit(by, board, AuditEntry.Action.PINNED_NOTE, prior=prior)
    return board


# -- from a board to an organisation-wide campaign ----------------------------------


def upcoming_campaigns(now: datetime):
    """Organisation-wide campaigns a board idea can be carried into: open or coming
    up, for everyone (no audience teams)."""
    return (
        Campaign.objects.filter(
            kind=Campaign.Kind.CAMPAIGN, audience_teams__isnull=True
        )
        .filter(
            Q(pk__in=Campaign.objects.open(now))
            | Q(pk__in=Campaign.objects.scheduled(now))
        )
        .order_by("opens_at")
    )


def put_forward_ideas():
    """Board ideas put forward and not yet carried anywhere, oldest first."""
    return (
        Idea.objects.filter(
            campaign__kind=Campaign.Kind.BOARD,
            put_forward_at__isnull=False,
            carried_into__isnull=True,
            visibility=Visibility.VISIBLE,
        )
        .select_related("campaign__team", "theme", "author")
        .order_by("put_forward_at", "id")
    )


@transaction.atomic
def put_forward(lead, idea: Idea, note: str = "") -> Idea:
    """A board's lead puts one of its ideas forward to the engagement managers."""
    board = idea.campaign
    if not board.is_board or not rules.can_moderate(lead, board):
        raise PermissionDenied(_("Only the team's leads can put an idea forward."))
    if idea.visibility != Visibility.VISIBLE or idea.merged_into_id is not None:
        raise Refused(_("Only an idea everyone on the board can see can go forward."))
    if idea.put_forward_at is not None:
        return idea
    idea.put_forward_at = timezone.now()
    idea.put_forward_by = lead
    idea.save(update_fields=["put_forward_at", "put_forward_by", "updated_at"])
    _audit(
        lead,
        board,
        AuditEntry.Action.PUT_FORWARD,
        idea=idea,
        note=sanitise(note, allow_markup=False)[:1000],
    )
    managers = (
        get_user_model()
        .objects.filter(
            Q(groups__permissions__codename="manage_campaigns")
            | Q(user_permissions__codename="manage_campaigns"),
            is_active=True,
        )
        .distinct()
    )
    url = reverse("conversations:put_forward_list")
    message = _("A team put an idea forward from its board: %(title)s") % {
        "title": f"\u201c{idea.title}\u201d"
    }
    for manager in managers:
        notify(manager, "board_idea_put_forward", message, url)
    return idea


@transaction.atomic
def carry_into(manager, idea: Idea, campaign: Campaign, theme=None) -> Idea:
    """Carry a board idea into an organisation-wide campaign as a new idea there.

    The new idea keeps the author and the anonymous flag (an anonymous idea stays
    anonymous: the author is told through their own account only), links back to the
    board idea, and the board idea links on to it.
    """
    now = timezone.now()
    if not rules.can_manage(manager):
        raise PermissionDenied(_("Only engagement managers can carry ideas forward."))
    if not idea.campaign.is_board or idea.put_forward_at is None:
        raise Refused(_("Only an idea a team put forward can be carried."))
    if Idea.objects.filter(carried_from=idea).exists():
        raise Refused(_("This idea has already been carried into a campaign."))
    if not upcoming_campaigns(now).filter(pk=campaign.pk).exists():
        raise Refused(
            _("Choose an organisation-wide campaign that is open or coming up.")
        )
    theme = theme or campaign.themes.first()
    if theme is None or theme.campaign_id != campaign.pk:
        raise ValidationError(_("Choose one of this campaign's themes."))
    # Posted on the author's behalf, so checked as their own post would be now.
    hold_reason = moderation.hold_reason_for(campaign, idea.title, idea.body)
    carried = Idea.objects.create(
        campaign=campaign,
        theme=theme,
        author=idea.author,
        is_anonymous=idea.is_anonymous,
        title=idea.title,
        body=idea.body,
        carried_from=idea,
        visibility=Visibility.HELD if hold_reason else Visibility.VISIBLE,
        hold_reason=hold_reason,
    )
    _audit(manager, idea.campaign, AuditEntry.Action.CARRIED, idea=idea)
    if hold_reason:
        moderation.post_was_held(carried)
    elif campaign.status(now) == CampaignStatus.OPEN:
        carried.support = carried.dont_support = 0
        events.record_event(
            campaign,
            "idea.posted",
            idea_id=carried.pk,
            theme_id=theme.pk,
            html=events.render_idea_card(carried),
        )
    if idea.author is not None:
        notify(
            idea.author,
            "board_idea_carried",
            _(
                "Your idea %(title)s from your team's board was carried into the "
                "campaign %(campaign)s."
            )
            % {
                "title": f"\u201c{idea.title}\u201d",
                "campaign": f"\u201c{campaign.title}\u201d",
            },
            carried.get_absolute_url(),
        )
    versions.bump(campaign)
    return carried
