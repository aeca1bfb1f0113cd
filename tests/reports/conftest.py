import pytest

from conversations.models import Campaign

TOPICS = {
    "rest": [
        (
            "Quiet rest rooms for night staff",
            "A quiet rest room where night staff can take a break away from the ward.",
        ),
        (
            "Rest breaks protected on every shift",
            "Protect rest breaks on every shift, with a quiet room to take them in.",
        ),
        (
            "A rest room with comfortable chairs",
            "Our rest room has no comfortable chairs; night staff need somewhere quiet to rest.",
        ),
        (
            "Time to rest after long shifts",
            "After long night shifts we need a quiet rest room and protected breaks.",
        ),
    ],
    "parking": [
        (
            "More parking spaces for community staff",
            "Community staff cannot find parking spaces near the clinic car park.",
        ),
        (
            "Free car park permits",
            "Car park permits cost too much; parking should be free for community staff.",
        ),
        (
            "Reserved parking for home visits",
            "Reserve parking spaces in the car park for staff doing home visits.",
        ),
        (
            "Parking near the clinic",
            "The car park near the clinic is always full, so parking takes twenty minutes.",
        ),
    ],
    "rota": [
        (
            "One rota system for the trust",
            "We use three rota tools; one rota system would make swapping shifts easy.",
        ),
        (
            "Swap shifts online",
            "Let us swap shifts online in the rota system instead of emailing the rota manager.",
        ),
        (
            "Publish the rota six weeks ahead",
            "Publish the rota six weeks ahead so we can plan childcare around shifts.",
        ),
        (
            "Self-rostering for shifts",
            "Self-rostering lets staff choose shifts; the rota system should allow it.",
        ),
    ],
}


@pytest.fixture
def topical_campaign(make_campaign, make_idea, make_staff):
    """A closed campaign whose 12 ideas fall into three clear topics."""
    campaign = make_campaign("closed", allow_anonymous=True)
    ideas = []
    for n, (title, body) in enumerate(t for topic in TOPICS.values() for t in topic):
        ideas.append(
            make_idea(
                campaign,
                author=make_staff(display_name=f"Author {n}"),
                title=title,
                body=f"<p>{body}</p>",
                anonymous=n % 4 == 1,
            )
        )
    campaign.topical_ideas = ideas
    return campaign


@pytest.fixture
def editor(make_staff):
    return make_staff(roles=["engagement_manager"], display_name="Jo Evans")


def idea_titles(campaign: Campaign, ids) -> set[str]:
    return set(campaign.ideas.filter(pk__in=ids).values_list("title", flat=True))
