"""Entering contributions collected on paper, at an event or in a focus group."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from conversations import rules
from conversations.exceptions import Refused
from conversations.services import on_behalf
from conversations.web.access import campaign_for_viewer, refusal
from conversations.web.on_behalf_forms import OnBehalfForm


@login_required
def enter(request: HttpRequest, slug: str) -> HttpResponse:
    """One contribution per form; after saving, the form comes back with the same
    source and date for the next one from the same pile."""
    campaign = campaign_for_viewer(request, slug)
    if not rules.can_enter_on_behalf(request.user, campaign):
        raise PermissionDenied(
            _("Only the campaign’s moderators can enter contributions for staff.")
        )
    initial = {
        "source": request.GET.get("source", ""),
        "collected_on": request.GET.get("collected_on") or timezone.localdate(),
    }
    form = OnBehalfForm(request.POST or None, campaign=campaign, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            idea = on_behalf.enter_idea(request.user, campaign, **data)
        except Refused as error:
            return refusal(request, campaign, error)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("“%(title)s” is posted anonymously. Enter the next one below.")
                % {"title": idea.title},
            )
            query = urlencode(
                {
                    "source": data["source"],
                    "collected_on": data["collected_on"].isoformat(),
                }
            )
            return redirect(reverse("on_behalf:enter", args=[slug]) + f"?{query}")
    return render(
        request,
        "conversations/on_behalf.html",
        {
            "campaign": campaign,
            "form": form,
            "entered": on_behalf.entered_count(campaign),
        },
        status=400 if form.errors else 200,
    )
