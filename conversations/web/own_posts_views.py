"""/me/: a person's own posts (to edit or delete), a copy of their data, and closing
their account.

Every post here is fetched as "yours or nothing": someone else's post answers 404,
exactly like a post that does not exist, so these pages cannot be used to find out
who wrote what.
"""

import json

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from accounts.forms import DeleteAccountForm
from conversations.exceptions import RateLimited, Refused
from conversations.models import Comment, Idea, Visibility
from conversations.services import own_posts
from conversations.web.access import refusal
from conversations.web.own_posts_forms import EditOwnCommentForm, EditOwnIdeaForm
from conversations.web.views import POSTED


def _own(model, request: HttpRequest, pk: int):
    post = model.objects.filter(pk=pk, author=request.user).first()
    if post is None:
        raise Http404(_("You have no post at this address."))
    return post


@login_required
def my_posts(request: HttpRequest) -> HttpResponse:
    ideas, comments = own_posts.own_posts(request.user)
    now = timezone.now()
    # Edit links where editing is open; the edit page itself checks every rule.
    return render(
        request,
        "accounts/my_posts.html",
        {
            "ideas": ideas,
            "comments": comments,
            "editable_ideas": {
                i.pk for i in ideas if own_posts.looks_editable(i, i.campaign, now)
            },
            "editable_comments": {
                c.pk
                for c in comments
                if own_posts.looks_editable(c, c.idea.campaign, now)
                and c.idea.merged_into_id is None
            },
        },
    )


@login_required
def delete_idea(request: HttpRequest, pk: int) -> HttpResponse:
    idea = _own(Idea, request, pk)
    if request.method == "POST":
        own_posts.delete_own_idea(request.user, idea)
        messages.success(request, _("Your idea has been deleted."))
        return redirect("me:posts")
    return render(
        request,
        "accounts/delete_post.html",
        {"post": idea, "kind": "idea", "comment_count": idea.comments.count()},
    )


@login_required
def delete_comment(request: HttpRequest, pk: int) -> HttpResponse:
    comment = _own(Comment, request, pk)
    if request.method == "POST":
        own_posts.delete_own_comment(request.user, comment)
        messages.success(request, _("Your comment has been deleted."))
        return redirect("me:posts")
    return render(
        request,
        "accounts/delete_post.html",
        {"post": comment, "kind": "comment", "reply_count": comment.replies.count()},
    )


def _edit(request: HttpRequest, post: Idea | Comment, form, save) -> HttpResponse:
    """Show the edit form; on a valid POST call ``save(cleaned_data)`` and go back to
    the post. Bad input, a refusal or a rate limit re-renders what was typed."""
    kind = "idea" if isinstance(post, Idea) else "comment"
    idea = post if isinstance(post, Idea) else post.idea
    try:
        own_posts.check_editable(request.user, post, timezone.now())
    except Refused as error:
        return refusal(request, idea.campaign, error)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                post = save(form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            except RateLimited as error:
                form.add_error(None, error.message)
                status = error.status_code
            except Refused as error:
                return refusal(request, idea.campaign, error)
            else:
                if post.visibility == Visibility.HELD:
                    messages.info(
                        request,
                        _("Saved. Your post is waiting for a moderator: %(reason)s.")
                        % {"reason": post.hold_reason},
                        extra_tags=POSTED,
                    )
                else:
                    messages.success(
                        request, _("Your changes have been saved."), extra_tags=POSTED
                    )
                return redirect(post.get_absolute_url())
    return render(
        request,
        "accounts/edit_post.html",
        {"post": post, "kind": kind, "idea": idea, "form": form},
        status=status,
    )


@login_required
def edit_idea(request: HttpRequest, pk: int) -> HttpResponse:
    idea = _own(Idea, request, pk)
    form = EditOwnIdeaForm(
        request.POST or None, initial={"title": idea.title, "body": idea.body}
    )
    return _edit(
        request,
        idea,
        form,
        lambda data: own_posts.edit_own_idea(
            request.user, idea, title=data["title"], body=data["body"]
        ),
    )


@login_required
def edit_comment(request: HttpRequest, pk: int) -> HttpResponse:
    comment = _own(Comment, request, pk)
    form = EditOwnCommentForm(request.POST or None, initial={"body": comment.body})
    return _edit(
        request,
        comment,
        form,
        lambda data: own_posts.edit_own_comment(
            request.user, comment, body=data["body"]
        ),
    )


@login_required
def my_data(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/my_data.html")


@login_required
@never_cache
def export(request: HttpRequest) -> HttpResponse:
    data = own_posts.export_my_data(request.user)
    response = HttpResponse(
        json.dumps(data, indent=2, ensure_ascii=False),
        content_type="application/json; charset=utf-8",
    )
    stamp = timezone.now().strftime("%Y-%m-%d")
    response["Content-Disposition"] = (
        f'attachment; filename="staff-voice-my-data-{stamp}.json"'
    )
    return response


@login_required
def delete_account(request: HttpRequest) -> HttpResponse:
    form = DeleteAccountForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        own_posts.delete_account(
            request.user, remove_posts=form.cleaned_data["remove_posts"]
        )
        logout(request)
        messages.success(
            request,
            _("Your account has been deleted. Thank you for taking part."),
        )
        return redirect("home")
    return render(
        request,
        "accounts/delete_account.html",
        {"form": form},
        status=400 if form.errors else 200,
    )
