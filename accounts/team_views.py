"""Team pages: "My teams", a team's members and join requests, and the engagement
managers' list of every team. Thin: fetch, check with ``accounts.teams``, call it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import teams
from accounts.forms import AddMemberForm, LeadsForm, TeamForm
from accounts.models import JoinRequest, StaffMember, Team, TeamMembership


def _annotated(queryset):
    return queryset.annotate(
        member_count=Count("memberships", distinct=True),
        pending_count=Count(
            "join_requests",
            filter=Q(join_requests__state=JoinRequest.State.PENDING),
            distinct=True,
        ),
    )


@login_required
def my_teams(request: HttpRequest) -> HttpResponse:
    memberships = (
        TeamMembership.objects.filter(staff_member=request.user)
        .select_related("team")
        .order_by("team__name")
    )
    led = [m.team_id for m in memberships if m.role == TeamMembership.Role.LEAD]
    return render(
        request,
        "accounts/teams/my_teams.html",
        {
            "memberships": memberships,
            "pending_counts": dict(
                _annotated(Team.objects.filter(pk__in=led)).values_list(
                    "pk", "pending_count"
                )
            ),
            "leads_any": bool(led),
            "my_requests": JoinRequest.objects.filter(
                staff_member=request.user, state=JoinRequest.State.PENDING
            ).select_related("team"),
        },
    )


@login_required
def team_list(request: HttpRequest) -> HttpResponse:
    """Every team: colleagues find one to ask to join; managers create them."""
    form = None
    if request.user.is_engagement_manager:
        form = TeamForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                team = teams.create_team(
                    request.user,
                    name=form.cleaned_data["name"],
                    leads=form.cleaned_data["leads"],
                )
            except ValidationError as error:
                form.add_error("name", error)
            else:
                messages.success(request, _("Team created."))
                return redirect("teams:detail", slug=team.slug)
    elif request.method == "POST":
        raise PermissionDenied(_("Only engagement managers can create teams."))
    return render(
        request,
        "accounts/teams/team_list.html",
        {"teams": _annotated(Team.objects.all()), "form": form},
        status=400 if form is not None and form.errors else 200,
    )


@login_required
def team_detail(request: HttpRequest, slug: str) -> HttpResponse:
    team = get_object_or_404(Team, slug=slug)
    is_member = teams.is_member(request.user, team)
    can_run = teams.can_run(request.user, team)
    context = {
        "team": team,
        "is_member": is_member,
        "can_run": can_run,
        "is_manager": request.user.is_engagement_manager,
        "add_form": AddMemberForm(),
        "pending_request": JoinRequest.objects.filter(
            team=team, staff_member=request.user, state=JoinRequest.State.PENDING
        ).first(),
    }
    if is_member or can_run:
        # Members see each other; outsiders see the team's name and can ask to join.
        context["memberships"] = team.memberships.select_related(
            "staff_member"
        ).order_by("-role", "staff_member__display_name", "staff_member__email")
        context["boards"] = team.boards.exclude(board_state="archived")
    if can_run:
        context["join_requests"] = team.join_requests.filter(
            state=JoinRequest.State.PENDING
        ).select_related("staff_member")
    if request.user.is_engagement_manager:
        leads = team.memberships.filter(role=TeamMembership.Role.LEAD)
        context["leads_form"] = LeadsForm(
            initial={
                "leads": "\n".join(
                    m.staff_member.email for m in leads.select_related("staff_member")
                )
            }
        )
    return render(request, "accounts/teams/team_detail.html", context)


@login_required
@require_POST
def add_member(request: HttpRequest, slug: str) -> HttpResponse:
    team = get_object_or_404(Team, slug=slug)
    if not teams.can_run(request.user, team):
        raise PermissionDenied(_("Only the team's leads can add members."))
    form = AddMemberForm(request.POST)
    if form.is_valid():
        try:
            teams.add_member(request.user, team, form.cleaned_data["email"])
        except ValidationError as error:
            form.add_error("email", error)
        else:
            messages.success(
                request,
                _("%(email)s is now in the team.")
                % {"email": form.cleaned_data["email"]},
            )
            return redirect("teams:detail", slug=team.slug)
    for error in form.errors.get("email", []):
        messages.error(request, error)
    return redirect("teams:detail", slug=team.slug)


@login_required
@require_POST
def remove_member(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    team = get_object_or_404(Team, slug=slug)
    person = get_object_or_404(StaffMember, pk=pk)
    teams.remove_member(request.user, team, person)
    messages.success(request, _("Removed from the team."))
    return redirect("teams:detail", slug=team.slug)


@login_required
@require_POST
def set_leads(request: HttpRequest, slug: str) -> HttpResponse:
    team = get_object_or_404(Team, slug=slug)
    if not request.user.is_engagement_manager:
        raise PermissionDenied(_("Only engagement managers can name team leads."))
    form = LeadsForm(request.POST)
    if form.is_valid():
        teams.set_leads(request.user, team, form.cleaned_data["leads"])
        messages.success(request, _("Team leads saved."))
    else:
        for error in form.errors.get("leads", []):
            messages.error(request, error)
    return redirect("teams:detail", slug=team.slug)


@login_required
@require_POST
def ask_to_join(request: HttpRequest, slug: str) -> HttpResponse:
    team = get_object_or_404(Team, slug=slug)
    try:
        teams.request_to_join(request.user, team)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(
            request, _("Thank you. A team lead will look at your request to join.")
        )
    return redirect("teams:detail", slug=team.slug)


@login_required
@require_POST
def decide_request(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    team = get_object_or_404(Team, slug=slug)
    join_request = get_object_or_404(JoinRequest, pk=pk, team=team)
    approve = request.POST.get("decision") == "approve"
    teams.decide_join_request(request.user, join_request, approve=approve)
    messages.success(
        request,
        _("Request approved: they are in the team now.")
        if approve
        else _("Request declined."),
    )
    return redirect("teams:detail", slug=team.slug)
