"""Everything that changes synthesis and action reports. Views, tasks and tests call these.

Each function checks who may do it, writes in one transaction, and tells the
conversations app what happened to an idea through ``conversations.services``.
"""

import logging
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from conversations import pii
from conversations import rules as conversation_rules
from conversations import services as conversation_services
from conversations.exceptions import Refused
from conversations.models import Campaign, Idea, Participation
from conversations.sanitise import sanitise
from notifications import webhooks
from notifications.services import notify
from reports import figures, rules
from reports.models import (
    Action,
    ActionReport,
    ActionUpdate,
    OutcomeTheme,
    OutcomeThemeIdea,
    SuggestedGroup,
    SynthesisRun,
)
from reports.tasks import compute_synthesis, run_synthesis  # noqa: F401 - compute_synthesis: callers ask services

logger = logging.getLogger(__name__)
NOTIFY_KIND = "report_published"


def _require(allowed: bool) -> None:
    if not allowed:
        raise Refused(
            _("Only engagement managers and moderators can work on the report.")
        )


def _text(value: str, label: str, max_length: int, *, required: bool = True) -> str:
    cleaned = sanitise(value or "", allow_markup=False).strip()
    pii.refuse_if_found(cleaned)  # a report is published as written: no patient in it
    if required and not cleaned:
        raise ValidationError(_("Enter %(label)s.") % {"label": label})
    if len(cleaned) > max_length:
        raise ValidationError(
            _("%(label)s must be %(max)d characters or fewer.")
            % {"label": label.capitalize(), "max": max_length}
        )
    return cleaned


# -- synthesis -------------------------------------------------------------------


def start_synthesis(user, campaign: Campaign) -> SynthesisRun:
    """Queue a background computation of suggested groups (one at a time per campaign)."""
    _require(rules.can_edit_report(user, campaign))
    with transaction.atomic():
        Campaign.objects.select_for_update().filter(pk=campaign.pk).first()
        active = SynthesisRun.objects.filter(
            campaign=campaign,
            state__in=[SynthesisRun.State.QUEUED, SynthesisRun.State.RUNNING],
        ).first()
        if active is not None:
            return active
        run = SynthesisRun.objects.create(campaign=campaign, requested_by=user)
        transaction.on_commit(lambda: run_synthesis.enqueue(run.pk))
    return run


def _campaign_ideas(campaign: Campaign, idea_ids) -> list[int]:
    """Only ideas of this campaign, whatever ids a form sent."""
    return list(
        Idea.objects.filter(campaign=campaign, pk__in=list(idea_ids)).values_list(
            "pk", flat=True
        )
    )


def _next_position(campaign: Campaign) -> int:
    top = OutcomeTheme.objects.filter(campaign=campaign).aggregate(n=Max("position"))
    return (top["n"] or 0) + 1


def _place(theme: OutcomeTheme, idea_ids: list[int]) -> None:
    """Put ideas in ``theme``, taking them out of any other theme (one theme per idea)."""
    OutcomeThemeIdea.objects.filter(idea_id__in=idea_ids).exclude(theme=theme).delete()
    have = set(
        OutcomeThemeIdea.objects.filter(theme=theme).values_list("idea_id", flat=True)
    )
    OutcomeThemeIdea.objects.bulk_create(
        OutcomeThemeIdea(theme=theme, idea_id=pk) for pk in idea_ids if pk not in have
    )


@transaction.atomic
def accept_suggestion(user, group: SuggestedGroup, name: str = "") -> OutcomeTheme:
    """Make an outcome theme of a suggested group (under the name given, if any)."""
    campaign = group.run.campaign
    _require(rules.can_edit_report(user, campaign))
    theme = OutcomeTheme.objects.create(
        campaign=campaign,
        name=_text(name or group.label, _("a name"), 120),
        key_phrases=group.key_phrases,
        position=_next_position(campaign),
    )
    _place(theme, _campaign_ideas(campaign, group.idea_ids))
    group.accepted_as = theme
    group.save(update_fields=["accepted_as"])
    return theme


@transaction.atomic
def create_theme(user, campaign: Campaign, name: str, idea_ids=()) -> OutcomeTheme:
    _require(rules.can_edit_report(user, campaign))
    theme = OutcomeTheme.objects.create(
        campaign=campaign,
        name=_text(name, _("a name"), 120),
        position=_next_position(campaign),
    )
    _place(theme, _campaign_ideas(campaign, idea_ids))
    return theme


@transaction.atomic
def update_theme(user, theme: OutcomeTheme, *, name: str, summary: str = "") -> None:
    _require(rules.can_edit_report(user, theme.campaign))
    theme.name = _text(name, _("a name"), 120)
    theme.summary = _text(summary, _("a summary"), 2000, required=False)
    theme.save(update_fields=["name", "summary"])


@transaction.atomic
def split_theme(user, theme: OutcomeTheme, idea_ids, name: str) -> OutcomeTheme:
    """Move some of a theme's ideas into a new theme."""
    _require(rules.can_edit_report(user, theme.campaign))
    moving = list(
        theme.links.filter(idea_id__in=list(idea_ids)).values_list("idea_id", flat=True)
    )
    if not moving:
        raise ValidationError(_("Choose the ideas to move into the new theme."))
    return create_theme(user, theme.campaign, name, moving)


@transaction.atomic
def merge_themes(user, theme: OutcomeTheme, into: OutcomeTheme) -> OutcomeTheme:
    """Move every idea and action of ``theme`` into ``into`` and delete ``theme``."""
    _require(rules.can_edit_report(user, theme.campaign))
    if into.campaign_id != theme.campaign_id or into.pk == theme.pk:
        raise ValidationError(_("Choose another theme of this campaign."))
    theme.links.update(theme=into)
    Action.objects.filter(theme=theme).update(theme=into)
    into.key_phrases = list(dict.fromkeys([*into.key_phrases, *theme.key_phrases]))[:10]
    into.save(update_fields=["key_phrases"])
    theme.delete()
    return into


@transaction.atomic
def move_idea(user, idea: Idea, theme: OutcomeTheme | None) -> None:
    """Put an idea in another outcome theme, or (``None``) in none."""
    _require(rules.can_edit_report(user, idea.campaign))
    if theme is None:
        OutcomeThemeIdea.objects.filter(idea=idea).delete()
        return
    if theme.campaign_id != idea.campaign_id:
        raise ValidationError(_("Choose a theme of this campaign."))
    _place(theme, [idea.pk])


@transaction.atomic
def delete_theme(user, theme: OutcomeTheme) -> None:
    _require(rules.can_edit_report(user, theme.campaign))
    theme.delete()


# -- the report ------------------------------------------------------------------


def report_for(campaign: Campaign) -> ActionReport:
    """The campaign's report, started as a draft the first time it is asked for."""
    report, _created = ActionReport.objects.get_or_create(
        campaign=campaign,
        defaults={
            "title": _("You said, we did: %(title)s") % {"title": campaign.title}
        },
    )
    return report


@transaction.atomic
def update_report(user, report: ActionReport, *, title: str, summary: str) -> None:
    _require(rules.can_edit_report(user, report.campaign))
    report.title = _text(title, _("a title"), 160)
    report.summary = _text(summary, _("a summary"), 5000, required=False)
    report.save(update_fields=["title", "summary", "updated_at"])


def _check_theme(report: ActionReport, theme: OutcomeTheme | None) -> None:
    if theme is not None and theme.campaign_id != report.campaign_id:
        raise ValidationError(_("Choose a theme of this campaign."))


@transaction.atomic
def add_action(
    user,
    report: ActionReport,
    *,
    title: str,
    owner: str,
    due_date: date | None = None,
    description: str = "",
    status: str = Action.Status.PLANNED,
    theme: OutcomeTheme | None = None,
    idea_ids=(),
) -> Action:
    _require(rules.can_edit_report(user, report.campaign))
    _check_theme(report, theme)
    top = report.actions.aggregate(n=Max("position"))["n"] or 0
    action = Action.objects.create(
        report=report,
        title=_text(title, _("what will be done"), 200),
        owner=_text(owner, _("who owns it"), 160),
        due_date=due_date,
        description=_text(description, _("a description"), 2000, required=False),
        status=status,
        theme=theme,
        position=top + 1,
    )
    action.ideas.set(_campaign_ideas(report.campaign, idea_ids))
    if report.is_published:
        ActionUpdate.objects.create(action=action, status=status, changed_by=user)
        _tell_ideas(action)
    return action


@transaction.atomic
def update_action(
    user,
    action: Action,
    *,
    title: str,
    owner: str,
    due_date: date | None,
    description: str = "",
    status: str,
    theme: OutcomeTheme | None = None,
    idea_ids=(),
    note: str = "",
) -> Action:
    """Change an action; after publication a status change is kept with its date."""
    report = action.report
    _require(rules.can_edit_report(user, report.campaign))
    _check_theme(report, theme)
    status_changed = status != action.status
    action.title = _text(title, _("what will be done"), 200)
    action.owner = _text(owner, _("who owns it"), 160)
    action.due_date = due_date
    action.description = _text(description, _("a description"), 2000, required=False)
    action.status = status
    action.theme = theme
    action.save()
    before = set(action.ideas.values_list("pk", flat=True))
    action.ideas.set(_campaign_ideas(report.campaign, idea_ids))
    if report.is_published:
        if status_changed or note:
            ActionUpdate.objects.create(
                action=action,
                status=status,
                note=_text(note, _("a note"), 1000, required=False),
                changed_by=user,
            )
        for idea in Idea.objects.filter(pk__in=before, outcome_url=_url(action)):
            if not action.ideas.filter(pk=idea.pk).exists():
                conversation_services.record_outcome(idea, "", "")
        _tell_ideas(action)
    return action


@transaction.atomic
def delete_action(user, action: Action) -> None:
    _require(rules.can_edit_report(user, action.report.campaign))
    for idea in Idea.objects.filter(outcome_url=_url(action)):
        conversation_services.record_outcome(idea, "", "")
    action.delete()


def _url(action: Action) -> str:
    return (
        reverse("reports:report", kwargs={"slug": action.report.campaign.slug})
        + f"#action-{action.pk}"
    )


def outcome_note(action: Action) -> str:
    """What an idea's page says about the action that answers it."""
    if action.due_date and action.status != Action.Status.DONE:
        return _("%(status)s: %(title)s (by %(date)s, %(owner)s)") % {
            "status": action.get_status_display(),
            "title": action.title,
            "date": date_format(action.due_date, "j F Y"),
            "owner": action.owner,
        }
    return _("%(status)s: %(title)s (%(owner)s)") % {
        "status": action.get_status_display(),
        "title": action.title,
        "owner": action.owner,
    }


def _tell_ideas(action: Action) -> None:
    note, url = outcome_note(action), _url(action)
    for idea in action.ideas.all():
        conversation_services.record_outcome(idea, note, url)


@transaction.atomic
def publish_report(user, report: ActionReport, now=None) -> int:
    """Publish: freeze the figures, show each linked idea what happened, and tell
    everyone who took part. Returns how many people were told."""
    campaign = report.campaign
    _require(rules.can_edit_report(user, campaign))
    if report.is_published:
        raise Refused(_("This report is already published."))
    now = now or timezone.now()
    report.state = ActionReport.State.PUBLISHED
    report.published_at = now
    report.published_by = user
    report.figures = figures.campaign_figures(campaign, now)
    report.save()
    for action in report.actions.prefetch_related("ideas"):
        ActionUpdate.objects.create(
            action=action, status=action.status, changed_by=user
        )
        _tell_ideas(action)
    message = _("The report on “%(title)s” is out: see what is changing.") % {
        "title": campaign.title
    }
    url = report.get_absolute_url()
    told = 0
    people = Participation.objects.filter(campaign=campaign).select_related(
        "staff_member"
    )
    for participation in people.iterator(chunk_size=500):
        if notify(participation.staff_member, NOTIFY_KIND, message, url):
            told += 1
    if conversation_rules.is_for_everyone(campaign):
        webhooks.announce(
            "report.published",
            title=lambda: report.title,
            text=lambda: (
                _("The report on “%(title)s” is out: see what is changing.")
                % {"title": campaign.title}
            ),
            url=url,
            dedupe_key=f"report.published.{report.pk}",
        )
    return told
