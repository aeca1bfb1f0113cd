"""Thin views: fetch with permission, call a service, render, redirect or stream."""

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from conversations import rules as conversation_rules
from conversations.exceptions import Refused
from conversations.models import Campaign, CampaignStatus, Idea
from conversations.web.access import campaign_for_viewer
from reports import exports, figures, queries, rules, services
from reports.access import (
    action_in,
    campaign_for_editor,
    idea_in,
    published_report,
    suggestion_in,
    theme_in,
)
from reports.forms import ActionForm, ReportForm
from reports.models import ActionReport, OutcomeThemeIdea, SynthesisRun
from reports.prioritisation import results as prioritisation_results

WORKSPACE_PAGE = 50


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _ids(request: HttpRequest, name: str = "ideas") -> list[int]:
    return [i for i in (_int(v) for v in request.POST.getlist(name)) if i is not None]


def _refused(request, campaign, error: Refused) -> HttpResponse:
    return render(
        request,
        "conversations/refused.html",
        {"campaign": campaign, "message": error.message},
        status=error.status_code,
    )


# -- synthesis -------------------------------------------------------------------


@login_required
def synthesis(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = campaign_for_editor(request, slug)
    run = SynthesisRun.objects.filter(campaign=campaign).first()
    suggestions = []
    if run is not None and run.state == SynthesisRun.State.DONE:
        suggestions = list(run.suggestions.select_related("accepted_as"))
        quote_ids = {pk for s in suggestions for pk in s.quote_idea_ids}
        quotes = Idea.objects.filter(
            pk__in=quote_ids, visibility="visible"
        ).select_related("author")
        by_id = {idea.pk: idea for idea in quotes}
        for suggestion in suggestions:
            suggestion.quotes = [
                by_id[pk] for pk in suggestion.quote_idea_ids if pk in by_id
            ]
            suggestion.size = len(suggestion.idea_ids)
    themes = list(campaign.themes.all())
    theme_id = _int(request.GET.get("theme"))
    if theme_id not in {t.pk for t in themes}:
        theme_id = None
    status = request.GET.get("status", "")
    if status not in Idea.Status.values:
        status = ""
    placed = request.GET.get("placed", "")
    sort = request.GET.get("sort", "supported")
    if sort not in queries.SORTS:
        sort = "supported"
    ideas = queries.workspace_ideas(
        campaign, theme_id=theme_id, status=status, placed=placed, sort=sort
    )
    page = Paginator(ideas, WORKSPACE_PAGE).get_page(request.GET.get("page"))
    outcome_themes = queries.outcome_themes(campaign)
    return render(
        request,
        "reports/synthesis.html",
        {
            "campaign": campaign,
            "run": run,
            "suggestions": suggestions,
            "outcome_themes": outcome_themes,
            "themes": themes,
            "theme_id": theme_id,
            "status": status,
            "statuses": Idea.Status.choices,
            "placed": placed,
            "sort": sort,
            "page": page,
        },
    )


@login_required
@require_POST
def synthesis_start(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = campaign_for_editor(request, slug)
    services.start_synthesis(request.user, campaign)
    messages.info(request, _("Suggesting groups. This page shows how far it has got."))
    return redirect("reports:synthesis", slug=campaign.slug)


@login_required
def synthesis_progress(request: HttpRequest, slug: str) -> JsonResponse:
    campaign = campaign_for_editor(request, slug)
    run = SynthesisRun.objects.filter(campaign=campaign).first()
    if run is None:
        return JsonResponse({"state": "none", "progress": 0})
    return JsonResponse({"state": run.state, "progress": run.progress})


def _back_to_workspace(campaign: Campaign) -> HttpResponse:
    return redirect(reverse("reports:synthesis", args=[campaign.slug]) + "#themes")


def _edit(request, campaign, do, success: str) -> HttpResponse:
    """Run a service for a synthesis form; its refusal or validation error is shown."""
    try:
        do()
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except Refused as error:
        return _refused(request, campaign, error)
    else:
        messages.success(request, success)
    return _back_to_workspace(campaign)


@login_required
@require_POST
def suggestion_accept(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    campaign = campaign_for_editor(request, slug)
    group = suggestion_in(campaign, pk)
    return _edit(
        request,
        campaign,
        lambda: services.accept_suggestion(
            request.user, group, request.POST.get("name", "")
        ),
        _("The group is now an outcome theme."),
    )


@login_required
@require_POST
def theme_create(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = campaign_for_editor(request, slug)
    return _edit(
        request,
        campaign,
        lambda: services.create_theme(
            request.user, campaign, request.POST.get("name", ""), _ids(request)
        ),
        _("Outcome theme added."),
    )


@login_required
@require_POST
def theme_change(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Rename, split, merge or delete an outcome theme (``action`` says which)."""
    campaign = campaign_for_editor(request, slug)
    theme = theme_in(campaign, pk)
    action = request.POST.get("action")
    if action == "rename":
        return _edit(
            request,
            campaign,
            lambda: services.update_theme(
                request.user,
                theme,
                name=request.POST.get("name", ""),
                summary=request.POST.get("summary", ""),
            ),
            _("Outcome theme saved."),
        )
    if action == "split":
        return _edit(
            request,
            campaign,
            lambda: services.split_theme(
                request.user, theme, _ids(request), request.POST.get("name", "")
            ),
            _("The chosen ideas are in a new outcome theme."),
        )
    if action == "merge":
        into = theme_in(campaign, _int(request.POST.get("into")))
        return _edit(
            request,
            campaign,
            lambda: services.merge_themes(request.user, theme, into),
            _("The outcome themes are merged."),
        )
    if action == "delete":
        return _edit(
            request,
            campaign,
            lambda: services.delete_theme(request.user, theme),
            _("Outcome theme removed; its ideas are ungrouped."),
        )
    return _back_to_workspace(campaign)


@login_required
@require_POST
def idea_move(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    campaign = campaign_for_editor(request, slug)
    idea = idea_in(campaign, pk)
    target = _int(request.POST.get("theme"))
    theme = theme_in(campaign, target) if target else None
    response = _edit(
        request,
        campaign,
        lambda: services.move_idea(request.user, idea, theme),
        _("Idea moved."),
    )
    back = request.POST.get("next", "")
    if back.startswith(reverse("reports:synthesis", args=[campaign.slug])):
        return redirect(back)
    return response


# -- the report ------------------------------------------------------------------


def _theme_ideas(campaign: Campaign, action=None) -> list[Idea]:
    """Ideas an action may answer: those grouped into outcome themes (and its own)."""
    ids = set(
        OutcomeThemeIdea.objects.filter(theme__campaign=campaign).values_list(
            "idea_id", flat=True
        )
    )
    if action is not None:
        ids |= set(action.ideas.values_list("pk", flat=True))
    return list(Idea.objects.filter(pk__in=ids).order_by("title", "pk"))


@login_required
def report_edit(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = campaign_for_editor(request, slug)
    report = services.report_for(campaign)
    form = ReportForm(
        request.POST or None,
        initial={"title": report.title, "summary": report.summary},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_report(request.user, report, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Report saved."))
            return redirect("reports:report_edit", slug=campaign.slug)
    content = queries.report_content(report)
    return render(
        request,
        "reports/report_edit.html",
        {
            **content,
            "form": form,
            "action_form": ActionForm(
                themes=content["themes"],
                ideas=_theme_ideas(campaign),
                published=report.is_published,
            ),
            "status": campaign.status(timezone.now()),
        },
        status=400 if form.errors else 200,
    )


def _action_args(form: ActionForm, campaign: Campaign) -> dict:
    data = dict(form.cleaned_data)
    theme_id = data.pop("theme")
    data["theme"] = theme_in(campaign, theme_id) if theme_id else None
    data["idea_ids"] = data.pop("ideas")
    return data


@login_required
def action_create(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = campaign_for_editor(request, slug)
    report = services.report_for(campaign)
    themes = queries.outcome_themes(campaign)
    form = ActionForm(
        request.POST or None,
        themes=themes,
        ideas=_theme_ideas(campaign),
        published=report.is_published,
    )
    if request.method == "POST" and form.is_valid():
        data = _action_args(form, campaign)
        data.pop("note", None)
        try:
            services.add_action(request.user, report, **data)
        except ValidationError as error:
            form.add_error(None, error)
        except Refused as error:
            return _refused(request, campaign, error)
        else:
            messages.success(request, _("Action added."))
            return redirect(reverse("reports:report_edit", args=[slug]) + "#actions")
    return render(
        request,
        "reports/action_form.html",
        {"campaign": campaign, "report": report, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
def action_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    campaign = campaign_for_editor(request, slug)
    action = action_in(campaign, pk)
    report = action.report
    form = ActionForm(
        request.POST or None,
        themes=queries.outcome_themes(campaign),
        ideas=_theme_ideas(campaign, action),
        published=report.is_published,
        initial={
            "title": action.title,
            "owner": action.owner,
            "due_date": action.due_date,
            "status": action.status,
            "theme": action.theme_id,
            "description": action.description,
            "ideas": list(action.ideas.values_list("pk", flat=True)),
        },
    )
    if request.method == "POST" and request.POST.get("delete"):
        services.delete_action(request.user, action)
        messages.success(request, _("Action removed."))
        return redirect(reverse("reports:report_edit", args=[slug]) + "#actions")
    if request.method == "POST" and form.is_valid():
        try:
            services.update_action(request.user, action, **_action_args(form, campaign))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Action saved."))
            return redirect(reverse("reports:report_edit", args=[slug]) + "#actions")
    return render(
        request,
        "reports/action_form.html",
        {"campaign": campaign, "report": report, "form": form, "action": action},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def report_publish(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = campaign_for_editor(request, slug)
    report = services.report_for(campaign)
    try:
        told = services.publish_report(request.user, report)
    except Refused as error:
        return _refused(request, campaign, error)
    messages.success(
        request,
        _("The report is published. %(n)d people who took part have been told.")
        % {"n": told},
    )
    return redirect(report)


@login_required
def report_detail(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = campaign_for_viewer(request, slug)
    report = ActionReport.objects.filter(campaign=campaign).first()
    can_edit = rules.can_edit_report(request.user, campaign)
    if (report is None or not report.is_published) and can_edit:
        return redirect("reports:report_edit", slug=campaign.slug)
    report = published_report(campaign)
    return render(
        request,
        "reports/report_detail.html",
        {**queries.report_content(report), "can_edit": can_edit},
    )


@login_required
def report_preview(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = campaign_for_editor(request, slug)
    report = services.report_for(campaign)
    content = queries.report_content(report)
    if not report.is_published:
        content["figures"] = figures.campaign_figures(campaign)
    return render(
        request,
        "reports/report_detail.html",
        {**content, "preview": True, "can_edit": True},
    )


def _readable_report(request: HttpRequest, slug: str):
    campaign = campaign_for_viewer(request, slug)
    if rules.can_edit_report(request.user, campaign):
        report = services.report_for(campaign)
        content = queries.report_content(report)
        if not report.is_published:
            content["figures"] = figures.campaign_figures(campaign)
        return content
    return queries.report_content(published_report(campaign))


@login_required
def report_print(request: HttpRequest, slug: str) -> HttpResponse:
    content = _readable_report(request, slug)
    return render(request, "reports/report_print.html", content)


def _refuse_fetching(url: str, *args, **kwargs):
    """Nothing is fetched while making a PDF: the stylesheet is handed over directly,
    and a link or image in someone's post must not make the server call out."""
    raise ValueError(f"Not fetched: {url}")


# WeasyPrint logs every layout step at INFO; only its warnings are worth keeping.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


@login_required
def report_pdf(request: HttpRequest, slug: str) -> HttpResponse:
    from weasyprint import CSS, HTML

    content = _readable_report(request, slug)
    page = render_to_string(
        "reports/report_print.html", {**content, "for_pdf": True}, request=request
    )
    stylesheet = CSS(filename=finders.find("css/report-print.css"))
    pdf = HTML(string=page, url_fetcher=_refuse_fetching, base_url="/").write_pdf(
        stylesheets=[stylesheet]
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="{content["campaign"].slug}-report.pdf"'
    )
    return response


# -- figures ---------------------------------------------------------------------


def _analytics_context(request, campaign: Campaign) -> dict:
    report = ActionReport.objects.filter(
        campaign=campaign, state=ActionReport.State.PUBLISHED
    ).first()
    now = timezone.now()
    if report is not None and report.figures:
        data, frozen = figures.as_published(report.figures), True
    else:
        data, frozen = figures.campaign_figures(campaign, now), False
    return {
        "campaign": campaign,
        "figures": data,
        "charts": queries.analytics_charts(data),
        "frozen": frozen,
        "report": report,
        "live": not frozen and campaign.status(now) == CampaignStatus.OPEN,
        "can_edit": rules.can_edit_report(request.user, campaign),
    }


@login_required
def analytics(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = campaign_for_viewer(request, slug)
    return render(
        request, "reports/analytics.html", _analytics_context(request, campaign)
    )


@login_required
def analytics_fragment(request: HttpRequest, slug: str) -> HttpResponse:
    """The figures alone, for the live page to swap in (the same partial it renders)."""
    campaign = campaign_for_viewer(request, slug)
    return render(
        request,
        "reports/includes/figures.html",
        _analytics_context(request, campaign),
    )


@login_required
def analytics_csv(request: HttpRequest, slug: str) -> StreamingHttpResponse:
    campaign = campaign_for_editor(request, slug)
    data = _analytics_context(request, campaign)["figures"]
    response = StreamingHttpResponse(
        exports.figures_csv_lines(data), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="{campaign.slug}-analytics.csv"'
    )
    return response


@login_required
def contributions_export(request: HttpRequest, slug: str, fmt: str):
    campaign = campaign_for_editor(request, slug)
    if fmt not in ("csv", "json"):
        raise Http404()
    include_hidden = request.GET.get("hidden") == "1" and rules.can_export_hidden(
        request.user, campaign
    )
    if fmt == "json":
        rows = exports.contributions(campaign, include_hidden=include_hidden)
        body, content_type = exports.json_lines(rows), "application/json"
    else:
        rows = exports.contribution_rows(campaign, include_hidden=include_hidden)
        body, content_type = exports.csv_lines(rows), "text/csv; charset=utf-8"
    response = StreamingHttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = (
        f'attachment; filename="{campaign.slug}-contributions.{fmt}"'
    )
    return response


# -- outcomes --------------------------------------------------------------------


@login_required
def outcomes(request: HttpRequest) -> HttpResponse:
    campaigns = conversation_rules.visible_campaigns(request.user)
    reports = list(queries.published_reports(campaigns))
    for report in reports:
        total = report.action_total
        report.percent_done = round(100 * report.action_done / total) if total else 0
    campaigns_to_report = []
    if rules.can_edit_report(request.user, None):
        campaigns_to_report = (
            campaigns.filter(kind=Campaign.Kind.CAMPAIGN, is_published=True)
            .exclude(action_report__state=ActionReport.State.PUBLISHED)
            .order_by("-opens_at")
        )
    return render(
        request,
        "reports/outcomes.html",
        {
            "reports": reports,
            "campaigns_to_report": campaigns_to_report,
            "open_rounds": prioritisation_results.open_rounds(
                campaigns, timezone.now()
            ),
        },
    )
