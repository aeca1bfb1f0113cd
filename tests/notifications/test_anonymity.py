"""Anonymous authors hear about their posts like anyone else, and nobody else's
notification or email ever names them."""

import pytest

from conversations import services
from conversations.services import moderation
from notifications.models import Notification

pytestmark = pytest.mark.django_db


def test_an_anonymous_author_is_told_and_nobody_else_learns_who_they_are(
    make_campaign,
    make_staff,
    moderator,
    choose,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    campaign = make_campaign("open", allow_anonymous=True)
    author = make_staff(display_name="Rhiannon Secret", email="rhiannon.secret@nhs.net")
    others = [make_staff() for _ in range(3)]
    for person in [author, *others]:
        choose(person, reply="immediate", idea_update="immediate", new_idea="immediate")
        services.follow_campaign(person, campaign)

    with django_capture_on_commit_callbacks(execute=True):
        idea = services.post_idea(
            author,
            campaign,
            theme=campaign.themes.first(),
            title="Night shift breaks",
            body="We get none",
            anonymous=True,
        )
        first = services.post_comment(others[0], idea, body="Same on my ward")
        services.post_comment(author, idea, body="Thanks", anonymous=True, parent=first)
        services.post_comment(others[1], idea, body="Me too")
        moderation.set_idea_status(moderator, idea, "adopted", "Agreed")

    # The author hears about replies to their anonymous idea.
    assert Notification.objects.filter(recipient=author, kind="reply").exists()
    # The others heard plenty: new idea, replies, the status change...
    for person in others:
        assert Notification.objects.filter(recipient=person).exists()
    told_to_others = Notification.objects.exclude(recipient=author)
    assert told_to_others.count() >= 5
    for note in told_to_others:
        assert "Rhiannon" not in note.message and "Secret" not in note.message
    emails_to_others = [m for m in mailoutbox if m.to != [author.email]]
    assert emails_to_others
    for mail in emails_to_others:
        for text in (mail.subject, mail.body, mail.alternatives[0][0]):
            assert "Rhiannon" not in text and "rhiannon.secret" not in text
