"""Who may do what in a campaign or a board: named rules, each taking ``now`` where
time matters.

Who may see, take part in and moderate a campaign is written once, as plain
predicates over facts (:func:`_in_audience`, :func:`_moderates`, :func:`_sees`): the
person's roles and teams (:class:`Person`, read once per request) and the campaign's
kind, team, audience teams and named moderators (:class:`Facts`, shared under the
campaign's version). Questions about one campaign ask them of its facts; lists
(:func:`visible_campaigns`, :func:`moderated_campaigns`) ask them of every
campaign's facts (a trust has tens or hundreds of campaigns and boards, read in three
queries). Pages, sockets, announcements and exports all get the same answer from the
same words.

- A draft is seen by engagement managers only.
- A board (``Campaign.Kind.BOARD``) belongs to one team: its audience is the team's
  members, and only they, organisation moderators and the board's own moderators
  (the team's leads, and anyone named on it) may see it at all.
- A campaign with audience teams is for those teams' members, engagement managers and
  moderators, and its named moderators; a campaign without is for everyone.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from accounts.models import TeamMembership
from conversations import fragments
from conversations.models import Campaign


@dataclass(frozen=True, slots=True)
class Person:
    id: int
    manager: bool
    organisation_moderator: bool
    teams: frozenset[int]
    lead_teams: frozenset[int]


@dataclass(frozen=True, slots=True)
class Facts:
    id: int
    is_board: bool
    published: bool
    team_id: int | None
    audience: frozenset[int]  # team ids; empty: the whole organisation
    moderators: frozenset[int]  # named moderators of this campaign only


def can_manage(user, campaign: Campaign | None = None) -> bool:
    return user.is_authenticated and user.is_engagement_manager


def is_organisation_moderator(user) -> bool:
    """Moderators by permission: moderators, engagement managers, administrators."""
    return user.is_authenticated and (user.is_moderator or user.is_engagement_manager)


def person(user) -> Person | None:
    """``user``'s roles and teams, read once for the user object (one request or
    one socket check), or None if nobody is signed in."""
    if not user.is_authenticated:
        return None
    found = getattr(user, "_rules_person", None)
    if found is None:
        rows = TeamMembership.objects.filter(staff_member=user.pk).values_list(
            "team_id", "role"
        )
        teams = {team: role for team, role in rows}
        found = user._rules_person = Person(
            id=user.pk,
            manager=can_manage(user),
            organisation_moderator=is_organisation_moderator(user),
            teams=frozenset(teams),
            lead_teams=frozenset(
                t for t, role in teams.items() if role == TeamMembership.Role.LEAD
            ),
        )
    return found


def is_team_member(user, team_id: int | None) -> bool:
    found = person(user)
    return found is not None and team_id in found.teams


def leads_team(user, team_id: int | None) -> bool:
    found = person(user)
    return found is not None and team_id in found.lead_teams


# -- the rule, once -----------------------------------------------------------------


def _in_audience(p: Person, f: Facts) -> bool:
    """Everyone is in an organisation-wide campaign; a team campaign is for its teams
    (and engagement managers and moderators); a board is for its team's members."""
    if f.is_board:
        return f.team_id in p.teams
    if p.organisation_moderator or not f.audience:
        return True
    return bool(f.audience & p.teams)


def _moderates(p: Person, f: Facts) -> bool:
    """Organisation moderators and engagement managers moderate everything; named
    moderators their campaign; a team's leads their team's board."""
    return (
        p.organisation_moderator
        or p.id in f.moderators
        or (f.is_board and f.team_id in p.lead_teams)
    )


def _sees(p: Person, f: Facts) -> bool:
    """A draft only if they manage campaigns; anything else if they are in its
    audience or moderate it."""
    if p.manager:
        return True
    return f.published and (_in_audience(p, f) or _moderates(p, f))


# -- facts --------------------------------------------------------------------------


def _facts_of_rows(rows, audiences, moderators) -> list[Facts]:
    return [
        Facts(
            id=pk,
            is_board=kind == Campaign.Kind.BOARD,
            published=published,
            team_id=team_id,
            audience=frozenset(audiences.get(pk, ())),
            moderators=frozenset(moderators.get(pk, ())),
        )
        for pk, kind, published, team_id in rows
    ]


def _grouped(through, person_field: str, campaign_ids=None) -> dict[int, list[int]]:
    rows = through.objects.all()
    if campaign_ids is not None:
        rows = rows.filter(campaign_id__in=campaign_ids)
    grouped: dict[int, list[int]] = defaultdict(list)
    for campaign_id, other in rows.values_list("campaign_id", person_field):
        grouped[campaign_id].append(other)
    return dict(grouped)


def _read_facts(campaign_ids=None) -> list[Facts]:
    campaigns = Campaign.objects.order_by()
    if campaign_ids is not None:
        campaigns = campaigns.filter(pk__in=campaign_ids)
    rows = campaigns.values_list("pk", "kind", "is_published", "team_id")
    return _facts_of_rows(
        rows,
        _grouped(Campaign.audience_teams.through, "team_id", campaign_ids),
        _grouped(Campaign.moderators.through, "staffmember_id", campaign_ids),
    )


def facts(campaign: Campaign) -> Facts:
    """The campaign's facts: its own row's, and its audience teams and named
    moderators, shared under the row's ``updated_at`` (which any change to them moves
    in its transaction: ``conversations.versions``)."""
    audience, moderators = fragments.shared(
        "campaign-people",
        {"campaign": campaign.pk, "stamp": campaign.updated_at},
        lambda values: (
            _grouped(Campaign.audience_teams.through, "team_id", [campaign.pk]),
            _grouped(Campaign.moderators.through, "staffmember_id", [campaign.pk]),
        ),
    )
    return _facts_of_rows(
        [(campaign.pk, campaign.kind, campaign.is_published, campaign.team_id)],
        audience,
        moderators,
    )[0]


# -- questions about one campaign ---------------------------------------------------


def in_audience(user, campaign: Campaign) -> bool:
    p = person(user)
    return p is not None and _in_audience(p, facts(campaign))


def can_view(user, campaign: Campaign, now: datetime) -> bool:
    """Visibility does not change with time (a draft is unpublished, whatever its
    dates); ``now`` keeps the rules' one signature."""
    p = person(user)
    return p is not None and _sees(p, facts(campaign))


def can_take_part(user, campaign: Campaign, now: datetime) -> bool:
    return campaign.is_open(now) and in_audience(user, campaign)


def can_moderate(user, campaign: Campaign | None) -> bool:
    """``campaign=None`` asks about moderating everywhere."""
    if campaign is None:
        return is_organisation_moderator(user)
    p = person(user)
    return p is not None and _moderates(p, facts(campaign))


# -- lists --------------------------------------------------------------------------


def visible_ids(user) -> list[int]:
    """Every campaign and board ``user`` may see (read once for the user object: a
    page lists campaigns and boards from the same answer)."""
    p = person(user)
    if p is None:
        return []
    found = getattr(user, "_rules_visible", None)
    if found is None:
        found = user._rules_visible = [f.id for f in _read_facts() if _sees(p, f)]
    return found


def moderated_ids(user) -> list[int]:
    p = person(user)
    if p is None:
        return []
    return [f.id for f in _read_facts() if _moderates(p, f)]


def moderates_anything(user) -> bool:
    """Whether ``user`` has a moderation queue at all (organisation-wide or scoped)."""
    if not user.is_authenticated:
        return False
    if is_organisation_moderator(user):
        return True
    return moderated_campaigns(user).exists()


def visible_campaigns(user):
    """The campaigns and boards ``user`` may see."""
    return Campaign.objects.filter(pk__in=visible_ids(user))


def moderated_campaigns(user):
    """The campaigns and boards ``user`` moderates (all of them for an organisation
    moderator)."""
    return Campaign.objects.filter(pk__in=moderated_ids(user))


def audience_ids(campaign: Campaign) -> list[int]:
    """The ids of the campaign's audience teams (empty: the whole organisation)."""
    return [team.pk for team in campaign.audience_teams.all()]


def can_pin_note(user, campaign: Campaign) -> bool:
    """The board's leads (and organisation moderators) pin "what we changed"."""
    return campaign.is_board and can_moderate(user, campaign)


def can_run_board(user, campaign: Campaign) -> bool:
    """Pause, resume or archive a board: its leads and engagement managers."""
    return campaign.is_board and (
        can_manage(user) or leads_team(user, campaign.team_id)
    )


def can_enter_on_behalf(user, campaign: Campaign) -> bool:
    """Enter ideas collected on paper or at an event: whoever moderates the campaign
    (moderators, engagement managers, its named moderators, a board's leads)."""
    return can_moderate(user, campaign)


def is_for_everyone(campaign: Campaign) -> bool:
    """A published campaign the whole organisation may see: the only kind announced
    outside the platform (a Teams channel's members are nobody's audience)."""
    f = facts(campaign)
    return f.published and not f.is_board and not f.audience
