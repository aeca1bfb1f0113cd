"""Writing an email: text and HTML bodies in the recipient's language, a one-click
unsubscribe for what it carries (RFC 8058), and nothing about anyone but them."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from notifications.models import Email
from notifications.recipients import language_of, unsubscribe_token
from notifications.topics import DIGEST, TOPICS_BY_KEY, topic_for


def absolute(url: str) -> str:
    if not url or url.startswith(("http://", "https://")):
        return url
    return settings.SITE_URL.rstrip("/") + url


def unsubscribe_url(person, topic: str) -> str:
    return absolute(
        reverse("notifications:unsubscribe", args=[unsubscribe_token(person, topic)])
    )


def build_message(email: Email) -> EmailMultiAlternatives | None:
    person = email.recipient
    notes = list(email.notifications.order_by("created_at", "id"))
    if not notes or not person.is_active or not person.email:
        return None
    with translation.override(language_of(person)):
        sections = []
        if email.topic == DIGEST:
            by_topic: dict[str, list] = {}
            for note in notes:
                topic = topic_for(note.kind)
                by_topic.setdefault(topic.key if topic else "", []).append(note)
            for key, items in by_topic.items():
                topic = TOPICS_BY_KEY.get(key)
                sections.append(
                    {
                        "title": topic.label if topic else _("Other news"),
                        "notes": [_note(n) for n in items],
                        "unsubscribe_url": unsubscribe_url(person, key)
                        if topic
                        else "",
                    }
                )
            subject = _("Staff Voice: your daily summary (%(count)d)") % {
                "count": len(notes)
            }
        else:
            topic = TOPICS_BY_KEY[email.topic]
            sections.append(
                {
                    "title": topic.label,
                    "notes": [_note(n) for n in notes],
                    "unsubscribe_url": "",
                }
            )
            subject = _("Staff Voice: %(message)s") % {
                "message": _shorten(notes[0].message)
            }
        list_unsubscribe = unsubscribe_url(person, email.topic)
        context = {
            "person": person,
            "is_digest": email.topic == DIGEST,
            "sections": sections,
            "unsubscribe_url": list_unsubscribe,
            "preferences_url": absolute(reverse("notifications:preferences")),
            "organisation": settings.ORGANISATION_NAME,
        }
        text = render_to_string("notifications/email/message.txt", context)
        html = render_to_string("notifications/email/message.html", context)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        to=[person.email],
        headers={
            "List-Unsubscribe": f"<{list_unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative(html, "text/html")
    return message


def _note(note) -> dict:
    return {"message": note.message, "url": absolute(note.url)}


def _shorten(text: str, limit: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"
