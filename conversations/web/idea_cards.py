"""The campaign page's idea cards: shared between viewers, finished for each.

A card shows everyone the same (title, excerpt, theme, status, the author as others
see them, the comment count) but for the viewer's own parts: the tallies, the vote
button they pressed, their CSRF token and the page's address in the vote form. Each
card is a shared fragment (``conversations.fragments``) keyed by the campaign's
version and the idea, rendered for nobody with those parts as slots, which each
request fills. Tallies and the viewer's votes are read per request (two indexed
queries for the page's ideas), so a vote re-renders nothing. The viewer's own ideas
("You", no "Report" link) are rendered for them per request and never cached.

Which ideas a page lists is shared data keyed the same way (and, for the most
supported order, by the tallies' version too).
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.template.loader import get_template
from django.utils.safestring import SafeString, mark_safe

from conversations import fragments, queries
from conversations.models import Campaign, Idea, Theme, Visibility
from conversations.templatetags.conversation_tags import vote_slot_values
from voting.services import tallies_and_votes, tallies_of

CARD_TEMPLATE = "conversations/includes/idea_card.html"
# Orders the tallies decide: their lists are keyed by the votes' version too.
TALLY_SORTS = {"supported"}


@dataclass
class Listing:
    page: Page
    cards: SafeString
    count: int


class _Counted(list):
    """A page's ids with the list's length, for the paginator."""

    def __init__(self, count: int) -> None:
        super().__init__()
        self.total = count

    def count(self) -> int:
        return self.total


def _list_page(campaign: Campaign, viewer, *, sort, theme_id, team_id, seed, number):
    """(count, page number, the page's idea ids) of the list asked for."""

    def make(values: dict) -> dict:
        ideas = queries.campaign_ideas(
            campaign, viewer, theme_id=theme_id, sort=sort, seed=seed, team_id=team_id
        )
        count = queries.campaign_idea_count(
            campaign, viewer, theme_id=theme_id, team_id=team_id
        )
        page = Paginator(_Counted(count), settings.IDEAS_PER_PAGE).get_page(number)
        start = page.start_index() - 1 if count else 0
        rows = ideas.values_list("pk", "author_id")
        return {
            "count": count,
            "number": page.number,
            "ideas": list(rows[start : start + settings.IDEAS_PER_PAGE]),
        }

    values = {
        "campaign": campaign,
        "tallies": campaign.tally_version if sort in TALLY_SORTS else "",
        "everything": queries.lists_everything(viewer),
        "sort": sort,
        "theme": theme_id,
        "team": team_id,
        "number": number,
        "per_page": settings.IDEAS_PER_PAGE,
    }
    if sort == "random":  # one person's shuffle: nothing to share
        return make(values)
    return fragments.shared("idea-list", values, make)


def campaign_themes(campaign: Campaign) -> list[Theme]:
    return fragments.shared(
        "themes", {"campaign": campaign}, lambda v: list(campaign.themes.all())
    )


def waiting_ideas(campaign: Campaign, viewer) -> list[Idea]:
    """The viewer's own ideas waiting for a moderator (only they see these), asked of
    the database only if the viewer is among the authors with one (a set shared under
    the campaign's version, never shown)."""
    if not viewer.is_authenticated or queries.lists_everything(viewer):
        return []
    authors = fragments.shared(
        "held-authors",
        {"campaign": campaign},
        lambda v: set(
            Idea.objects.filter(campaign=campaign, visibility=Visibility.HELD)
            .values_list("author_id", flat=True)
            .distinct()
        ),
    )
    if viewer.pk not in authors:
        return []
    return queries.own_waiting_ideas(campaign, viewer)


def _rows(ids: list[int]) -> dict[int, Idea]:
    return {
        idea.pk: idea
        for idea in Idea.objects.filter(pk__in=ids)
        .select_related("theme", "author")
        .order_by()
    }


def _render_shared(campaign: Campaign, can_take_part: bool, many: list[dict]):
    rows = _rows([values["idea"] for values in many])
    return [
        fragments.render_for_nobody(
            CARD_TEMPLATE,
            {
                "idea": rows[values["idea"]],
                "campaign": campaign,
                "can_take_part": can_take_part,
                "vote_slots": True,
            },
        )
        for values in many
    ]


def _render_own(request: HttpRequest, campaign, idea: Idea, can_take_part: bool):
    """The viewer's own card, rendered for them ("You", no "Report"): never shared."""
    return fragments.Fragment(
        get_template(CARD_TEMPLATE).render(
            {
                "idea": idea,
                "campaign": campaign,
                "can_take_part": can_take_part,
                "vote_slots": True,
                "request": request,
            }
        )
    )


def campaign_listing(
    request: HttpRequest,
    campaign: Campaign,
    *,
    theme_id: int | None,
    sort: str,
    seed: int,
    can_take_part: bool,
    team_id: int | None = None,
) -> Listing:
    """One page of the campaign's ideas as cards finished for ``request.user``."""
    viewer = request.user
    listed = _list_page(
        campaign,
        viewer,
        sort=sort,
        theme_id=theme_id,
        team_id=team_id,
        seed=seed,
        number=request.GET.get("page"),
    )
    ids = [pk for pk, _author in listed["ideas"]]
    own_ids = [
        pk
        for pk, author in listed["ideas"]
        if author is not None and author == viewer.pk
    ]
    cards = fragments.shared(
        "idea-card-page",
        {"campaign": campaign, "ideas": ids, "can_take_part": can_take_part},
        lambda values: _cards(campaign, ids, can_take_part),
    )
    html = _fill(request, campaign, ids, own_ids, cards, can_take_part)
    page = Paginator(_Counted(listed["count"]), settings.IDEAS_PER_PAGE).get_page(
        listed["number"]
    )
    return Listing(page=page, cards=html, count=listed["count"])


def _cards(campaign: Campaign, ids: list[int], can_take_part: bool) -> tuple:
    """A page's cards, each its own shared entry (a card is the same in every order
    and on every page that lists it); the page keeps them together so a request
    looks up one entry, not one per idea."""
    return tuple(
        fragments.shared_many(
            "idea-card",
            [
                {"campaign": campaign, "idea": pk, "can_take_part": can_take_part}
                for pk in ids
            ],
            lambda many: _render_shared(campaign, can_take_part, many),
        )
    )


def _fill(request, campaign, ids, own_ids, cards, can_take_part: bool) -> SafeString:
    viewer = request.user
    if can_take_part:
        tallies, my_votes = tallies_and_votes(viewer, Idea, ids)
    else:
        tallies, my_votes = tallies_of(Idea, ids), {}
    own = _rows(own_ids) if own_ids else {}
    personal = {
        "csrf_token": get_token(request) if can_take_part else "",
        "next": request.get_full_path(),
    }
    out = []
    for pk, card in zip(ids, cards, strict=True):
        if pk in own:
            card = _render_own(request, campaign, own[pk], can_take_part)
        support, against = tallies.get(pk, (0, 0))
        out.append(
            card.fill(
                **vote_slot_values("idea", pk, support, against, my_votes.get(pk, 0)),
                **personal,
            )
        )
    return mark_safe("".join(out))  # noqa: S308 - filled fragments
