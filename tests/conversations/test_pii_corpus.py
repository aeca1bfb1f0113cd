"""Patients stay out: a corpus of forms an NHS number or a UK phone number is written in
(and look-alikes that must not be held), run through every service that takes text.

Each form goes through: a new idea (its text, and its title), a comment, the author's
edit of an idea and of a comment, and an idea carried from a board into a campaign on
its author's behalf, which are held like a new post; and, refused instead, the texts
published as typed: what a moderator enters for staff without a screen (they are there
to take it out), a moderator's edit, an action report's summary and an action, and a
board's pinned note.
"""

import importlib

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from conversations import services
from conversations.live import events
from conversations.models import CampaignEvent, Idea, Visibility
from conversations.services import boards, moderation, own_posts
from reports import services as report_services
from tests.conversations.conftest import event_types

pytestmark = pytest.mark.django_db

try:  # entering for staff without a screen (issue 18), where it is installed
    on_behalf = importlib.import_module("conversations.services.on_behalf")
except ImportError:  # pragma: no cover
    on_behalf = None

NHS = "9434765919"  # NHS England's published test number


def _g(sep: str, digits: str = NHS) -> str:
    return f"{digits[:3]}{sep}{digits[3:6]}{sep}{digits[6:]}"


def _wide(text: str) -> str:
    """Full-width digits (U+FF10...), as a Japanese or Chinese keyboard types them."""
    return "".join(chr(0xFF10 + int(c)) if c.isdigit() else c for c in text)


HELD = [
    # NHS numbers, every separator and script a reader still reads as the number.
    ("nhs plain", f"Patient {NHS} waited six hours"),
    ("nhs spaces", f"Patient {_g(' ')} waited"),
    ("nhs hyphens", f"NHS no. {_g('-')}."),
    ("nhs dots", f"ref {_g('.')}"),
    ("nhs slashes", f"ref {_g('/')}"),
    ("nhs double spaces", f"ref {_g('  ')}"),
    ("nhs spaced hyphens", f"ref {_g(' - ')}"),
    ("nhs spaced slashes", f"ref {_g(' / ')}"),
    ("nhs underscores", f"ref {_g('_')}"),
    ("nhs en dash", f"ref {_g(chr(0x2013))}"),
    ("nhs em dash", f"ref {_g(chr(0x2014))}"),
    ("nhs minus sign", f"ref {_g(chr(0x2212))}"),
    ("nhs unicode hyphen", f"ref {_g(chr(0x2010))}"),
    ("nhs non-breaking hyphen", f"ref {_g(chr(0x2011))}"),
    ("nhs full-width hyphen", f"ref {_g(chr(0xFF0D))}"),
    ("nhs non-breaking space", f"ref {_g(chr(0xA0))}"),
    ("nhs narrow nbsp", f"ref {_g(chr(0x202F))}"),
    ("nhs ideographic space", f"ref {_g(chr(0x3000))}"),
    ("nhs zero-width space", f"ref {_g(chr(0x200B))}"),
    ("nhs zero-width joiners", "ref 94\u200d3476\u200c5919"),
    ("nhs word joiner", f"ref {_g(chr(0x2060))}"),
    ("nhs soft hyphen", f"ref {_g(chr(0xAD))}"),
    ("nhs nbsp entity", "ref 943&nbsp;476&nbsp;5919"),
    ("nhs full-width digits", f"ref {_wide(_g(' '))}"),
    (
        "nhs arabic-indic digits",
        "ref \u0669\u0664\u0663\u0664\u0667\u0666\u0665\u0669\u0661\u0669",
    ),
    ("nhs markup between digits", "<p>ref 943<b>476</b>5919</p>"),
    ("nhs markup inside a group", "<p>ref 9<em>43</em> 476 59<strong>19</strong></p>"),
    ("nhs another number", "Mrs B, 401 023 2137, bay 4"),
    ("nhs dots other number", "999.000.0026 needs a bed"),
    # UK phone numbers, as the phonenumbers library reads them.
    ("phone mobile", "ring me on 07911 123456"),
    ("phone mobile unspaced", "07911123456"),
    ("phone mobile hyphens", "07911-123-456"),
    ("phone mobile dots", "07911.123.456"),
    ("phone +44", "+44 7911 123456"),
    ("phone +44 unspaced", "+447911123456"),
    ("phone +44 (0)", "+44 (0)7911 123456"),
    ("phone 0044", "0044 7911 123 456"),
    ("phone london", "(020) 7946 0958"),
    ("phone london hyphens", "020-7946-0958"),
    ("phone manchester", "0161 496 0123"),
    ("phone en dashes", "07911\u2013123\u2013456"),
    ("phone nbsp", "07911\u00a0123456"),
    ("phone full-width", _wide("07911 123456")),
    ("phone markup", "<p>ring 079<b>11</b> 123456</p>"),
    ("phone drama range", "ring 07700 900123"),
]

NOT_HELD = [
    ("wrong check digit", "Ticket 943 476 5918 is closed"),
    ("wrong check digit dots", "Ticket 943.476.5918 is closed"),
    ("check digit would be 10", "Order 123 456 7890 arrived"),
    ("longer run of digits", "Budget 943476591900 this year"),
    ("not 3-3-4 groups", "Call 943 4765 919"),
    ("date and time slashes", "Handover on 12/03/2024 09:30"),
    ("date and time dots", "12.03.2024 09:30 in the day room"),
    ("iso date and time", "2024-03-12 10:15"),
    ("thousands", "We had 1,234,567 visits in 2024"),
    ("ward figures", "Ward 7, bed 12, 4 nurses for 28 patients in 2024"),
    ("version number", "Version 1.2.3.4 of the rota tool"),
    ("organisation number 0300", "Call 0300 123 1234 for the helpdesk"),
    ("freephone", "0800 123 4567 is free"),
    ("emergency", "Dial 999 or 111"),
    ("extension", "extension 4567"),
    ("shift times", "Shift 07:00 to 19:30"),
    ("french number", "+33 1 23 45 67 89"),
    ("percentages", "0.5% 1.5% 2.5% and 10 20"),
]

CORPUS = [(name, text, True) for name, text in HELD] + [
    (name, text, False) for name, text in NOT_HELD
]


def _refused(call) -> bool:
    try:
        call()
    except ValidationError:
        return True
    return False


def _paths(
    text, *, make_staff, make_campaign, make_board, make_idea, moderator, manager
):
    """Run ``text`` through each path; {path: whether it was held (or refused)}."""
    campaign = make_campaign("open")
    theme = campaign.themes.first()
    author = make_staff()
    seen: dict[str, bool] = {}

    idea = services.post_idea(author, campaign, theme=theme, title="Rest", body=text)
    seen["idea text"] = idea.visibility == Visibility.HELD
    titled = services.post_idea(
        author, campaign, theme=theme, title=text[:150], body="Somewhere quiet."
    )
    seen["idea title"] = titled.visibility == Visibility.HELD

    plain = services.post_idea(author, campaign, theme=theme, title="Rest", body="Hi")
    comment = services.post_comment(author, plain, body=text)
    seen["comment"] = comment.visibility == Visibility.HELD

    edited = services.post_idea(author, campaign, theme=theme, title="Edit", body="A")
    own_posts.edit_own_idea(author, edited, title="Edit", body=text)
    edited.refresh_from_db()
    seen["edit of an idea"] = edited.visibility == Visibility.HELD

    shown = services.post_comment(author, plain, body="Fine")
    own_posts.edit_own_comment(author, shown, body=text)
    shown.refresh_from_db()
    seen["edit of a comment"] = shown.visibility == Visibility.HELD

    lead = make_staff()
    board = make_board(lead=lead)
    board_idea = make_idea(board, author=author, title="From the ward", body=text)
    board_idea.put_forward_at = timezone.now()
    board_idea.save(update_fields=["put_forward_at"])
    carried = boards.carry_into(manager, board_idea, campaign, theme)
    seen["carried on the author's behalf"] = carried.visibility == Visibility.HELD

    target = services.post_idea(author, campaign, theme=theme, title="T", body="Old")
    seen["moderator's edit"] = _refused(
        lambda: moderation.edit_post(moderator, target, title="T", body=text)
    )

    if on_behalf is not None:
        seen["entered on someone's behalf"] = _refused(
            lambda: on_behalf.enter_idea(
                moderator,
                campaign,
                theme=theme,
                title="From the paper box",
                body=text,
                source=Idea.Source.PAPER,
                collected_on=timezone.localdate(),
            )
        )

    report = report_services.report_for(campaign)
    seen["report summary"] = _refused(
        lambda: report_services.update_report(
            manager, report, title="You said", summary=text
        )
    )
    seen["report action"] = _refused(
        lambda: report_services.add_action(
            manager, report, title="A quiet room", owner="Estates", description=text
        )
    )
    seen["pinned note"] = _refused(lambda: boards.pin_note(lead, board, text))

    # Nothing held reached the campaign's viewers: no numbered event carries it (the
    # edited idea was shown before its edit, and is then only taken off pages).
    held = [i.pk for i in (idea, titled, carried) if i.visibility == "held"]
    events_of = CampaignEvent.objects.filter(campaign=campaign)
    assert not events_of.filter(payload__idea_id__in=held).exists()
    if edited.visibility == "held":
        assert not events_of.filter(type="idea.edited", payload__idea_id=edited.pk)
    return seen


@pytest.mark.parametrize(
    ("name", "text", "should_hold"), CORPUS, ids=[c[0] for c in CORPUS]
)
def test_every_path_holds_what_identifies_a_patient_and_nothing_else(
    name,
    text,
    should_hold,
    make_staff,
    make_campaign,
    make_board,
    make_idea,
    moderator,
    manager,
):
    seen = _paths(
        text,
        make_staff=make_staff,
        make_campaign=make_campaign,
        make_board=make_board,
        make_idea=make_idea,
        moderator=moderator,
        manager=manager,
    )
    wrong = sorted(path for path, held in seen.items() if held != should_hold)
    assert wrong == [], f"{name!r}: {'not ' if should_hold else ''}held by {wrong}"


def test_the_corpus_is_at_least_forty_forms_held_and_not_held():
    assert len(HELD) >= 40 and len(NOT_HELD) >= 15


def test_a_held_idea_is_in_no_numbered_event_and_no_count(
    make_staff, make_campaign, published, django_capture_on_commit_callbacks
):
    from conversations import stats

    campaign = make_campaign("open")
    author = make_staff()
    with django_capture_on_commit_callbacks(execute=True):
        services.post_idea(
            author,
            campaign,
            theme=campaign.themes.first(),
            title="Bay 4",
            body=f"ref {_g(chr(0x2013))}",
        )

    assert event_types(campaign) == []
    assert stats.counts(campaign).ideas == 0
    assert [g for g, _ in published] == [events.moderators_group(campaign.pk)]
