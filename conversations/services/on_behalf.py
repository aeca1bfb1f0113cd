"""Contributions without a screen: ideas collected on a paper form, at an event or in
a focus group, entered by a moderator or engagement manager on behalf of staff.

Such an idea is always anonymous: it has no author (a database check keeps it so),
and who typed it in is kept only as an audit entry, which moderators alone see. It
is marked with where and when it was collected, counted in the figures like any
visible idea, and the profile groups the form asked (if any) count in the
breakdowns, where small groups are hidden as usual.
"""

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

import conversations.services.announcements as announcements
from conversations import pii, rules
from conversations.exceptions import Refused
from conversations.live import events
from conversations.models import (
    AuditEntry,
    Campaign,
    CampaignStatus,
    Idea,
    OnBehalfGroups,
    Theme,
    Visibility,
)
from conversations.services.text import BODY_MAX, TITLE_MAX, clean_text


def enter_idea(
    entered_by,
    campaign: Campaign,
    *,
    theme: Theme,
    title: str,
    body: str,
    source: str,
    collected_on: date,
    directorate=None,
    staff_group=None,
    band=None,
    now: datetime | None = None,
) -> Idea:
    """Enter one idea collected away from a screen. Refused if ``entered_by`` does not
    moderate the campaign, or it has not opened; a ValidationError says what to fix
    in what was typed (including details that could identify someone)."""
    now = now or timezone.now()
    if not rules.can_enter_on_behalf(entered_by, campaign):
        raise Refused(
            _("Only the campaign’s moderators can enter contributions for staff.")
        )
    if campaign.status(now) in (CampaignStatus.DRAFT, CampaignStatus.SCHEDULED):
        raise Refused(_("This campaign has not opened yet."))
    if theme.campaign_id != campaign.pk:
        raise ValidationError(_("Choose one of this campaign's themes."))
    if source not in Idea.Source.values:
        raise ValidationError(_("Choose where the contribution was collected."))
    if collected_on > timezone.localdate(now):
        raise ValidationError(_("The date it was collected cannot be in the future."))
    title = clean_text(
        title, label=_("a title"), max_length=TITLE_MAX, allow_markup=False
    )
    body = clean_text(
        body, label=_("the contribution"), max_length=BODY_MAX, allow_markup=True
    )
    # The person entering it is there to catch this: say so, rather than hold it.
    found = pii.hold_reason(title, body)
    if found:
        raise ValidationError(
            _("Take it out before saving: %(reason)s.") % {"reason": found}
        )
    with transaction.atomic():
        idea = Idea.objects.create(
            campaign=campaign,
            theme=theme,
            author=None,
            is_anonymous=True,
            title=title,
            body=body,
            visibility=Visibility.VISIBLE,
            source=source,
            collected_on=collected_on,
        )
        if directorate or staff_group or band:
            OnBehalfGroups.objects.create(
                idea=idea, directorate=directorate, staff_group=staff_group, band=band
            )
        AuditEntry.objects.create(
            campaign=campaign,
            actor=entered_by,
            action=AuditEntry.Action.ON_BEHALF,
            idea=idea,
            note=f"{Idea.Source(source).label}, {collected_on.isoformat()}",
        )
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


def entered_count(campaign: Campaign) -> int:
    """Visible ideas of the campaign entered on behalf of staff."""
    return (
        Idea.objects.filter(campaign=campaign, visibility=Visibility.VISIBLE)
        .exclude(source="")
        .count()
    )
