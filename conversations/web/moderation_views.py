"""Moderation pages: the queue, moderators' actions on a post, reporting a post,
asking for a review of a hidden post, the moderation history and the ground rules.

Thin, like every view: fetch with permission, call a ``conversations.services.moderation``
service, then redirect back with a message or render the form again.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from conversations import rules
from conversations.exceptions import RateLimited, Refused
from conversations.models import AuditEntry, Campaign, Comment, Idea, Visibility
from conversations.services import moderation
from conversations.services.moderation_queue import moderation_queue
from conversations.web.access import campaign_for_viewer, refusal
from conversations.web.forms import (
    EditPostForm,
    FlagForm,
    HidePostForm,
    MergeForm,
    ReviewRequestForm,
)

Post = Idea | Comment
KINDS = ("idea", "comment")
HISTORY_LENGTH = 100


# -- fetch with permission ----------------------------------------------------------


def _moderated_campaign(request: HttpRequest, slug: str) -> Campaign:
    campaign = campaign_for_viewer(request, slug)
    if not rules.can_moderate(request.user, campaign):
        raise PermissionDenied(_("Only moderators can do that."))
    return campaign


def _post_in(campaign: Campaign, kind: str, pk: int) -> Post | None:
    if kind == "idea":
        return (
            Idea.objects.filter(campaign=campaign, pk=pk)
            .select_related("campaign", "theme", "author")
            .first()
        )
    if kind == "comment":
        return (
            Comment.objects.filter(idea__campaign=campaign, pk=pk)
            .select_related("idea__campaign", "idea__theme", "author", "parent")
            .first()
        )
    return None


def _post_for_moderator(
    request: HttpRequest, slug: str, kind: str, pk: int
) -> tuple[Campaign, Post]:
    """Any post of a campaign the person moderates, whatever its visibility."""
    campaign = _moderated_campaign(request, slug)
    post = _post_in(campaign, kind, pk)
    if post is None:
        raise Http404(_("This post does not exist."))
    return campaign, post


def _post_for_reader(
    request: HttpRequest, slug: str, kind: str, pk: int
) -> tuple[Campaign, Post]:
    """A post everyone in the campaign can see (404 for anything held or hidden)."""
    campaign = campaign_for_viewer(request, slug)
    post = _post_in(campaign, kind, pk)
    if (
        post is None
        or post.visibility != Visibility.VISIBLE
        or moderation.idea_of(post).visibility != Visibility.VISIBLE
    ):
        raise Http404(_("This post does not exist, or has been removed."))
    return campaign, post


def _own_post(
    request: HttpRequest, slug: str, kind: str, pk: int
) -> tuple[Campaign, Post]:
    """The person's own post, whatever its visibility (404 for anyone else's)."""
    campaign = campaign_for_viewer(request, slug)
    post = _post_in(campaign, kind, pk)
    if post is None or post.author_id != request.user.pk:
        raise Http404(_("This post does not exist."))
    return campaign, post


def _back(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, {request.get_host()}, request.is_secure()
    ):
        return target
    return default


def _queue_url(campaign: Campaign) -> str:
    return reverse("conversations:campaign_moderation", args=[campaign.slug])


# -- the queue ------------------------------------------------------------------------


@login_required
def queue(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    """Flagged, held and review-requested posts, oldest first."""
    within = None
    if slug is None:
        if not rules.moderates_anything(request.user):
            raise PermissionDenied(_("Only moderators can see the moderation queue."))
        campaign = None
        if not rules.can_moderate(request.user, None):
            # A team lead or a campaign's own moderator: only what they moderate.
            within = rules.moderated_campaigns(request.user).values("pk")
    else:
        campaign = _moderated_campaign(request, slug)
    queue = moderation_queue(
        campaign, timezone.now(), request.GET.get("page"), within=within
    )
    return render(
        request,
        "conversations/moderation/queue.html",
        {
            "campaign": campaign,
            "items": queue.items,
            "page": queue.page,
            "total": queue.total,
            "overdue_count": queue.overdue_count,
            "target_hours": settings.MODERATION_TARGET_HOURS,
            "hide_form": HidePostForm(),
            "next": request.get_full_path(),
        },
    )


@login_required
def history(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    """The latest moderation actions: who did what, when and why."""
    if slug is None:
        if not rules.moderates_anything(request.user):
            raise PermissionDenied(_("Only moderators can see the moderation history."))
        campaign = None
        entries = AuditEntry.objects.filter(
            campaign__in=rules.moderated_campaigns(request.user).values("pk")
        )
    else:
        campaign = _moderated_campaign(request, slug)
        entries = AuditEntry.objects.filter(campaign=campaign)
    # Reveals have their own, more tightly held record.
    entries = entries.exclude(action__startswith="reveal_").select_related(
        "actor", "campaign", "idea", "comment"
    )[:HISTORY_LENGTH]
    return render(
        request,
        "conversations/moderation/history.html",
        {"campaign": campaign, "entries": entries},
    )


# -- moderators' actions ------------------------------------------------------------

DONE = {
    "approve": _("Approved: everyone can see it now."),
    "hide": _("Hidden from everyone but moderators. The author has been told why."),
    "restore": _("Restored: everyone can see it again."),
    "dismiss": _("Reports dismissed: the post stays as it is."),
    "keep_hidden": _("Kept hidden. The author has been told."),
    "lock": _("Comments on this idea are closed."),
    "unlock": _("Comments on this idea are open again."),
}


@login_required
@require_POST
def moderate_post(
    request: HttpRequest, slug: str, kind: str, pk: int, action: str
) -> HttpResponse:
    """Approve, hide, restore, dismiss reports, keep hidden, lock or unlock."""
    campaign, post = _post_for_moderator(request, slug, kind, pk)
    if action not in DONE or (action in ("lock", "unlock") and kind != "idea"):
        raise Http404()
    user, note = request.user, request.POST.get("note", "")
    try:
        if action == "hide":
            form = HidePostForm(request.POST)
            if not form.is_valid():
                return render(
                    request,
                    "conversations/moderation/hide_form.html",
                    {"campaign": campaign, "post": post, "kind": kind, "form": form},
                    status=400,
                )
            moderation.hide_post(user, post, **form.cleaned_data)
        elif action == "approve":
            moderation.approve_post(user, post, note)
        elif action == "restore":
            moderation.restore_post(user, post, note)
        elif action == "dismiss":
            moderation.dismiss_flags(user, post, note)
        elif action == "keep_hidden":
            moderation.keep_hidden(user, post, note)
        else:
            moderation.set_comments_locked(user, post, action == "lock", note)
    except Refused as error:
        return refusal(request, campaign, error)
    messages.success(request, DONE[action])
    return redirect(_back(request, _queue_url(campaign)))


@login_required
def hide_form(request: HttpRequest, slug: str, kind: str, pk: int) -> HttpResponse:
    """The hide form on its own page (a comment's moderation link); posting it hides."""
    if request.method == "POST":
        return moderate_post(request, slug, kind, pk, "hide")
    campaign, post = _post_for_moderator(request, slug, kind, pk)
    return render(
        request,
        "conversations/moderation/hide_form.html",
        {
            "campaign": campaign,
            "post": post,
            "kind": kind,
            "form": HidePostForm(),
            "next": _back(request, ""),
        },
    )


@login_required
def edit_post(request: HttpRequest, slug: str, kind: str, pk: int) -> HttpResponse:
    """A moderator edits a post, to take out a name or a number."""
    campaign, post = _post_for_moderator(request, slug, kind, pk)
    initial = {"body": post.body, "title": getattr(post, "title", "")}
    form = EditPostForm(request.POST or None, is_idea=kind == "idea", initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            moderation.edit_post(
                request.user,
                post,
                body=form.cleaned_data["body"],
                title=form.cleaned_data.get("title"),
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _(
                    'Saved. The post is marked "edited by a moderator" and the author '
                    "has been told."
                ),
            )
            return redirect(_back(request, _queue_url(campaign)))
    return render(
        request,
        "conversations/moderation/edit_form.html",
        {
            "campaign": campaign,
            "post": post,
            "kind": kind,
            "form": form,
            "next": _back(request, ""),
        },
        status=400 if form.errors else 200,
    )


@login_required
def merge_idea(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Merge a duplicate idea into another one of the same campaign."""
    campaign, source = _post_for_moderator(request, slug, "idea", pk)
    query = request.GET.get("q", "")
    form = MergeForm(request.POST or None, candidates=moderation.merge_targets(source))
    if request.method == "POST" and form.is_valid():
        target = form.cleaned_data["target"]
        try:
            moderation.merge_ideas(
                request.user, source, target, note=form.cleaned_data["note"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        except Refused as error:
            return refusal(request, campaign, error)
        else:
            messages.success(
                request,
                _("Merged. Comments and votes moved here, and both authors were told."),
            )
            return redirect(target.get_absolute_url())
    return render(
        request,
        "conversations/moderation/merge_form.html",
        {
            "campaign": campaign,
            "post": source,
            "form": form,
            "query": query,
            "candidates": moderation.merge_candidates(source, query),
        },
        status=400 if form.errors else 200,
    )


# -- staff: reporting and asking for review ------------------------------------------


@login_required
def flag_post(request: HttpRequest, slug: str, kind: str, pk: int) -> HttpResponse:
    """Report a post to the moderators, with a reason."""
    campaign, post = _post_for_reader(request, slug, kind, pk)
    if post.author_id == request.user.pk:
        return refusal(
            request, campaign, Refused(_("You cannot report your own post."))
        )
    already = moderation.has_flagged(request.user, post)
    form = FlagForm(request.POST or None)
    status = 200
    if request.method == "POST" and not already and form.is_valid():
        try:
            moderation.flag_post(request.user, post, **form.cleaned_data)
        except RateLimited as error:
            form.add_error(None, error.message)
            status = error.status_code
        except moderation.AlreadyFlagged:
            already = True
        except Refused as error:
            return refusal(request, campaign, error)
        else:
            messages.success(
                request,
                _(
                    "Thank you for telling us. A moderator will look at it, and we will "
                    "let you know what happens."
                ),
            )
            return redirect(post.get_absolute_url())
    if already:
        status = 409 if request.method == "POST" else 200
    elif form.errors and status == 200:
        status = 400
    return render(
        request,
        "conversations/moderation/flag_form.html",
        {
            "campaign": campaign,
            "post": post,
            "kind": kind,
            "form": form,
            "already": already,
        },
        status=status,
    )


@login_required
def ask_review(request: HttpRequest, slug: str, kind: str, pk: int) -> HttpResponse:
    """The author of a hidden post asks a moderator to look again."""
    campaign, post = _own_post(request, slug, kind, pk)
    entries = AuditEntry.objects.filter(
        action=AuditEntry.Action.HIDE, reason__gt="", **{kind: post}
    )
    if kind == "idea":
        entries = entries.filter(comment__isnull=True)
    hidden_because = entries.order_by("-created_at", "-id").first()
    review = moderation.open_review(post)
    form = ReviewRequestForm(request.POST or None)
    if (
        request.method == "POST"
        and post.visibility == Visibility.HIDDEN
        and review is None
        and form.is_valid()
    ):
        try:
            moderation.request_review(request.user, post, form.cleaned_data["message"])
        except Refused as error:
            return refusal(request, campaign, error)
        messages.success(
            request,
            _(
                "Thank you. A moderator will look at it again and tell you what they "
                "decide."
            ),
        )
        return redirect(request.path)
    return render(
        request,
        "conversations/moderation/review_form.html",
        {
            "campaign": campaign,
            "post": post,
            "kind": kind,
            "form": form,
            "review": review,
            "reason": hidden_because.get_reason_display() if hidden_because else "",
        },
        status=400 if form.errors else 200,
    )


def ground_rules(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "conversations/moderation/ground_rules.html",
        {"target_hours": settings.MODERATION_TARGET_HOURS},
    )
