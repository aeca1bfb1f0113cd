"""A small, believable organisation for the page-by-page browser checks (accessibility,
screenshots, page weight): every page then shows what it shows in real use (ideas with
comments and replies, votes, reports waiting for a moderator, notifications)."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import Permission

from accounts.models import StaffMember
from conversations import services
from conversations.models import Campaign, Comment, Idea
from conversations.services import moderation, reveal
from notifications.services import notify
from tests.security.conftest import held_since
from tests.servers import session_cookie_for

IDEAS = [
    (
        "Health and wellbeing",
        "Quiet rooms on every ward",
        "A room where staff can take a ten-minute break away from the bleeps. "
        "Night staff especially have nowhere to go.",
    ),
    (
        "Ways of working",
        "One rota system for the whole trust",
        "We use three different rota tools. Swapping a shift across teams takes days.",
    ),
    (
        "Health and wellbeing",
        "Water fountains on every floor",
        "Staying hydrated on a 12-hour shift is hard when the nearest tap is two "
        "floors away.",
    ),
    (
        "Ways of working",
        "Shorter handovers with a shared template",
        "A one-page template so the morning handover takes ten minutes, not thirty.",
    ),
]


@dataclass
class World:
    campaign: Campaign
    closed: Campaign
    idea: Idea
    anonymous_idea: Idea
    comment: Comment
    anonymous_comment: Comment
    staff: StaffMember
    colleague: StaffMember
    moderator: StaffMember
    manager: StaffMember
    holder: StaffMember
    second_holder: StaffMember
    reveal_request: object

    def cookie(self, user, url: str) -> list[dict]:
        return [{"name": "sessionid", "value": session_cookie_for(user), "url": url}]


def build_world(make_staff, make_campaign, make_team) -> World:
    team = make_team("Ward 7")
    staff = make_staff("alex.morgan@nhs.net", display_name="Alex Morgan", teams=[team])
    colleague = make_staff("sam.patel@nhs.net", display_name="Sam Patel")
    moderator = make_staff(roles=["moderator"], display_name="Mo Khan")
    manager = make_staff(
        roles=["engagement_manager", "moderator"], display_name="Jo Evans"
    )
    permission = Permission.objects.get(
        content_type__app_label="accounts", codename="reveal_identity"
    )
    holder = make_staff(roles=["moderator"], display_name="Chris Lee")
    second_holder = make_staff(display_name="Pat Jones", mfa=True)
    for person in (holder, second_holder):
        held_since(person)  # longer than the reveal's holding period
        person.user_permissions.add(permission)

    campaign = make_campaign(
        "open", title="Our health and wellbeing", allow_anonymous=True
    )
    Campaign.objects.filter(pk=campaign.pk).update(
        introduction="<p>Over the next 20 days, tell us what would make the biggest "
        "difference to your working day. Every idea is read.</p>"
    )
    campaign.refresh_from_db()
    themes = {theme.name: theme for theme in campaign.themes.all()}
    make_campaign("scheduled", title="Leadership and behaviours")
    closed = make_campaign("open", title="Travel and parking")

    people = [staff, colleague, moderator, manager]
    ideas = []
    for n, (theme, title, body) in enumerate(IDEAS):
        ideas.append(
            services.post_idea(
                people[n % len(people)],
                campaign,
                theme=themes[theme],
                title=title,
                body=body,
            )
        )
    idea = ideas[0]
    anonymous_idea = services.post_idea(
        colleague,
        campaign,
        theme=themes["Ways of working"],
        title="Managers do not always listen",
        body="When we raise staffing worries nothing seems to happen.",
        anonymous=True,
    )
    comment = services.post_comment(
        colleague, idea, body="We tried this on Ward 3 and sickness went down."
    )
    anonymous_comment = services.post_comment(
        colleague,
        idea,
        body="Our manager said no when we asked last year.",
        anonymous=True,
    )
    services.post_comment(
        staff, idea, body="Good to hear. Which room did you use?", parent=comment
    )
    services.post_comment(
        manager,
        idea,
        body="The estates team can look at this in June.",
        anonymous=False,
    )
    own_comment = services.post_comment(
        staff, ideas[1], body="Yes please, the swap process is painful."
    )
    for voter in (colleague, manager, moderator):
        services.vote(voter, idea, 1)
    services.vote(staff, ideas[1], 1)
    services.vote(colleague, ideas[2], -1)

    # Waiting for a moderator: two reports, and a hidden post whose author asks for a
    # review; the author hears about it in their notifications.
    moderation.flag_post(staff, ideas[1], "personal_attack", "It names a team.")
    moderation.flag_post(manager, own_comment, "spam")
    moderation.hide_post(moderator, ideas[3], "spam", "Not about wellbeing")
    moderation.request_review(manager, ideas[3], "It is about wellbeing, honestly.")
    notify(
        staff,
        "reply",
        "Sam Patel replied to your idea “Quiet rooms on every ward”",
        idea.get_absolute_url(),
    )

    # A campaign that has closed, with something to read.
    services.post_idea(
        staff,
        closed,
        theme=closed.themes.first(),
        title="Cycle racks by the main entrance",
        body="Somewhere dry and safe to leave a bike.",
    )
    Campaign.objects.filter(pk=closed.pk).update(
        opens_at=closed.opens_at.replace(year=closed.opens_at.year - 1),
        closes_at=closed.closes_at.replace(year=closed.closes_at.year - 1),
    )

    reveal_request = reveal.request_reveal(
        holder,
        anonymous_idea,
        "A safeguarding concern: the post describes a risk to a patient's safety.",
    )
    return World(
        campaign=campaign,
        closed=closed,
        idea=idea,
        anonymous_idea=anonymous_idea,
        comment=comment,
        anonymous_comment=anonymous_comment,
        staff=staff,
        colleague=colleague,
        moderator=moderator,
        manager=manager,
        holder=holder,
        second_holder=second_holder,
        reveal_request=reveal_request,
    )
