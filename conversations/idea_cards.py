"""The campaign page's idea cards: rendered once for nobody in particular, cached,
and finished for each viewer.

Rendering 50 cards was most of the campaign page's time. A card is the same for every
viewer of a list but for four things, which are never cached and are put in per
request:

- the tallies (read for the page's ideas in one query, and put into the list's cards
  in the process until the next vote), so a vote, the most frequent change of a busy
  campaign, does not make every list render again;
- the viewer's CSRF token and the page's own address, in the vote forms' hidden
  fields;
- which vote button the viewer has pressed (their votes on the campaign's ideas,
  cached for them until they vote again);
- the viewer's own ideas, which say "You" and have no "Report" link: those cards are
  rendered for their author and cached for them alone.

A cached list is keyed by everything a neutral card depends on: the campaign's last
event number (bumped in the same transaction as every numbered event: a post, a hide
or restore, an edit, a status change, a merge, a deletion), the campaign's version
(dropped by :func:`campaign_changed`, which ``stats.forget`` calls for every change
but votes), the time the campaign row was last saved, and for the most supported
order the tallies' version too (dropped by every vote), the interface language, whether the list is the moderators' one
(held and hidden ideas too), sort, theme, page, page size and whether the viewer can
take part. Lists also expire after ``IDEA_CARDS_CACHE_SECONDS``, which bounds what no
key can see (an author renaming themselves on their profile). What is put in per
request is left in the cached cards as marks (``conversations.holes``).
"""

import os
import threading
import uuid
from dataclasses import dataclass

from cachetools import TTLCache
from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.http import HttpRequest
from django.middleware.csrf import CSRF_ALLOWED_CHARS, get_token
from django.template.loader import get_template
from django.utils.html import escape
from django.utils.translation import get_language

from conversations import content_cache, holes, idea_votes, queries
from conversations.events import NeutralViewer
from conversations.models import Campaign, Idea, Theme, Visibility
from voting.services import tallies_of

CARD_TEMPLATE = "conversations/includes/idea_card.html"
# How vote_buttons.html marks an unpressed button, and a pressed one.
_UNPRESSED = {
    1: 'value="support" aria-pressed="false"',
    -1: 'value="dont_support" aria-pressed="false"',
}
_PRESSED = 'value="clear" aria-pressed="true"'
# The same, as a card is filled: encoded.
_FILL_PRESSED = _PRESSED.encode()
_FILL_UNPRESSED = {vote: text.encode() for vote, text in _UNPRESSED.items()}
# The marks a neutral card holds besides the token and address: its tallies, and its
# two vote buttons' pressed state.
_SUPPORT, _AGAINST = holes.mark("support"), holes.mark("against")
_BUTTON = {1: holes.mark("up"), -1: holes.mark("down")}
# Lists whose order the tallies decide: cached under the tallies' version too.
TALLY_SORTS = {"supported"}
# Bumped when what a cached list holds changes shape.
_FORMAT = "v5"
_tallies_lock = threading.Lock()
_tallies = TTLCache(maxsize=1000, ttl=settings.IDEA_CARDS_CACHE_SECONDS)
# Lists' cards with their tallies in (_unvoted_cards): about 100 KB each.
_unvoted = TTLCache(maxsize=200, ttl=settings.IDEA_CARDS_CACHE_SECONDS)


class _CardRequest:
    """The request cards are rendered with: nobody (or, for their own cards, their
    author), at a marked address."""

    def __init__(self, user=None) -> None:
        self.user = NeutralViewer() if user is None else user

    def get_full_path(self) -> str:
        return holes.NEXT


@dataclass
class Listing:
    page: Page
    cards: bytes  # finished HTML, encoded, for the page's "cards" hole
    count: int


def request_token(request: HttpRequest) -> str:
    """The request's CSRF token, masked once (a page puts it in many forms).

    As Django's ``get_token``, but the mask is drawn from one read of the system's
    random source instead of 32 (one per character, half of what the token cost)."""
    token = getattr(request, "_sv_csrf_token", None)
    if token is None:
        secret = request.META.get("CSRF_COOKIE")
        if secret is None:
            token = get_token(request)  # a new secret, and its cookie
        else:
            request.META["CSRF_COOKIE_NEEDS_UPDATE"] = True  # as get_token does
            token = _masked(secret)
        request._sv_csrf_token = token
    return token


def _masked(secret: str) -> str:
    """Django's masking of a CSRF secret (``_mask_cipher_secret``): a random mask, then
    each secret character shifted by the mask's. 256 random bits for 32 characters
    of 62 (190.5 bits): what remains of the modulo's bias is 2^-65."""
    chars, base = CSRF_ALLOWED_CHARS, len(CSRF_ALLOWED_CHARS)
    number = int.from_bytes(os.urandom(32))
    mask = []
    for _ in secret:
        number, digit = divmod(number, base)
        mask.append(digit)
    cipher = [
        chars[(_CSRF_INDEX[c] + m) % base] for c, m in zip(secret, mask, strict=True)
    ]
    return "".join([chars[m] for m in mask]) + "".join(cipher)


_CSRF_INDEX = {char: index for index, char in enumerate(CSRF_ALLOWED_CHARS)}


def version_key(campaign_id: int, what: str = "content") -> str:
    """The cache key of the campaign's content (or ``"tallies"``) version."""
    return f"campaign-version:{what}:{campaign_id}"


def version_keys(campaign_id: int) -> list[str]:
    """The keys of the campaign's (content, tallies) versions."""
    return [version_key(campaign_id), version_key(campaign_id, "tallies")]


def campaign_changed(campaign_id: int) -> None:
    """Drop every cached list of the campaign (they are keyed by these versions)."""
    cache.delete_many(version_keys(campaign_id))


def tallies_changed(campaign_id: int) -> None:
    """A vote: only what shows or follows the tallies goes (the most supported lists,
    the campaign's figures). Other lists keep their cards: tallies are put into them
    per request, so a busy campaign's votes do not re-render every list."""
    cache.delete(version_key(campaign_id, "tallies"))


def set_versions(campaign: Campaign, versions: tuple[str, str]) -> None:
    """The campaign's (content, tallies) versions, read already (``prefetch``)."""
    campaign._cards_versions = versions


def _versions(campaign: Campaign) -> tuple[str, str]:
    """The campaign's (content, tallies) versions, read together (one round trip to
    Redis) once per request: kept on the campaign row read for it."""
    versions = getattr(campaign, "_cards_versions", None)
    if versions is None:
        keys = version_keys(campaign.pk)
        found = cache.get_many(keys)
        for key in keys:
            if key not in found:
                cache.add(key, uuid.uuid4().hex, None)
                found[key] = cache.get(key) or "none"
        versions = campaign._cards_versions = (found[keys[0]], found[keys[1]])
    return versions


def tally_state(campaign: Campaign) -> str:
    """:func:`campaign_state` and the tallies' version: for what shows figures that
    votes change, or is ordered by them."""
    return f"{campaign_state(campaign)}:{_versions(campaign)[1]}"


def campaign_state(campaign: Campaign) -> str:
    """What every cached list and page fragment of the campaign is keyed by: it changes
    with each change but votes (a numbered event, a change through the version, and any
    save of the campaign itself: an edit, a pinned note, a board paused)."""
    inputs = (
        campaign.pk,
        campaign.last_event_seq,
        _versions(campaign)[0],
        campaign.updated_at,
    )
    kept = campaign.__dict__.get("_state_kept")
    if kept is None or kept[0] != inputs:  # asked about six times a page
        state = f"{inputs[0]}:{inputs[1]}:{inputs[2]}:{inputs[3].timestamp()}"
        kept = campaign._state_kept = (inputs, state)
    return kept[1]


class _LazyIdeas:
    """The list query, built only when the cards are made or the viewer's own cards
    are re-rendered (building a queryset is itself a good part of a millisecond)."""

    def __init__(self, campaign: Campaign, viewer, **options) -> None:
        self.campaign, self.viewer, self.options = campaign, viewer, options
        self._queryset = None

    def queryset(self):
        if self._queryset is None:
            self._queryset = queries.campaign_ideas(
                self.campaign, self.viewer, **self.options
            )
        return self._queryset

    def __getitem__(self, index: slice) -> "_LazySlice":
        return _LazySlice(self, index)

    def count(self) -> int:  # Paginator never asks: the count is set beforehand
        raise NotImplementedError


class _LazySlice:
    """A page's slice of :class:`_LazyIdeas`, queried when first read."""

    def __init__(self, ideas: _LazyIdeas, index: slice) -> None:
        self.ideas, self.index = ideas, index
        self._rows: list[Idea] | None = None

    def _read(self) -> list[Idea]:
        if self._rows is None:
            self._rows = list(self.ideas.queryset()[self.index])
        return self._rows

    def __iter__(self):
        return iter(self._read())

    def __len__(self) -> int:
        return len(self._read())


def campaign_themes(campaign: Campaign) -> list[Theme]:
    """The campaign's themes, cached with its lists (renaming or adding one goes
    through ``services.update_campaign``, which changes the campaign's version)."""
    key = f"themes:{campaign_state(campaign)}"
    themes = content_cache.get(key)
    if themes is None:
        themes = list(campaign.themes.all())
        content_cache.set(key, themes, settings.IDEA_CARDS_CACHE_SECONDS)
    return themes


def waiting_ideas(campaign: Campaign, viewer) -> list[Idea]:
    """The viewer's own ideas waiting for a moderator, queried only if the viewer is
    among the campaign's authors with one (a set cached with the cards: posting a
    held idea, approving, hiding and deleting all change the campaign's version)."""
    if queries.lists_everything(viewer) or not viewer.is_authenticated:
        return []
    key = f"held-authors:{campaign_state(campaign)}"
    authors = content_cache.get(key)
    if authors is None:
        authors = set(
            Idea.objects.filter(campaign=campaign, visibility=Visibility.HELD)
            .values_list("author_id", flat=True)
            .distinct()
        )
        content_cache.set(key, authors, settings.IDEA_CARDS_CACHE_SECONDS)
    if viewer.pk not in authors:
        return []
    return queries.own_waiting_ideas(campaign, viewer)


def _page_number(raw) -> int:
    try:
        return int(raw)
    except (TypeError, ValueError):
        return 1


def _render_cards(
    ideas, campaign: Campaign, can_take_part: bool, author=None
) -> list[tuple]:
    """(pk, author id, the card split at its marks: ``holes.split``) for each idea,
    as nobody in particular sees it, or as ``author`` sees their own."""
    template = get_template(CARD_TEMPLATE)
    request = _CardRequest(author)
    cards = []
    for idea in ideas:
        idea.my_vote = 0
        idea.support, idea.dont_support = _SUPPORT, _AGAINST  # put in per request
        html = template.render(
            {
                "idea": idea,
                "campaign": campaign,
                "can_take_part": can_take_part,
                "request": request,
                "csrf_token": holes.CSRF,
            }
        )
        for vote, button in _BUTTON.items():
            # The last match: the buttons come after any user text in a card.
            before, found, after = html.rpartition(_UNPRESSED[vote])
            if found:
                html = before + button + after
        cards.append((idea.pk, idea.author_id, holes.split(html)))
    return cards


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
    """One page of the campaign's ideas as finished cards for ``request.user``."""
    viewer = request.user
    ideas = _LazyIdeas(
        campaign, viewer, theme_id=theme_id, sort=sort, seed=seed, team_id=team_id
    )
    per_page = settings.IDEAS_PER_PAGE
    number = _page_number(request.GET.get("page"))
    key = None
    entry = None
    # A shuffle is one person's: nothing to share. A team's view depends on who is in
    # the team, which no campaign change records: it is read afresh.
    if sort != "random" and team_id is None:
        key = ":".join(
            str(part)
            for part in (
                "idea-cards",
                _FORMAT,
                tally_state(campaign)
                if sort in TALLY_SORTS
                else campaign_state(campaign),
                get_language(),
                "all" if queries.lists_everything(viewer) else "visible",
                sort,
                theme_id or 0,
                number,
                per_page,
                int(can_take_part),
            )
        )
        entry = content_cache.get(key)
    paginator = Paginator(ideas, per_page)  # only sliced when the cards are made
    if entry is None:
        # Count with a cheap index-only query, not the list query with its tally join.
        paginator.count = queries.campaign_idea_count(
            campaign, viewer, theme_id=theme_id, team_id=team_id
        )
        page = paginator.get_page(number)
        entry = {
            "count": paginator.count,
            "cards": _render_cards(list(page), campaign, can_take_part),
        }
        if key is not None:
            content_cache.set(key, entry, settings.IDEA_CARDS_CACHE_SECONDS)
    else:
        paginator.count = entry["count"]
        page = paginator.get_page(number)  # never evaluated: the cards are cached
    return Listing(
        page=page,
        cards=_finish(request, campaign, key, entry["cards"], ideas, can_take_part),
        count=entry["count"],
    )


def _page_tallies(campaign: Campaign, ids: list[int]) -> dict[int, tuple[int, int]]:
    """The tallies of a page's ideas, kept in this process under the tallies' version
    (which every vote drops): a busy page is read far more often than voted on."""
    key = (tally_state(campaign), tuple(ids))
    with _tallies_lock:
        tallies = _tallies.get(key)
    if tallies is None:
        tallies = tallies_of(Idea, ids)
        with _tallies_lock:
            _tallies[key] = tallies
    return tallies


def _unvoted_cards(campaign: Campaign, key: str | None, cards) -> dict[int, bytes]:
    """Each card with its tallies put in and neither button pressed, as a format left
    with the token and address to fill: what most viewers of a card see. Kept in this
    process under the list's key and the tallies' version (``key`` None: a list of one
    viewer's, made afresh)."""
    memo_key = (key, tally_state(campaign)) if key is not None else None
    if memo_key is not None:
        with _tallies_lock:
            made = _unvoted.get(memo_key)
        if made is not None:
            return made
    tallies = _page_tallies(campaign, [pk for pk, _author, _pieces in cards])
    made = {
        pk: holes.template(pieces, _known(tallies.get(pk, (0, 0)), 0))
        for pk, _author, pieces in cards
    }
    if memo_key is not None:
        with _tallies_lock:
            _unvoted[memo_key] = made
    return made


def _known(tally: tuple[int, int], vote: int) -> dict[str, bytes]:
    """A card's marks that are the same for everyone who has voted ``vote`` on it."""
    support, against = tally
    return {
        "support": b"%d" % support,
        "against": b"%d" % against,
        "up": _FILL_PRESSED if vote == 1 else _FILL_UNPRESSED[1],
        "down": _FILL_PRESSED if vote == -1 else _FILL_UNPRESSED[-1],
    }


def forget_tallies() -> None:
    """Drop this process's kept tallies and cards made with them (tests, between
    cases)."""
    with _tallies_lock:
        _tallies.clear()
        _unvoted.clear()


def _finish(
    request: HttpRequest,
    campaign: Campaign,
    key: str | None,
    cards,
    ideas,
    can_take_part: bool,
) -> bytes:
    """The cards finished for the viewer: their own as they see them, their votes
    pressed, the tallies, their token and this page's address in the forms."""
    viewer_id = request.user.pk
    ids = [pk for pk, _author, _pieces in cards]
    my_votes = idea_votes.of(campaign, request.user) if can_take_part else {}
    unvoted = _unvoted_cards(campaign, key, cards)
    own_ids = [pk for pk, author_id, _pieces in cards if author_id == viewer_id]
    own = _own_cards(request.user, campaign, ideas, own_ids, can_take_part)
    formats = []
    for pk, _author, pieces in cards:
        vote = my_votes.get(pk, 0)
        if vote or pk in own:  # a few cards a page: made for this viewer
            tally = _page_tallies(campaign, ids).get(pk, (0, 0))
            formats.append(holes.template(own.get(pk, pieces), _known(tally, vote)))
        else:
            formats.append(unvoted[pk])
    return holes.fill(
        b"".join(formats),
        {
            b"csrf": request_token(request).encode(),
            b"next": escape(request.get_full_path()).encode(),
        },
    )


def _own_cards(author, campaign: Campaign, ideas, own_ids, can_take_part: bool):
    """The author's own cards on the page ("You", no "Report" link), each cached for
    them under the campaign's state like any list (only they are shown it)."""
    keys = {
        pk: ":".join(
            str(part)
            for part in (
                "own-card",
                _FORMAT,
                campaign_state(campaign),
                get_language(),
                int(can_take_part),
                pk,
            )
        )
        for pk in own_ids
    }
    found = {pk: content_cache.get(key) for pk, key in keys.items()}
    missing = [pk for pk, parts in found.items() if parts is None]
    if missing:
        # By key, unordered: the list's order (a join on every tally, for the most
        # supported) would cost the database the whole campaign for a few rows.
        rows = ideas.queryset().filter(pk__in=missing).order_by()
        for pk, _author, parts in _render_cards(rows, campaign, can_take_part, author):
            content_cache.set(keys[pk], parts, settings.IDEA_CARDS_CACHE_SECONDS)
            found[pk] = parts
    return {pk: parts for pk, parts in found.items() if parts is not None}
