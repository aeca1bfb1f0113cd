"""The campaign page, the platform's busiest.

Rendered per request, like any page, from a context that holds the viewer; its
heavy parts are shared fragments (``conversations.fragments``) rendered for nobody and
keyed by the campaign's versions: the head with its figures, the filters, the pages
and each idea card (``idea_cards``). What is the viewer's own (the header naming
them, their messages, follow button, waiting ideas, pressed votes, own cards, token)
is rendered or filled per request, outside every shared entry.
"""

import random

from django.conf import settings
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from accounts.models import Team
from conversations import fragments, queries, rules, stats, visits
from conversations.models import Campaign
from conversations.templatetags.conversation_tags import time_left
from conversations.web import idea_cards
from notifications.services import is_following

TEMPLATE = "conversations/campaign_detail.html"


def response(request: HttpRequest, campaign: Campaign) -> HttpResponse:
    """The page of ``campaign`` for ``request.user``, who may view it."""
    now = timezone.now()
    user = request.user
    sort = request.GET.get("sort", queries.DEFAULT_SORT)
    if sort not in queries.SORTS:
        sort = queries.DEFAULT_SORT
    themes = idea_cards.campaign_themes(campaign)
    theme_id = int_or_none(request.GET.get("theme"))
    if theme_id not in {t.pk for t in themes}:
        theme_id = None
    can_take_part = rules.can_take_part(user, campaign, now)
    team_choices = [] if campaign.is_board else _team_view_choices(campaign)
    team_id = int_or_none(request.GET.get("team"))
    team = next((t for t in team_choices if t.pk == team_id), None)
    listing = idea_cards.campaign_listing(
        request,
        campaign,
        theme_id=theme_id,
        sort=sort,
        seed=_random_seed(request) if sort == "random" else 1,
        can_take_part=can_take_part,
        team_id=team.pk if team else None,
    )
    return render(
        request,
        TEMPLATE,
        {
            "campaign": campaign,
            "status": campaign.status(now),
            "left": time_left(campaign.closes_at, now),
            "can_take_part": can_take_part,
            "can_manage": rules.can_manage(user, campaign),
            "can_moderate": rules.can_moderate(user, campaign),
            "can_pin": campaign.is_board and rules.can_pin_note(user, campaign),
            "following": is_following(user, campaign),
            "waiting_ideas": idea_cards.waiting_ideas(campaign, user),
            "team_choices": team_choices,
            "team": team,
            "themes": themes,
            "theme_id": theme_id,
            "sort": sort,
            "sorts": {key: str(label) for key, label in queries.SORTS.items()},
            "page": listing.page,
            "cards": listing.cards,
            "idea_count": listing.count,
            "counts": stats.counts(campaign),
            # One query (two when a new visit begins): the person's last visit.
            "visit": visits.record(user, campaign, now),
        },
    )


def _random_seed(request: HttpRequest) -> int:
    """One shuffle per person per session, so paging a random order never repeats."""
    if "shuffle_seed" not in request.session:
        request.session["shuffle_seed"] = random.randint(1, 2**31 - 2)
    return request.session["shuffle_seed"]


def _team_view_choices(campaign: Campaign) -> list[Team]:
    """Teams whose own view of the campaign may be shown: only those with at least
    ``SMALL_GROUP_THRESHOLD`` members, so a view never points at a few people (and
    only the campaign's audience teams, where it has one). Membership changes move
    every campaign's version (``versions``)."""
    return fragments.shared(
        "team-views", {"campaign": campaign}, lambda v: _team_view_query(campaign)
    )


def _team_view_query(campaign: Campaign) -> list[Team]:
    teams = Team.objects.annotate(size=Count("memberships")).filter(
        size__gte=settings.SMALL_GROUP_THRESHOLD
    )
    audience = rules.audience_ids(campaign)
    if audience:
        teams = teams.filter(pk__in=audience)
    return list(teams.order_by("name"))


def int_or_none(value) -> int | None:
    """A query parameter as a number, or None."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
