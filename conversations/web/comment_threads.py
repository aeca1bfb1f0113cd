"""The idea page's comments: shared between viewers, finished for each.

A thread (a top-level comment, its replies and the reply form) shows everyone the
same but for the viewer's own parts: the tallies and pressed vote buttons, the CSRF
token and the page's address. Each thread is a shared fragment
(``conversations.fragments``) keyed by the campaign's version (every comment, idea
and rename moves it), the thread's comments and whether the viewer may take part,
rendered for nobody with those parts as slots, which each request fills.

A thread is rendered for its viewer, never shared, when what it shows depends on who
looks: it holds one of the viewer's own comments ("Edit", no "Report", a held reply
only they see), or the viewer moderates the campaign or may request a reveal (their
controls on every comment).
"""

from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.template.loader import get_template
from django.utils.safestring import SafeString, mark_safe

from conversations import fragments
from conversations.models import Campaign, Comment, Idea, Visibility
from conversations.templatetags.conversation_tags import vote_slot_values
from conversations.templatetags.reveal_tags import _viewer_can_reveal
from voting.services import votes_by_voter

TEMPLATE = "conversations/includes/comment.html"


def rendered(
    request: HttpRequest,
    campaign: Campaign,
    idea: Idea,
    threads: list[Comment],
    *,
    can_take_part: bool,
    can_moderate: bool,
) -> SafeString:
    """The HTML of ``threads`` (top-level comments with ``thread_replies``, as
    ``queries.idea_comments`` gives them, tallies annotated) for ``request.user``."""
    viewer = request.user
    comments = [c for top in threads for c in (top, *top.thread_replies)]
    my_votes = (
        votes_by_voter(viewer, Comment, [c.pk for c in comments])
        if can_take_part
        else {}
    )
    sees_more = can_moderate or _viewer_can_reveal(request)
    shared_tops = [
        top
        for top in threads
        if not sees_more and not any(_personal(c, viewer) for c in _thread(top))
    ]
    shared = dict(
        zip(
            [top.pk for top in shared_tops],
            fragments.shared_many(
                "comment-thread",
                [
                    {
                        "campaign": campaign,
                        "thread": [c.pk for c in _thread(top)],
                        "can_take_part": can_take_part,
                    }
                    for top in shared_tops
                ],
                lambda many: [
                    _render(
                        _by_pk(threads, values["thread"][0]),
                        campaign,
                        idea,
                        can_take_part,
                    )
                    for values in many
                ],
            ),
            strict=True,
        )
    )
    page = {
        "csrf_token": get_token(request) if can_take_part or can_moderate else "",
        "next": request.get_full_path(),
    }
    out = []
    for top in threads:
        fragment = shared.get(top.pk) or _render(
            top,
            campaign,
            idea,
            can_take_part,
            request=request,
            can_moderate=can_moderate,
        )
        votes = {}
        for comment in _thread(top):
            votes.update(
                vote_slot_values(
                    "comment",
                    comment.pk,
                    comment.support,
                    comment.dont_support,
                    my_votes.get(comment.pk, 0),
                )
            )
        out.append(fragment.fill(**votes, **page))
    return mark_safe("".join(out))  # noqa: S308 - filled fragments


def _thread(top: Comment) -> list[Comment]:
    return [top, *top.thread_replies]


def _personal(comment: Comment, viewer) -> bool:
    """Whether the comment looks different to ``viewer`` than to everyone."""
    return comment.author_id == viewer.pk or comment.visibility != Visibility.VISIBLE


def _by_pk(threads: list[Comment], pk: int) -> Comment:
    return next(top for top in threads if top.pk == pk)


def _render(
    top: Comment,
    campaign: Campaign,
    idea: Idea,
    can_take_part: bool,
    *,
    request: HttpRequest | None = None,
    can_moderate: bool = False,
) -> fragments.Fragment:
    """A thread with its viewer's parts as slots: for nobody (shared) unless a
    ``request`` is given (rendered for that viewer, never shared)."""
    values = {
        "comment": top,
        "campaign": campaign,
        "idea": idea,
        "can_take_part": can_take_part,
        "can_moderate": can_moderate,
        "vote_slots": True,
    }
    if request is None:
        return fragments.render_for_nobody(TEMPLATE, values)
    return fragments.Fragment(
        get_template(TEMPLATE).render({**values, "request": request})
    )
