"""Suggested groups: computed from the words of ideas and comments, deterministic,
in a background task with progress, never quoting hidden posts."""

import pytest

from conversations.models import Visibility
from reports import services, synthesis
from reports.models import SuggestedGroup, SynthesisRun
from tests.reports.conftest import TOPICS, idea_titles

pytestmark = pytest.mark.django_db


def _groups_by_titles(campaign, groups):
    return sorted(sorted(idea_titles(campaign, g.idea_ids)) for g in groups)


def test_similar_ideas_are_suggested_as_one_group(topical_campaign):
    count, groups = synthesis.run(topical_campaign)

    assert count == 12
    expected = sorted(sorted(t for t, _ in topic) for topic in TOPICS.values())
    assert _groups_by_titles(topical_campaign, groups) == expected
    phrases = {p for g in groups for p in g.key_phrases}
    assert {"parking", "rota", "rest"} <= phrases


def test_the_same_ideas_give_the_same_suggestions(topical_campaign):
    _, first = synthesis.run(topical_campaign)
    _, second = synthesis.run(topical_campaign)

    assert [(g.label, g.idea_ids, g.quote_idea_ids) for g in first] == [
        (g.label, g.idea_ids, g.quote_idea_ids) for g in second
    ]


def test_hidden_and_held_ideas_are_never_read_or_quoted(topical_campaign, make_idea):
    hidden = make_idea(
        topical_campaign,
        title="Parking parking parking car park",
        body="<p>parking car park spaces</p>",
        visibility=Visibility.HIDDEN,
    )
    held = make_idea(
        topical_campaign,
        title="Rota rota shifts",
        body="<p>rota system shifts</p>",
        visibility=Visibility.HELD,
    )
    count, groups = synthesis.run(topical_campaign)

    assert count == 12
    every_id = {i for g in groups for i in g.idea_ids + g.quote_idea_ids}
    assert hidden.pk not in every_id and held.pk not in every_id


def test_comments_count_towards_an_ideas_words(make_campaign, make_idea, make_comment):
    campaign = make_campaign("closed")
    plain = [
        make_idea(campaign, title=f"Idea {n}", body="<p>Something</p>")
        for n in range(4)
    ]
    for idea in plain[:2]:
        make_comment(idea, body="Parking spaces in the car park are always full")
    ids, texts = synthesis.documents(campaign)

    assert "car park" in texts[ids.index(plain[0].pk)]
    assert "car park" not in texts[ids.index(plain[3].pk)]


def test_a_campaign_with_no_ideas_suggests_nothing(make_campaign):
    assert synthesis.run(make_campaign("closed")) == (0, [])


def test_synthesis_runs_as_a_task_and_records_its_progress(
    topical_campaign, editor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        run = services.start_synthesis(editor, topical_campaign)
        assert run.state == SynthesisRun.State.QUEUED  # not done inside the request

    run.refresh_from_db()
    assert run.state == SynthesisRun.State.DONE
    assert run.progress == 100
    assert run.idea_count == 12
    assert run.seconds is not None
    assert SuggestedGroup.objects.filter(run=run).count() == 3


def test_only_one_synthesis_runs_at_a_time(topical_campaign, editor):
    first = services.start_synthesis(editor, topical_campaign)  # on_commit never ran
    again = services.start_synthesis(editor, topical_campaign)

    assert again.pk == first.pk
    assert SynthesisRun.objects.count() == 1


def test_a_failed_synthesis_is_marked_failed(topical_campaign, editor, monkeypatch):
    run = SynthesisRun.objects.create(campaign=topical_campaign, requested_by=editor)

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(synthesis, "run", broken)
    with pytest.raises(RuntimeError):
        services.compute_synthesis(run)
    run.refresh_from_db()
    assert run.state == SynthesisRun.State.FAILED


def test_staff_cannot_start_a_synthesis(topical_campaign, staff):
    from conversations.exceptions import Refused

    with pytest.raises(Refused):
        services.start_synthesis(staff, topical_campaign)
