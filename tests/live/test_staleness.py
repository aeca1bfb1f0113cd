"""No stale pages: two page server processes, one writer, readers loading concurrently.

A seeded random sequence of writes (every kind of write that changes what the campaign
page, an idea's page or the home page shows) is made through the service functions,
from this process, against the test database the servers read. After each write the
test reads the database again: that snapshot is what every page must show from the
moment the write committed. Four signed-in readers (one of them a moderator) keep
loading pages from both servers while the writes go on; after every write each server
is also asked once, synchronously, so a failure reproduces without the race.

Checked:

* every response whose request began after a write committed shows it (unless a later
  write to the same thing was under way while the request ran: then either value is
  acceptable and that thing is not checked for that response);
* no response shows one viewer's personal parts to another: the header names the
  viewer and no other reader, "You" marks only the viewer's own ideas, and pressed
  vote buttons only the ideas the viewer voted on.

The seed is printed; ``STALENESS_SEED=<n>`` replays a run, ``STALENESS_WRITES=<n>``
changes how many writes are made (default 20: every kind once, then random ones) and
``STALENESS_BUDGET=<seconds>`` the writer's time budget (default 30; for a longer soak
raise both, and pytest's ``--timeout``).
"""

import logging
import os
import random
import re
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from html import unescape

import httpx
import pytest
from django.contrib.contenttypes.models import ContentType
from django.db.models import Sum

# -- the writes, in one place (the package is being reorganised: fix names here) ------
from accounts.models import TeamMembership
from accounts.services import (
    save_profile as rename_person,  # (person, {"display_name"})
)
from accounts.teams import add_member as add_team_member  # (by, team, email)
from accounts.teams import remove_member as remove_team_member  # (by, team, person)
from conversations.models import Campaign, Comment, Idea, Participation, Visibility
from conversations.services import post_comment, post_idea, update_campaign
from conversations.services import vote as cast_vote
from conversations.services.moderation import edit_post as moderator_edit_idea
from conversations.services.moderation import (
    hide_idea,
    merge_ideas,
    restore_idea,
    set_idea_status,
)
from conversations.services.own_posts import delete_account as erase_account
from conversations.services.own_posts import edit_own_idea
from tests.servers import session_cookie_for, start_server, stop_server
from voting.models import Tally, Vote

pytestmark = [
    pytest.mark.live,
    pytest.mark.django_db(transaction=True),
    pytest.mark.timeout(150),
]

logging.getLogger("httpx").setLevel(logging.WARNING)

N_WRITES = int(os.environ.get("STALENESS_WRITES", "20"))
# The writes stop early rather than run the test long (the suite's time is shared).
WRITER_BUDGET_SECONDS = float(os.environ.get("STALENESS_BUDGET", "30"))
MAX_REPORTED = int(os.environ.get("STALENESS_REPORT", "25"))

WRITE_KINDS = [
    "post_idea",
    "edit_own_idea",
    "moderator_edit",
    "hide",
    "restore",
    "status",
    "merge",
    "comment",
    "vote",
    "rename",
    "erase",
    "campaign_edit",
    "team_change",
    "audience_change",
]

STATUS_LABELS = {
    "new": "",
    "under_consideration": "Under consideration",
    "adopted": "Adopted",
    "in_progress": "In progress",
    "done": "Done",
    "not_taken_forward": "Not taken forward",
}


# -- the expected state: what the database says, with when each part last changed -------


@dataclass
class Change:
    started: float  # when the write that set this value began
    committed: float  # when its service call returned (after commit)
    value: object
    write: str  # the write's label, for messages
    key: tuple = ()


@dataclass
class History:
    """For each thing a page shows, the values it took, in order (append only)."""

    changes: dict = field(default_factory=lambda: defaultdict(list))
    t0: float = field(default_factory=time.monotonic)
    pending: float | None = None  # when the write being made began
    lock: threading.Lock = field(default_factory=threading.Lock)
    names_of: dict = field(default_factory=lambda: defaultdict(set))  # every name

    def record(self, snapshot: dict, started: float, committed: float, write: str):
        with self.lock:
            for key, value in snapshot.items():
                past = self.changes[key]
                if not past or past[-1].value != value:
                    past.append(Change(started, committed, value, write, key))
                if key[0] == "name" and value:
                    self.names_of[key[1]].add(value)

    def expected(self, key, began: float, ended: float):
        """The Change every response that ran from ``began`` to ``ended`` must show,
        or None when a later write to it was under way while it ran. A thing whose
        first write began after the response ended did not exist for it: a Change
        with the value None."""
        with self.lock:
            past = list(self.changes.get(key, ()))
        settled = None
        for index, change in enumerate(past):
            if change.committed < began:
                settled = index
        if settled is None:
            if past and past[0].started >= ended:
                return Change(0.0, 0.0, None, f"(before {past[0].write})", key)
            return None
        if settled + 1 < len(past) and past[settled + 1].started < ended:
            return None
        return past[settled]

    def begin_write(self, started: float) -> None:
        with self.lock:
            self.pending = started

    def record_write(self, snapshot, started, committed, write) -> None:
        self.record(snapshot, started, committed, write)
        with self.lock:
            self.pending = None

    def settled_for(self, ended: float) -> bool:
        """Whether every write a response that ended at ``ended`` could show has been
        recorded (otherwise its check waits until the end)."""
        with self.lock:
            return self.pending is None or self.pending >= ended

    def timeline(self, key) -> str:
        with self.lock:
            past = list(self.changes.get(key, ()))
        return "; ".join(
            f"{c.write.split(' ')[0]} {c.started - self.t0:+.3f}..{c.committed - self.t0:+.3f}"
            f" {c.value!r}"[:90]
            for c in past[-4:]
        )

    def keys(self) -> list:
        with self.lock:
            return list(self.changes)

    def ever(self, key) -> list:
        with self.lock:
            return [c.value for c in self.changes.get(key, ())]


# -- the world -----------------------------------------------------------------------


class World:
    def __init__(self, rng, make_staff, make_team, make_campaign, manager, moderator):
        self.rng = rng
        self.token = iter(range(1000, 100000))
        self.manager = manager
        self.moderator = moderator
        self.team = make_team("Audience team")
        self.other_team = make_team("Other team")
        self.readers = [
            make_staff(display_name=self.name("Reader Mod"), roles=["moderator"]),
            make_staff(display_name=self.name("Reader Ada"), teams=[self.team]),
            make_staff(display_name=self.name("Reader Ben"), teams=[self.team]),
            make_staff(display_name=self.name("Reader Cy"), teams=[self.other_team]),
        ]
        self.authors = [
            make_staff(display_name=self.name(f"Author {who}"))
            for who in ("Dee", "Eli", "Fay", "Gus")
        ]
        self.erased: set[int] = set()
        self.campaign = make_campaign(
            "open", title=f"Campaign {self.tok()}", allow_anonymous=True
        )
        update_campaign(
            self.campaign,
            manager,
            themes=self.theme_names(self.campaign),
            introduction=f"<p>Introduction {self.tok()}</p>",
        )
        self.team_campaign = make_campaign(
            "open", title=f"Team campaign {self.tok()}", audience_teams=[self.team]
        )
        self.focus: int | None = None

    def tok(self) -> str:
        return f"zq{next(self.token)}x"

    def name(self, base: str) -> str:
        return f"{base} {self.tok()}"

    @staticmethod
    def theme_names(campaign) -> list[str]:
        return list(campaign.themes.order_by("position").values_list("name", flat=True))

    def people(self):
        return [p for p in self.readers + self.authors if p.pk not in self.erased]

    def ideas(self, **filters):
        return list(
            Idea.objects.filter(campaign=self.campaign, **filters)
            .select_related("campaign", "theme", "author")
            .order_by("pk")
        )

    def listed(self):
        return self.ideas(visibility=Visibility.VISIBLE, merged_into__isnull=True)

    # What the pages must show, read from the database.
    def snapshot(self) -> dict:
        state = {}
        ideas = self.ideas()
        idea_type = ContentType.objects.get_for_model(Idea)
        comment_type = ContentType.objects.get_for_model(Comment)
        tallies = {
            t.target_id: (t.support, t.dont_support)
            for t in Tally.objects.filter(
                target_type=idea_type, target_id__in=[i.pk for i in ideas]
            )
        }
        for idea in ideas:
            state[("title", idea.pk)] = idea.title
            state[("shown", idea.pk)] = (idea.visibility, idea.merged_into_id)
            state[("status", idea.pk)] = (STATUS_LABELS[idea.status], idea.status_note)
            state[("comments", idea.pk)] = idea.comment_count
            state[("tally", idea.pk)] = tallies.get(idea.pk, (0, 0))
            state[("author", idea.pk)] = (idea.author_id, idea.is_anonymous)
        for person in self.readers + self.authors:
            person.refresh_from_db()
            state[("name", person.pk)] = (
                None if person.pk in self.erased else person.public_name
            )
        campaign = Campaign.objects.get(pk=self.campaign.pk)
        state[("campaign", campaign.pk)] = (campaign.title, campaign.introduction)
        visible = [i for i in ideas if i.visibility == Visibility.VISIBLE]
        comment_ids = Comment.objects.filter(idea__campaign=campaign).values("pk")
        votes = (
            Tally.objects.filter(
                target_type=idea_type, target_id__in=[i.pk for i in ideas]
            ).aggregate(n=Sum("support") + Sum("dont_support"))["n"]
            or 0
        ) + (
            Tally.objects.filter(
                target_type=comment_type, target_id__in=comment_ids
            ).aggregate(n=Sum("support") + Sum("dont_support"))["n"]
            or 0
        )
        state[("counts", campaign.pk)] = {
            # The figure agrees with the list: merged ideas are not counted.
            "ideas": len([i for i in visible if i.merged_into_id is None]),
            "comments": sum(i.comment_count for i in visible),
            "votes": votes,
            "people": Participation.objects.filter(campaign=campaign).count(),
        }
        audience = set(self.team_campaign.audience_teams.values_list("pk", flat=True))
        for reader in self.readers:
            teams = set(
                TeamMembership.objects.filter(staff_member=reader).values_list(
                    "team_id", flat=True
                )
            )
            state[("access", reader.pk)] = (
                reader.is_moderator or not audience or bool(teams & audience)
            )
            mine = dict(
                Vote.objects.filter(voter=reader, target_type=idea_type).values_list(
                    "target_id", "value"
                )
            )
            for idea in ideas:
                state[("vote", reader.pk, idea.pk)] = mine.get(idea.pk, 0)
        return state


# -- the writes ----------------------------------------------------------------------


class NotNow(Exception):
    """This kind of write has nothing to act on at the moment."""


def make_write(world: World, kind: str) -> tuple[str, callable]:
    """(label, a function making the write) for ``kind``, its targets chosen now."""
    rng = world.rng
    listed = world.listed()
    active_authors = [
        i for i in listed if i.author_id and i.author_id not in world.erased
    ]

    def pick(items):
        if not items:
            raise NotNow
        return rng.choice(items)

    if kind == "post_idea":
        author = pick(world.people())
        anonymous = rng.random() < 0.25
        title = f"Idea {world.tok()}"
        theme = world.campaign.themes.order_by("position").first()

        def write():
            idea = post_idea(
                author,
                world.campaign,
                theme=theme,
                title=title,
                body=f"<p>Body {world.tok()}</p>",
                anonymous=anonymous,
            )
            world.focus = idea.pk

        who = "anonymously " if anonymous else ""
        return f"post an idea {who}as {author.public_name}", write
    if kind == "edit_own_idea":
        idea = pick(active_authors)
        title = f"Edited {world.tok()}"

        def write():
            edit_own_idea(
                idea.author, idea, title=title, body=f"<p>Edited {world.tok()}</p>"
            )

        world.focus = idea.pk
        return f"edit idea {idea.pk} by its author", write
    if kind == "moderator_edit":
        idea = pick(world.ideas(merged_into__isnull=True))
        title = f"Moderated {world.tok()}"
        world.focus = idea.pk
        return f"edit idea {idea.pk} by a moderator", lambda: moderator_edit_idea(
            world.moderator, idea, title=title, body=f"<p>Tidied {world.tok()}</p>"
        )
    if kind == "hide":
        if len(listed) < 4:
            raise NotNow
        idea = pick(listed)
        world.focus = idea.pk
        return f"hide idea {idea.pk}", lambda: hide_idea(
            world.moderator, idea, "spam", "Hidden by the staleness test"
        )
    if kind == "restore":
        idea = pick(world.ideas(visibility=Visibility.HIDDEN, merged_into__isnull=True))
        world.focus = idea.pk
        return f"restore idea {idea.pk}", lambda: restore_idea(world.moderator, idea)
    if kind == "status":
        idea = pick(world.ideas(merged_into__isnull=True))
        status = rng.choice([s for s in STATUS_LABELS if s != idea.status])
        note = f"Note {world.tok()}"
        world.focus = idea.pk
        return f"set idea {idea.pk}'s status to {status}", lambda: set_idea_status(
            world.moderator, idea, status, note
        )
    if kind == "merge":
        if len(listed) < 4:
            raise NotNow
        source, target = rng.sample(listed, 2)
        hidden = world.ideas(visibility=Visibility.HIDDEN, merged_into__isnull=True)
        if hidden and rng.random() < 0.7:
            # A hidden duplicate: no live event, only moderators list it.
            source = rng.choice(hidden)
        world.focus = source.pk
        return f"merge idea {source.pk} into {target.pk}", lambda: merge_ideas(
            world.moderator, source, target, "Duplicate"
        )
    if kind == "comment":
        idea = pick(listed)
        author = pick(world.people())
        world.focus = idea.pk
        return f"comment on idea {idea.pk}", lambda: post_comment(
            author, idea, body=f"<p>Comment {world.tok()}</p>"
        )
    if kind == "vote":
        idea = pick(listed)
        # Readers vote more often than others: their pressed buttons are checked.
        voter = pick(world.readers if rng.random() < 0.7 else world.people())
        current = (
            Vote.objects.filter(
                voter=voter,
                target_type=ContentType.objects.get_for_model(Idea),
                target_id=idea.pk,
            )
            .values_list("value", flat=True)
            .first()
            or 0
        )
        # Always a change (the same vote twice changes nothing, by design).
        value = rng.choice([v for v in (1, 1, -1, 0) if v != current])
        world.focus = idea.pk
        return (
            f"vote {value:+d} on idea {idea.pk} as {voter.public_name}",
            lambda: cast_vote(voter, idea, value),
        )
    if kind == "rename":
        person = pick(world.people())
        new = world.name("Renamed")

        def write():
            person.refresh_from_db()
            rename_person(person, {"display_name": new})

        return f"rename {person.public_name} to {new}", write
    if kind == "erase":
        named = {i.author_id for i in listed if not i.is_anonymous and i.author_id}
        person = pick(
            [a for a in world.authors if a.pk in named and a.pk not in world.erased]
        )
        if len([a for a in world.authors if a.pk not in world.erased]) < 2:
            raise NotNow

        def write():
            erase_account(person)
            world.erased.add(person.pk)

        return f"erase the account of {person.public_name}", write
    if kind == "campaign_edit":
        campaign = Campaign.objects.get(pk=world.campaign.pk)
        title, intro = f"Campaign {world.tok()}", f"<p>Introduction {world.tok()}</p>"
        return "edit the campaign's title and introduction", lambda: update_campaign(
            campaign,
            world.manager,
            themes=world.theme_names(campaign),
            title=title,
            introduction=intro,
        )
    if kind == "team_change":
        person = pick(world.readers[1:])
        if TeamMembership.objects.filter(team=world.team, staff_member=person).exists():
            return f"take {person.public_name} out of the audience team", (
                lambda: remove_team_member(world.manager, world.team, person)
            )
        return f"add {person.public_name} to the audience team", (
            lambda: add_team_member(world.manager, world.team, person.email)
        )
    if kind == "audience_change":
        campaign = Campaign.objects.get(pk=world.team_campaign.pk)
        now = set(campaign.audience_teams.values_list("pk", flat=True))
        teams = [world.other_team] if world.team.pk in now else [world.team]
        return (
            f"change the team campaign's audience to {teams[0].name}",
            lambda: update_campaign(
                campaign,
                world.manager,
                themes=world.theme_names(campaign),
                audience_teams=teams,
            ),
        )
    raise AssertionError(kind)


# -- reading pages -------------------------------------------------------------------

CARD = re.compile(r'<li class="sv-idea" id="idea-(\d+)"')
TITLE_IN_CARD = re.compile(r'<h3 class="nhsuk-card__heading[^"]*"><a [^>]*>(.*?)</a>')
H1 = re.compile(r"<h1[^>]*>(.*?)</h1>", re.S)
SUPPORT = re.compile(r'data-count="support">(\d+)<')
OPPOSE = re.compile(r'data-count="dont_support">(\d+)<')
PRESSED_SUPPORT = re.compile(r'sv-vote-button--support"[^>]*aria-pressed="(\w+)"')
PRESSED_OPPOSE = re.compile(r'sv-vote-button--oppose"[^>]*aria-pressed="(\w+)"')
COMMENT_COUNT = re.compile(r"data-comment-count[^>]*>\s*(\d+) comments?\s*<")
STATUS = re.compile(r"<span data-status>(.*?)</span>", re.S)
AUTHOR = re.compile(r'<p class="nhsuk-body-s sv-meta">\s*([^<]*?)\s*·\s*<time')
HEADER = re.compile(r'<header class="nhsuk-header".*?</header>', re.S)
HEADER_NAME = re.compile(r'class="nhsuk-header__account-link" href="[^"]*">([^<]*)</a>')
STAT = re.compile(r'data-stat="(\w+)">(\d+)<')
CAPTION = re.compile(r'<span class="nhsuk-caption-m">(\d+) ideas?</span></h2>')
CAMPAIGN_CARD = re.compile(
    r'<li class="nhsuk-card[^"]*sv-campaign-card">.*?</li>', re.S
)
CARD_COUNTS = re.compile(
    r"(\d+) ideas? ·\s*(\d+) comments? ·\s*(\d+) votes? ·\s*(\d+) (?:person|people)"
)


def text(html: str) -> str:
    return unescape(re.sub(r"<[^>]+>", "", html)).strip()


def excerpt(html: str, needle: str = "", width: int = 300) -> str:
    at = html.find(needle) if needle else -1
    start = max(0, at - width // 3) if at >= 0 else 0
    return " ".join(html[start : start + width].split())


def cards_of(html: str) -> dict[int, str]:
    found = list(CARD.finditer(html))
    cards = {}
    for index, match in enumerate(found):
        end = found[index + 1].start() if index + 1 < len(found) else len(html)
        chunk = html[match.start() : end]
        cards[int(match.group(1))] = chunk.split("</ol>")[0]
        cards[int(match.group(1))] = cards[int(match.group(1))]
    return cards


@dataclass
class Response:
    reader: object
    server: str
    kind: str  # campaign | sorted | idea | home | team_campaign
    url: str
    status: int
    html: str
    began: float
    ended: float
    idea_pk: int | None = None
    sync: bool = False  # a synchronous check after a write (no racing)


class Checker:
    def __init__(self, world: World, history: History):
        self.world = world
        self.history = history
        self.failures: dict[tuple, list] = {}
        self.lock = threading.Lock()
        self.pages_checked = 0

    def fail(self, r: Response, change, what: str, expected, served: str):
        """Record a failure; ``change`` is the write the page should show (a Change) or
        a description when the failure is not about one write."""
        t0 = self.history.t0
        if isinstance(change, Change):
            write = change.write
            when = (
                f"; the write ran {change.started - t0:+.3f}s..{change.committed - t0:+.3f}s"
                f"\n    changes of {change.key}: {self.history.timeline(change.key)}"
            )
        else:
            write, when = change, ""
        key = (write, what.split(":")[0], r.server, r.kind, r.sync)
        with self.lock:
            if key in self.failures:
                self.failures[key][1] += 1
                return
            self.failures[key] = [
                f"after «{write}»: {what}\n"
                f"    {'synchronous check' if r.sync else 'concurrent reader'}: "
                f"server {r.server}, reader {r.reader.display_name!r}, GET {r.url} "
                f"-> {r.status}; request ran {r.began - t0:+.3f}s..{r.ended - t0:+.3f}s"
                f"{when}\n"
                f"    expected: {expected!r}\n"
                f"    served:   {served}",
                1,
            ]

    def expect(self, r: Response, key):
        change = self.history.expected(key, r.began, r.ended)
        if change is not None and change.value is None and key[0] not in ("shown",):
            return None  # not posted yet, or an erased person: nothing to compare
        return change

    # -- personal parts and headers, on every page ---------------------------------
    def check_header(self, r: Response):
        header = HEADER.search(r.html)
        if header is None:
            return
        header = header.group(0)
        for other in self.world.readers:
            if other.pk == r.reader.pk:
                continue
            for name in self.history.ever(("name", other.pk)):
                if name and name in header:
                    self.fail(
                        r,
                        "(any)",
                        f"personal: the header names another reader, {name!r}",
                        r.reader.display_name,
                        excerpt(header, name),
                    )
        change = self.expect(r, ("name", r.reader.pk))
        if change is not None:
            names = [text(n) for n in HEADER_NAME.findall(header)]
            if change.value not in names:
                self.fail(
                    r,
                    change,
                    "header: the viewer's own name",
                    change.value,
                    repr(names),
                )

    def author_label(self, r: Response, idea_pk: int):
        """The label the viewer must see, or None if not settled for this response."""
        author = self.expect(r, ("author", idea_pk))
        if author is None:
            return None
        author_id, anonymous = author.value
        own = author_id == r.reader.pk
        if anonymous:
            return author, "You (posted anonymously)" if own else "A colleague"
        if author_id is None:
            return author, "A former colleague"
        if own:
            return author, "You"
        name = self.expect(r, ("name", author_id))
        if name is None:
            return None
        later = name if name.committed > author.committed else author
        return later, name.value

    def check_personal_card(self, r: Response, idea_pk: int, chunk: str):
        """Never another person's "You" or pressed buttons, whatever the timing."""
        label = AUTHOR.search(chunk)
        authors = {v[0] for v in self.history.ever(("author", idea_pk))}
        if (
            label
            and text(label.group(1)).startswith("You")
            and (r.reader.pk not in authors)
        ):
            self.fail(
                r,
                "(any)",
                f"personal: idea {idea_pk} is marked as the viewer's own",
                "not 'You'",
                excerpt(chunk, label.group(1)),
            )
        votes = set(self.history.ever(("vote", r.reader.pk, idea_pk)))
        for pattern, value in ((PRESSED_SUPPORT, 1), (PRESSED_OPPOSE, -1)):
            pressed = pattern.search(chunk)
            if pressed and pressed.group(1) == "true" and value not in votes:
                self.fail(
                    r,
                    "(any)",
                    f"personal: a pressed vote button on idea {idea_pk} the viewer "
                    f"never voted {value:+d} on",
                    "aria-pressed=false",
                    excerpt(chunk, 'aria-pressed="true"'),
                )

    def check_idea_parts(self, r: Response, pk: int, chunk: str, where: str):
        """Title, tallies, comment count, status, author and pressed buttons."""
        change = self.expect(r, ("title", pk))
        if change is not None:
            title = TITLE_IN_CARD.search(chunk) if where == "card" else H1.search(chunk)
            got = text(title.group(1)) if title else None
            if got != change.value:
                self.fail(
                    r,
                    change,
                    f"title: idea {pk}'s title ({where})",
                    change.value,
                    repr(got),
                )
        change = self.expect(r, ("tally", pk))
        if change is not None:
            votes = chunk
            if where == "page":
                at = chunk.find(f'data-vote-target="idea-{pk}"')
                votes = chunk[at:] if at >= 0 else ""
            s, d = SUPPORT.search(votes), OPPOSE.search(votes)
            got = (int(s.group(1)), int(d.group(1))) if s and d else None
            if got != change.value:
                self.fail(
                    r,
                    change,
                    f"tally: idea {pk}'s tally ({where})",
                    change.value,
                    repr(got),
                )
            chunk_votes = votes
            mine = self.expect(r, ("vote", r.reader.pk, pk))
            if mine is not None and s:
                sp, op = (
                    PRESSED_SUPPORT.search(chunk_votes),
                    PRESSED_OPPOSE.search(chunk_votes),
                )
                got = (
                    1
                    if sp and sp.group(1) == "true"
                    else -1
                    if op and op.group(1) == "true"
                    else 0
                )
                if got != mine.value:
                    self.fail(
                        r,
                        mine,
                        f"pressed: the viewer's own vote on idea {pk} ({where})",
                        mine.value,
                        repr(got),
                    )
        change = self.expect(r, ("comments", pk))
        if change is not None:
            count = COMMENT_COUNT.search(chunk)
            got = int(count.group(1)) if count else None
            if got != change.value:
                self.fail(
                    r,
                    change,
                    f"comments: idea {pk}'s comment count ({where})",
                    change.value,
                    repr(got),
                )
        change = self.expect(r, ("status", pk))
        if change is not None:
            label, note = change.value
            status = STATUS.search(chunk)
            got = text(status.group(1)) if status else None
            if got != label:
                self.fail(
                    r,
                    change,
                    f"status: idea {pk}'s status ({where})",
                    label,
                    repr(got),
                )
            if where == "page" and note and note not in chunk:
                self.fail(
                    r,
                    change,
                    f"status: idea {pk}'s public note",
                    note,
                    excerpt(chunk, "Update:"),
                )
        expected = self.author_label(r, pk)
        if expected is not None:
            write, label = expected
            found = AUTHOR.search(chunk)
            got = text(found.group(1)) if found else None
            if got != label:
                self.fail(
                    r, write, f"author: idea {pk}'s author ({where})", label, repr(got)
                )

    def shown_to(self, r: Response, pk: int):
        """(listed, shown-hidden-tag, write) for this viewer, or None if unsettled."""
        change = self.expect(r, ("shown", pk))
        if change is None:
            return None
        if change.value is None:  # not posted yet when this page was served
            return False, False, change
        visibility, merged_into = change.value
        moderator = r.reader.pk == self.world.readers[0].pk
        listed = merged_into is None and (moderator or visibility == Visibility.VISIBLE)
        return listed, visibility == Visibility.HIDDEN, change

    # -- pages ----------------------------------------------------------------------
    def check(self, r: Response):
        self.pages_checked += 1
        if r.status >= 500:
            self.fail(r, "(any)", "server error", "a page", excerpt(r.html))
            return
        if r.status == 200:
            self.check_header(r)
        getattr(self, f"check_{r.kind}")(r)

    def check_campaign(self, r: Response):
        if r.status != 200:
            self.fail(r, "(any)", "campaign page status", 200, str(r.status))
            return
        campaign = self.expect(r, ("campaign", self.world.campaign.pk))
        if campaign is not None:
            title, intro = campaign.value
            h1 = H1.search(r.html)
            if not h1 or text(h1.group(1)) != title:
                self.fail(
                    r,
                    campaign,
                    "campaign: the campaign's title",
                    title,
                    repr(text(h1.group(1)) if h1 else None),
                )
            if intro not in r.html:
                self.fail(
                    r,
                    campaign,
                    "campaign: the campaign's introduction",
                    intro,
                    excerpt(r.html, "nhsuk-lede-text"),
                )
        counts = self.expect(r, ("counts", self.world.campaign.pk))
        if counts is not None:
            figures = {k: int(v) for k, v in STAT.findall(r.html)}
            if figures != counts.value:
                self.fail(
                    r,
                    counts,
                    "figures: the campaign's figures",
                    counts.value,
                    repr(figures),
                )
        cards = cards_of(r.html)
        listed_count, settled, latest = 0, True, None
        for key in self.history.keys():
            if key[0] != "shown":
                continue
            pk = key[1]
            shown = self.shown_to(r, pk)
            if shown is None:
                settled = False
                continue
            listed, hidden, change = shown
            listed_count += listed
            if change.value is not None and (
                latest is None or change.committed > latest.committed
            ):
                latest = change
            if listed and pk not in cards:
                self.fail(
                    r,
                    change,
                    f"list: idea {pk} is missing from the list",
                    f"idea-{pk}",
                    f"cards {sorted(cards)}",
                )
            elif not listed and pk in cards:
                self.fail(
                    r,
                    change,
                    f"list: idea {pk} is still listed",
                    "no card",
                    excerpt(cards[pk]),
                )
            if listed and pk in cards:
                tagged = "Hidden by a moderator" in cards[pk]
                if tagged != hidden:
                    self.fail(
                        r,
                        change,
                        f"list: idea {pk}'s hidden tag",
                        hidden,
                        excerpt(cards[pk]),
                    )
        for pk, chunk in cards.items():
            self.check_personal_card(r, pk, chunk)
            self.check_idea_parts(r, pk, chunk, "card")
        if settled:
            self.check_order(r, cards, latest)
            caption = CAPTION.search(r.html)
            got = int(caption.group(1)) if caption else None
            if got != listed_count:
                self.fail(
                    r,
                    latest,
                    "figures: the list's caption (N ideas)",
                    listed_count,
                    excerpt(r.html, "nhsuk-caption-m"),
                )

    check_sorted = check_campaign

    def check_order(self, r: Response, cards: dict[int, str], latest):
        """The cards in the page's order: newest first, or for ``sort=supported`` by
        support, then fewest "don't support", then newest."""
        order = list(cards)  # dicts keep the page's order
        if r.kind == "sorted":
            tallies = {}
            for pk in order:
                change = self.expect(r, ("tally", pk))
                if change is None:
                    return
                tallies[pk] = change.value
                if change.committed > latest.committed:
                    latest = change
            expected = sorted(
                order, key=lambda pk: (-tallies[pk][0], tallies[pk][1], -pk)
            )
        else:
            expected = sorted(order, reverse=True)
        if order != expected:
            self.fail(
                r, latest, f"order: the cards' order ({r.kind})", expected, repr(order)
            )

    def check_idea(self, r: Response):
        pk = r.idea_pk
        shown = self.shown_to(r, pk)
        if shown is None:
            return
        listed, hidden, change = shown
        if change.value is None:
            return
        visibility, merged_into = change.value
        moderator = r.reader.pk == self.world.readers[0].pk
        if not moderator and visibility != Visibility.VISIBLE:
            if r.status != 404:
                self.fail(
                    r,
                    change,
                    f"idea page: hidden idea {pk} is still served",
                    404,
                    f"{r.status} {excerpt(r.html, '<h1')}",
                )
            return
        if r.status != 200:
            self.fail(
                r,
                change,
                f"idea page: idea {pk}",
                200,
                f"{r.status} {excerpt(r.html, '<h1')}",
            )
            return
        if merged_into:
            target = self.expect(r, ("title", merged_into))
            notice = "This idea was merged into a similar one"
            if notice not in r.html or (
                target is not None and target.value not in r.html
            ):
                self.fail(
                    r,
                    change,
                    f"idea page: idea {pk} shows it was merged",
                    f"{notice}, “{target.value if target else '?'}”",
                    excerpt(r.html, "<h1"),
                )
            return
        main = r.html.split("</header>", 1)[-1]
        self.check_personal_card(r, pk, main.split('id="comments-heading"')[0])
        self.check_idea_parts(r, pk, main, "page")
        if ("Hidden by a moderator" in main.split("<h1")[0]) != hidden:
            self.fail(
                r,
                change,
                f"idea page: idea {pk}'s hidden tag",
                hidden,
                excerpt(main, "<h1"),
            )

    def check_home(self, r: Response):
        if r.status != 200:
            self.fail(r, "(any)", "home page status", 200, str(r.status))
            return
        cards = {}
        for card in CAMPAIGN_CARD.findall(r.html):
            slug = re.search(r'href="/campaigns/([^/]+)/"', card)
            if slug:
                cards[slug.group(1)] = card
        campaign = self.expect(r, ("campaign", self.world.campaign.pk))
        card = cards.get(self.world.campaign.slug)
        if card is None:
            self.fail(
                r,
                "(any)",
                "home: the campaign is missing",
                self.world.campaign.slug,
                repr(sorted(cards)),
            )
            return
        if campaign is not None and campaign.value[0] not in card:
            self.fail(
                r,
                campaign,
                "home: the campaign's title",
                campaign.value[0],
                excerpt(card, "<h3"),
            )
        counts = self.expect(r, ("counts", self.world.campaign.pk))
        found = CARD_COUNTS.search(text(card))
        if counts is not None:
            got = (
                dict(
                    zip(
                        ("ideas", "comments", "votes", "people"),
                        map(int, found.groups()),
                        strict=True,
                    )
                )
                if found
                else None
            )
            if got != counts.value:
                self.fail(
                    r,
                    counts,
                    "home: the campaign card's figures",
                    counts.value,
                    repr(got),
                )
        access = self.expect(r, ("access", r.reader.pk))
        if access is not None:
            listed = self.world.team_campaign.slug in cards
            if listed != access.value:
                self.fail(
                    r,
                    access,
                    "access: the team campaign on the home page",
                    "listed" if access.value else "not listed",
                    "listed" if listed else "not listed",
                )

    def check_team_campaign(self, r: Response):
        access = self.expect(r, ("access", r.reader.pk))
        if access is None:
            return
        if access.value and r.status != 200:
            self.fail(
                r,
                access,
                "access: the team campaign's page",
                200,
                f"{r.status} {excerpt(r.html, '<h1')}",
            )
        if not access.value and r.status not in (403, 404):
            self.fail(
                r,
                access,
                "access: the team campaign's page",
                "403 or 404",
                f"{r.status} {excerpt(r.html, '<h1')}",
            )

    def report(self) -> str:
        """A summary per write (which checks failed, synchronously and for the
        concurrent readers), then an example of each distinct failure, synchronous
        ones first."""

        def order(write: str) -> int:
            number = re.match(r"#(\d+)", write)
            return int(number.group(1)) if number else (0 if "start" in write else 999)

        summary: dict[str, dict[str, list[int]]] = defaultdict(
            lambda: defaultdict(lambda: [0, 0])
        )
        for (write, what, _server, _kind, sync), (_message, n) in self.failures.items():
            summary[write][what][0 if sync else 1] += n
        lines = ["by write (failed checks: synchronous / concurrent pages):"]
        for write in sorted(summary, key=order):
            parts = ", ".join(
                f"{what} {a}/{b}" for what, (a, b) in sorted(summary[write].items())
            )
            lines.append(f"  {write}: {parts}")
        lines.append("examples:")
        ranked = sorted(
            self.failures.items(), key=lambda item: (not item[0][4], order(item[0][0]))
        )
        examples = [
            f"{n}x {message}" if n > 1 else message for _key, (message, n) in ranked
        ]
        more = len(examples) - MAX_REPORTED
        lines += examples[:MAX_REPORTED]
        if more > 0:
            lines.append(f"... and {more} more")
        return "\n".join(lines)


class Reader:
    """One signed-in person with a client per server."""

    def __init__(self, person, servers):
        self.person = person
        cookie = session_cookie_for(person)
        self.clients = {
            name: httpx.Client(
                base_url=server.url,
                cookies={"sessionid": cookie},
                timeout=20,
                follow_redirects=False,
            )
            for name, server in servers.items()
        }

    def load(
        self, server: str, kind: str, world: World, idea_pk=None, sync=False
    ) -> Response:
        slug = world.campaign.slug
        url = {
            "campaign": f"/campaigns/{slug}/",
            "sorted": f"/campaigns/{slug}/?sort=supported",
            "idea": f"/campaigns/{slug}/ideas/{idea_pk}/",
            "home": "/",
            "team_campaign": f"/campaigns/{world.team_campaign.slug}/",
        }[kind]
        began = time.monotonic()
        response = self.clients[server].get(url)
        ended = time.monotonic()
        return Response(
            self.person,
            server,
            kind,
            url,
            response.status_code,
            response.text,
            began,
            ended,
            idea_pk,
            sync,
        )

    def close(self):
        for client in self.clients.values():
            client.close()


PAGES = ["campaign", "sorted", "idea", "home", "team_campaign"]


@pytest.fixture
def two_servers(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        servers = {"A": start_server()}
        try:
            servers["B"] = start_server()
        except BaseException:
            stop_server(servers["A"])
            raise
    yield servers
    for server in servers.values():
        stop_server(server)


def test_pages_show_every_committed_write_and_only_the_viewers_own_parts(
    two_servers, make_staff, make_team, make_campaign, manager, moderator
):
    seed = int(os.environ.get("STALENESS_SEED", random.randrange(10**6)))
    print(f"\nstaleness seed: {seed} (STALENESS_SEED={seed} replays it)")
    rng = random.Random(seed)
    world = World(rng, make_staff, make_team, make_campaign, manager, moderator)
    theme = world.campaign.themes.order_by("position").first()
    seeded = [
        (world.authors[0], False),
        (world.authors[1], False),
        (world.authors[2], True),
        (world.authors[3], False),
        (world.readers[1], False),
        (world.readers[2], True),
        (world.readers[3], False),
        (world.authors[0], False),
    ]
    for author, anonymous in seeded:
        post_idea(
            author,
            world.campaign,
            theme=theme,
            title=f"Idea {world.tok()}",
            body=f"<p>Body {world.tok()}</p>",
            anonymous=anonymous,
        )
    for reader in world.readers:
        for idea in rng.sample(world.listed(), 3):
            cast_vote(reader, idea, rng.choice([1, -1]))
    world.focus = world.listed()[0].pk

    history = History()
    history.record(world.snapshot(), history.t0, history.t0, "the starting data")
    checker = Checker(world, history)
    readers = [Reader(person, two_servers) for person in world.readers]
    servers = list(two_servers)

    # Every kind once, then random ones, in a random order.
    kinds = WRITE_KINDS + rng.choices(
        WRITE_KINDS,
        # The everyday writes more often than the rare ones.
        weights=[
            3 if k in ("vote", "comment", "post_idea") else 1 for k in WRITE_KINDS
        ],
        k=max(0, N_WRITES - len(WRITE_KINDS)),
    )
    rng.shuffle(kinds)

    stop = threading.Event()
    deferred: list[Response] = []  # served while a write was being recorded
    errors: list[BaseException] = []

    def read_loop(index: int):
        reader = readers[index]
        local = random.Random(seed * 10 + index)
        turn = index
        try:
            while not stop.is_set():
                turn += 1
                kind = local.choice(PAGES)
                idea_pk = world.focus
                if kind == "idea" and local.random() < 0.3:
                    ideas = [k[1] for k in history.keys() if k[0] == "title"]
                    idea_pk = local.choice(ideas)
                response = reader.load(servers[turn % 2], kind, world, idea_pk)
                if history.settled_for(response.ended):
                    checker.check(response)
                else:
                    deferred.append(response)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [
        threading.Thread(target=read_loop, args=(i,), daemon=True)
        for i in range(len(readers))
    ]
    for thread in threads:
        thread.start()

    done: list[str] = []
    skipped: list[str] = []
    t0 = time.monotonic()
    try:
        for number, kind in enumerate(kinds, 1):
            if time.monotonic() - t0 > WRITER_BUDGET_SECONDS:
                skipped.append(f"{len(kinds) - number + 1} writes (time budget)")
                break
            try:
                label, write = make_write(world, kind)
            except NotNow:
                skipped.append(kind)
                continue
            label = f"#{number} {label}"
            focus = world.focus
            started = time.monotonic()
            history.begin_write(started)
            write()
            committed = time.monotonic()
            history.record_write(world.snapshot(), started, committed, label)
            done.append(label)
            # One synchronous round from each server: deterministic for a given seed.
            affected = [r for r in readers if r.person.display_name in label] or [
                readers[number % len(readers)]
            ]
            for offset, server in enumerate(servers):
                reader = readers[(number + offset) % len(readers)]
                for page in PAGES:
                    checker.check(
                        reader.load(
                            server, page, world, idea_pk=world.focus or focus, sync=True
                        )
                    )
                for other in affected:
                    if other is not reader:
                        for page in ("team_campaign", "home", "campaign"):
                            checker.check(other.load(server, page, world, sync=True))
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
        for reader in readers:
            reader.close()
    for response in deferred:
        checker.check(response)
    elapsed = time.monotonic() - t0
    print(
        f"{len(done)} writes in {elapsed:.1f}s, {checker.pages_checked} pages checked; "
        f"skipped: {skipped or 'none'}"
    )
    print("\n".join(done))
    if errors:
        raise errors[0]
    assert not checker.failures, (
        f"stale or personal parts served (seed {seed}); "
        f"{len(checker.failures)} distinct failures:\n{checker.report()}"
    )
