"""conversations.services.moderation: every moderator's action is permitted to moderators only,
runs in one transaction, is audited with its prior state, tells the people concerned,
and publishes to the campaign only what its viewers may see."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError

from conversations import queries, services, stats
from conversations.exceptions import Refused
from conversations.models import (
    AuditEntry,
    Comment,
    Flag,
    Idea,
    Participation,
    ReviewRequest,
    Visibility,
)
from conversations.services import moderation
from notifications.models import Notification
from tests.conversations.conftest import event_types, last_event
from voting import services as voting
from voting.models import Tally, Vote

pytestmark = pytest.mark.django_db

SPAM = AuditEntry.Reason.SPAM
OFFENSIVE = AuditEntry.Reason.OFFENSIVE


@pytest.fixture
def idea(open_campaign, make_idea, make_staff):
    return make_idea(
        open_campaign,
        author=make_staff(display_name="Alex Author"),
        title="Rest rooms for night staff",
        body="<p>Somewhere quiet for ten minutes.</p>",
    )


@pytest.fixture
def comment(idea, make_comment, make_staff):
    return make_comment(
        idea, author=make_staff(display_name="Casey Commenter"), body="Yes please."
    )


def notes_for(person) -> list[str]:
    return list(
        Notification.objects.filter(recipient=person).values_list("message", flat=True)
    )


def audit(action) -> AuditEntry:
    return AuditEntry.objects.get(action=action)


def flag(post, make_staff, reason=OFFENSIVE):
    return moderation.flag_post(make_staff(), post, reason)


def reload(post):
    return type(post).objects.get(pk=post.pk)


# -- permission ---------------------------------------------------------------------


ACTIONS = {
    "approve": lambda u, p, other: moderation.approve_post(u, p),
    "hide": lambda u, p, other: moderation.hide_post(u, p, SPAM),
    "restore": lambda u, p, other: moderation.restore_post(u, p),
    "dismiss": lambda u, p, other: moderation.dismiss_flags(u, p),
    "keep_hidden": lambda u, p, other: moderation.keep_hidden(u, p),
    "edit": lambda u, p, other: moderation.edit_post(u, p, body="x", title="y"),
    "merge": lambda u, p, other: moderation.merge_ideas(u, p, other),
    "lock": lambda u, p, other: moderation.set_comments_locked(u, p, True),
    "status": lambda u, p, other: moderation.set_idea_status(u, p, "adopted"),
}


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("role", [None, "team_lead"])
def test_staff_who_do_not_moderate_are_refused_every_action(
    action, role, make_staff, idea, make_idea
):
    other = make_idea(idea.campaign)
    person = make_staff(roles=[role] if role else [])

    with pytest.raises(PermissionDenied):
        ACTIONS[action](person, idea, other)

    assert not AuditEntry.objects.exists()
    assert reload(idea).visibility == Visibility.VISIBLE
    assert reload(idea).merged_into is None


@pytest.mark.parametrize("role", ["moderator", "engagement_manager", "administrator"])
def test_moderators_engagement_managers_and_administrators_moderate(
    role, make_staff, idea
):
    moderation.hide_post(make_staff(roles=[role]), idea, SPAM)

    assert reload(idea).visibility == Visibility.HIDDEN


# -- approving held posts ---------------------------------------------------------------


def test_approving_a_held_idea_shows_and_publishes_it(
    moderator, open_campaign, make_idea, make_staff, django_capture_on_commit_callbacks
):
    author = make_staff()
    held = make_idea(
        open_campaign, author=author, title="Night rota", visibility=Visibility.HELD
    )
    Idea.objects.filter(pk=held.pk).update(hold_reason="it has a phone number")
    Participation.objects.all().delete()
    held.refresh_from_db()

    with django_capture_on_commit_callbacks(execute=True):
        moderation.approve_post(moderator, held, "Fine")

    held.refresh_from_db()
    assert (held.visibility, held.hold_reason) == (Visibility.VISIBLE, "")
    entry = audit(AuditEntry.Action.APPROVE)
    assert (entry.actor, entry.idea, entry.note) == (moderator, held, "Fine")
    assert entry.prior_state == {
        "visibility": "held",
        "hold_reason": "it has a phone number",
    }
    assert event_types(open_campaign) == ["idea.posted"]
    event = last_event(open_campaign)
    assert event["idea_id"] == held.pk and "Night rota" in event["html"]
    assert Participation.objects.filter(staff_member=author).exists()
    assert stats.counts(open_campaign).ideas == 1
    assert any("approved" in n for n in notes_for(author))


def test_approving_a_held_comment_counts_and_publishes_it(moderator, idea, make_staff):
    author = make_staff()
    held = Comment.objects.create(
        idea=idea,
        author=author,
        body="Ask 07700 900123",
        visibility=Visibility.HELD,
        hold_reason="it has a phone number",
    )

    moderation.approve_post(moderator, held)

    assert reload(idea).comment_count == 1
    assert event_types(idea.campaign) == ["comment.posted"]
    event = last_event(idea.campaign)
    assert (event["comment_id"], event["comment_count"]) == (held.pk, 1)
    assert "07700 900123" in event["html"]
    assert any("approved" in n for n in notes_for(author))


def test_only_held_posts_can_be_approved(moderator, idea):
    with pytest.raises(Refused):
        moderation.approve_post(moderator, idea)
    assert not AuditEntry.objects.exists()


# -- hiding and restoring -------------------------------------------------------------


def test_hiding_an_idea_hides_it_and_its_comments_and_tells_the_author_why(
    moderator, staff, idea, comment
):
    moderation.hide_post(moderator, idea, OFFENSIVE, "Abusive about a named manager")

    assert reload(idea).visibility == Visibility.HIDDEN
    assert queries.idea_for_page(idea.campaign, staff, idea.pk) is None
    entry = audit(AuditEntry.Action.HIDE)
    assert (entry.reason, entry.note) == (OFFENSIVE, "Abusive about a named manager")
    assert entry.prior_state == {"visibility": "visible", "hold_reason": ""}
    assert event_types(idea.campaign) == ["idea.hidden"]
    assert last_event(idea.campaign) == {
        "type": "idea.hidden",
        "seq": 1,
        "idea_id": idea.pk,
    }
    (note,) = Notification.objects.filter(recipient=idea.author)
    assert "offensive or abusive" in note.message
    assert "Rest rooms for night staff" in note.message
    assert note.url == moderation.review_url(idea)
    assert "Abusive about a named manager" not in note.message  # the note is internal


def test_hiding_a_comment_takes_it_out_of_the_count_and_the_page(
    moderator, staff, idea, comment, make_comment
):
    make_comment(idea)

    moderation.hide_post(moderator, comment, SPAM)

    assert reload(comment).visibility == Visibility.HIDDEN
    assert reload(idea).comment_count == 1
    assert comment.pk not in [c.pk for c in queries.idea_comments(idea, staff)]
    assert last_event(idea.campaign) == {
        "type": "comment.hidden",
        "seq": 1,
        "idea_id": idea.pk,
        "comment_id": comment.pk,
        "comment_count": 1,
    }
    entry = audit(AuditEntry.Action.HIDE)
    assert (entry.idea, entry.comment) == (idea, comment)
    assert any("spam or off topic" in n for n in notes_for(comment.author))


def test_hiding_a_top_level_comment_takes_its_replies_out_of_the_count(
    moderator, idea, comment, make_comment
):
    make_comment(idea, parent=comment)
    make_comment(idea, parent=comment)
    assert reload(idea).comment_count == 3

    moderation.hide_post(moderator, comment, SPAM)
    assert reload(idea).comment_count == 0

    moderation.restore_post(moderator, reload(comment))
    assert reload(idea).comment_count == 3


def test_hiding_a_held_post_publishes_nothing(moderator, idea, make_staff):
    held = Comment.objects.create(
        idea=idea, author=make_staff(), body="x", visibility=Visibility.HELD
    )

    moderation.hide_post(moderator, held, AuditEntry.Reason.IDENTIFIES)

    assert reload(held).visibility == Visibility.HIDDEN
    assert event_types(idea.campaign) == []
    assert audit(AuditEntry.Action.HIDE).prior_state["visibility"] == "held"


def test_a_comment_on_a_hidden_idea_is_hidden_without_a_live_event(
    moderator, idea, comment
):
    moderation.hide_post(moderator, idea, SPAM)
    moderation.hide_post(moderator, comment, SPAM)

    assert event_types(idea.campaign) == ["idea.hidden"]


def test_hiding_twice_is_refused(moderator, idea):
    moderation.hide_post(moderator, idea, SPAM)
    with pytest.raises(Refused):
        moderation.hide_post(moderator, reload(idea), SPAM)
    assert AuditEntry.objects.count() == 1


def test_hiding_with_an_unknown_reason_is_refused(moderator, idea):
    with pytest.raises(ValueError):
        moderation.hide_post(moderator, idea, "dislike")
    assert reload(idea).visibility == Visibility.VISIBLE


def test_restoring_a_comment_counts_it_publishes_it_and_answers_the_review(
    moderator, idea, comment
):
    moderation.hide_post(moderator, comment, SPAM)
    review = moderation.request_review(comment.author, reload(comment), "It was fair")

    moderation.restore_post(moderator, reload(comment), "On reflection, fine")

    assert reload(comment).visibility == Visibility.VISIBLE
    assert reload(idea).comment_count == 1
    assert event_types(idea.campaign) == ["comment.hidden", "comment.restored"]
    event = last_event(idea.campaign)
    assert event["comment_id"] == comment.pk and "Yes please." in event["html"]
    entry = audit(AuditEntry.Action.RESTORE)
    assert entry.prior_state == {"visibility": "hidden"}
    assert ReviewRequest.objects.get(pk=review.pk).resolved_at is not None
    assert any("restored" in n for n in notes_for(comment.author))


def test_restoring_an_idea_publishes_it_with_its_tallies(moderator, idea, make_staff):
    voting.cast_vote(make_staff(), idea, 1)
    moderation.hide_post(moderator, idea, SPAM)

    moderation.restore_post(moderator, reload(idea))

    event = last_event(idea.campaign)
    assert event["type"] == "idea.restored"
    assert 'data-count="support">1<' in event["html"]


def test_restoring_a_visible_post_is_refused(moderator, idea):
    with pytest.raises(Refused):
        moderation.restore_post(moderator, idea)


# -- reports ---------------------------------------------------------------------------


def test_hiding_a_reported_post_closes_its_reports_and_tells_the_reporters(
    moderator, idea, make_staff
):
    reporters = [make_staff(), make_staff()]
    for person in reporters:
        moderation.flag_post(person, idea, OFFENSIVE)

    moderation.hide_post(moderator, idea, OFFENSIVE)

    assert set(Flag.objects.values_list("outcome", flat=True)) == {"hidden"}
    assert set(Flag.objects.values_list("resolved_by", flat=True)) == {moderator.pk}
    for person in reporters:
        (message,) = notes_for(person)
        assert "the post was hidden" in message


def test_dismissing_reports_keeps_the_post_and_tells_the_reporters(
    moderator, idea, make_staff
):
    reporter = make_staff()
    first = moderation.flag_post(reporter, idea, OFFENSIVE)
    second = flag(idea, make_staff, SPAM)

    moderation.dismiss_flags(moderator, idea, "Robust but fair")

    assert reload(idea).visibility == Visibility.VISIBLE
    assert set(Flag.objects.values_list("outcome", flat=True)) == {"kept"}
    entry = audit(AuditEntry.Action.FLAG_DISMISSED)
    assert entry.prior_state == {"open_flags": [first.pk, second.pk]}
    assert entry.note == "Robust but fair"
    assert event_types(idea.campaign) == []
    (message,) = notes_for(reporter)
    assert "does not break the ground rules" in message
    assert notes_for(idea.author) == []  # nothing happened to the author's post


def test_dismissing_when_nothing_is_reported_is_refused(moderator, idea):
    with pytest.raises(Refused):
        moderation.dismiss_flags(moderator, idea)


# -- editing out a name ----------------------------------------------------------------


def test_editing_an_idea_marks_it_keeps_the_old_text_in_the_audit_and_publishes_it(
    moderator, idea, make_staff
):
    reporter = make_staff()
    moderation.flag_post(reporter, idea, AuditEntry.Reason.IDENTIFIES)
    before = (idea.title, idea.body)

    moderation.edit_post(
        moderator,
        idea,
        title="Rest rooms for night staff",
        body="<p>Somewhere quiet, as [name removed] said.</p><script>x()</script>",
        note="Took out a colleague's name",
    )

    idea.refresh_from_db()
    assert idea.body == "<p>Somewhere quiet, as [name removed] said.</p>x()"
    assert idea.edited_by_moderator_at is not None
    entry = audit(AuditEntry.Action.EDIT)
    assert entry.prior_state == {"title": before[0], "body": before[1]}
    assert entry.note == "Took out a colleague's name"
    event = last_event(idea.campaign)
    assert event["type"] == "idea.edited" and event["idea_id"] == idea.pk
    assert "[name removed]" in event["html"]
    assert "Edited by a moderator" in event["html"]
    assert "the post was edited" in notes_for(reporter)[0]
    assert any("edited" in n for n in notes_for(idea.author))


def test_editing_a_comment_publishes_the_new_text(moderator, comment):
    moderation.edit_post(moderator, comment, body="Yes, [name removed].", note="n")

    event = last_event(comment.idea.campaign)
    assert (event["type"], event["comment_id"]) == ("comment.edited", comment.pk)
    assert "[name removed]" in event["html"]
    assert "Yes please." in audit(AuditEntry.Action.EDIT).prior_state["body"]


def test_editing_a_held_post_publishes_nothing(moderator, idea, make_staff):
    held = Comment.objects.create(
        idea=idea, author=make_staff(), body="jo@nhs.net", visibility=Visibility.HELD
    )

    moderation.edit_post(moderator, held, body="[email removed]", note="n")

    assert reload(held).body == "[email removed]"
    assert event_types(idea.campaign) == []


def test_an_edit_that_changes_nothing_is_refused(moderator, comment):
    with pytest.raises(ValidationError):
        moderation.edit_post(moderator, comment, body=comment.body)
    assert not AuditEntry.objects.exists()


# -- merging duplicates ----------------------------------------------------------------


@pytest.fixture
def duplicate(open_campaign, make_idea, make_staff):
    return make_idea(
        open_campaign,
        author=make_staff(display_name="Dana Duplicate"),
        title="Quiet rooms at night",
        anonymous=True,
    )


def _votes_on(idea) -> list[tuple[int, int]]:
    return sorted(
        Vote.objects.filter(
            target_type=ContentType.objects.get_for_model(Idea), target_id=idea.pk
        ).values_list("voter_id", "value")
    )


def _tally(idea) -> tuple[int, int]:
    tally = Tally.objects.filter(
        target_type=ContentType.objects.get_for_model(Idea), target_id=idea.pk
    ).first()
    return (tally.support, tally.dont_support) if tally else (0, 0)


def test_merging_moves_votes_without_counting_anyone_twice(
    moderator, idea, duplicate, make_staff
):
    both, only_source, only_target, opposed = (make_staff() for _ in range(4))
    voting.cast_vote(both, idea, 1)
    voting.cast_vote(both, duplicate, 1)
    voting.cast_vote(opposed, idea, -1)
    voting.cast_vote(opposed, duplicate, 1)  # their vote on the target stands
    voting.cast_vote(only_source, duplicate, 1)
    voting.cast_vote(only_target, idea, 1)

    moderation.merge_ideas(moderator, duplicate, idea)

    assert _votes_on(idea) == sorted(
        [(both.pk, 1), (opposed.pk, -1), (only_source.pk, 1), (only_target.pk, 1)]
    )
    assert _votes_on(duplicate) == []
    assert _tally(idea) == (3, 1)
    assert _tally(duplicate) == (0, 0)
    prior = audit(AuditEntry.Action.MERGE).prior_state
    assert (prior["votes_moved"], prior["votes_dropped"]) == (1, 2)
    assert (prior["source_tally"], prior["target_tally"]) == ([3, 0], [2, 1])


def test_tallies_equal_the_vote_rows_after_a_merge(
    moderator, idea, duplicate, make_staff
):
    people = [make_staff() for _ in range(6)]
    for i, person in enumerate(people):
        voting.cast_vote(person, duplicate, 1 if i % 2 else -1)
        if i < 3:
            voting.cast_vote(person, idea, 1)

    moderation.merge_ideas(moderator, duplicate, idea)

    for target in (idea, duplicate):
        rows = [value for _, value in _votes_on(target)]
        assert _tally(target) == (rows.count(1), rows.count(-1))
    assert len(_votes_on(idea)) == 6


def test_merging_moves_comments_and_takes_the_duplicate_out_of_the_lists(
    moderator,
    staff,
    idea,
    duplicate,
    comment,
    make_comment,
    published,
    django_capture_on_commit_callbacks,
):
    moved = make_comment(duplicate, body="Moved across")
    reply = make_comment(duplicate, parent=moved)
    earlier = Idea.objects.create(
        campaign=duplicate.campaign,
        theme=duplicate.theme,
        author=staff,
        title="Older duplicate",
        body="x",
        merged_into=duplicate,
    )

    with django_capture_on_commit_callbacks(execute=True):
        moderation.merge_ideas(moderator, duplicate, idea, "Same idea")

    duplicate.refresh_from_db()
    assert duplicate.merged_into == idea
    assert set(Comment.objects.filter(idea=idea)) == {comment, moved, reply}
    assert reload(reply).parent == moved
    assert (reload(idea).comment_count, duplicate.comment_count) == (3, 0)
    assert reload(earlier).merged_into == idea  # no chains
    listed = queries.campaign_ideas(idea.campaign, staff)
    assert duplicate.pk not in [i.pk for i in listed]
    prior = audit(AuditEntry.Action.MERGE).prior_state
    assert prior["merged_into"] is None and prior["target_id"] == idea.pk
    assert sorted(prior["comment_ids"]) == sorted([moved.pk, reply.pk])
    assert last_event(idea.campaign) == {
        "type": "idea.merged",
        "seq": 1,
        "idea_id": duplicate.pk,
        "into_id": idea.pk,
        "comment_count": 3,
    }
    # The target's tally is pushed with the others, from the database.
    assert {"type": "tally.dirty", "targets": [["idea", idea.pk]]} in [
        payload for _, payload in published
    ]


def test_both_authors_are_told_of_a_merge_and_never_who_the_other_is(
    moderator, idea, duplicate
):
    moderation.merge_ideas(moderator, duplicate, idea)

    (to_source,) = notes_for(duplicate.author)  # anonymous: told through their account
    (to_target,) = notes_for(idea.author)
    assert "Quiet rooms at night" in to_source and "Rest rooms" in to_source
    assert "merged a similar idea into your idea" in to_target
    for text in ("Dana", "Duplicate", "Quiet rooms at night", duplicate.author.email):
        assert text not in to_target
    assert "Alex" not in to_source


def test_merging_into_itself_another_campaign_or_a_hidden_idea_is_refused(
    moderator, idea, duplicate, make_campaign, make_idea
):
    elsewhere = make_idea(make_campaign("open"))
    hidden = make_idea(idea.campaign, visibility=Visibility.HIDDEN)
    held = make_idea(idea.campaign, visibility=Visibility.HELD)

    for target in (duplicate, elsewhere, hidden):
        with pytest.raises(ValidationError):
            moderation.merge_ideas(moderator, duplicate, target)
    with pytest.raises(ValidationError):
        moderation.merge_ideas(moderator, held, idea)  # approve or hide it first
    assert reload(duplicate).merged_into is None
    assert not AuditEntry.objects.exists()


def test_an_idea_merged_already_cannot_be_merged_again(
    moderator, idea, duplicate, make_idea
):
    moderation.merge_ideas(moderator, duplicate, idea)

    with pytest.raises(Refused):
        moderation.merge_ideas(moderator, reload(duplicate), make_idea(idea.campaign))
    with pytest.raises(ValidationError):
        moderation.merge_ideas(moderator, make_idea(idea.campaign), reload(duplicate))


def test_move_votes_is_generic_and_idempotent(make_staff, idea, comment):
    voter = make_staff()
    voting.cast_vote(voter, comment, 1)

    first = voting.move_votes(comment, idea)
    again = voting.move_votes(comment, idea)

    assert (first.moved, first.dropped) == (1, 0)
    assert (again.moved, again.dropped) == (0, 0)
    assert _votes_on(idea) == [(voter.pk, 1)]


# -- locking comments -------------------------------------------------------------------


def test_locking_comments_refuses_new_ones_until_unlocked(moderator, staff, idea):
    moderation.set_comments_locked(moderator, idea, True, "Going round in circles")

    assert reload(idea).comments_locked is True
    entry = audit(AuditEntry.Action.LOCK)
    assert entry.prior_state == {"comments_locked": False}
    assert last_event(idea.campaign) == {
        "type": "idea.comments_locked",
        "seq": 1,
        "idea_id": idea.pk,
        "locked": True,
    }
    with pytest.raises(Refused) as refused:
        services.post_comment(staff, reload(idea), body="One more thing")
    assert "closed comments" in str(refused.value.message)
    assert not Comment.objects.exists()

    moderation.set_comments_locked(moderator, reload(idea), False)
    assert audit(AuditEntry.Action.UNLOCK).prior_state == {"comments_locked": True}
    services.post_comment(staff, reload(idea), body="One more thing")
    assert Comment.objects.count() == 1


def test_locking_twice_is_refused(moderator, idea):
    moderation.set_comments_locked(moderator, idea, True)
    with pytest.raises(Refused):
        moderation.set_comments_locked(moderator, reload(idea), True)


# -- status -----------------------------------------------------------------------------


def test_setting_a_status_is_audited_with_the_previous_status(moderator, idea):
    moderation.set_idea_status(moderator, idea, "not_taken_forward", "No budget")

    entry = audit(AuditEntry.Action.STATUS)
    assert entry.prior_state == {"status": "new", "status_note": ""}
    assert last_event(idea.campaign)["label"] == "Not taken forward"


# -- reviews ----------------------------------------------------------------------------


def test_the_author_of_a_hidden_post_can_ask_for_a_review_once(moderator, idea):
    moderation.hide_post(moderator, idea, SPAM)

    review = moderation.request_review(idea.author, reload(idea), "It was on topic")

    assert (review.idea, review.message) == (idea, "It was on topic")
    with pytest.raises(Refused):
        moderation.request_review(idea.author, reload(idea), "Again")
    assert ReviewRequest.objects.count() == 1


def test_only_the_author_can_ask_for_a_review_and_only_of_a_hidden_post(
    moderator, staff, idea
):
    with pytest.raises(Refused):
        moderation.request_review(idea.author, idea)
    moderation.hide_post(moderator, idea, SPAM)
    with pytest.raises(PermissionDenied):
        moderation.request_review(staff, reload(idea))


def test_keeping_a_post_hidden_answers_the_review_and_tells_the_author(moderator, idea):
    moderation.hide_post(moderator, idea, SPAM)
    review = moderation.request_review(idea.author, reload(idea))

    moderation.keep_hidden(moderator, reload(idea), "Still off topic")

    assert ReviewRequest.objects.get(pk=review.pk).resolved_at is not None
    assert reload(idea).visibility == Visibility.HIDDEN
    entry = AuditEntry.objects.filter(action=AuditEntry.Action.KEEP_HIDDEN).get()
    assert entry.prior_state == {"visibility": "hidden", "review_requests": [review.pk]}
    # Recorded as its own action, not as a second hide.
    assert AuditEntry.objects.filter(action=AuditEntry.Action.HIDE).count() == 1
    assert any("kept it hidden" in n for n in notes_for(idea.author))
    with pytest.raises(Refused):
        moderation.keep_hidden(moderator, reload(idea))


# -- the audit log ------------------------------------------------------------------


def test_audit_entries_cannot_be_changed_or_deleted(moderator, idea):
    moderation.hide_post(moderator, idea, SPAM)
    entry = AuditEntry.objects.get()

    entry.note = "rewritten"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    assert AuditEntry.objects.get().note == ""


def test_an_anonymous_authors_identity_is_in_no_notification_to_others(
    moderator, open_campaign, make_idea, make_staff
):
    secret = make_staff(display_name="Secret Sam", email="secret.sam@nhs.net")
    anonymous = make_idea(open_campaign, author=secret, anonymous=True)
    reporter = make_staff()
    moderation.flag_post(reporter, anonymous, OFFENSIVE)

    moderation.edit_post(moderator, anonymous, body="Edited", title="Edited title")
    moderation.hide_post(moderator, reload(anonymous), OFFENSIVE)

    for note in Notification.objects.exclude(recipient=secret):
        assert "Secret" not in note.message and "secret.sam" not in note.message
    assert Notification.objects.filter(recipient=secret).count() == 2


def test_a_moderators_edit_of_a_reply_in_a_hidden_thread_is_not_published(
    moderator, idea, make_staff
):
    top = services.post_comment(make_staff(), idea, body="Rude remark")
    reply = services.post_comment(
        make_staff(), idea, body="Ask Sister Jones", parent=top
    )
    moderation.hide_post(moderator, top, SPAM)
    before = event_types(idea.campaign)

    moderation.edit_post(moderator, reload(reply), body="Ask [name removed]")

    assert event_types(idea.campaign) == before
    assert reload(reply).edited_by_moderator_at is not None


def test_approving_a_held_reply_in_a_hidden_thread_publishes_nothing(
    moderator, idea, make_staff
):
    top = services.post_comment(make_staff(), idea, body="Rude remark")
    reply = services.post_comment(
        make_staff(), idea, body="Ring me on 07700 900123", parent=top
    )
    assert reload(reply).visibility == Visibility.HELD
    moderation.hide_post(moderator, top, SPAM)
    before = event_types(idea.campaign)

    moderation.approve_post(moderator, reload(reply))

    assert event_types(idea.campaign) == before
    assert reload(reply).visibility == Visibility.VISIBLE
