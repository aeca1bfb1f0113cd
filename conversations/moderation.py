"""Moderators' actions on ideas: each in one transaction, audited, published live.

(The full moderation queue, flags and merging build on these.)
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from conversations import events, rules, stats
from conversations.models import AuditEntry, Idea, Visibility
from conversations.queries import idea_for_page
from conversations.sanitise import sanitise


def _require_moderator(user, idea: Idea) -> None:
    if not rules.can_moderate(user, idea.campaign):
        raise PermissionDenied(_("Only moderators can do that."))


@transaction.atomic
def set_idea_status(moderator, idea: Idea, status: str, note: str = "") -> Idea:
    """Set an idea's status ("adopted", "not taken forward") with a public note."""
    _require_moderator(moderator, idea)
    if status not in Idea.Status.values:
        raise ValueError(f"Unknown status {status!r}")
    prior = {"status": idea.status, "status_note": idea.status_note}
    idea.status, idea.status_note = status, sanitise(note, allow_markup=False)
    idea.save(update_fields=["status", "status_note", "updated_at"])
    AuditEntry.objects.create(
        campaign=idea.campaign,
        actor=moderator,
        action=AuditEntry.Action.STATUS,
        idea=idea,
        note=idea.status_note,
        prior_state=prior,
    )
    if idea.visibility == Visibility.VISIBLE:
        events.record_event(
            idea.campaign,
            "idea.status",
            idea_id=idea.pk,
            status=idea.status,
            label=str(idea.get_status_display()),
            note=idea.status_note,
        )
    return idea


@transaction.atomic
def hide_idea(moderator, idea: Idea, reason: str, note: str = "") -> Idea:
    """Hide an idea (and so its comments) from everyone but moderators."""
    _require_moderator(moderator, idea)
    if reason not in AuditEntry.Reason.values:
        raise ValueError(f"Unknown reason {reason!r}")
    prior = {"visibility": idea.visibility}
    idea.visibility = Visibility.HIDDEN
    idea.save(update_fields=["visibility", "updated_at"])
    AuditEntry.objects.create(
        campaign=idea.campaign,
        actor=moderator,
        action=AuditEntry.Action.HIDE,
        idea=idea,
        reason=reason,
        note=sanitise(note, allow_markup=False),
        prior_state=prior,
    )
    if prior["visibility"] == Visibility.VISIBLE:
        events.record_event(idea.campaign, "idea.hidden", idea_id=idea.pk)
    stats.forget(idea.campaign)
    return idea


@transaction.atomic
def restore_idea(moderator, idea: Idea, note: str = "") -> Idea:
    _require_moderator(moderator, idea)
    prior = {"visibility": idea.visibility}
    idea.visibility = Visibility.VISIBLE
    idea.save(update_fields=["visibility", "updated_at"])
    AuditEntry.objects.create(
        campaign=idea.campaign,
        actor=moderator,
        action=AuditEntry.Action.RESTORE,
        idea=idea,
        note=sanitise(note, allow_markup=False),
        prior_state=prior,
    )
    if prior["visibility"] != Visibility.VISIBLE:
        shown = idea_for_page(idea.campaign, moderator, idea.pk)  # with its tallies
        events.record_event(
            idea.campaign,
            "idea.restored",
            idea_id=idea.pk,
            theme_id=idea.theme_id,
            html=events.render_idea_card(shown),
        )
    stats.forget(idea.campaign)
    return idea
