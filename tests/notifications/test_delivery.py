"""How people hear: in the platform, by email straight away, in a daily digest, or
not at all; emails in text and HTML, in their language, sent after commit with
retries, and never failing the action that caused them."""

import logging
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from conversations import services
from conversations.services import moderation
from notifications import services as notifications
from notifications.models import Email, Notification
from notifications.tasks import send_email

pytestmark = pytest.mark.django_db


def reply_to(idea, commenter, capture, body="I agree, and here is why."):
    with capture(execute=True):
        return services.post_comment(commenter, idea, body=body)


def test_by_default_a_reply_waits_for_the_daily_digest_and_emails_nobody_now(
    open_campaign,
    make_idea,
    make_staff,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    author = make_staff()
    idea = make_idea(open_campaign, author=author, title="Quiet rooms")
    reply_to(idea, make_staff(), django_capture_on_commit_callbacks)

    note = Notification.objects.get(recipient=author)
    assert note.kind == "reply"
    assert "Quiet rooms" in note.message
    assert note.email_delivery == "digest" and note.email is None
    assert mailoutbox == []


def test_email_straight_away_has_text_html_and_a_one_click_unsubscribe(
    open_campaign,
    make_idea,
    make_staff,
    choose,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    author = make_staff()
    choose(author, reply="immediate")
    idea = make_idea(open_campaign, author=author, title="<b>Quiet</b> rooms")
    reply_to(idea, make_staff(), django_capture_on_commit_callbacks)

    [mail] = mailoutbox
    assert mail.to == [author.email]
    assert "Someone replied to your idea" in mail.subject
    assert "Someone replied to your idea" in mail.body
    [(html, mimetype)] = mail.alternatives
    assert mimetype == "text/html"
    assert "Someone replied to your idea" in html
    assert "<b>" not in html  # what people typed is text, never markup
    unsubscribe = mail.extra_headers["List-Unsubscribe"]
    assert (
        unsubscribe.startswith("<http") and "/notifications/unsubscribe/" in unsubscribe
    )
    assert mail.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert Email.objects.get().sent_at is not None


def test_a_kind_switched_off_leaves_no_notification_at_all(
    open_campaign, make_idea, make_staff, choose, django_capture_on_commit_callbacks
):
    author = make_staff()
    choose(author, reply="off")
    idea = make_idea(open_campaign, author=author)
    reply_to(idea, make_staff(), django_capture_on_commit_callbacks)
    assert not Notification.objects.filter(recipient=author).exists()


def test_in_the_platform_only_is_never_emailed_not_even_in_the_digest(
    open_campaign,
    make_idea,
    make_staff,
    choose,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    author = make_staff()
    choose(author, reply="platform")
    idea = make_idea(open_campaign, author=author)
    reply_to(idea, make_staff(), django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        assert notifications.build_digests() == 0
    assert Notification.objects.filter(recipient=author).count() == 1
    assert mailoutbox == []


def test_a_welsh_reader_gets_their_notification_and_email_in_welsh(
    open_campaign,
    make_idea,
    make_staff,
    moderator,
    choose,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    author = make_staff()
    notifications.remember_language(author, "cy")
    choose(author, moderation="immediate")
    idea = make_idea(open_campaign, author=author)
    with django_capture_on_commit_callbacks(execute=True):
        moderation.hide_post(moderator, idea, "spam")  # the moderator works in English

    note = Notification.objects.get(recipient=author, kind="moderation.hidden")
    assert "A moderator hid" not in note.message  # written in Welsh, for them
    [mail] = mailoutbox
    assert '<html lang="cy">' in mail.alternatives[0][0]
    assert note.message in mail.body


def test_a_failing_mail_server_does_not_fail_the_reply_and_is_retried_then_given_up(
    client,
    open_campaign,
    make_idea,
    make_staff,
    choose,
    mail_server_down,
    caplog,
    settings,
    django_capture_on_commit_callbacks,
):
    settings.NOTIFICATION_EMAIL_ATTEMPTS = 3
    author, commenter = make_staff(), make_staff()
    choose(author, reply="immediate")
    idea = make_idea(open_campaign, author=author)
    client.force_login(commenter)

    with caplog.at_level(logging.WARNING, logger="notifications.tasks"):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse(
                    "conversations:comment_create", args=[open_campaign.slug, idea.pk]
                ),
                {"body": "Yes, please."},
            )

    assert response.status_code == 302  # the comment went in
    assert idea.comments.filter(body__contains="Yes, please.").exists()
    assert mail_server_down.attempts == 3  # tried, retried, and retried again
    email = Email.objects.get()
    assert email.sent_at is None and email.gave_up_at is not None
    assert email.attempts == 3 and "mail server is down" in email.last_error
    assert any("Gave up sending email" in r.message for r in caplog.records)
    # The person still has it in the platform.
    assert Notification.objects.filter(recipient=author, kind="reply").exists()


def test_with_the_database_queue_a_failed_send_is_queued_again_for_later(
    settings,
    make_staff,
    choose,
    mail_server_down,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    person = make_staff()
    choose(person, reply="immediate")
    with django_capture_on_commit_callbacks(execute=True):
        notifications.notify(person, "reply", "Someone replied to your idea.", "/x/")
    [queued] = DBTaskResult.objects.all()
    assert queued.args_kwargs["args"] == [Email.objects.get().pk]
    assert mail_server_down.attempts == 0  # nothing is sent in the request

    before = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        assert send_email.call(*queued.args_kwargs["args"]) == "retrying"
    retry = DBTaskResult.objects.exclude(pk=queued.pk).get()
    assert retry.run_after >= before + timedelta(seconds=55)

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert send_email.call(*retry.args_kwargs["args"]) == "sent"
    assert send_email.call(*retry.args_kwargs["args"]) == "nothing to do"
    assert len(mailoutbox) == 1


def test_notify_keeps_its_four_argument_form_for_other_apps(make_staff):
    person = make_staff()
    note = notifications.notify(
        person, "report_published", "The action report is out.", "/r/"
    )
    assert (note.kind, note.message, note.url) == (
        "report_published",
        "The action report is out.",
        "/r/",
    )
    assert note.email_delivery == "digest"  # a default that emails at most once a day


def test_an_inactive_account_is_told_nothing(make_staff):
    person = make_staff()
    person.is_active = False
    person.save()
    assert notifications.notify(person, "reply", "Hello", "") is None
