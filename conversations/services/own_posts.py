"""What a person can do with what they wrote: see it, edit it, delete it, take a copy
of it, and close their account.

Deleting removes rows, and also rewrites the numbered live events that carried them,
so a viewer who reconnects and catches up is never replayed a post that no longer
exists, or a departed colleague's name.
"""

from datetime import UTC, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import ratelimit
from accounts import services as account_services
from accounts.models import StaffMember
from accounts.security_log import log_event
from conversations import versions
from conversations.exceptions import RateLimited, Refused
from conversations.live import events
from conversations.models import (
    Campaign,
    CampaignEvent,
    Comment,
    Flag,
    Idea,
    Visibility,
)
from conversations.services import moderation, posting
from conversations.services.text import BODY_MAX, COMMENT_MAX, TITLE_MAX, clean_text
from notifications import services as notifications
from notifications.models import Notification
from voting.models import Vote

# A deleted comment is replayed as this to viewers catching up; pages ignore it.
COMMENT_REMOVED = "comment.removed"


def _require_author(person: StaffMember, post: Idea | Comment) -> None:
    if post.author_id is None or post.author_id != person.pk:
        raise PermissionDenied(_("You can only change or delete your own posts."))


def _tombstone_events(
    campaign_ids: set[int], idea_ids: list[int], comment_ids: list[int]
) -> None:
    """Replace stored events that carried deleted posts with bare "gone" events.

    The numbers stay, so catching up still works: an idea becomes ``idea.hidden``
    (pages remove the card), a comment becomes ``comment.removed``.
    """
    if idea_ids:
        for event in CampaignEvent.objects.filter(
            campaign_id__in=campaign_ids,
            type__in=["idea.posted", "idea.restored"],
            payload__idea_id__in=idea_ids,
        ):
            _rewrite(
                event,
                {
                    "type": "idea.hidden",
                    "seq": event.seq,
                    "idea_id": event.payload["idea_id"],
                },
            )
    if comment_ids:
        for event in CampaignEvent.objects.filter(
            campaign_id__in=campaign_ids,
            type="comment.posted",
            payload__comment_id__in=comment_ids,
        ):
            _rewrite(
                event,
                {
                    "type": COMMENT_REMOVED,
                    "seq": event.seq,
                    "idea_id": event.payload["idea_id"],
                    "comment_id": event.payload["comment_id"],
                },
            )


def _rewrite(event: CampaignEvent, payload: dict) -> None:
    CampaignEvent.objects.filter(pk=event.pk).update(
        type=payload["type"], payload=payload
    )


@transaction.atomic
def delete_own_idea(author: StaffMember, idea: Idea) -> None:
    """Delete an idea its author wrote, with the comments on it (and their replies).

    Viewers of the campaign see the card go, as when a moderator hides one.
    """
    _require_author(author, idea)
    campaign = idea.campaign
    was_shown = idea.visibility == Visibility.VISIBLE
    comment_ids = list(idea.comments.values_list("pk", flat=True))
    _tombstone_events({campaign.pk}, [idea.pk], comment_ids)
    idea_id = idea.pk
    idea.delete()  # comments, flags, review and reveal requests go with it
    if was_shown:
        events.record_event(campaign, "idea.hidden", idea_id=idea_id)
    versions.bump(campaign)
    log_event("post.deleted_by_author", kind="idea")


@transaction.atomic
def delete_own_comment(author: StaffMember, comment: Comment) -> None:
    """Delete a comment its author wrote; replies to it go with it."""
    _require_author(author, comment)
    idea = comment.idea
    campaign = idea.campaign
    was_shown = comment.visibility == Visibility.VISIBLE
    doomed = Comment.objects.filter(Q(pk=comment.pk) | Q(parent=comment))
    ids = list(doomed.values_list("pk", flat=True))
    shown = doomed.filter(visibility=Visibility.VISIBLE).count()
    _tombstone_events({campaign.pk}, [], ids)
    comment_id = comment.pk
    comment.delete()
    if shown:
        Idea.objects.filter(pk=idea.pk).update(
            comment_count=Greatest(F("comment_count") - shown, 0)
        )
    if was_shown:
        events.record_event(
            campaign,
            COMMENT_REMOVED,
            idea_id=idea.pk,
            comment_id=comment_id,
            comment_count=Idea.objects.values_list("comment_count", flat=True).get(
                pk=idea.pk
            ),
        )
    versions.bump(campaign)
    log_event("post.deleted_by_author", kind="comment")


# -- editing ------------------------------------------------------------------------


def check_editable(author: StaffMember, post: Idea | Comment, now: datetime) -> None:
    """Raise a refusal unless ``author`` may edit ``post`` now: their own post, while
    the campaign is open, not hidden by a moderator (the author asks for a review
    instead) and not merged away."""
    _require_author(author, post)
    idea = post if isinstance(post, Idea) else post.idea
    posting.require_open(author, idea.campaign, now)
    if post.visibility == Visibility.HIDDEN:
        raise Refused(
            _(
                "A moderator has hidden this post, so it cannot be edited. You can "
                "ask for a review."
            )
        )
    if idea.merged_into_id is not None:
        raise Refused(
            _("This idea was merged into another one, so it can no longer be edited.")
        )


def looks_editable(post: Idea | Comment, campaign: Campaign, now: datetime) -> bool:
    """Whether to offer an edit link, without the queries of the full check."""
    return (
        campaign.is_open(now)
        and post.visibility != Visibility.HIDDEN
        and getattr(post, "merged_into_id", None) is None
    )


def _locked(post: Idea | Comment) -> Idea | Comment:
    """The post read again under a row lock, so a moderator's hide or approval at the
    same moment is either seen here or applied after this edit, never lost."""
    locked = type(post).objects.select_for_update().get(pk=post.pk)
    post.visibility, post.hold_reason = locked.visibility, locked.hold_reason
    if post.visibility == Visibility.HIDDEN:  # hidden since check_editable
        raise Refused(
            _(
                "A moderator has hidden this post, so it cannot be edited. You can "
                "ask for a review."
            )
        )
    return post


def edit_own_idea(
    author: StaffMember,
    idea: Idea,
    *,
    title: str,
    body: str,
    now: datetime | None = None,
) -> Idea:
    """The author changes their idea's title and text while the campaign is open.

    The text is cleaned again and checked again by the automatic hold rules: an edit
    that adds (say) an NHS number, or any edit in a pre-moderated campaign, takes the
    idea off the page until a moderator approves it. A shown edit is published live,
    rendered as everyone sees it (an anonymous idea stays "a colleague").
    """
    now = now or timezone.now()
    check_editable(author, idea, now)
    campaign = idea.campaign
    title = clean_text(
        title, label=_("a title"), max_length=TITLE_MAX, allow_markup=False
    )
    body = clean_text(
        body, label=_("your idea"), max_length=BODY_MAX, allow_markup=True
    )
    if title == idea.title and body == idea.body:
        raise ValidationError(_("You have not changed anything."))
    ratelimit.enforce("post", author, RateLimited)
    hold_reason = moderation.hold_reason_for(campaign, title, body)
    with transaction.atomic():
        _locked(idea)
        was_shown = idea.visibility == Visibility.VISIBLE
        idea.title, idea.body, idea.edited_at = title, body, now
        fields = ["title", "body", "edited_at", "updated_at"]
        if hold_reason:
            idea.visibility, idea.hold_reason = Visibility.HELD, hold_reason
            fields += ["visibility", "hold_reason"]
        idea.save(update_fields=fields)
        if hold_reason:
            if was_shown:
                events.record_event(campaign, "idea.hidden", idea_id=idea.pk)
            moderation.post_was_held(idea)
        elif was_shown:
            events.record_event(
                campaign,
                "idea.edited",
                idea_id=idea.pk,
                html=events.render_idea_card(moderation._idea_for_event(idea)),
            )
    log_event("post.edited_by_author", kind="idea", held=bool(hold_reason))
    return idea


def edit_own_comment(
    author: StaffMember,
    comment: Comment,
    *,
    body: str,
    now: datetime | None = None,
) -> Comment:
    """The author changes their comment's text while the campaign is open; cleaned,
    held and published as :func:`edit_own_idea` does for an idea."""
    now = now or timezone.now()
    check_editable(author, comment, now)
    idea = comment.idea
    campaign = idea.campaign
    body = clean_text(
        body, label=_("a comment"), max_length=COMMENT_MAX, allow_markup=True
    )
    if body == comment.body:
        raise ValidationError(_("You have not changed anything."))
    ratelimit.enforce("post", author, RateLimited)
    hold_reason = moderation.hold_reason_for(campaign, body)
    with transaction.atomic():
        _locked(comment)
        was_shown = comment.visibility == Visibility.VISIBLE
        comment.body, comment.edited_at = body, now
        fields = ["body", "edited_at", "updated_at"]
        if hold_reason:
            comment.visibility, comment.hold_reason = Visibility.HELD, hold_reason
            fields += ["visibility", "hold_reason"]
        comment.save(update_fields=fields)
        # Viewers see a comment only in a shown idea and, for a reply, a shown thread.
        idea_shown = idea.visibility == Visibility.VISIBLE and (
            comment.parent_id is None or comment.parent.visibility == Visibility.VISIBLE
        )
        if hold_reason:
            if was_shown:
                count = moderation._recount_comments(idea)
                if idea_shown:
                    events.record_event(
                        campaign,
                        "comment.hidden",
                        idea_id=idea.pk,
                        comment_id=comment.pk,
                        comment_count=count,
                    )
            moderation.post_was_held(comment)
        elif was_shown and idea_shown:
            events.record_event(
                campaign,
                "comment.edited",
                idea_id=idea.pk,
                comment_id=comment.pk,
                html=events.render_comment(moderation._comment_for_event(comment)),
            )
    log_event("post.edited_by_author", kind="comment", held=bool(hold_reason))
    return comment


def has_posted(person: StaffMember) -> bool:
    """Whether ``person`` has ever posted an idea or a comment (one query), so the
    ground rules are shown in full before their first post."""
    return (
        StaffMember.objects.filter(pk=person.pk)
        .filter(
            Exists(Idea.objects.filter(author=OuterRef("pk")))
            | Exists(Comment.objects.filter(author=OuterRef("pk")))
        )
        .exists()
    )


def own_posts(person: StaffMember) -> tuple[list[Idea], list[Comment]]:
    ideas = list(
        Idea.objects.filter(author=person)
        .select_related("campaign", "theme")
        .order_by("-created_at", "-id")
    )
    comments = list(
        Comment.objects.filter(author=person)
        .select_related("idea__campaign")
        .order_by("-created_at", "-id")
    )
    return ideas, comments


def _when(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat() if value else None


def export_my_data(person: StaffMember) -> dict:
    """Everything the platform holds that this person wrote or chose, as plain data.

    Anonymous posts are included (they are the person's own) and marked as such.
    """
    ideas, comments = own_posts(person)
    idea_type, comment_type = _content_types()
    held = notifications.data_of(person)
    kinds = {idea_type: "idea", comment_type: "comment"}
    return {
        "exported_at": _when(timezone.now()),
        "profile": {
            "email": person.email,
            "name_shown_to_colleagues": person.display_name,
            "first_name": person.first_name,
            "last_name": person.last_name,
            "directorate": str(person.directorate or "") or None,
            "staff_group": str(person.staff_group or "") or None,
            "band": str(person.band or "") or None,
            "interface_language": person.language or None,
            "teams": [
                {"team": m.team.name, "role": m.role}
                for m in person.memberships.select_related("team")
            ],
            "joined": _when(person.date_joined),
            "last_signed_in": _when(person.last_login),
        },
        "ideas": [
            {
                "id": idea.pk,
                "campaign": idea.campaign.title,
                "theme": idea.theme.name,
                "title": idea.title,
                "body_html": idea.body,
                "anonymous": idea.is_anonymous,
                "visibility": idea.visibility,
                "status": idea.status,
                "status_note": idea.status_note,
                "posted_at": _when(idea.created_at),
                "url": idea.get_absolute_url(),
            }
            for idea in ideas
        ],
        "comments": [
            {
                "id": comment.pk,
                "idea_id": comment.idea_id,
                "idea_title": comment.idea.title,
                "reply_to_comment_id": comment.parent_id,
                "body_html": comment.body,
                "anonymous": comment.is_anonymous,
                "visibility": comment.visibility,
                "posted_at": _when(comment.created_at),
            }
            for comment in comments
        ],
        "votes": [
            {
                "on": kinds.get(vote.target_type_id, "other"),
                "target_id": vote.target_id,
                "vote": "support" if vote.value == 1 else "dont_support",
                "at": _when(vote.updated_at),
            }
            for vote in Vote.objects.filter(voter=person).order_by("created_at", "id")
        ],
        "reports_made": [
            {
                "idea_id": flag.idea_id,
                "comment_id": flag.comment_id,
                "reason": flag.reason,
                "note": flag.note,
                "outcome": flag.outcome,
                "at": _when(flag.created_at),
            }
            for flag in Flag.objects.filter(reporter=person)
        ],
        "notifications": [
            {
                "kind": note.kind,
                "message": note.message,
                "url": note.url,
                "at": _when(note.created_at),
                "read_at": _when(note.read_at),
            }
            for note in Notification.objects.filter(recipient=person)
        ],
        "notification_preferences": held["notification_preferences"],
        "following": [
            {**follow, "since": _when(follow["since"])} for follow in held["following"]
        ],
    }


def _content_types() -> tuple[int, int]:
    from django.contrib.contenttypes.models import ContentType

    types = ContentType.objects.get_for_models(Idea, Comment)
    return types[Idea].pk, types[Comment].pk


def _rerender_named_posts(idea_ids: list[int], comment_ids: list[int]) -> None:
    """Stored live events show a named post's author; after the author is detached,
    render those posts again so catch-up replays "a former colleague"."""
    ideas = {
        idea.pk: idea
        for idea in Idea.objects.filter(pk__in=idea_ids).select_related(
            "campaign", "theme"
        )
    }
    for event in CampaignEvent.objects.filter(
        type__in=["idea.posted", "idea.restored"], payload__idea_id__in=idea_ids
    ):
        idea = ideas[event.payload["idea_id"]]
        idea.support = idea.dont_support = 0
        _rewrite(
            event,
            events.split_languages(
                {**event.payload, "html": events.render_idea_card(idea)}
            ),
        )
    comments = {
        comment.pk: comment
        for comment in Comment.objects.filter(pk__in=comment_ids).select_related(
            "idea__campaign"
        )
    }
    for event in CampaignEvent.objects.filter(
        type="comment.posted", payload__comment_id__in=comment_ids
    ):
        comment = comments[event.payload["comment_id"]]
        comment.support = comment.dont_support = 0
        _rewrite(
            event,
            events.split_languages(
                {**event.payload, "html": events.render_comment(comment)}
            ),
        )


@transaction.atomic
def delete_account(person: StaffMember, *, remove_posts: bool = False) -> None:
    """Close ``person``'s account and blank their personal data, in one transaction.

    Their posts stay, shown as "a former colleague" (anonymous ones stay "a
    colleague"), or, with ``remove_posts``, are deleted as if they had deleted each
    one. Votes and reports stay attached to the blanked account so tallies and the
    moderation record stay true; notifications are deleted.
    """
    if remove_posts:
        for idea in Idea.objects.filter(author=person).select_related("campaign"):
            delete_own_idea(person, idea)
        # Top-level comments first: their replies (perhaps also this person's) go
        # with them, so each is looked up again before it is deleted.
        for pk in (
            Comment.objects.filter(author=person)
            .order_by(F("parent_id").asc(nulls_first=True), "pk")
            .values_list("pk", flat=True)
        ):
            comment = (
                Comment.objects.filter(pk=pk).select_related("idea__campaign").first()
            )
            if comment is not None:
                delete_own_comment(person, comment)
    else:
        named_ideas = list(
            Idea.objects.filter(author=person, is_anonymous=False).values_list(
                "pk", flat=True
            )
        )
        named_comments = list(
            Comment.objects.filter(author=person, is_anonymous=False).values_list(
                "pk", flat=True
            )
        )
        campaign_ids = set(
            Idea.objects.filter(author=person).values_list("campaign_id", flat=True)
        ) | set(
            Comment.objects.filter(author=person).values_list(
                "idea__campaign_id", flat=True
            )
        )
        Idea.objects.filter(author=person).update(author=None)
        Comment.objects.filter(author=person).update(author=None)
        _rerender_named_posts(named_ideas, named_comments)
        versions.bump(*campaign_ids)
    notifications.forget(person)  # notifications, emails, follows, preferences
    account_services.erase_personal_data(person)
    log_event(
        "account.deleted",
        user=person.pk,
        posts="removed" if remove_posts else "kept",
    )
