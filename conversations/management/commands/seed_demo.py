"""Load a believable demo organisation: a community NHS trust spread across a county.

Idempotent: directorates, teams and people are matched by their names and emails, and a
campaign's content is written only in the run that creates the campaign, so a second
run changes nothing. ``--ideas N --votes M`` also creates, or tops up, the "Benchmark
campaign" (slug ``benchmark``) that the scripts in ``bench/`` measure.

The bulk content is written with ``bulk_create``, not through the service functions:
those rate-limit posting and take a transaction per vote, which is right for people and
far too slow for 100,000 rows. What the services keep true is rebuilt here instead:
tallies equal the vote rows, ``Idea.comment_count`` equals the visible comments, and
there is one ``Participation`` per person who posted, commented or voted.
"""

import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, models, transaction
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.text import slugify

from accounts import roles
from accounts.models import (
    Band,
    Directorate,
    StaffGroup,
    StaffMember,
    Team,
    TeamMembership,
)
from conversations import services, versions
from conversations.demo.data import (
    BANDS,
    BANDS_BY_GROUP,
    CLOSED_STATUS_NOTES,
    CLOSED_TOPICS,
    CLOSERS,
    COMMENT_ADDS,
    COMMENT_LEADS,
    DIRECTORATES,
    FIRST_NAMES,
    GROUPS_BY_DIRECTORATE,
    MANAGER_REPLY,
    OPEN_TOPICS,
    OPENERS,
    REPLIES,
    STAFF_GROUPS,
    SURNAMES,
    TEAM_SITES,
    TEAMS,
    Topic,
)
from conversations.models import Campaign, Comment, Idea, Participation, Visibility
from conversations.sanitise import sanitise
from voting.models import Tally, Vote

DEMO_PASSWORD = "staffvoice-demo"
SEED = 2026
BATCH_SIZE = 1000
GENERATED_STAFF = 200
BENCH_SLUG = "benchmark"
BENCH_EMAIL_PREFIX = "bench.user."


@dataclass(frozen=True)
class SignIn:
    """A named demo account, printed at the end so people can try each role."""

    role: str
    local_part: str
    first_name: str
    last_name: str
    directorate: str | None = None
    staff_group: str | None = None
    band: str | None = None
    team: str | None = None
    team_role: str = TeamMembership.Role.MEMBER
    group: str | None = None
    superuser: bool = False


SIGN_INS = [
    SignIn(
        "Member of staff",
        "alex.morgan",
        "Alex",
        "Morgan",
        "Adult Community Services",
        "Nursing and Midwifery Registered",
        "Band 5",
        "Ward 3, Riverside Hospital",
    ),
    SignIn(
        "Member of staff",
        "sam.patel",
        "Sam",
        "Patel",
        "Adult Community Services",
        "Allied Health Professionals",
        "Band 6",
        "East Locality Community Therapy",
    ),
    SignIn(
        "Moderator",
        "morgan.lee",
        "Morgan",
        "Lee",
        "Corporate Services",
        "Administrative and Clerical",
        "Band 7",
        group=roles.MODERATOR,
    ),
    SignIn(
        "Engagement manager",
        "jo.evans",
        "Jo",
        "Evans",
        "Corporate Services",
        "Administrative and Clerical",
        "Band 8a",
        group=roles.ENGAGEMENT_MANAGER,
    ),
    SignIn(
        "Team lead",
        "chris.taylor",
        "Chris",
        "Taylor",
        "Adult Community Services",
        "Nursing and Midwifery Registered",
        "Band 7",
        "North Locality District Nursing",
        TeamMembership.Role.LEAD,
        roles.TEAM_LEAD,
    ),
    SignIn(
        "Administrator",
        "admin",
        "Site",
        "Administrator",
        group=roles.ADMINISTRATOR,
        superuser=True,
    ),
]


@dataclass(frozen=True)
class CampaignPlan:
    slug: str
    title: str
    introduction: str
    topics: dict[str, list[Topic]]
    opens_in_days: float
    closes_in_days: float
    ideas: int = 0
    allow_anonymous: bool = True


CAMPAIGNS = [
    CampaignPlan(
        "our-health-and-wellbeing",
        "Our health and wellbeing",
        "<p>This is your chance to tell us what would make the biggest difference to your "
        "health and wellbeing at work. For the next few weeks, share your ideas, comment on "
        "your colleagues' ideas and support the ones you agree with. You can post anonymously "
        "if you prefer.</p><p>The executive team will read every idea. When the conversation "
        "closes we will publish what you said and what we are going to do about it.</p>",
        OPEN_TOPICS,
        -5,
        15,
        ideas=240,
    ),
    CampaignPlan(
        "digital-tools-that-work-for-you",
        "Digital tools that work for you",
        "<p>Logging in, laptops that connect in patients' homes, the electronic patient "
        "record: tell us what gets in the way of your work and what would help. The IT and "
        "digital teams will take part throughout.</p>",
        {
            "Logging in and access": [],
            "Working in the community": [],
            "Electronic patient record": [],
            "Training and support": [],
        },
        30,
        50,
    ),
    CampaignPlan(
        "living-our-values",
        "Living our values",
        "<p>We asked what our values of compassion, respect and openness should look like day "
        "to day. Thank you to everyone who took part: your ideas shaped our refreshed "
        "behaviour framework and the leadership promise.</p>",
        CLOSED_TOPICS,
        -80,
        -60,
        ideas=80,
    ),
]


def _rng(section: str) -> random.Random:
    """One generator per section, so each section's data stays the same even if an
    earlier section had nothing left to create."""
    return random.Random(f"{SEED}:{section}")


def _pick(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _between(
    rng: random.Random, start: datetime, end: datetime, skew: float = 1.0
) -> datetime:
    """A time in [start, end]; skew > 1 leans towards the start, as activity does."""
    return start + (end - start) * (rng.random() ** skew)


@contextmanager
def _own_timestamps(*model_classes: type[models.Model]) -> Iterator[None]:
    """Let bulk_create write the seeded times instead of "now".

    ``auto_now``/``auto_now_add`` overwrite whatever a row carries; switching them off for
    the duration of the insert avoids an UPDATE per row afterwards (10,000 ideas, 100,000
    votes). Only this command's process is affected, and only inside the block.
    """
    saved = []
    for model in model_classes:
        for field in model._meta.concrete_fields:
            if getattr(field, "auto_now", False) or getattr(
                field, "auto_now_add", False
            ):
                saved.append((field, field.auto_now, field.auto_now_add))
                field.auto_now = field.auto_now_add = False
    try:
        yield
    finally:
        for field, auto_now, auto_now_add in saved:
            field.auto_now, field.auto_now_add = auto_now, auto_now_add


class _Text:
    """Composes post text from the topics, cleaned by the one sanitiser (memoised, since
    the same sentence comes round many times)."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self._cleaned: dict[tuple[str, bool], str] = {}

    def clean(self, text: str, *, markup: bool = True) -> str:
        key = (text, markup)
        if key not in self._cleaned:
            self._cleaned[key] = sanitise(text, allow_markup=markup)
        return self._cleaned[key]

    def _fill(self, text: str, team: str) -> str:
        return text.format(team=team, site=TEAM_SITES.get(team, "Riverside Hospital"))

    def _join(self, *parts: str) -> str:
        return " ".join(p for p in parts if p)

    def idea(self, topic: Topic, team: str) -> tuple[str, str]:
        c = self.rng.choice
        title = self._fill(c(topic.titles), team)
        body = self._fill(
            self._join(c(OPENERS), c(topic.problems), c(topic.suggestions), c(CLOSERS)),
            team,
        )
        return self.clean(title, markup=False), self.clean(body)

    def comment(self, topic: Topic, team: str) -> str:
        r = self.rng
        lead = r.choice(COMMENT_LEADS)
        more = r.choice(topic.comments) if r.random() < 0.7 else r.choice(COMMENT_ADDS)
        return self.clean(self._fill(self._join(lead, more), team))

    def reply(self, team: str) -> str:
        return self.clean(self._fill(self.rng.choice(REPLIES), team))


@dataclass
class _Person:
    email: str
    first_name: str
    last_name: str
    directorate: str | None
    staff_group: str | None
    band: str | None
    show_name: bool
    team: str | None
    team_role: str = TeamMembership.Role.MEMBER


def _email(local_part: str) -> str:
    return f"{local_part}@{settings.ALLOWED_EMAIL_DOMAINS[0]}"


def _plan_people() -> list[_Person]:
    """The generated staff, the same every time: same names, profiles and teams."""
    rng = _rng("staff")
    taken_emails = {_email(s.local_part) for s in SIGN_INS}
    taken_names = {(s.first_name, s.last_name) for s in SIGN_INS}
    teams_by_directorate: dict[str, list[str]] = {}
    for team, directorate, _ in TEAMS:
        teams_by_directorate.setdefault(directorate, []).append(team)
    people = []
    while len(people) < GENERATED_STAFF:
        first, last = rng.choice(FIRST_NAMES), rng.choice(SURNAMES)
        if (first, last) in taken_names:
            continue
        taken_names.add((first, last))
        # NHSmail's own convention for a second person of the same name: a number.
        local, n = f"{first}.{last}".lower(), 1
        while _email(local) in taken_emails:
            local, n = f"{first}.{last}{n}".lower(), n + 1
        taken_emails.add(_email(local))
        directorate = _pick(rng, DIRECTORATES)
        group = _pick(rng, GROUPS_BY_DIRECTORATE[directorate])
        band = _pick(rng, BANDS_BY_GROUP[group])
        team = (
            rng.choice(teams_by_directorate[directorate])
            if rng.random() < 0.85
            else None
        )
        roll = rng.random()
        person = _Person(
            _email(local),
            first,
            last,
            directorate,
            group,
            band,
            show_name=rng.random() < 0.9,
            team=team,
        )
        if roll < 0.08:  # "prefer not to say" to everything
            person.directorate = person.staff_group = person.band = None
        elif roll < 0.13:
            person.band = None
        elif roll < 0.16:
            person.staff_group = None
        people.append(person)
    # Each team's lead: its most senior generated member, unless a named sign-in leads it.
    led = {s.team for s in SIGN_INS if s.team_role == TeamMembership.Role.LEAD}
    band_order = list(BANDS)
    for team, _, _ in TEAMS:
        if team in led:
            continue
        members = [
            p for p in people if p.team == team and p.band and p.band != "Medical"
        ]
        if members:
            max(
                members, key=lambda p: band_order.index(p.band)
            ).team_role = TeamMembership.Role.LEAD
    return people


class Command(BaseCommand):
    help = (
        "Create a demo organisation (staff, teams, campaigns with ideas, comments and votes). "
        "Safe to run twice. --ideas/--votes add a benchmark campaign of that size."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--ideas",
            type=int,
            default=0,
            help="Create or top up the 'benchmark' campaign to this many ideas.",
        )
        parser.add_argument(
            "--votes",
            type=int,
            default=0,
            help="Create or top up the 'benchmark' campaign to this many votes on its ideas.",
        )

    def handle(self, *args, ideas: int = 0, votes: int = 0, **options):
        if ideas < 0 or votes < 0:
            raise CommandError("--ideas and --votes must not be negative.")
        self.now = timezone.now()
        self._password_hash: str | None = None
        added = {"staff": 0, "campaigns": 0}
        with transaction.atomic():
            groups = roles.ensure_roles()
            choices = self._ensure_choices()
            teams = self._ensure_teams()
            added["staff"] += self._ensure_people(choices, teams, groups)
        manager = StaffMember.objects.get(email=_email("jo.evans"))
        for plan in CAMPAIGNS:
            if not Campaign.objects.filter(slug=plan.slug).exists():
                with transaction.atomic():
                    self._seed_campaign(plan, manager)
                added["campaigns"] += 1
        lead = StaffMember.objects.get(email=_email("chris.taylor"))
        if not Campaign.objects.filter(slug=BOARD_SLUG).exists():
            with transaction.atomic():
                self._seed_board(lead)
        if ideas or votes:
            with transaction.atomic():
                added["staff"] += self._seed_benchmark(manager, ideas, votes)
            _analyse()
        self._report(added)

    # -- organisation --------------------------------------------------------------

    def _password(self) -> str:
        # Hashing is deliberately slow (about a third of a second); hash once, reuse.
        if self._password_hash is None:
            self._password_hash = make_password(DEMO_PASSWORD)
        return self._password_hash

    def _ensure_choices(self) -> dict[str, dict[str, models.Model]]:
        found: dict[str, dict[str, models.Model]] = {}
        for model, headcounts in (
            (Directorate, DIRECTORATES),
            (StaffGroup, STAFF_GROUPS),
        ):
            found[model.__name__] = {
                name: model.objects.get_or_create(name=name, defaults={"headcount": n})[
                    0
                ]
                for name, n in headcounts.items()
            }
        found["Band"] = {
            name: Band.objects.get_or_create(
                name=name, defaults={"headcount": n, "position": position}
            )[0]
            for position, (name, n) in enumerate(BANDS.items(), start=1)
        }
        return found

    def _ensure_teams(self) -> dict[str, Team]:
        return {
            name: Team.objects.get_or_create(
                name=name, defaults={"slug": slugify(name)}
            )[0]
            for name, _, _ in TEAMS
        }

    def _ensure_people(
        self, choices, teams: dict[str, Team], groups: dict[str, Group]
    ) -> int:
        planned = [
            _Person(
                _email(s.local_part),
                s.first_name,
                s.last_name,
                s.directorate,
                s.staff_group,
                s.band,
                True,
                s.team,
                s.team_role,
            )
            for s in SIGN_INS
        ] + _plan_people()
        existing = set(
            StaffMember.objects.filter(
                email__in=[p.email for p in planned]
            ).values_list("email", flat=True)
        )
        new = [
            StaffMember(
                email=p.email,
                password=self._password(),
                first_name=p.first_name,
                last_name=p.last_name,
                display_name=f"{p.first_name} {p.last_name}" if p.show_name else "",
                directorate=choices["Directorate"].get(p.directorate),
                staff_group=choices["StaffGroup"].get(p.staff_group),
                band=choices["Band"].get(p.band),
                profile_completed_at=self.now - timedelta(days=120),
            )
            for p in planned
            if p.email not in existing
        ]
        StaffMember.objects.bulk_create(new, batch_size=BATCH_SIZE)
        ids = dict(
            StaffMember.objects.filter(
                email__in=[p.email for p in planned]
            ).values_list("email", "pk")
        )

        for sign_in in SIGN_INS:
            user = StaffMember.objects.get(pk=ids[_email(sign_in.local_part)])
            if sign_in.superuser and not (user.is_superuser and user.is_staff):
                user.is_superuser = user.is_staff = True
                user.save(update_fields=["is_superuser", "is_staff"])
            if not user.has_usable_password():
                user.password = self._password()
                user.save(update_fields=["password"])
            if sign_in.group:
                user.groups.add(groups[sign_in.group])
        lead_ids = [
            ids[p.email] for p in planned if p.team_role == TeamMembership.Role.LEAD
        ]
        groups[roles.TEAM_LEAD].user_set.add(*lead_ids)

        # Email verification is mandatory: without a verified primary address nobody signs in.
        for sign_in in SIGN_INS:
            email = _email(sign_in.local_part)
            EmailAddress.objects.filter(user_id=ids[email]).exclude(email=email).update(
                primary=False
            )
            EmailAddress.objects.update_or_create(
                user_id=ids[email],
                email=email,
                defaults={"verified": True, "primary": True},
            )
        with_address = set(
            EmailAddress.objects.filter(user_id__in=ids.values()).values_list(
                "user_id", flat=True
            )
        )
        EmailAddress.objects.bulk_create(
            [
                EmailAddress(user_id=pk, email=email, verified=True, primary=True)
                for email, pk in ids.items()
                if pk not in with_address
            ],
            batch_size=BATCH_SIZE,
        )

        members = set(
            TeamMembership.objects.filter(staff_member_id__in=ids.values()).values_list(
                "team_id", "staff_member_id"
            )
        )
        TeamMembership.objects.bulk_create(
            [
                TeamMembership(
                    team=teams[p.team], staff_member_id=ids[p.email], role=p.team_role
                )
                for p in planned
                if p.team and (teams[p.team].pk, ids[p.email]) not in members
            ],
            batch_size=BATCH_SIZE,
        )
        return len(new)

    # -- campaigns -----------------------------------------------------------------

    def _seed_campaign(self, plan: CampaignPlan, manager: StaffMember) -> None:
        campaign = services.create_campaign(
            manager,
            title=plan.title,
            introduction=plan.introduction,
            themes=list(plan.topics),
            opens_at=self.now + timedelta(days=plan.opens_in_days),
            closes_at=self.now + timedelta(days=plan.closes_in_days),
            allow_anonymous=plan.allow_anonymous,
        )
        if campaign.slug != plan.slug:
            Campaign.objects.filter(pk=campaign.pk).update(slug=plan.slug)
        if plan.ideas:
            _CampaignContent(campaign, plan, self.now, manager).write()

    def _seed_benchmark(self, manager: StaffMember, ideas: int, votes: int) -> int:
        campaign = Campaign.objects.filter(slug=BENCH_SLUG).first()
        if campaign is None:
            campaign = services.create_campaign(
                manager,
                title="Benchmark campaign",
                introduction="<p>A large campaign for measuring the campaign page and voting. "
                "Its ideas are generated.</p>",
                themes=list(OPEN_TOPICS),
                opens_at=self.now - timedelta(days=10),
                closes_at=self.now + timedelta(days=60),
                allow_anonymous=True,
            )
            Campaign.objects.filter(pk=campaign.pk).update(slug=BENCH_SLUG)
            campaign.slug = BENCH_SLUG
        bench = _Benchmark(campaign, self.now, self._password)
        bench.top_up_ideas(ideas)
        created = bench.top_up_votes(votes)
        bench.finish()
        return created

    def _seed_board(self, lead: StaffMember) -> None:
        """The team lead's "Your Shout" board: a few ideas from the team, a status set
        by the lead and a pinned "what we changed this month" note."""
        from conversations.services import boards

        team = lead.memberships.get(role=TeamMembership.Role.LEAD).team
        board = boards.start_board(
            lead,
            team,
            title=f"Your Shout: {team.name}",
            introduction=(
                "<p>Our team's board between campaigns: say what would make our days "
                "better, and see what we changed.</p>"
            ),
            themes=["Ideas to make things better", "What gets in the way"],
            now=self.now - timedelta(days=60),
        )
        Campaign.objects.filter(pk=board.pk).update(slug=BOARD_SLUG)
        board.slug = BOARD_SLUG
        members = list(
            StaffMember.objects.filter(memberships__team=team)
            .exclude(pk=lead.pk)
            .order_by("pk")[:4]
        ) or [lead]
        themes = list(board.themes.all())
        posted = []
        for n, (title, body, anonymous) in enumerate(BOARD_IDEAS):
            posted.append(
                services.post_idea(
                    members[n % len(members)],
                    board,
                    theme=themes[n % len(themes)],
                    title=title,
                    body=body,
                    anonymous=anonymous,
                )
            )
        from conversations.services import moderation

        moderation.set_idea_status(
            lead,
            posted[0],
            "in_progress",
            "Trying it from next month's rota.",
        )
        boards.pin_note(
            lead,
            board,
            "<p>Handover now starts 15 minutes earlier on Mondays, and the clinic "
            "room keypad code is on the staff noticeboard.</p>",
        )

    def _report(self, added: dict[str, int]) -> None:
        idea_type = ContentType.objects.get_for_model(Idea)
        totals = {
            "staff": StaffMember.objects.count(),
            "teams": Team.objects.count(),
            "campaigns": Campaign.objects.count(),
            "ideas": Idea.objects.count(),
            "comments": Comment.objects.count(),
            "votes": Vote.objects.count(),
        }
        bench = Campaign.objects.filter(slug=BENCH_SLUG).first()
        bench_note = ""
        if bench:
            bench_ideas = Idea.objects.filter(campaign=bench)
            bench_votes = Vote.objects.filter(
                target_type=idea_type, target_id__in=bench_ideas.values("pk")
            ).count()
            bench_note = (
                f"; benchmark: {bench_ideas.count():,} ideas, {bench_votes:,} votes"
            )
        self.stdout.write(
            f"Demo organisation ready (added {added['staff']:,} staff, "
            f"{added['campaigns']} campaigns): "
            + ", ".join(f"{n:,} {name}" for name, n in totals.items())
            + bench_note
            + "."
        )
        width = max(len(s.role) for s in SIGN_INS)
        self.stdout.write(f'\nDemo sign-ins (password "{DEMO_PASSWORD}"):')
        self.stdout.write(f"  {'Role'.ljust(width)}  Email")
        for s in SIGN_INS:
            self.stdout.write(f"  {s.role.ljust(width)}  {_email(s.local_part)}")


BOARD_SLUG = "your-shout-north-locality"
BOARD_IDEAS = [
    (
        "Share the car pool rota a week ahead",
        "<p>We often find out on the morning which pool car we have. A week's "
        "notice would save a lot of phone calls.</p>",
        False,
    ),
    (
        "A quiet space for documentation at base",
        "<p>Writing up notes in the open office is hard with calls going on. Could "
        "the small meeting room be bookable for this in the afternoons?</p>",
        False,
    ),
    (
        "Caseload allocation feels uneven",
        "<p>Some of us have many more complex visits than others, week after week. "
        "Could allocation be reviewed together?</p>",
        True,
    ),
]


class _CampaignContent:
    """Ideas, comments and votes for one demo campaign, written in bulk."""

    def __init__(self, campaign: Campaign, plan: CampaignPlan, now: datetime, manager):
        self.campaign = campaign
        self.plan = plan
        self.rng = _rng(f"campaign:{plan.slug}")
        self.text = _Text(self.rng)
        self.start = campaign.opens_at
        # History stops a minute ago (or at the close), so nothing is dated in the future.
        self.end = min(now - timedelta(minutes=1), campaign.closes_at)
        self.manager = manager
        staff = StaffMember.objects.exclude(email__startswith=BENCH_EMAIL_PREFIX)
        self.teams = dict(
            TeamMembership.objects.filter(staff_member__in=staff).values_list(
                "staff_member_id", "team__name"
            )
        )
        self.by_email = dict(staff.values_list("email", "pk"))
        named = {_email(s.local_part) for s in SIGN_INS}
        # Named sign-ins are left room to take part themselves; two members get a few posts.
        self.crowd = sorted(
            pk for email, pk in self.by_email.items() if email not in named
        )
        self.first_seen: dict[int, datetime] = {}

    def _team(self, person_id: int) -> str:
        return self.teams.get(person_id) or self.rng.choice(TEAMS)[0]

    def _seen(self, person_id: int, at: datetime) -> None:
        if person_id not in self.first_seen or at < self.first_seen[person_id]:
            self.first_seen[person_id] = at

    def _anonymous(self, share: float) -> bool:
        return self.campaign.allow_anonymous and self.rng.random() < share

    def write(self) -> None:
        ideas, topics = self._ideas()
        comments = self._comments(ideas, topics)
        self._votes(ideas, comments)
        with _own_timestamps(Participation):
            Participation.objects.bulk_create(
                [
                    Participation(
                        campaign=self.campaign, staff_member_id=pk, first_at=at
                    )
                    for pk, at in self.first_seen.items()
                ],
                batch_size=BATCH_SIZE,
                ignore_conflicts=True,
            )
        rebuild_counts(self.campaign)
        if self.plan.closes_in_days < 0:
            self._statuses()

    def _ideas(self) -> tuple[list[Idea], list[Topic]]:
        rng = self.rng
        themes = {t.name: t for t in self.campaign.themes.all()}
        # A few people post a lot and most post once: weight the crowd unevenly.
        weights = [rng.paretovariate(1.5) for _ in self.crowd]
        plans: list[tuple[int, str, Topic, bool]] = []
        for _ in range(self.plan.ideas):
            author = rng.choices(self.crowd, weights=weights)[0]
            theme = rng.choice(list(self.plan.topics))
            topic = rng.choice(self.plan.topics[theme])
            plans.append((author, theme, topic, self._anonymous(0.15)))
        if self.plan.closes_in_days > 0:
            alex, sam = (
                self.by_email[_email("alex.morgan")],
                self.by_email[_email("sam.patel")],
            )
            plans += [
                (
                    alex,
                    "Health and wellbeing",
                    OPEN_TOPICS["Health and wellbeing"][1],
                    False,
                ),
                (
                    alex,
                    "Leadership and behaviours",
                    OPEN_TOPICS["Leadership and behaviours"][2],
                    True,
                ),
                (sam, "Working together", OPEN_TOPICS["Working together"][1], False),
            ]
        ideas, topics = [], []
        for author, theme, topic, anonymous in plans:
            title, body = self.text.idea(topic, self._team(author))
            at = _between(rng, self.start, self.end, skew=1.3)
            ideas.append(
                Idea(
                    campaign=self.campaign,
                    theme=themes[theme],
                    author_id=author,
                    is_anonymous=anonymous,
                    title=title,
                    body=body,
                    created_at=at,
                    updated_at=at,
                )
            )
            topics.append(topic)
            self._seen(author, at)
        with _own_timestamps(Idea):
            Idea.objects.bulk_create(ideas, batch_size=BATCH_SIZE)
        return ideas, topics

    def _comments(self, ideas: list[Idea], topics: list[Topic]) -> list[Comment]:
        rng = self.rng
        top_level = []
        for idea, topic in zip(ideas, topics, strict=True):
            for _ in range(min(12, int(rng.expovariate(1 / 2.0)))):
                author = rng.choice(self.crowd)
                at = _between(rng, idea.created_at, self.end, skew=2)
                top_level.append(
                    Comment(
                        idea=idea,
                        author_id=author,
                        is_anonymous=self._anonymous(0.08),
                        body=self.text.comment(topic, self._team(author)),
                        created_at=at,
                        updated_at=at,
                    )
                )
                self._seen(author, at)
        if self.plan.closes_in_days > 0:
            # Sam answers Alex's first idea, so the two demo members have a conversation.
            alex = self.by_email[_email("alex.morgan")]
            alex_idea = next(i for i in ideas if i.author_id == alex)
            sam = self.by_email[_email("sam.patel")]
            at = _between(rng, alex_idea.created_at, self.end)
            top_level.append(
                Comment(
                    idea=alex_idea,
                    author_id=sam,
                    body=self.text.clean(
                        "Yes please. Our therapy team visits Riverside in the evenings and there's "
                        "nothing hot after 7.30."
                    ),
                    created_at=at,
                    updated_at=at,
                )
            )
            self._seen(sam, at)
        with _own_timestamps(Comment):
            Comment.objects.bulk_create(top_level, batch_size=BATCH_SIZE)

        replies = []
        for parent in top_level:
            if rng.random() < 0.3:
                for _ in range(rng.randint(1, 2)):
                    author = rng.choice(self.crowd)
                    at = _between(rng, parent.created_at, self.end, skew=2)
                    replies.append(
                        Comment(
                            idea_id=parent.idea_id,
                            parent=parent,
                            author_id=author,
                            is_anonymous=self._anonymous(0.05),
                            body=self.text.reply(self._team(author)),
                            created_at=at,
                            updated_at=at,
                        )
                    )
                    self._seen(author, at)
        # The engagement manager answers some of the first comments.
        for parent in rng.sample(top_level, min(4, len(top_level))):
            at = _between(rng, parent.created_at, self.end, skew=2)
            replies.append(
                Comment(
                    idea_id=parent.idea_id,
                    parent=parent,
                    author=self.manager,
                    body=self.text.clean(MANAGER_REPLY),
                    created_at=at,
                    updated_at=at,
                )
            )
            self._seen(self.manager.pk, at)
        with _own_timestamps(Comment):
            Comment.objects.bulk_create(replies, batch_size=BATCH_SIZE)
        return top_level + replies

    def _votes(self, ideas: list[Idea], comments: list[Comment]) -> None:
        rng = self.rng
        idea_type = ContentType.objects.get_for_model(Idea)
        comment_type = ContentType.objects.get_for_model(Comment)
        voters = self.crowd
        votes = []

        def cast(target, target_type, how_many: int, support_share: float) -> None:
            for voter in rng.sample(voters, min(how_many, len(voters))):
                if voter == target.author_id:
                    continue
                at = _between(rng, target.created_at, self.end, skew=1.5)
                value = (
                    Vote.Value.SUPPORT
                    if rng.random() < support_share
                    else (Vote.Value.DONT_SUPPORT)
                )
                votes.append(
                    Vote(
                        voter_id=voter,
                        target_type=target_type,
                        target_id=target.pk,
                        value=value,
                        created_at=at,
                        updated_at=at,
                    )
                )
                self._seen(voter, at)

        for idea in ideas:
            # Skewed: most ideas get a handful of votes, a few get a lot.
            support_share = 0.55 + 0.43 * rng.random() ** 0.5
            cast(idea, idea_type, int(rng.paretovariate(1.3) * 4), support_share)
        for comment in comments:
            cast(comment, comment_type, int(rng.paretovariate(1.6)) - 1, 0.9)
        with _own_timestamps(Vote):
            Vote.objects.bulk_create(votes, batch_size=BATCH_SIZE)

    def _statuses(self) -> None:
        """A closed campaign has outcomes: its most supported ideas were answered."""
        ranked = list(
            Idea.objects.filter(campaign=self.campaign)
            .annotate(support=Coalesce("tallies__support", 0))
            .order_by("-support", "pk")
            .values_list("pk", flat=True)
        )
        outcome = (
            [Idea.Status.DONE] * 3
            + [Idea.Status.IN_PROGRESS] * 3
            + [Idea.Status.ADOPTED] * 3
            + [Idea.Status.UNDER_CONSIDERATION] * 4
            + [Idea.Status.NOT_TAKEN_FORWARD] * 2
        )
        for pk, status in zip(ranked, outcome, strict=False):
            note = CLOSED_STATUS_NOTES[status]
            Idea.objects.filter(pk=pk).update(status=status, status_note=note)


class _Benchmark:
    """Creates or tops up the benchmark campaign to a given number of ideas and votes."""

    def __init__(self, campaign: Campaign, now: datetime, password):
        self.campaign = campaign
        self.end = now - timedelta(minutes=1)
        self.password = password
        self.idea_type = ContentType.objects.get_for_model(Idea)
        self.ideas = Idea.objects.filter(campaign=campaign)
        self.first_seen: dict[int, datetime] = {}

    def _seen(self, person_id: int, at: datetime) -> None:
        if person_id not in self.first_seen or at < self.first_seen[person_id]:
            self.first_seen[person_id] = at

    def top_up_ideas(self, wanted: int) -> None:
        have = self.ideas.count()
        if wanted <= have:
            return
        rng = _rng(f"benchmark-ideas:{have}")
        text = _Text(rng)
        themes = list(self.campaign.themes.all())
        topics = [
            OPEN_TOPICS.get(t.name) or OPEN_TOPICS["Health and wellbeing"]
            for t in themes
        ]
        authors = list(StaffMember.objects.order_by("pk").values_list("pk", flat=True))
        new = []
        for _ in range(wanted - have):
            i = rng.randrange(len(themes))
            author = rng.choice(authors)
            title, body = text.idea(rng.choice(topics[i]), rng.choice(TEAMS)[0])
            at = _between(rng, self.campaign.opens_at, self.end)
            new.append(
                Idea(
                    campaign=self.campaign,
                    theme=themes[i],
                    author_id=author,
                    is_anonymous=rng.random() < 0.1,
                    title=title,
                    body=body,
                    created_at=at,
                    updated_at=at,
                )
            )
            self._seen(author, at)
        with _own_timestamps(Idea):
            Idea.objects.bulk_create(new, batch_size=BATCH_SIZE)

    def top_up_votes(self, wanted: int) -> int:
        """Add votes until the campaign's ideas carry ``wanted``; returns staff created."""
        ideas = list(self.ideas.order_by("pk").values_list("pk", "created_at"))
        votes = Vote.objects.filter(
            target_type=self.idea_type, target_id__in=self.ideas.values("pk")
        )
        have = votes.count()
        if wanted <= have:
            return 0
        if not ideas:
            raise CommandError(
                "The benchmark campaign has no ideas to vote on: pass --ideas."
            )
        rng = _rng(f"benchmark-votes:{len(ideas)}:{have}")
        need = wanted - have
        # Zipf-like popularity over a shuffled order, so the favourites are not simply the
        # oldest ideas: the top idea gets about 1% of the votes, the median a few.
        order = list(range(len(ideas)))
        rng.shuffle(order)
        weights = [1 / (rank + 10) for rank in range(len(ideas))]
        total = sum(weights)
        quota = [0] * len(ideas)
        for rank, i in enumerate(order):
            quota[i] = int(need * weights[rank] / total)
        for rank in range(need - sum(quota)):
            quota[order[rank % len(ideas)]] += 1
        taken: dict[int, set[int]] = {}
        if have:
            for target_id, voter_id in votes.values_list(
                "target_id", "voter_id"
            ).iterator():
                taken.setdefault(target_id, set()).add(voter_id)
        # One vote per person per idea: the most popular idea sets how many voters we need.
        voters_needed = max(
            len(taken.get(pk, ())) + q for (pk, _), q in zip(ideas, quota, strict=True)
        )
        created = self._ensure_voters(voters_needed)
        voters = list(StaffMember.objects.order_by("pk").values_list("pk", flat=True))

        new = []
        for (pk, idea_at), how_many in zip(ideas, quota, strict=True):
            if not how_many:
                continue
            already = taken.get(pk, set())
            support_share = 0.55 + 0.43 * rng.random() ** 0.5
            picks = rng.sample(voters, min(len(voters), how_many + len(already)))
            for voter in [v for v in picks if v not in already][:how_many]:
                at = _between(rng, idea_at, self.end, skew=1.5)
                value = 1 if rng.random() < support_share else -1
                new.append(
                    Vote(
                        voter_id=voter,
                        target_type=self.idea_type,
                        target_id=pk,
                        value=value,
                        created_at=at,
                        updated_at=at,
                    )
                )
                self._seen(voter, at)
        with _own_timestamps(Vote):
            Vote.objects.bulk_create(new, batch_size=BATCH_SIZE)
        return created

    def _ensure_voters(self, wanted: int) -> int:
        """Make sure at least ``wanted`` people exist, adding bench.user.N as needed."""
        have = StaffMember.objects.count()
        if wanted <= have:
            return 0
        start = (
            StaffMember.objects.filter(email__startswith=BENCH_EMAIL_PREFIX).count() + 1
        )
        rng = _rng(f"benchmark-staff:{start}")
        directorates = list(Directorate.objects.all())
        groups = list(StaffGroup.objects.all())
        bands = list(Band.objects.all())
        password = self.password()
        new = [
            StaffMember(
                email=_email(f"{BENCH_EMAIL_PREFIX}{n}"),
                password=password,
                first_name="Bench",
                last_name=f"User {n}",
                directorate=rng.choice(directorates),
                staff_group=rng.choice(groups),
                band=rng.choice(bands),
                profile_completed_at=self.end,
            )
            for n in range(start, start + wanted - have)
        ]
        StaffMember.objects.bulk_create(new, batch_size=BATCH_SIZE)
        return len(new)

    def finish(self) -> None:
        with _own_timestamps(Participation):
            Participation.objects.bulk_create(
                [
                    Participation(
                        campaign=self.campaign, staff_member_id=pk, first_at=at
                    )
                    for pk, at in self.first_seen.items()
                ],
                batch_size=BATCH_SIZE,
                ignore_conflicts=True,
            )
        rebuild_counts(self.campaign)


def _analyse() -> None:
    """Refresh PostgreSQL's planner statistics after a bulk load. Until autovacuum gets
    round to it the planner believes the tables are nearly empty, and picks plans that
    make the campaign page twice as slow as it will be a minute later."""
    if connection.vendor != "postgresql":
        return
    tables = [m._meta.db_table for m in (StaffMember, Idea, Vote, Tally, Participation)]
    with connection.cursor() as cursor:
        cursor.execute(
            "ANALYZE " + ", ".join(connection.ops.quote_name(t) for t in tables)
        )


def rebuild_counts(campaign: Campaign) -> None:
    """Make the campaign's tallies equal its vote rows and each idea's comment_count equal
    its visible comments: what the services keep true one write at a time."""
    ideas = Idea.objects.filter(campaign=campaign)
    comments = Comment.objects.filter(idea__campaign=campaign)
    for model, targets in ((Idea, ideas), (Comment, comments)):
        target_type = ContentType.objects.get_for_model(model)
        counts = (
            Vote.objects.filter(
                target_type=target_type, target_id__in=targets.values("pk")
            )
            .order_by()
            .values("target_id")
            .annotate(
                support=Count("pk", filter=Q(value=1)),
                dont_support=Count("pk", filter=Q(value=-1)),
            )
        )
        Tally.objects.bulk_create(
            [
                Tally(
                    target_type=target_type,
                    target_id=row["target_id"],
                    support=row["support"],
                    dont_support=row["dont_support"],
                )
                for row in counts
            ],
            batch_size=BATCH_SIZE,
            update_conflicts=True,
            unique_fields=["target_type", "target_id"],
            update_fields=["support", "dont_support"],
        )
    visible = (
        Comment.objects.filter(idea=OuterRef("pk"), visibility=Visibility.VISIBLE)
        .order_by()
        .values("idea")
        .annotate(n=Count("pk"))
        .values("n")
    )
    ideas.update(comment_count=Coalesce(Subquery(visible), 0))
    versions.bump(campaign)
