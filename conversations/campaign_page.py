"""The campaign page, the platform's busiest: a cached page with each viewer's parts
put in.

Rendering the page's template, even with its cards and fragments cached, was most of
its time. The whole page is rendered once for everyone who shares what it shows
(the campaign's state and figures, status and time left, the list's sort, theme,
team, page and size, and the viewer's rights over it) and cached split at its holes
(``conversations.holes``). Each request puts in its own parts, none of which is ever
shared between people:

- the site header, which names the viewer (itself a cached fragment per person);
- the messages just flashed to them;
- their follow button and their ideas waiting for a moderator;
- the idea cards, finished for them (``idea_cards.campaign_listing``);
- their CSRF token and the page's own address, in every form.
"""

import hashlib
import random
from dataclasses import dataclass

from django.conf import settings
from django.contrib.messages import get_messages
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import get_language

from accounts.models import Team
from conversations import content_cache, holes, idea_cards, queries, rules, stats
from conversations.models import Campaign
from conversations.templatetags.conversation_tags import time_left
from conversations.templatetags.fragment_cache import cached_fragment, header_html

TEMPLATE = "conversations/campaign_detail.html"
# Bumped when the page's holes change.
_FORMAT = "v4"
HOLES = {
    name: holes.mark(name)
    for name in ("header", "messages", "follow", "waiting", "cards")
}


class _ShellRequest:
    """The request a page is rendered with for everyone: the viewer's own request
    (rights were decided for it; the context processors read it), at a marked
    address."""

    def __init__(self, request: HttpRequest) -> None:
        self._request = request

    def __getattr__(self, name: str):
        return getattr(self._request, name)

    def get_full_path(self) -> str:
        return holes.NEXT


@dataclass
class _Page:
    """What the cached page shows: the list asked for and the viewer's rights."""

    sort: str
    themes: list
    theme_id: int | None
    team_choices: list[Team]
    team: Team | None
    status: str
    left: str
    rights: dict[str, bool]
    listing: idea_cards.Listing

    @property
    def team_view_key(self) -> str:
        return ",".join(str(t.pk) for t in self.team_choices)


def response(request: HttpRequest, campaign: Campaign) -> HttpResponse:
    """The page of ``campaign`` for ``request.user``, who may view it (fetched
    ``with_following``: the follow button reads ``campaign.followed``)."""
    page = _page(request, campaign)
    key = _shell_key(campaign, page)
    shell = content_cache.get(key)
    if shell is None:
        shell = holes.template(holes.split(_render_shell(request, campaign, page)))
        content_cache.set(key, shell, settings.FRAGMENT_CACHE_SECONDS)
    user = request.user
    token = idea_cards.request_token(request)
    values = {
        b"csrf": token.encode(),
        b"next": escape(request.get_full_path()).encode(),
        b"header": header_html(request).replace(holes.CSRF, token).encode(),
        b"messages": _messages(request).encode(),
        b"follow": _follow_button(campaign, campaign.followed)
        .replace(holes.CSRF, token)
        .encode(),
        b"waiting": _waiting(campaign, user).encode(),
        b"cards": page.listing.cards,
    }
    return HttpResponse(holes.fill(shell, values))


def _page(request: HttpRequest, campaign: Campaign) -> _Page:
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
    return _Page(
        sort=sort,
        themes=themes,
        theme_id=theme_id,
        team_choices=team_choices,
        team=team,
        status=campaign.status(now),
        left=time_left(campaign.closes_at, now),
        rights={
            "can_take_part": can_take_part,
            "can_manage": rules.can_manage(user, campaign),
            "can_moderate": rules.can_moderate(user, campaign),
            "can_pin": campaign.is_board and rules.can_pin_note(user, campaign),
        },
        listing=listing,
    )


def _shell_key(campaign: Campaign, page: _Page) -> str:
    """Everything the cached page shows but its holes."""
    inputs = ":".join(
        str(part)
        for part in (
            _FORMAT,
            get_language(),
            idea_cards.tally_state(campaign),
            page.status,
            page.left,
            page.sort,
            page.theme_id or 0,
            page.team.pk if page.team else 0,
            page.team_view_key,
            page.listing.page.number,
            page.listing.count,
            *(int(value) for value in page.rights.values()),
        )
    )
    return f"campaign-page:{hashlib.md5(inputs.encode()).hexdigest()}"  # noqa: S324


def _render_shell(request: HttpRequest, campaign: Campaign, page: _Page) -> str:
    return render_to_string(
        TEMPLATE,
        {
            "campaign": campaign,
            # The page fragments' keys: without the votes, and with them.
            "state": idea_cards.campaign_state(campaign),
            "tally_state": idea_cards.tally_state(campaign),
            "csrf_token": holes.CSRF,
            "status": page.status,
            "left": page.left,
            **page.rights,
            "team_choices": page.team_choices,
            "team_view_key": page.team_view_key,
            "team": page.team,
            "themes": page.themes,
            "theme_id": page.theme_id,
            "sort": page.sort,
            "sorts": queries.SORTS,
            "page": page.listing.page,
            "idea_count": page.listing.count,
            # A callable: read only if the fragment showing it is not cached.
            "counts": lambda: stats.counts(campaign),
            "holes": HOLES,
        },
        request=_ShellRequest(request),
    )


def _messages(request: HttpRequest) -> str:
    storage = get_messages(request)
    if not storage:
        return ""
    return render_to_string("includes/messages.html", {"messages": storage})


def _follow_button(campaign: Campaign, following: bool) -> str:
    return cached_fragment(
        "campaign-follow",
        [campaign.slug, campaign.title, following],
        lambda: render_to_string(
            "notifications/follow_button.html",
            {
                "action": reverse(
                    "conversations:follow_campaign", args=[campaign.slug]
                ),
                "following": following,
                "what": campaign.title,
                "csrf_token": holes.CSRF,
            },
        ),
    )


def _waiting(campaign: Campaign, user) -> str:
    ideas = idea_cards.waiting_ideas(campaign, user)
    if not ideas:
        return ""
    return render_to_string(
        "conversations/includes/waiting_ideas.html", {"waiting_ideas": ideas}
    )


def _random_seed(request: HttpRequest) -> int:
    """One shuffle per person per session, so paging a random order never repeats."""
    if "shuffle_seed" not in request.session:
        request.session["shuffle_seed"] = random.randint(1, 2**31 - 2)
    return request.session["shuffle_seed"]


def _team_view_choices(campaign: Campaign) -> list[Team]:
    """Teams whose own view of the campaign may be shown: only those with at least
    ``SMALL_GROUP_THRESHOLD`` members, so a view never points at a few people (and
    only the campaign's audience teams, where it has one). Cached with the campaign's
    lists: a team growing past the threshold shows within IDEA_CARDS_CACHE_SECONDS."""
    key = f"team-views:{idea_cards.campaign_state(campaign)}"
    teams = content_cache.get(key)
    if teams is None:
        teams = _team_view_query(campaign)
        content_cache.set(key, teams, settings.IDEA_CARDS_CACHE_SECONDS)
    return teams


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
