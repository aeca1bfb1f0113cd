"""What people can hear about, and how each person wants to hear it.

A *kind* is what a caller passes to ``notify`` ("reply", "moderation.hidden"). Kinds
are grouped into *topics*, the lines on the preferences page; a person chooses a
delivery per topic. Kinds no topic names (a reveal decision, a report they made being
resolved) are always delivered in the platform only: they are rare and personal.
"""

from dataclasses import dataclass

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Delivery(models.TextChoices):
    PLATFORM = "platform", _("In Staff Voice only")
    IMMEDIATE = "immediate", _("In Staff Voice, and by email straight away")
    DIGEST = "digest", _("In Staff Voice, and in one daily email")
    OFF = "off", _("Off")


EMAIL_DELIVERIES = (Delivery.IMMEDIATE, Delivery.DIGEST)


@dataclass(frozen=True)
class Topic:
    key: str
    label: Promise
    kinds: tuple[str, ...]
    # Defaults never send more than one email a day: a digest at most.
    default: str = Delivery.DIGEST


TOPICS = (
    Topic(
        "campaign_opened",
        _("A campaign you can take part in opens"),
        ("campaign.opened",),
    ),
    Topic(
        "campaign_closing",
        _("A campaign you can take part in closes in 48 hours"),
        ("campaign.closing",),
    ),
    Topic("reply", _("Someone replies to your idea or comment"), ("reply",)),
    Topic(
        "idea_update",
        _("A status change or moderator note on an idea you follow"),
        ("idea.status",),
    ),
    Topic(
        "new_idea",
        _("A new idea in a campaign or board you follow"),
        ("idea.new",),
        default=Delivery.PLATFORM,
    ),
    Topic(
        "moderation",
        _("A moderator hides, restores or acts on your post"),
        (
            "moderation.hidden",
            "moderation.restored",
            "moderation.approved",
            "moderation.held",
            "moderation.edited",
            "moderation.merged",
        ),
    ),
    Topic(
        "break_glass",
        _("The break-glass reveal: requests, decisions and who holds it"),
        ("reveal.requested", "reveal.decided", "reveal.author_told", "reveal.holders"),
        # Rare and serious: each is emailed at once unless switched to less.
        default=Delivery.IMMEDIATE,
    ),
    Topic(
        "report_published",
        _("An action report on a campaign you took part in is published"),
        ("report_published",),
    ),
)
TOPICS_BY_KEY = {topic.key: topic for topic in TOPICS}
TOPIC_OF_KIND = {kind: topic for topic in TOPICS for kind in topic.kinds}
DIGEST = "digest"  # the unsubscribe "topic" of a digest email: every digest topic


def topic_for(kind: str) -> Topic | None:
    return TOPIC_OF_KIND.get(kind)
