"""Thin views of a prioritisation round: fetch with permission, call a service."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from conversations import small_numbers
from conversations.exceptions import Refused
from conversations.web.access import campaign_for_manager, campaign_for_viewer, refusal
from reports.prioritisation import results, rules, services
from reports.prioritisation.forms import AllocationForm, RoundForm
from reports.prioritisation.models import Round


def _round_of(campaign) -> Round:
    round_ = Round.objects.filter(campaign=campaign).first()
    if round_ is None:
        raise Http404(_("This campaign has no prioritisation round."))
    return round_


@login_required
def round_page(request: HttpRequest, slug: str) -> HttpResponse:
    """The shortlist, the person's points (a form of number inputs) and the results."""
    campaign = campaign_for_viewer(request, slug)
    round_ = _round_of(campaign)
    now = timezone.now()
    items = list(round_.items.shown())
    can_take_part = rules.can_take_part(request.user, round_, now)
    form = AllocationForm(
        request.POST if request.method == "POST" else None,
        round_=round_,
        items=items,
        current=services.points_of(request.user, round_),
    )
    if request.method == "POST":
        if form.is_valid():
            try:
                services.allocate(request.user, round_, form.points(), now=now)
            except Refused as error:
                return refusal(request, campaign, error)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Your points are saved."))
                return redirect("prioritisation:round", slug=campaign.slug)
    mine = services.points_of(request.user, round_)
    return render(
        request,
        "prioritisation/round.html",
        {
            "campaign": campaign,
            "round": round_,
            "form": form,
            "can_take_part": can_take_part,
            "can_run": rules.can_run(request.user, campaign),
            "has_allocation": bool(mine),
            "spent": sum(mine.values()),
            "results": results.results(round_),
            "groups": results.by_group(round_) if round_.has_closed(now) else None,
            "is_open": round_.is_open(now),
            "has_closed": round_.has_closed(now),
            "ws_path": f"/ws/campaigns/{campaign.pk}/",
            "limit": small_numbers.threshold(),
        },
        status=400 if form.errors else 200,
    )


@login_required
def round_edit(request: HttpRequest, slug: str) -> HttpResponse:
    """Add the campaign's round or change it (engagement managers)."""
    campaign = campaign_for_manager(request, slug)
    round_ = Round.objects.filter(campaign=campaign).first()
    ideas, themes = services.shortlist_choices(campaign)
    form = RoundForm(
        request.POST or None,
        ideas=ideas,
        themes=themes,
        initial=RoundForm.initial_for(round_),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.save_round(
                request.user,
                campaign,
                question=data["question"],
                opens_at=data["opens_at"],
                closes_at=data["closes_at"],
                points=data["points"],
                idea_ids=data["ideas"],
                theme_ids=data.get("themes", []),
            )
        except Refused as error:
            return refusal(request, campaign, error)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The prioritisation round is saved."))
            return redirect("prioritisation:round", slug=campaign.slug)
    return render(
        request,
        "prioritisation/round_form.html",
        {"campaign": campaign, "round": round_, "form": form},
        status=400 if form.errors else 200,
    )
