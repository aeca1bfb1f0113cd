"""Search pages and the similar ideas shown while a person writes one: thin views
over ``search.services``."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from conversations.exceptions import Refused
from conversations.services import own_posts, posting
from conversations.web.access import campaign_for_viewer, idea_for_viewer, refusal
from conversations.web.forms import IdeaForm
from search import services
from search.forms import SearchForm


@login_required
def results(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None, user=request.user)
    found = None
    if form.is_bound and form.is_valid():
        filters = form.filters()
        if filters != services.Filters():
            page = request.GET.get("page", "1")
            found = services.search(
                request.user, filters, int(page) if page.isdigit() else 1
            )
    return render(
        request,
        "search/results.html",
        {"form": form, "results": found, "query_string": _without_page(request)},
        status=400 if form.errors else 200,
    )


def _without_page(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


@login_required
def similar(request: HttpRequest, slug: str) -> HttpResponse:
    """The list of similar ideas under the idea form, as an HTML fragment for the
    page's script (the same template the form renders without it)."""
    campaign = campaign_for_viewer(request, slug)
    ideas = services.similar_ideas(
        request.user,
        campaign,
        request.GET.get("title", "")[:300],
        request.GET.get("body", "")[:2000],
    )
    return render(
        request,
        "search/includes/similar_ideas.html",
        {"campaign": campaign, "similar": ideas, "similar_checked": True},
    )


@login_required
@require_POST
def check_similar(request: HttpRequest, slug: str) -> HttpResponse:
    """Without JavaScript: the idea form again, with what the person typed kept and the
    similar ideas listed under the title."""
    campaign = campaign_for_viewer(request, slug)
    try:
        posting.require_open(request.user, campaign, timezone.now())
    except Refused as error:
        return refusal(request, campaign, error)
    typed = {name: request.POST.get(name, "") for name in ("theme", "title", "body")}
    typed["anonymous"] = bool(request.POST.get("anonymous"))
    form = IdeaForm(initial=typed, campaign=campaign)
    ideas = services.similar_ideas(
        request.user, campaign, typed["title"], typed["body"]
    )
    return render(
        request,
        "conversations/idea_form.html",
        {
            "campaign": campaign,
            "form": form,
            "first_post": not own_posts.has_posted(request.user),
            "similar": ideas,
            "similar_checked": True,
        },
    )


@login_required
@require_POST
def support_instead(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """ "Support this instead", pressed in the idea form (so it carries that form's
    fields, which are left alone): a support vote through the voting service, then
    the idea."""
    campaign = campaign_for_viewer(request, slug)
    idea = idea_for_viewer(request, campaign, pk)
    try:
        posting.vote(request.user, idea, 1)
    except Refused as error:  # closed, rate limited, or not open for votes
        return refusal(request, campaign, error)
    messages.success(
        request, _("You support this idea. Thank you for adding your voice.")
    )
    return redirect(idea.get_absolute_url())
