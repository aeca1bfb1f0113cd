"""Shared fixtures: plain factory functions for staff, teams, campaigns, ideas and comments.

Default texts deliberately carry ``<script>``, ``onerror=`` and ``javascript:`` so that
every test that renders a page also checks that nothing typed by a person can run.
Ideas and comments are cleaned the way the services clean them (``sanitise`` at write
time), because that is what real rows look like; the services themselves are tested
with raw input.
"""

import itertools
from collections.abc import Iterable
from datetime import datetime, timedelta

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db.models import F
from django.test import override_settings
from django.utils import timezone

from accounts import roles as role_groups
from accounts.models import StaffMember, Team, TeamMembership
from conversations import fragments
from conversations.models import (
    Campaign,
    Comment,
    Idea,
    Participation,
    Theme,
    Visibility,
)
from conversations.sanitise import sanitise

PASSWORD = "Correct-Horse-Battery-9"
# People made by make_staff in a role that needs multi-factor sign-in (or with
# mfa=True: made staff or given the reveal permission afterwards) have this
# authenticator app set up (allauth.mfa), so they can use the site once signed in
# (accounts.safety.mfa); pyotp.TOTP(TOTP_SECRET).now() is the code their app shows.
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
SCRIPT = "<script>alert('xss')</script>"

ROLE_NAMES = {
    "engagement_manager": role_groups.ENGAGEMENT_MANAGER,
    "moderator": role_groups.MODERATOR,
    "team_lead": role_groups.TEAM_LEAD,
    "administrator": role_groups.ADMINISTRATOR,
}

MFA_ROLES = {
    role_groups.ENGAGEMENT_MANAGER,
    role_groups.MODERATOR,
    role_groups.ADMINISTRATOR,
}

_sequence = itertools.count(1)


def _next() -> int:
    return next(_sequence)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The cache is shared (Redis) in one of the two modes: the posting rate limiter,
    campaign counts and allauth's rate limits must not leak between tests."""
    cache.clear()
    fragments.forget_local()
    yield
    cache.clear()
    fragments.forget_local()


@pytest.fixture(scope="session", autouse=True)
def _test_settings():
    """Settings for the whole run, in place before session fixtures such as live_server
    build their request handlers (middleware reads some settings only once)."""
    with override_settings(
        # Pages are rendered without collectstatic, so the manifest storage (the
        # production default) would fail on every {% static %} tag.
        STORAGES={
            **settings.STORAGES,
            "staticfiles": {
                "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
            },
        },
        # DATABASE_URL switches on the production security settings; the test client and
        # live_server speak plain HTTP, so do not bounce every request to https.
        SECURE_SSL_REDIRECT=False,
        # A fast hasher: the suite creates hundreds of staff members.
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        # Background tasks run at once, in the test's thread; tests of the queue itself
        # (retries, the worker) choose the database backend.
        TASKS={
            "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}
        },
    ):
        yield


@pytest.fixture(scope="session", autouse=True)
def _static_files_scanned_once():
    """WhiteNoise's middleware walks every collected static file (and builds its
    headers) each time it is made, and every test client makes a new middleware chain:
    about a tenth of a second per test. Remember what a walk added, keyed on the files
    themselves (paths, sizes, times) and the settings that shape the answers, so each
    client still gets exactly what a fresh walk would give."""
    from whitenoise import base
    from whitenoise.middleware import WhiteNoiseMiddleware

    walk = WhiteNoiseMiddleware.update_files_dictionary
    walked: dict = {}

    def update_files_dictionary(self, root, prefix):
        tree = tuple(
            sorted(
                (path, st.st_size, st.st_mtime_ns) for path, st in base.scantree(root)
            )
        )
        key = (
            root,
            prefix,
            tree,
            self.max_age,
            self.allow_all_origins,
            self.charset,
            self.index_file,
            self.static_prefix,
            self.add_headers_function,
            settings.STATIC_URL,
            repr(settings.STORAGES.get("staticfiles")),
            repr(
                [(k, getattr(settings, k)) for k in dir(settings) if "WHITENOISE" in k]
            ),
        )
        if key not in walked:
            before = dict(self.files)
            walk(self, root, prefix)
            walked[key] = {
                url: found
                for url, found in self.files.items()
                if before.get(url) is not found
            }
        self.files.update(walked[key])

    WhiteNoiseMiddleware.update_files_dictionary = update_files_dictionary
    yield
    WhiteNoiseMiddleware.update_files_dictionary = walk


@pytest.fixture(autouse=True)
def _posting_limit(settings):
    """Factories and journeys post a lot; tests of the limit set their own."""
    settings.POSTING_RATE_LIMIT = 1000


@pytest.fixture(scope="module")
def module_db(django_db_setup, django_db_blocker):
    """One transaction around a whole module, for data made once and only read by its
    tests (a module-scoped fixture that asks for this one makes it inside
    ``django_db_blocker.unblock()``). Each test still runs in its own savepoint within
    it and is rolled back to it, as usual; the data goes after the module's last test.
    Not for modules with transactional tests: their flush would empty the tables."""
    from django.db import transaction

    with django_db_blocker.unblock():
        outer = transaction.atomic()
        # Marked as a test case's own block, as Django marks TestCase's, so the code
        # under test treats it the same (``atomic(durable=True)`` allowed inside).
        outer._from_testcase = True
        outer.__enter__()
    try:
        yield
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def _role_groups() -> dict:
    """The role groups: made (with their permissions) by the first person given a role
    in a test, then found by name. ensure_roles() sets every group's permissions again,
    and each setting re-checks who holds what (accounts.safety.privileges)."""
    from django.contrib.auth.models import Group

    found = {
        group.name: group
        for group in Group.objects.filter(name__in=role_groups.ROLE_PERMISSIONS)
    }
    if len(found) == len(role_groups.ROLE_PERMISSIONS):
        return found
    return role_groups.ensure_roles()


def new_team(name: str | None = None) -> Team:
    n = _next()
    name = name or f"Ward {n}"
    return Team.objects.create(name=name, slug=f"team-{n}")


@pytest.fixture
def make_team(db):
    return new_team


def new_staff(
    email: str | None = None,
    *,
    roles: Iterable[str] = (),
    teams: Iterable[Team] = (),
    display_name: str | None = None,
    password: str = PASSWORD,
    profile_completed: bool = True,
    verified: bool = True,
    mfa: bool | None = None,
) -> StaffMember:
    n = _next()
    email = email or f"staff{n}@nhs.net"
    user = StaffMember.objects.create_user(
        email=email,
        password=password,
        display_name=display_name if display_name is not None else f"Colleague {n}",
        profile_completed_at=timezone.now() if profile_completed else None,
    )
    if roles:
        groups = _role_groups()
        user.groups.add(*(groups[ROLE_NAMES.get(role, role)] for role in roles))
    for team in teams:
        TeamMembership.objects.create(team=team, staff_member=user)
    if verified:
        from allauth.account.models import EmailAddress

        EmailAddress.objects.create(
            user=user, email=user.email, verified=True, primary=True
        )
    if mfa or (mfa is None and {ROLE_NAMES.get(r, r) for r in roles} & MFA_ROLES):
        from allauth.mfa.adapter import get_adapter
        from allauth.mfa.models import Authenticator

        Authenticator.objects.create(
            user=user,
            type=Authenticator.Type.TOTP,
            data={"secret": get_adapter().encrypt(TOTP_SECRET)},
        )
    return user


@pytest.fixture
def make_staff(db):
    return new_staff


def campaign_times(
    status: str, now: datetime
) -> tuple[datetime, datetime | None, bool]:
    """(opens_at, closes_at, is_published) that give ``status`` at ``now``."""
    if status == "open":
        return now - timedelta(days=5), now + timedelta(days=15), True
    if status == "scheduled":
        return now + timedelta(days=3), now + timedelta(days=23), True
    if status == "closed":
        return now - timedelta(days=30), now - timedelta(days=10), True
    if status == "draft":
        return now - timedelta(days=1), now + timedelta(days=19), False
    if status == "board":
        return now - timedelta(days=100), None, True
    raise ValueError(status)


def new_campaign(
    status: str = "open",
    *,
    title: str | None = None,
    allow_anonymous: bool = False,
    audience_teams: Iterable[Team] = (),
    themes: Iterable[str] = ("Health and wellbeing", "Ways of working"),
    now: datetime | None = None,
    created_by: StaffMember | None = None,
) -> Campaign:
    n = _next()
    opens_at, closes_at, published = campaign_times(status, now or timezone.now())
    campaign = Campaign.objects.create(
        kind=Campaign.Kind.BOARD if status == "board" else Campaign.Kind.CAMPAIGN,
        title=title or f"Our future {n}",
        slug=f"our-future-{n}",
        introduction=sanitise(f"<p>Tell us what would make work better.</p>{SCRIPT}"),
        is_published=published,
        opens_at=opens_at,
        closes_at=closes_at,
        allow_anonymous=allow_anonymous,
        created_by=created_by,
    )
    campaign.audience_teams.set(list(audience_teams))
    Theme.objects.bulk_create(
        Theme(campaign=campaign, name=name, position=i) for i, name in enumerate(themes)
    )
    return campaign


@pytest.fixture
def make_campaign(db):
    return new_campaign


def new_board(
    team: Team | None = None,
    *,
    lead: StaffMember | None = None,
    allow_anonymous: bool = True,
    state: str = Campaign.BoardState.ACTIVE,
    themes: Iterable[str] = ("Ideas to make things better",),
) -> Campaign:
    n = _next()
    team = team or new_team()
    board = Campaign.objects.create(
        kind=Campaign.Kind.BOARD,
        team=team,
        title=f"Your Shout {n}",
        slug=f"your-shout-{n}",
        introduction=sanitise(f"<p>Our board.</p>{SCRIPT}"),
        is_published=True,
        opens_at=timezone.now() - timedelta(days=100),
        closes_at=None,
        allow_anonymous=allow_anonymous,
        board_state=state,
    )
    Theme.objects.bulk_create(
        Theme(campaign=board, name=name, position=i) for i, name in enumerate(themes)
    )
    if lead is not None:
        TeamMembership.objects.update_or_create(
            team=team,
            staff_member=lead,
            defaults={"role": TeamMembership.Role.LEAD},
        )
    return board


@pytest.fixture
def make_board(db):
    """A team's Your Shout board (a campaign of kind BOARD with a team, never closing);
    ``lead`` is made (or kept) a lead of the team."""

    return new_board


def new_idea(
    campaign: Campaign,
    *,
    author: StaffMember | None = None,
    theme: Theme | None = None,
    title: str | None = None,
    body: str | None = None,
    anonymous: bool = False,
    visibility: str = Visibility.VISIBLE,
    created_at: datetime | None = None,
) -> Idea:
    n = _next()
    author = author or new_staff()
    idea = Idea.objects.create(
        campaign=campaign,
        theme=theme or campaign.themes.first(),
        author=author,
        is_anonymous=anonymous,
        title=sanitise(title or f"Idea {n} {SCRIPT}", allow_markup=False),
        body=sanitise(
            body or f"<p>Details of idea {n}</p><img src=x onerror=alert(1)>"
        ),
        visibility=visibility,
    )
    if created_at is not None:
        Idea.objects.filter(pk=idea.pk).update(created_at=created_at)
        idea.created_at = created_at
    Participation.objects.get_or_create(campaign=campaign, staff_member=author)
    return idea


@pytest.fixture
def make_idea(db):
    return new_idea


def new_comment(
    idea: Idea,
    *,
    author: StaffMember | None = None,
    body: str | None = None,
    parent: Comment | None = None,
    anonymous: bool = False,
) -> Comment:
    n = _next()
    author = author or new_staff()
    comment = Comment.objects.create(
        idea=idea,
        parent=parent,
        author=author,
        is_anonymous=anonymous,
        body=sanitise(
            body or f'Comment {n} <a href="javascript:alert(1)">look</a>{SCRIPT}'
        ),
    )
    Idea.objects.filter(pk=idea.pk).update(comment_count=F("comment_count") + 1)
    idea.comment_count += 1
    Participation.objects.get_or_create(campaign=idea.campaign, staff_member=author)
    return comment


@pytest.fixture
def make_comment(db):
    return new_comment


@pytest.fixture
def staff(make_staff):
    return make_staff()


@pytest.fixture
def manager(make_staff):
    return make_staff(roles=["engagement_manager"], display_name="Morgan Manager")


@pytest.fixture
def moderator(make_staff):
    return make_staff(roles=["moderator"], display_name="Mo Moderator")


@pytest.fixture
def open_campaign(make_campaign):
    return make_campaign("open")


# Real server processes for the live and end-to-end tests.
from tests.servers import asgi_server, second_asgi_server  # noqa: E402, F401


def pytest_collection_modifyitems(config, items):
    """Browser tests last: Playwright's sync API keeps an event loop running in the main
    thread from the first browser test on, which async tests cannot share."""
    items.sort(key=lambda item: item.get_closest_marker("e2e") is not None)
