"""Moderation: reports (flags), review requests, and moderators' actions on posts.

Each action checks the rules, runs in one transaction, writes an append-only
``AuditEntry`` with who, why and the post's prior state, tells the people concerned
in the platform, and publishes a live event on commit where the campaign's viewers
should see the change. Nothing held or hidden is ever published to the campaign
group: the moderators' group hears only that the queue changed, with ids and no
author.
"""

import logging
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

import conversations.services.announcements as announcements
from accounts import ratelimit
from accounts.security_log import log_event
from conversations import pii, rules, versions
from conversations.exceptions import RateLimited, Refused
from conversations.live import events
from conversations.models import (
    AuditEntry,
    Campaign,
    Comment,
    Flag,
    Idea,
    Participation,
    ReviewRequest,
    Visibility,
)
from conversations.queries import _with_tallies
from conversations.sanitise import sanitise
from conversations.services.text import BODY_MAX, COMMENT_MAX, TITLE_MAX, clean_text
from notifications.services import notify
from voting import services as voting

logger = logging.getLogger(__name__)

Post = Idea | Comment
NOTE_MAX = 1000


class AlreadyFlagged(Refused):
    status_code = 409
    message = _(
        "You have already reported this. A moderator will look at it, and we will "
        "tell you what happens."
    )


# -- small helpers -----------------------------------------------------------------


def kind_of(post: Post) -> str:
    return "idea" if isinstance(post, Idea) else "comment"


def idea_of(post: Post) -> Idea:
    return post if isinstance(post, Idea) else post.idea


def campaign_of(post: Post) -> Campaign:
    return idea_of(post).campaign


def _require_moderator(user, campaign: Campaign) -> None:
    if not rules.can_moderate(user, campaign):
        raise PermissionDenied(_("Only moderators can do that."))


def _note(note: str) -> str:
    return sanitise(note, allow_markup=False)[:NOTE_MAX]


def _audit(
    moderator,
    post: Post,
    action: str,
    *,
    prior: dict,
    reason: str = "",
    note: str = "",
) -> AuditEntry:
    entry = AuditEntry.objects.create(
        campaign=campaign_of(post),
        actor=moderator,
        action=action,
        idea=idea_of(post),
        comment=post if isinstance(post, Comment) else None,
        reason=reason,
        note=note,
        prior_state=prior,
    )
    # Ids only: never the author, so an anonymous post stays anonymous in the logs.
    log_event(f"moderation.{action}", user=moderator.pk, audit=entry.pk)
    return entry


def _quoted(text: str) -> str:
    return f"\u201c{text}\u201d"


def _your_post(post: Post) -> str:
    """How a notification names the author's own post ("your idea “…”")."""
    if isinstance(post, Idea):
        return _("your idea %(title)s") % {"title": _quoted(post.title)}
    return _("your comment on %(title)s") % {"title": _quoted(post.idea.title)}


def _a_post(post: Post) -> str:
    """How a notification names someone else's post ("an idea, “…”")."""
    if isinstance(post, Idea):
        return _("an idea, %(title)s") % {"title": _quoted(post.title)}
    return _("a comment on %(title)s") % {"title": _quoted(post.idea.title)}


def review_url(post: Post) -> str:
    return reverse(
        "conversations:ask_review",
        args=[campaign_of(post).slug, kind_of(post), post.pk],
    )


def _tell_author(post: Post, kind: str, message, url: str = "") -> None:
    """Tell the author, through their own account only: an anonymous author is told
    like anyone else, and the message never names anyone. ``message`` may be a
    callable, to be written in the author's language."""
    author = post.author
    if author is not None:
        notify(author, kind, message if callable(message) else message[:1000], url)


def _queue_changed(campaign: Campaign, why: str) -> None:
    """Tell the campaign's moderators (only) that the queue changed: no text, no author."""
    payload = {"type": "queue.changed", "campaign_id": campaign.pk, "why": why}
    transaction.on_commit(
        lambda: events.broadcast(
            campaign.pk, payload, group=events.moderators_group(campaign.pk)
        )
    )


def _recount_comments(idea: Idea) -> int:
    """Set ``idea.comment_count`` to the comments a colleague sees: visible ones whose
    thread (top-level comment) is visible too.

    The idea row is locked first, so a comment being posted at the same moment either
    commits before the count (and is counted) or adds its +1 after it.
    """
    Idea.objects.select_for_update().filter(pk=idea.pk).values_list("pk").first()
    count = (
        Comment.objects.filter(idea_id=idea.pk, visibility=Visibility.VISIBLE)
        .filter(Q(parent__isnull=True) | Q(parent__visibility=Visibility.VISIBLE))
        .count()
    )
    Idea.objects.filter(pk=idea.pk).update(comment_count=count)
    versions.bump(idea.campaign_id)
    idea.comment_count = count
    return count


def _idea_for_event(idea: Idea) -> Idea:
    """The idea with its tallies, as the campaign page lists it."""
    return (
        _with_tallies(Idea.objects.filter(pk=idea.pk))
        .select_related("theme", "author", "campaign")
        .get()
    )


def _comment_for_event(comment: Comment) -> Comment:
    return (
        _with_tallies(Comment.objects.filter(pk=comment.pk))
        .select_related("idea__campaign", "author")
        .get()
    )


def _record_participation(post: Post) -> None:
    if post.author_id is not None:
        Participation.objects.get_or_create(
            campaign=campaign_of(post), staff_member_id=post.author_id
        )


def _publish_shown(post: Post, event_type: str) -> None:
    """Publish a post that has just become visible, with the partial the page uses."""
    idea = idea_of(post)
    if isinstance(post, Idea):
        events.record_event(
            idea.campaign,
            event_type,
            idea_id=idea.pk,
            theme_id=idea.theme_id,
            html=events.render_idea_card(_idea_for_event(idea)),
        )
    elif idea.visibility == Visibility.VISIBLE and (
        post.parent_id is None or post.parent.visibility == Visibility.VISIBLE
    ):  # a reply in a hidden thread stays out of viewers' pages
        events.record_event(
            idea.campaign,
            event_type,
            idea_id=idea.pk,
            comment_id=post.pk,
            parent_id=post.parent_id,
            comment_count=idea.comment_count,
            html=events.render_comment(_comment_for_event(post)),
        )


def _resolve_flags(post: Post, outcome: str, moderator, now: datetime) -> int:
    """Close the open reports on ``post`` and tell each reporter what happened."""
    flags = list(
        Flag.objects.select_for_update().filter(
            outcome=Flag.Outcome.OPEN, **{kind_of(post): post}
        )
    )
    if not flags:
        return 0
    Flag.objects.filter(pk__in=[f.pk for f in flags]).update(
        outcome=outcome, resolved_at=now, resolved_by=moderator
    )
    label = Flag.Outcome(outcome).label
    for flag in flags:
        notify(
            flag.reporter,
            "flag.resolved",
            _(
                "You reported %(post)s. A moderator has looked at it: %(outcome)s. "
                "Thank you for helping keep this a safe place to speak up."
            )
            % {"post": _a_post(post), "outcome": str(label).lower()},
            post.get_absolute_url() if outcome != Flag.Outcome.HIDDEN else "",
        )
    return len(flags)


def _open_flag_summary(post: Post) -> dict:
    rows = Flag.objects.filter(outcome=Flag.Outcome.OPEN, **{kind_of(post): post})
    return {"open_flags": list(rows.values_list("pk", flat=True))}


# -- reports from staff ---------------------------------------------------------------


def flag_post(
    reporter, post: Post, reason: str, note: str = "", *, now: datetime | None = None
) -> Flag:
    """Report a post to the moderators: one report per person per post."""
    now = now or timezone.now()
    campaign = campaign_of(post)
    if not rules.can_view(reporter, campaign, now):
        raise PermissionDenied(_("You cannot see this campaign."))
    if reason not in AuditEntry.Reason.values:
        raise ValidationError(_("Choose why you are reporting this."))
    if post.author_id is not None and post.author_id == reporter.pk:
        raise Refused(_("You cannot report your own post."))
    if (
        post.visibility != Visibility.VISIBLE
        or idea_of(post).visibility != Visibility.VISIBLE
    ):
        raise Refused(_("This post is no longer shown, so there is nothing to report."))
    if Flag.objects.filter(reporter=reporter, **{kind_of(post): post}).exists():
        raise AlreadyFlagged()
    ratelimit.enforce("flag", reporter, RateLimited)
    try:
        with transaction.atomic():
            flag = Flag.objects.create(
                reporter=reporter,
                reason=reason,
                note=_note(note),
                **{kind_of(post): post},
            )
            _queue_changed(campaign, "flagged")
    except IntegrityError:
        # The same person reporting twice at once (a double click): one row wins.
        raise AlreadyFlagged() from None
    return flag


def has_flagged(reporter, post: Post) -> bool:
    return Flag.objects.filter(reporter=reporter, **{kind_of(post): post}).exists()


@transaction.atomic
def dismiss_flags(
    moderator, post: Post, note: str = "", *, now: datetime | None = None
) -> AuditEntry:
    """Keep the post: it does not break the ground rules. The reporters are told."""
    now = now or timezone.now()
    _require_moderator(moderator, campaign_of(post))
    prior = _open_flag_summary(post)
    if not prior["open_flags"]:
        raise Refused(_("There are no open reports on this post."))
    entry = _audit(
        moderator, post, AuditEntry.Action.FLAG_DISMISSED, prior=prior, note=_note(note)
    )
    _resolve_flags(post, Flag.Outcome.KEPT, moderator, now)
    _queue_changed(campaign_of(post), "resolved")
    return entry


# -- held posts -----------------------------------------------------------------------

PRE_MODERATION_REASON = _(
    "every post in this campaign is checked by a moderator before it appears"
)


def hold_reason_for(campaign: Campaign, *texts: str) -> str:
    """Why a new post must wait for a moderator, or "" if it can be shown at once."""
    return pii.hold_reason(*texts) or (
        str(PRE_MODERATION_REASON) if campaign.pre_moderation else ""
    )


def post_was_held(post: Post) -> None:
    """After a post was held (inside its transaction): tell the author why and the
    moderators that the queue grew. Nothing goes to the campaign's viewers."""
    _tell_author(
        post,
        "moderation.held",
        _(
            "Thank you for %(post)s. It is waiting for a moderator because "
            "%(reason)s. We will tell you when it is shown."
        )
        % {"post": _your_post(post), "reason": post.hold_reason},
        post.get_absolute_url(),
    )
    _queue_changed(campaign_of(post), "held")


@transaction.atomic
def approve_post(moderator, post: Post, note: str = "") -> Post:
    """Show a held post to everyone: it is published as if just posted."""
    campaign = campaign_of(post)
    _require_moderator(moderator, campaign)
    if post.visibility != Visibility.HELD:
        raise Refused(_("Only a post waiting for a moderator can be approved."))
    prior = {"visibility": post.visibility, "hold_reason": post.hold_reason}
    post.visibility, post.hold_reason = Visibility.VISIBLE, ""
    post.save(update_fields=["visibility", "hold_reason", "updated_at"])
    _audit(moderator, post, AuditEntry.Action.APPROVE, prior=prior, note=_note(note))
    _record_participation(post)
    if isinstance(post, Comment):
        _recount_comments(post.idea)
        _publish_shown(post, "comment.posted")
        announcements.comment_shown(post)
    else:
        _publish_shown(post, "idea.posted")
        announcements.idea_shown(post)
    _tell_author(
        post,
        "moderation.approved",
        lambda: (
            _("A moderator approved %(post)s. Everyone can see it now.")
            % {"post": _your_post(post)}
        ),
        post.get_absolute_url(),
    )
    _queue_changed(campaign, "resolved")
    versions.bump(campaign)
    return post


# -- hide and restore ----------------------------------------------------------------


@transaction.atomic
def hide_post(
    moderator,
    post: Post,
    reason: str,
    note: str = "",
    *,
    now: datetime | None = None,
) -> Post:
    """Hide a post from everyone but moderators (hiding an idea hides its comments with
    it). The author is told why and can ask for a review; reporters are told too."""
    now = now or timezone.now()
    campaign = campaign_of(post)
    _require_moderator(moderator, campaign)
    if reason not in AuditEntry.Reason.values:
        raise ValueError(f"Unknown reason {reason!r}")
    if post.visibility == Visibility.HIDDEN:
        raise Refused(_("This post is already hidden."))
    prior = {"visibility": post.visibility, "hold_reason": post.hold_reason}
    post.visibility = Visibility.HIDDEN
    post.save(update_fields=["visibility", "updated_at"])
    _audit(
        moderator,
        post,
        AuditEntry.Action.HIDE,
        prior=prior,
        reason=reason,
        note=_note(note),
    )
    was_shown = prior["visibility"] == Visibility.VISIBLE
    if isinstance(post, Idea):
        if was_shown:
            events.record_event(campaign, "idea.hidden", idea_id=post.pk)
    else:
        count = _recount_comments(post.idea)
        if was_shown and post.idea.visibility == Visibility.VISIBLE:
            events.record_event(
                campaign,
                "comment.hidden",
                idea_id=post.idea_id,
                comment_id=post.pk,
                comment_count=count,
            )
    _resolve_flags(post, Flag.Outcome.HIDDEN, moderator, now)
    _tell_author(
        post,
        "moderation.hidden",
        lambda: (
            _(
                "A moderator hid %(post)s. The reason: %(reason)s. If you think this "
                "was a mistake, you can ask for a review."
            )
            % {
                "post": _your_post(post),
                "reason": str(AuditEntry.Reason(reason).label).lower(),
            }
        ),
        review_url(post),
    )
    _queue_changed(campaign, "resolved")
    versions.bump(campaign)
    return post


def hide_idea(moderator, idea: Idea, reason: str, note: str = "") -> Idea:
    """Hide an idea (and so its comments) from everyone but moderators."""
    return hide_post(moderator, idea, reason, note)


@transaction.atomic
def restore_post(
    moderator, post: Post, note: str = "", *, now: datetime | None = None
) -> Post:
    """Show a hidden post again; any request to review it is answered."""
    now = now or timezone.now()
    campaign = campaign_of(post)
    _require_moderator(moderator, campaign)
    if post.visibility == Visibility.HELD:
        return approve_post(moderator, post, note)
    if post.visibility != Visibility.HIDDEN:
        raise Refused(_("This post is not hidden."))
    prior = {"visibility": post.visibility}
    post.visibility = Visibility.VISIBLE
    post.save(update_fields=["visibility", "updated_at"])
    _audit(moderator, post, AuditEntry.Action.RESTORE, prior=prior, note=_note(note))
    if isinstance(post, Comment):
        _recount_comments(post.idea)
        _publish_shown(post, "comment.restored")
    else:
        _publish_shown(post, "idea.restored")
    ReviewRequest.objects.filter(
        resolved_at__isnull=True, **{kind_of(post): post}
    ).update(resolved_at=now)
    _tell_author(
        post,
        "moderation.restored",
        lambda: (
            _("A moderator restored %(post)s. Everyone can see it again.")
            % {"post": _your_post(post)}
        ),
        post.get_absolute_url(),
    )
    _queue_changed(campaign, "resolved")
    versions.bump(campaign)
    return post


def restore_idea(moderator, idea: Idea, note: str = "") -> Idea:
    return restore_post(moderator, idea, note)


# -- reviews ------------------------------------------------------------------------


def request_review(author, post: Post, message: str = "") -> ReviewRequest:
    """The author of a hidden post asks the moderators to look at it again."""
    if post.author_id is None or post.author_id != author.pk:
        raise PermissionDenied(_("Only the author can ask for a review."))
    if post.visibility != Visibility.HIDDEN:
        raise Refused(_("This post is not hidden, so there is nothing to review."))
    with transaction.atomic():
        if ReviewRequest.objects.filter(
            resolved_at__isnull=True, **{kind_of(post): post}
        ).exists():
            raise Refused(
                _("You have already asked for a review. A moderator will look at it.")
            )
        review = ReviewRequest.objects.create(
            author=author, message=_note(message), **{kind_of(post): post}
        )
        _queue_changed(campaign_of(post), "review")
    return review


def open_review(post: Post) -> ReviewRequest | None:
    return ReviewRequest.objects.filter(
        resolved_at__isnull=True, **{kind_of(post): post}
    ).first()


@transaction.atomic
def keep_hidden(
    moderator, post: Post, note: str = "", *, now: datetime | None = None
) -> AuditEntry:
    """Answer a review request by keeping the post hidden; the author is told."""
    now = now or timezone.now()
    campaign = campaign_of(post)
    _require_moderator(moderator, campaign)
    reviews = list(
        ReviewRequest.objects.select_for_update().filter(
            resolved_at__isnull=True, **{kind_of(post): post}
        )
    )
    if not reviews:
        raise Refused(_("Nobody has asked for a review of this post."))
    ReviewRequest.objects.filter(pk__in=[r.pk for r in reviews]).update(resolved_at=now)
    entry = _audit(
        moderator,
        post,
        AuditEntry.Action.KEEP_HIDDEN,
        prior={
            "visibility": post.visibility,
            "review_requests": [r.pk for r in reviews],
        },
        note=_note(note) or _("Reviewed: kept hidden."),
    )
    _tell_author(
        post,
        "moderation.review",
        _(
            "A moderator looked again at %(post)s and kept it hidden, because it "
            "breaks the ground rules."
        )
        % {"post": _your_post(post)},
        reverse("conversations:ground_rules"),
    )
    _queue_changed(campaign, "resolved")
    return entry


# -- editing out a name -----------------------------------------------------------


@transaction.atomic
def edit_post(
    moderator,
    post: Post,
    *,
    body: str,
    title: str | None = None,
    note: str = "",
    now: datetime | None = None,
) -> Post:
    """Edit a post (to take out a name, say). The post is marked "edited by a
    moderator"; its previous text is kept in the audit entry only."""
    now = now or timezone.now()
    campaign = campaign_of(post)
    _require_moderator(moderator, campaign)
    prior = {"body": post.body}
    fields = ["body", "edited_by_moderator_at", "updated_at"]
    if isinstance(post, Idea):
        prior["title"] = post.title
        post.title = clean_text(
            title if title is not None else post.title,
            label=_("a title"),
            max_length=TITLE_MAX,
            allow_markup=False,
        )
        fields.append("title")
        max_length = BODY_MAX
    else:
        max_length = COMMENT_MAX
    post.body = clean_text(
        body, label=_("the text"), max_length=max_length, allow_markup=True
    )
    # A moderator's edit is shown at once: it may take a detail out, never put one in.
    pii.refuse_if_found(getattr(post, "title", ""), post.body)
    if post.body == prior["body"] and getattr(post, "title", None) == prior.get(
        "title"
    ):
        raise ValidationError(_("Nothing was changed."))
    post.edited_by_moderator_at = now
    post.save(update_fields=fields)
    _audit(moderator, post, AuditEntry.Action.EDIT, prior=prior, note=_note(note))
    idea = idea_of(post)
    # A reply in a hidden thread is not shown to viewers, so its new text is not sent.
    thread_shown = (
        isinstance(post, Idea)
        or post.parent_id is None
        or post.parent.visibility == Visibility.VISIBLE
    )
    if (
        post.visibility == Visibility.VISIBLE
        and idea.visibility == Visibility.VISIBLE
        and thread_shown
    ):
        if isinstance(post, Idea):
            events.record_event(
                campaign,
                "idea.edited",
                idea_id=post.pk,
                html=events.render_idea_card(_idea_for_event(post)),
            )
        else:
            events.record_event(
                campaign,
                "comment.edited",
                idea_id=idea.pk,
                comment_id=post.pk,
                html=events.render_comment(_comment_for_event(post)),
            )
    _resolve_flags(post, Flag.Outcome.EDITED, moderator, now)
    _tell_author(
        post,
        "moderation.edited",
        _(
            "A moderator edited %(post)s to keep it within the ground rules (for "
            "example, to take out a name). It is marked “edited by a moderator”."
        )
        % {"post": _your_post(post)},
        post.get_absolute_url(),
    )
    _queue_changed(campaign, "resolved")
    return post


# -- merging duplicates -------------------------------------------------------------


@transaction.atomic
def merge_ideas(moderator, source: Idea, target: Idea, note: str = "") -> Idea:
    """Merge a duplicate idea into another: its comments and votes move to the target
    (nobody's vote counts twice), it leaves the lists, and both authors are told."""
    campaign = source.campaign
    _require_moderator(moderator, campaign)
    if source.pk == target.pk:
        raise ValidationError(_("Choose a different idea to merge into."))
    if target.campaign_id != source.campaign_id:
        raise ValidationError(_("You can only merge ideas in the same campaign."))
    # Lock both rows (in id order, so two opposite merges cannot deadlock), then read
    # them fresh: a merge in between must not be undone or chained into a loop.
    locked = {
        i.pk: i
        for i in Idea.objects.select_for_update()
        .filter(pk__in=[source.pk, target.pk])
        .order_by("pk")
    }
    source_now, target_now = locked[source.pk], locked[target.pk]
    if source_now.merged_into_id is not None:
        raise Refused(_("This idea has already been merged into another."))
    if source_now.visibility == Visibility.HELD:
        raise ValidationError(_("Approve or hide this idea before merging it."))
    if target_now.merged_into_id is not None:
        raise ValidationError(_("That idea has itself been merged into another."))
    if target_now.visibility != Visibility.VISIBLE:
        raise ValidationError(_("Merge into an idea that everyone can see."))
    moved_comments = list(
        Comment.objects.filter(idea=source).values_list("pk", flat=True)
    )
    prior = {
        "merged_into": None,
        "visibility": source_now.visibility,
        "target_id": target.pk,
        "comment_ids": moved_comments,
        "comment_count": source_now.comment_count,
        "target_comment_count": target_now.comment_count,
    }
    Comment.objects.filter(idea=source).update(idea=target)
    moved = voting.move_votes(source, target)
    prior.update(
        votes_moved=moved.moved,
        votes_dropped=moved.dropped,
        source_tally=list(moved.source_before),
        target_tally=list(moved.target_before),
    )
    # Ideas merged into the source earlier now point at the target, so no chain forms.
    Idea.objects.filter(merged_into=source).update(merged_into=target)
    Idea.objects.filter(pk=source.pk).update(merged_into=target, comment_count=0)
    source.merged_into, source.comment_count = target, 0
    count = _recount_comments(target)
    _audit(moderator, source, AuditEntry.Action.MERGE, prior=prior, note=_note(note))
    if source_now.visibility == Visibility.VISIBLE:
        events.record_event(
            campaign,
            "idea.merged",
            idea_id=source.pk,
            into_id=target.pk,
            comment_count=count,
        )
        transaction.on_commit(
            lambda: events.broadcast(
                campaign.pk, {"type": "tally.dirty", "targets": [["idea", target.pk]]}
            )
        )
    _tell_author(
        source,
        "moderation.merged",
        _(
            "A moderator merged %(post)s into a similar idea, %(target)s. Its "
            "comments and votes moved with it, so everyone's support counts in one "
            "place."
        )
        % {"post": _your_post(source), "target": _quoted(target.title)},
        target.get_absolute_url(),
    )
    if target.author_id != source.author_id:
        # The target's author hears that a similar idea joined theirs; never whose.
        _tell_author(
            target,
            "moderation.merged",
            _(
                "A moderator merged a similar idea into %(post)s. Its comments and "
                "votes now count here."
            )
            % {"post": _your_post(target)},
            target.get_absolute_url(),
        )
    versions.bump(campaign)
    return target


def merge_targets(source: Idea):
    """Every idea ``source`` may be merged into."""
    return Idea.objects.filter(
        campaign_id=source.campaign_id,
        visibility=Visibility.VISIBLE,
        merged_into__isnull=True,
    ).exclude(pk=source.pk)


def merge_candidates(source: Idea, query: str = "", limit: int = 20) -> list[Idea]:
    """Up to ``limit`` merge targets matching ``query`` (a title word or an idea's
    number), newest first."""
    ideas = merge_targets(source)
    query = (query or "").strip()
    if query:
        if query.isdigit():
            ideas = ideas.filter(Q(pk=int(query)) | Q(title__icontains=query))
        else:
            ideas = ideas.filter(title__icontains=query)
    return list(ideas.select_related("theme").order_by("-created_at", "-id")[:limit])


# -- comments lock and status ------------------------------------------------------


@transaction.atomic
def set_comments_locked(moderator, idea: Idea, locked: bool, note: str = "") -> Idea:
    """Close (or reopen) an idea's comments: no new comments or replies while locked."""
    _require_moderator(moderator, idea.campaign)
    if idea.comments_locked == locked:
        raise Refused(
            _("Comments are already closed.")
            if locked
            else _("Comments are already open.")
        )
    prior = {"comments_locked": idea.comments_locked}
    idea.comments_locked = locked
    idea.save(update_fields=["comments_locked", "updated_at"])
    _audit(
        moderator,
        idea,
        AuditEntry.Action.LOCK if locked else AuditEntry.Action.UNLOCK,
        prior=prior,
        note=_note(note),
    )
    if idea.visibility == Visibility.VISIBLE:
        events.record_event(
            idea.campaign, "idea.comments_locked", idea_id=idea.pk, locked=locked
        )
    return idea


@transaction.atomic
def set_idea_status(moderator, idea: Idea, status: str, note: str = "") -> Idea:
    """Set an idea's status ("adopted", "not taken forward") with a public note."""
    _require_moderator(moderator, idea.campaign)
    if status not in Idea.Status.values:
        raise ValueError(f"Unknown status {status!r}")
    prior = {"status": idea.status, "status_note": idea.status_note}
    idea.status, idea.status_note = status, sanitise(note, allow_markup=False)
    idea.save(update_fields=["status", "status_note", "updated_at"])
    _audit(
        moderator, idea, AuditEntry.Action.STATUS, prior=prior, note=idea.status_note
    )
    if idea.visibility == Visibility.VISIBLE:
        events.record_event(
            idea.campaign,
            "idea.status",
            idea_id=idea.pk,
            status=idea.status,
            label=events.in_each_language(idea.get_status_display),
            note=idea.status_note,
        )
    announcements.idea_status_changed(idea, moderator)
    return idea
