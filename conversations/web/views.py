"""Thin views: fetch with permission, call a service, render or redirect."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from conversations import queries, rules, services, stats
from conversations.exceptions import Refused
from conversations.models import Campaign, Comment, Idea
from conversations.services import moderation, own_posts
from conversations.web import campaign_page, comment_threads
from conversations.web.access import (
    campaign_for_manager,
    campaign_for_viewer,
    idea_for_viewer,
    idea_to_vote_on,
    refusal,
)
from conversations.web.forms import (
    CampaignForm,
    CommentForm,
    HideIdeaForm,
    IdeaForm,
    IdeaStatusForm,
)
from voting.services import votes_by_voter

# The message tag that tells static/js/drafts.js a post was received, so the text it
# kept on the device can go.
POSTED = "posted"


def home(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    if not request.user.is_authenticated:
        return render(request, "conversations/welcome.html")
    campaigns = stats.annotate_list_counts(
        rules.visible_campaigns(request.user).filter(kind=Campaign.Kind.CAMPAIGN)
    )
    context = {
        "open_campaigns": campaigns.open(now).order_by("closes_at"),
        "upcoming_campaigns": campaigns.scheduled(now).order_by("opens_at"),
        "closed_campaigns": campaigns.closed(now).order_by("-closes_at")[:20],
        "boards": rules.visible_campaigns(request.user)
        .filter(kind=Campaign.Kind.BOARD)
        .listed()
        .select_related("team")
        .order_by("title"),
        "draft_campaigns": (
            campaigns.drafts().order_by("-created_at")
            if rules.can_manage(request.user)
            else []
        ),
        "now": now,
    }
    return render(request, "conversations/home.html", context)


@login_required
def campaign_detail(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = campaign_for_viewer(request, slug)
    return campaign_page.response(request, campaign)


@login_required
def idea_create(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = campaign_for_viewer(request, slug)
    try:
        services.require_open(request.user, campaign, timezone.now())
    except Refused as error:
        return refusal(request, campaign, error)
    form = IdeaForm(
        request.POST or None,
        campaign=campaign,
        initial={"theme": campaign_page.int_or_none(request.GET.get("theme"))},
    )
    limited = False
    if request.method == "POST" and form.is_valid():
        try:
            idea = services.post_idea(
                request.user,
                campaign,
                theme=form.cleaned_data["theme"],
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
                anonymous=form.cleaned_data.get("anonymous", False),
            )
        except ValidationError as error:
            form.add_error(None, error)
        except services.RateLimited as error:
            form.add_error(None, error.message)
            limited = True
        except Refused as error:
            return refusal(request, campaign, error)
        else:
            if idea.visibility == "held":
                messages.info(
                    request,
                    _("Thank you. Your idea is waiting for a moderator: %(reason)s.")
                    % {"reason": idea.hold_reason},
                    extra_tags=POSTED,
                )
            else:
                messages.success(
                    request,
                    _("Your idea has been posted. Thank you for speaking up."),
                    extra_tags=POSTED,
                )
            return redirect(idea.get_absolute_url())
    return render(
        request,
        "conversations/idea_form.html",
        {
            "campaign": campaign,
            "form": form,
            "first_post": not own_posts.has_posted(request.user),
        },
        status=429 if limited else 400 if form.errors else 200,
    )


@login_required
def idea_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    campaign = campaign_for_viewer(request, slug)
    idea = idea_for_viewer(request, campaign, pk)
    return _render_idea(request, campaign, idea, CommentForm(campaign=campaign))


def _render_idea(request, campaign, idea, comment_form, status=200) -> HttpResponse:
    now = timezone.now()
    can_take_part = rules.can_take_part(request.user, campaign, now)
    moderation = _moderation_context(request, campaign, idea)
    comments = queries.idea_comments(idea, request.user)
    threads = comment_threads.rendered(
        request,
        campaign,
        idea,
        comments,
        can_take_part=can_take_part,
        can_moderate=moderation["can_moderate"],
    )
    idea.my_vote = votes_by_voter(request.user, Idea, [idea.pk]).get(idea.pk, 0)
    return render(
        request,
        "conversations/idea_detail.html",
        {
            "campaign": campaign,
            "idea": idea,
            "comments": comments,
            "comment_threads": threads,
            "comment_form": comment_form,
            "can_take_part": can_take_part,
            # One query, and only where the comment form is shown.
            "first_post": can_take_part and not own_posts.has_posted(request.user),
            "status": campaign.status(now),
            "carried_from_visible": bool(idea.carried_from_id)
            and rules.can_view(request.user, idea.carried_from.campaign, now),
            "following": services.is_following(request.user, idea),
            **moderation,
        },
        status=status,
    )


@login_required
@require_POST
def follow(request: HttpRequest, slug: str, pk: int | None = None) -> HttpResponse:
    """Follow (``follow=1``) or unfollow (``follow=0``) a campaign, board or idea."""
    campaign = campaign_for_viewer(request, slug)
    target = idea_for_viewer(request, campaign, pk) if pk is not None else campaign
    if request.POST.get("follow") == "0":
        services.unfollow(request.user, target)
        messages.success(request, _("You no longer follow this."))
    else:
        try:
            if pk is not None:
                services.follow_idea(request.user, target)
            else:
                services.follow_campaign(request.user, target)
        except Refused as error:
            return refusal(request, campaign, error)
        messages.success(
            request,
            _("You are following this. You will hear about it in your notifications."),
        )
    return redirect(target.get_absolute_url())


def _moderation_context(request, campaign, idea) -> dict:
    if not rules.can_moderate(request.user, campaign):
        return {"can_moderate": False}
    return {
        "can_moderate": True,
        "status_form": IdeaStatusForm(
            prefix="status",
            initial={"status": idea.status, "note": idea.status_note},
        ),
        "hide_form": HideIdeaForm(prefix="hide"),
    }


@login_required
def comment_create(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    campaign = campaign_for_viewer(request, slug)
    idea = idea_for_viewer(request, campaign, pk)
    if request.method != "POST":
        # Back from signing in after the session ended mid-comment: to the form.
        return redirect(idea.get_absolute_url() + "#comments")
    form = CommentForm(request.POST, campaign=campaign)
    if form.is_valid():
        parent = None
        if form.cleaned_data.get("parent"):
            parent = Comment.objects.filter(
                idea=idea, pk=form.cleaned_data["parent"]
            ).first()
            if parent is None:
                raise Http404(_("The comment you replied to no longer exists."))
        try:
            comment = services.post_comment(
                request.user,
                idea,
                body=form.cleaned_data["body"],
                parent=parent,
                anonymous=form.cleaned_data.get("anonymous", False),
            )
        except ValidationError as error:
            form.add_error(None, error)
        except services.RateLimited as error:
            form.add_error(None, error.message)
            return _render_idea(request, campaign, idea, form, status=429)
        except Refused as error:
            return refusal(request, campaign, error)
        else:
            if comment.visibility == "held":
                messages.info(
                    request,
                    _("Thank you. Your comment is waiting for a moderator: %(reason)s.")
                    % {"reason": comment.hold_reason},
                    extra_tags=POSTED,
                )
            else:
                messages.success(
                    request, _("Your comment has been posted."), extra_tags=POSTED
                )
            return redirect(comment.get_absolute_url())
    return _render_idea(request, campaign, idea, form, status=400)


VOTE_VALUES = {"support": 1, "dont_support": -1, "clear": 0}


@login_required
@require_POST
def vote(request: HttpRequest, slug: str, kind: str, pk: int) -> HttpResponse:
    """Support, don't support, or take back (``value=clear``) a vote.

    Answers JSON to the page's script and redirects back for a plain form post.
    """
    campaign = campaign_for_viewer(request, slug)
    if kind == "idea":
        target = idea_to_vote_on(request, campaign, pk)
    elif kind == "comment":
        target = (
            Comment.objects.filter(pk=pk, idea__campaign=campaign)
            .select_related("idea__campaign")
            .first()
        )
        if target is None:
            raise Http404(_("This comment does not exist, or has been removed."))
    else:
        raise Http404()
    value = VOTE_VALUES.get(request.POST.get("value", ""))
    wants_json = "application/json" in request.headers.get("Accept", "")
    if value is None:
        if wants_json:
            return JsonResponse(
                {"error": _("Choose support or don't support.")}, status=400
            )
        messages.error(request, _("Choose support or don't support."))
        return redirect(_back(request, campaign))
    try:
        result = services.vote(request.user, target, value)
    except Refused as error:
        if wants_json:
            return JsonResponse({"error": str(error.message)}, status=error.status_code)
        return refusal(request, campaign, error)
    if wants_json:
        return JsonResponse(
            {
                "value": result.value,
                "support": result.support,
                "dont_support": result.dont_support,
            }
        )
    return redirect(_back(request, campaign))


def _back(request: HttpRequest, campaign: Campaign) -> str:
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        target, {request.get_host()}, request.is_secure()
    ):
        return target
    return campaign.get_absolute_url()


@login_required
def campaign_create(request: HttpRequest) -> HttpResponse:
    if not rules.can_manage(request.user):
        raise PermissionDenied(_("Only engagement managers can create campaigns."))
    form = CampaignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        campaign = services.create_campaign(
            request.user,
            title=data["title"],
            introduction=data["introduction"],
            themes=data["themes"],
            opens_at=data["opens_at"],
            closes_at=data["closes_at"],
            publish=data["is_published"],
            allow_anonymous=data["allow_anonymous"],
            pre_moderation=data["pre_moderation"],
            audience_teams=data["audience_teams"],
            moderators=data["moderators"],
        )
        messages.success(request, _("Campaign created."))
        return redirect(campaign)
    return render(
        request,
        "conversations/campaign_form.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


@login_required
def campaign_edit(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = campaign_for_manager(request, slug)
    form = CampaignForm(request.POST or None, instance=campaign)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.update_campaign(
            campaign,
            request.user,
            themes=data.pop("themes"),
            **{k: v for k, v in data.items()},
        )
        messages.success(request, _("Campaign saved."))
        return redirect(campaign)
    return render(
        request,
        "conversations/campaign_form.html",
        {"form": form, "campaign": campaign},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def idea_moderate(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """A moderator sets an idea's status, hides it or restores it."""
    campaign = campaign_for_viewer(request, slug)
    idea = idea_for_viewer(request, campaign, pk)
    if not rules.can_moderate(request.user, campaign):
        raise PermissionDenied(_("Only moderators can do that."))
    action = request.POST.get("action")
    try:
        if action == "status":
            form = IdeaStatusForm(request.POST, prefix="status")
            if form.is_valid():
                moderation.set_idea_status(request.user, idea, **form.cleaned_data)
                messages.success(request, _("Status updated."))
        elif action == "hide":
            form = HideIdeaForm(request.POST, prefix="hide")
            if form.is_valid():
                moderation.hide_idea(request.user, idea, **form.cleaned_data)
                messages.success(
                    request, _("The idea is hidden from everyone but moderators.")
                )
        elif action == "restore":
            moderation.restore_idea(
                request.user, idea, note=request.POST.get("note", "")
            )
            messages.success(request, _("The idea is visible again."))
        else:
            raise Http404()
    except Refused as error:
        return refusal(request, campaign, error)
    return redirect(idea.get_absolute_url())
