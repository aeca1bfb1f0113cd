"""Search over the ideas and comments a person may see, and the ideas like the one
they are writing.

What a person may see is asked of ``conversations.rules`` (the campaigns and boards
they may see) and of the posts' own rows (only visible posts, and only comments on
visible ideas): nothing hidden, held for a moderator or on a board they are not in is
ever matched. The text match and ranking are the database's own
(``search.backends``); an anonymous post's author is never in the index.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import QuerySet
from django.utils.safestring import SafeString

from conversations import rules
from conversations.models import Campaign, Comment, Idea, Visibility
from search import backends, text

PER_PAGE = 20
MOST = 200  # matches ranked per kind; a search is narrowed, not paged through to 900
SIMILAR = 5


@dataclass(frozen=True, slots=True)
class Filters:
    query: str = ""
    campaign: Campaign | None = None
    theme_id: int | None = None
    status: str = ""
    mine: bool = False
    since: datetime | None = None


@dataclass(slots=True)
class Hit:
    kind: str  # "idea" or "comment"
    post: Idea | Comment
    title: SafeString
    snippet: SafeString
    author: str
    score: float = 0.0


@dataclass(slots=True)
class Results:
    hits: list[Hit] = field(default_factory=list)
    total: int = 0
    page: int = 1
    pages: int = 1


def visible_ideas(user) -> QuerySet:
    """Visible ideas in the campaigns and boards ``user`` may see."""
    return Idea.objects.filter(
        campaign_id__in=rules.visible_ids(user), visibility=Visibility.VISIBLE
    )


def visible_comments(user) -> QuerySet:
    """Visible comments on visible ideas in the campaigns and boards ``user`` may see."""
    return Comment.objects.filter(
        idea__campaign_id__in=rules.visible_ids(user),
        idea__visibility=Visibility.VISIBLE,
        visibility=Visibility.VISIBLE,
    )


def _filtered(user, filters: Filters) -> tuple[QuerySet, QuerySet]:
    ideas, comments = visible_ideas(user), visible_comments(user)
    if filters.campaign is not None:
        ideas = ideas.filter(campaign=filters.campaign)
        comments = comments.filter(idea__campaign=filters.campaign)
    if filters.theme_id is not None:
        ideas = ideas.filter(theme_id=filters.theme_id)
        comments = comments.filter(idea__theme_id=filters.theme_id)
    if filters.status:
        ideas = ideas.filter(status=filters.status)
        comments = comments.filter(idea__status=filters.status)
    if filters.mine:
        ideas = ideas.filter(author_id=user.pk)
        comments = comments.filter(author_id=user.pk)
    if filters.since is not None:
        # "New since your last visit" is about new ideas, not replies to old ones.
        ideas = ideas.filter(created_at__gt=filters.since).exclude(author_id=user.pk)
        comments = comments.none()
    return ideas, comments


def search(user, filters: Filters, page: int = 1) -> Results:
    """The posts ``user`` may see that match ``filters``: ranked by the database's
    full-text ranking when there is a query, newest first when there is none."""
    if not user.is_authenticated:
        return Results()
    ideas, comments = _filtered(user, filters)
    # Common words say nothing (PostgreSQL's dictionary drops them too), unless
    # they are all there is.
    words = text.content_terms(filters.query) or text.terms(filters.query)
    backend = backends.current()
    if words:
        found = [
            ("idea", pk, score) for pk, score in backend.ranked("idea", ideas, words)
        ] + [
            ("comment", pk, score)
            for pk, score in backend.ranked("comment", comments, words)
        ]
        found.sort(key=lambda hit: -hit[2])
    elif filters.query.strip():
        found = []  # punctuation alone: nothing to look for
    else:
        found = _newest(ideas, comments)
    total = len(found)
    pages = max(1, -(-total // PER_PAGE))
    page = min(max(page, 1), pages)
    shown = found[(page - 1) * PER_PAGE : page * PER_PAGE]
    return Results(
        hits=_hits(user, shown, words, backend),
        total=total,
        page=page,
        pages=pages,
    )


def _newest(ideas: QuerySet, comments: QuerySet) -> list[tuple[str, int, float]]:
    rows = [
        ("idea", pk, at.timestamp())
        for pk, at in ideas.order_by("-created_at").values_list("pk", "created_at")[
            :MOST
        ]
    ] + [
        ("comment", pk, at.timestamp())
        for pk, at in comments.order_by("-created_at").values_list("pk", "created_at")[
            :MOST
        ]
    ]
    rows.sort(key=lambda hit: -hit[2])
    return rows


def _hits(user, shown, words, backend) -> list[Hit]:
    ids = {
        kind: [pk for k, pk, _ in shown if k == kind] for kind in ("idea", "comment")
    }
    posts = {
        ("idea", i.pk): i
        for i in Idea.objects.filter(pk__in=ids["idea"]).select_related(
            "campaign", "theme", "author"
        )
    }
    posts |= {
        ("comment", c.pk): c
        for c in Comment.objects.filter(pk__in=ids["comment"]).select_related(
            "idea__campaign", "idea__theme", "author"
        )
    }
    marks = {
        kind: backend.headlines(kind, ids[kind], words) if words else {}
        for kind in ("idea", "comment")
    }
    hits = []
    for kind, pk, score in shown:
        post = posts.get((kind, pk))
        if post is None:
            continue  # deleted since it was ranked
        title_marks, body_marks = marks[kind].get(pk, ("", ""))
        title = post.title if kind == "idea" else post.idea.title
        hits.append(
            Hit(
                kind=kind,
                post=post,
                title=text.marked(title_marks or title),
                snippet=text.marked(body_marks or post.body, around=90),
                author=post.author_label_for(user),
                score=score,
            )
        )
    return hits


def similar_ideas(user, campaign: Campaign, title: str, body: str = "") -> list[Idea]:
    """Up to five ideas of ``campaign`` that ``user`` may see most like the one they
    are writing (any of its words, the title's first, ranked by the database), with
    their matching words marked in ``marked_title``."""
    if not user.is_authenticated:
        return []
    words = text.content_terms(title)
    words += [w for w in text.content_terms(body) if w not in words]
    words = words[: text.MAX_TERMS]
    if not words:
        return []
    permitted = visible_ideas(user).filter(campaign=campaign, merged_into__isnull=True)
    backend = backends.current()
    ranked = backend.ranked(
        "idea", permitted, words, any_word=True, names=False, limit=SIMILAR
    )
    ideas = Idea.objects.in_bulk([pk for pk, _ in ranked])
    marks = backend.headlines("idea", list(ideas), words, any_word=True)
    found = []
    for pk, _ in ranked:
        idea = ideas[pk]
        idea.marked_title = text.marked(marks.get(pk, ("", ""))[0] or idea.title)
        found.append(idea)
    return found
