"""Outcome themes (accept, rename, split, merge, move) and the action report's life:
draft, publish (notify, freeze figures, tell ideas), status updates with dates."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from conversations.exceptions import Refused
from conversations.models import Idea, Participation
from notifications.models import Notification
from reports import services, synthesis
from reports.models import (
    Action,
    ActionUpdate,
    OutcomeTheme,
    SuggestedGroup,
    SynthesisRun,
)
from tests.reports.conftest import idea_titles

pytestmark = pytest.mark.django_db


@pytest.fixture
def suggestions(topical_campaign, editor):
    run = SynthesisRun.objects.create(campaign=topical_campaign, requested_by=editor)
    services.compute_synthesis(run)
    return list(run.suggestions.all())


def _parking(groups) -> SuggestedGroup:
    return next(g for g in groups if "parking" in g.key_phrases)


def test_accepting_a_suggestion_makes_a_named_outcome_theme(suggestions, editor):
    group = _parking(suggestions)
    theme = services.accept_suggestion(editor, group, "Getting to work")

    assert theme.name == "Getting to work"
    assert set(theme.links.values_list("idea_id", flat=True)) == set(group.idea_ids)
    group.refresh_from_db()
    assert group.accepted_as == theme


def test_an_idea_is_in_one_outcome_theme_at_a_time(
    suggestions, editor, topical_campaign
):
    parking = services.accept_suggestion(editor, _parking(suggestions))
    moved = Idea.objects.get(pk=_parking(suggestions).idea_ids[0])
    other = services.create_theme(editor, topical_campaign, "Other", [moved.pk])

    assert moved.outcome_link.theme == other
    assert parking.links.filter(idea=moved).count() == 0
    services.move_idea(editor, moved, parking)
    moved.refresh_from_db()
    assert moved.outcome_link.theme == parking
    services.move_idea(editor, moved, None)
    assert not OutcomeTheme.objects.filter(links__idea=moved).exists()


def test_split_moves_the_chosen_ideas_into_a_new_theme(suggestions, editor):
    theme = services.accept_suggestion(editor, _parking(suggestions), "Parking")
    ids = list(theme.links.values_list("idea_id", flat=True))
    new = services.split_theme(editor, theme, ids[:2], "Permits")

    assert set(new.links.values_list("idea_id", flat=True)) == set(ids[:2])
    assert set(theme.links.values_list("idea_id", flat=True)) == set(ids[2:])
    with pytest.raises(ValidationError):
        services.split_theme(editor, theme, [], "Nothing")


def test_merge_moves_ideas_and_actions_and_removes_the_theme(
    suggestions, editor, topical_campaign
):
    a = services.accept_suggestion(editor, suggestions[0], "A")
    b = services.accept_suggestion(editor, suggestions[1], "B")
    report = services.report_for(topical_campaign)
    action = services.add_action(editor, report, title="Do it", owner="HR", theme=a)
    services.merge_themes(editor, a, b)

    assert not OutcomeTheme.objects.filter(pk=a.pk).exists()
    assert b.links.count() == len(suggestions[0].idea_ids) + len(
        suggestions[1].idea_ids
    )
    action.refresh_from_db()
    assert action.theme == b


def test_ideas_from_another_campaign_are_ignored(
    topical_campaign, editor, make_campaign, make_idea
):
    elsewhere = make_idea(make_campaign("closed"))
    theme = services.create_theme(editor, topical_campaign, "Mine", [elsewhere.pk])
    report = services.report_for(topical_campaign)
    action = services.add_action(
        editor, report, title="x", owner="y", idea_ids=[elsewhere.pk]
    )

    assert theme.links.count() == 0
    assert action.ideas.count() == 0


def test_staff_cannot_change_themes_or_reports(topical_campaign, staff, editor):
    theme = services.create_theme(editor, topical_campaign, "Mine")
    report = services.report_for(topical_campaign)
    with pytest.raises(Refused):
        services.update_theme(staff, theme, name="Theirs")
    with pytest.raises(Refused):
        services.add_action(staff, report, title="x", owner="y")
    with pytest.raises(Refused):
        services.publish_report(staff, report)


def test_publishing_notifies_everyone_who_took_part_and_freezes_figures(
    topical_campaign, editor, make_staff
):
    voter = make_staff()
    Participation.objects.create(campaign=topical_campaign, staff_member=voter)
    gone = make_staff()
    gone.is_active = False
    gone.save()
    Participation.objects.create(campaign=topical_campaign, staff_member=gone)
    report = services.report_for(topical_campaign)
    told = services.publish_report(editor, report)

    people = Participation.objects.filter(campaign=topical_campaign).count()
    assert told == people - 1  # not the deleted account
    notes = Notification.objects.filter(kind="report_published")
    assert notes.count() == told
    assert notes.filter(recipient=voter).exists()
    assert notes.first().url == report.get_absolute_url()
    report.refresh_from_db()
    assert report.is_published and report.published_at is not None
    assert report.figures["people"] == people
    assert report.figures["ideas"] == 12
    with pytest.raises(Refused):
        services.publish_report(editor, report)


def test_frozen_figures_do_not_change_after_publication(
    topical_campaign, editor, make_idea
):
    report = services.report_for(topical_campaign)
    services.publish_report(editor, report)
    make_idea(topical_campaign)
    report.refresh_from_db()

    assert report.figures["ideas"] == 12


def test_linked_ideas_show_what_happened_once_published(topical_campaign, editor):
    idea = topical_campaign.topical_ideas[4]
    report = services.report_for(topical_campaign)
    action = services.add_action(
        editor,
        report,
        title="Twenty new parking spaces",
        owner="Estates",
        due_date=date(2027, 3, 31),
        idea_ids=[idea.pk],
    )
    idea.refresh_from_db()
    assert idea.outcome_note == ""  # a draft tells nobody

    services.publish_report(editor, report)
    idea.refresh_from_db()
    assert "Twenty new parking spaces" in idea.outcome_note
    assert "31 March 2027" in idea.outcome_note
    assert idea.outcome_url == action.get_absolute_url()


def test_status_changes_after_publication_are_kept_with_dates(topical_campaign, editor):
    idea = topical_campaign.topical_ideas[0]
    report = services.report_for(topical_campaign)
    action = services.add_action(
        editor, report, title="Rest rooms", owner="Estates", idea_ids=[idea.pk]
    )
    services.update_action(
        editor,
        action,
        title="Rest rooms",
        owner="Estates",
        due_date=None,
        status=Action.Status.IN_PROGRESS,
        idea_ids=[idea.pk],
    )
    assert ActionUpdate.objects.count() == 0  # drafts keep no history

    services.publish_report(editor, report)
    services.update_action(
        editor,
        action,
        title="Rest rooms",
        owner="Estates",
        due_date=None,
        status=Action.Status.DONE,
        idea_ids=[idea.pk],
        note="Opened on Ward 3",
    )
    updates = list(action.updates.values_list("status", "note"))
    assert updates == [("in_progress", ""), ("done", "Opened on Ward 3")]
    assert all(u.changed_at for u in action.updates.all())
    idea.refresh_from_db()
    assert idea.outcome_note.startswith("Done")


def test_unlinking_an_idea_takes_its_note_away(topical_campaign, editor):
    idea = topical_campaign.topical_ideas[0]
    report = services.report_for(topical_campaign)
    action = services.add_action(
        editor, report, title="Rest rooms", owner="Estates", idea_ids=[idea.pk]
    )
    services.publish_report(editor, report)
    services.update_action(
        editor,
        action,
        title="Rest rooms",
        owner="Estates",
        due_date=None,
        status=Action.Status.PLANNED,
        idea_ids=[],
    )
    idea.refresh_from_db()
    assert idea.outcome_note == ""


def test_suggestions_use_only_this_campaigns_ideas(suggestions, topical_campaign):
    every = {i for g in suggestions for i in g.idea_ids}
    assert idea_titles(topical_campaign, every) == {
        i.title for i in topical_campaign.topical_ideas
    }
    assert synthesis.group_count(12) == 3


def test_an_ideas_outcome_note_is_plain_text_and_links_only_within_the_site(
    topical_campaign,
):
    from conversations.services import record_outcome

    idea = topical_campaign.topical_ideas[0]
    record_outcome(
        idea, "<script>alert(1)</script>Done: rest rooms", "javascript:alert(1)"
    )
    idea.refresh_from_db()

    assert "<script>" not in idea.outcome_note
    assert "Done: rest rooms" in idea.outcome_note
    assert idea.outcome_url == ""
