"""Board pages: starting a team's board, its settings (pinned note, paused or
archived), putting an idea forward, and the managers' list of ideas put forward."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Team
from conversations import rules
from conversations.exceptions import Refused
from conversations.models import Idea
from conversations.services import boards
from conversations.web.access import campaign_for_viewer, idea_for_viewer
from conversations.web.forms import BoardForm, BoardStateForm, CarryForm, PinnedNoteForm


def _board_for_lead(request: HttpRequest, slug: str):
    board = campaign_for_viewer(request, slug)
    if not board.is_board:
        raise Http404(_("There is no board at this address."))
    if not rules.can_pin_note(request.user, board):
        raise PermissionDenied(_("Only the team's leads can change its board."))
    return board


@login_required
def board_start(request: HttpRequest, team_slug: str) -> HttpResponse:
    team = get_object_or_404(Team, slug=team_slug)
    if not boards.can_start_board(request.user, team):
        raise PermissionDenied(_("Only the team's leads can start its board."))
    form = BoardForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            board = boards.start_board(request.user, team, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Your team's board is open."))
            return redirect(board)
    return render(
        request,
        "conversations/boards/start.html",
        {"team": team, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
def board_settings(request: HttpRequest, slug: str) -> HttpResponse:
    board = _board_for_lead(request, slug)
    note_form = PinnedNoteForm(
        request.POST if request.POST.get("action") == "note" else None,
        initial={"note": board.pinned_note},
    )
    state_form = BoardStateForm(
        request.POST if request.POST.get("action") == "state" else None,
        initial={"state": board.board_state},
    )
    can_run = rules.can_run_board(request.user, board)
    if request.method == "POST":
        if request.POST.get("action") == "note" and note_form.is_valid():
            try:
                boards.pin_note(request.user, board, note_form.cleaned_data["note"])
            except ValidationError as error:
                note_form.add_error("note", error)
            else:
                messages.success(request, _("The note is pinned on the board."))
                return redirect(board)
        elif request.POST.get("action") == "state" and state_form.is_valid():
            boards.set_board_state(request.user, board, **state_form.cleaned_data)
            messages.success(request, _("The board's state is saved."))
            return redirect(board)
    return render(
        request,
        "conversations/boards/settings.html",
        {
            "campaign": board,
            "note_form": note_form,
            "state_form": state_form if can_run else None,
        },
        status=400 if note_form.errors or state_form.errors else 200,
    )


@login_required
@require_POST
def idea_put_forward(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    board = campaign_for_viewer(request, slug)
    idea = idea_for_viewer(request, board, pk)
    try:
        boards.put_forward(request.user, idea, request.POST.get("note", ""))
    except Refused as error:
        return render(
            request,
            "conversations/refused.html",
            {"campaign": board, "message": error.message},
            status=error.status_code,
        )
    messages.success(request, _("Put forward: the engagement managers have been told."))
    return redirect(idea.get_absolute_url())


@login_required
def put_forward_list(request: HttpRequest) -> HttpResponse:
    if not rules.can_manage(request.user):
        raise PermissionDenied(_("Only engagement managers can see this."))
    campaigns = boards.upcoming_campaigns(timezone.now())
    ideas = list(boards.put_forward_ideas())
    for idea in ideas:
        idea.carry_form = CarryForm(campaigns=campaigns, prefix=f"idea-{idea.pk}")
    return render(
        request,
        "conversations/boards/put_forward.html",
        {"ideas": ideas, "has_campaigns": campaigns.exists()},
    )


@login_required
@require_POST
def carry(request: HttpRequest, pk: int) -> HttpResponse:
    if not rules.can_manage(request.user):
        raise PermissionDenied(_("Only engagement managers can carry ideas forward."))
    idea = get_object_or_404(Idea.objects.select_related("campaign"), pk=pk)
    form = CarryForm(
        request.POST,
        campaigns=boards.upcoming_campaigns(timezone.now()),
        prefix=f"idea-{idea.pk}",
    )
    if not form.is_valid():
        messages.error(request, _("Choose the campaign to carry it into."))
        return redirect("conversations:put_forward_list")
    try:
        carried = boards.carry_into(request.user, idea, form.cleaned_data["campaign"])
    except (Refused, ValidationError) as error:
        messages.error(request, getattr(error, "message", None) or error.messages[0])
        return redirect("conversations:put_forward_list")
    messages.success(request, _("Carried into the campaign. The author has been told."))
    return redirect(carried.get_absolute_url())
