"""Pages of the break-glass reveal: thin views over ``conversations.services.reveal``.

When the reveal is switched off every one of these answers 404, before anything else
(signed in or not), so the feature is invisible rather than forbidden.
"""

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from conversations.models import Comment, Idea, RevealRequest
from conversations.services import reveal
from conversations.web.reveal_forms import RevealDecisionForm, RevealRequestForm

_NOT_HERE = _("There is no page at this address.")


def reveal_page(view: Callable) -> Callable:
    """404 unless the reveal is on; sign-in required; holders only (403)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not reveal.is_enabled():
            raise Http404(_NOT_HERE)
        return signed_in(request, *args, **kwargs)

    def holders_only(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not reveal.is_holder(request.user):
            raise PermissionDenied(
                _("Only people given the break-glass reveal permission can see this.")
            )
        try:
            return view(request, *args, **kwargs)
        except reveal.RevealDisabled as error:
            raise Http404(_NOT_HERE) from error

    signed_in = login_required(holders_only)
    return wrapper


def _post(kind: str, pk: int) -> Idea | Comment:
    model = {"idea": Idea, "comment": Comment}.get(kind)
    post = model and model.objects.filter(pk=pk).first()
    if post is None:
        raise Http404(_("This post does not exist."))
    return post


def _reveal_request(pk: int) -> RevealRequest:
    found = (
        RevealRequest.objects.filter(pk=pk)
        .select_related(
            "requested_by", "decided_by", "idea__campaign", "comment__idea__campaign"
        )
        .first()
    )
    if found is None:
        raise Http404(_("There is no reveal request at this address."))
    return found


@reveal_page
def index(request: HttpRequest) -> HttpResponse:
    return render(
        request, "conversations/reveal/index.html", reveal.requests_for(request.user)
    )


@reveal_page
def request_form(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    post = _post(kind, pk)
    form = RevealRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            created = reveal.request_reveal(
                request.user, post, form.cleaned_data["reason"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _(
                    "Your request is recorded. A second person with the reveal "
                    "permission must now decide on it."
                ),
            )
            return redirect("reveal:detail", pk=created.pk)
    return render(
        request,
        "conversations/reveal/request.html",
        {"post": post, "kind": kind, "form": form},
        status=400 if form.errors else 200,
    )


def _detail(
    request: HttpRequest, reveal_request: RevealRequest, form=None, status=200
) -> HttpResponse:
    viewer = request.user
    is_party = viewer.pk in (
        reveal_request.requested_by_id,
        reveal_request.decided_by_id,
    )
    approved = reveal_request.state == RevealRequest.State.APPROVED
    can_decide = (
        reveal_request.state == RevealRequest.State.PENDING
        and reveal_request.requested_by_id != viewer.pk
    )
    context = {
        "reveal_request": reveal_request,
        "post": reveal.post_of(reveal_request),
        "decision_note": reveal.decision_note(reveal_request),
        "can_decide": can_decide,
        "form": form or (RevealDecisionForm() if can_decide else None),
        "show_author": approved and is_party,
    }
    if context["show_author"]:
        context["author"] = reveal.revealed_author(viewer, reveal_request)
    return render(request, "conversations/reveal/detail.html", context, status=status)


@reveal_page
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _reveal_request(pk))


@reveal_page
@require_POST
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    reveal_request = _reveal_request(pk)
    form = RevealDecisionForm(request.POST)
    if form.is_valid():
        try:
            reveal.decide_reveal(
                request.user,
                reveal_request,
                approve=form.cleaned_data["decision"] == "approve",
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Your decision is recorded."))
            return redirect("reveal:detail", pk=reveal_request.pk)
    return _detail(request, reveal_request, form, status=400)
