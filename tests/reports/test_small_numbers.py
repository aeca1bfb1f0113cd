"""No small group can be worked out: differencing attacks on every figure set the
platform publishes, read as a reader gets them (pages, the live fragment, the CSV, the
report, the campaign page and lists, the live counts frame, team views).

The organisation below has groups of every awkward size (0, 1, 2, 3, 4) and days with
1 to 4 new people. For each figure set the reader's deductions are computed: totals
minus the groups shown, one breakdown's total against another's, the periods' sum
against the total, "taking part least", and what changes between two live readings
when one colleague posts anonymously. None may give a group under the threshold.
"""

import csv
import io
import re
from datetime import datetime, time, timedelta
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Band, Directorate, StaffGroup, TeamMembership
from conversations import services, stats
from conversations.live import hub
from conversations.models import Participation
from reports import services as report_services

pytestmark = pytest.mark.django_db

LIMIT = 5
NOT_GIVEN = "Not given"

# (directorate, staff group, band, day it first took part): 22 people.
PEOPLE = (
    [("Acute", "Nurses", "Band 5", 0)] * 6
    + [("Acute", "Nurses", "Band 6", 1)] * 2
    + [("Acute", "Nurses", "Band 6", 3)] * 4
    + [("Beds", "Doctors", "Band 7", 0)] * 2  # Beds: 3 in all, Doctors: 2
    + [("Beds", None, "Band 7", 2)]
    + [("Dental", None, "Band 5", 3)] * 2  # Dental: 6 in all
    + [("Dental", "Nurses", "Band 6", 2)]
    + [("Dental", None, "Band 5", 5)] * 3  # today
    + [(None, None, "Band 7", 1)]  # one who gave no directorate
)
# Groups of each dimension a reader knows exist (the trust publishes its structure).
DIRECTORATES = {"Acute": 40, "Beds": 20, "Corporate": 30, "Dental": 40}  # headcounts
STAFF_GROUPS = ["Nurses", "Doctors"]
BANDS = ["Band 5", "Band 6", "Band 7", "Band 8"]


@pytest.fixture
def world(settings, make_staff, make_campaign, make_team):
    settings.SMALL_GROUP_THRESHOLD = LIMIT
    directorates = {
        n: Directorate.objects.create(name=n, headcount=h)
        for n, h in DIRECTORATES.items()
    }
    groups = {n: StaffGroup.objects.create(name=n) for n in STAFF_GROUPS}
    bands = {n: Band.objects.create(name=n, position=i) for i, n in enumerate(BANDS)}
    campaign = make_campaign("open", allow_anonymous=True)
    theme = campaign.themes.first()
    opens = timezone.localdate(campaign.opens_at)
    people = []
    for n, (d, g, b, day) in enumerate(PEOPLE):
        person = make_staff(display_name=f"Person {n}")
        person.directorate = directorates.get(d)
        person.staff_group = groups.get(g)
        person.band = bands.get(b)
        person.save()
        services.post_idea(
            person, campaign, theme=theme, title=f"Idea {n}", body="More rest."
        )
        at = timezone.make_aware(
            datetime.combine(opens + timedelta(days=day), time(10))
        )
        Participation.objects.filter(campaign=campaign, staff_member=person).update(
            first_at=min(at, timezone.now())
        )
        people.append(person)
    # Team views: one team of 6, one of 3 (too small to have a view).
    big, small = make_team("Ward 9"), make_team("Ward 2")
    for person in people[:6]:
        TeamMembership.objects.create(team=big, staff_member=person)
    for person in people[14:17]:
        TeamMembership.objects.create(team=small, staff_member=person)
    manager = make_staff(roles=["engagement_manager"], display_name="Morgan Manager")
    return {
        "campaign": campaign,
        "theme": theme,
        "people": people,
        "manager": manager,
        "reader": make_staff(display_name="Reese Reader"),
        "teams": (big, small),
        "dental_newcomer": directorates["Dental"],
    }


# -- reading what a reader gets ------------------------------------------------------


class _Page(HTMLParser):
    """Tables (with their attributes and rows of cell texts), the figures in
    ``data-figure`` / ``data-stat`` and the "taking part least" items of a page."""

    def __init__(self, html: str):
        super().__init__()
        self.tables: list[dict] = []
        self.figures: dict[str, str] = {}
        self.least: list[str] = []
        self._cell: list[str] | None = None
        self._capture: tuple[str, str] | None = None
        self._text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table":
            self.tables.append({"attrs": attrs, "rows": []})
        elif tag == "tr" and self.tables:
            self.tables[-1]["rows"].append([])
        elif tag in ("td", "th") and self.tables:
            self._cell = []
        elif tag == "dd" and ("data-figure" in attrs or "data-stat" in attrs):
            self._capture = ("figure", attrs.get("data-figure") or attrs["data-stat"])
            self._text = []
        elif tag == "li" and "data-least" in attrs:
            self._capture = ("least", "")
            self._text = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None and self.tables:
            self.tables[-1]["rows"][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag in ("dd", "li") and self._capture:
            kind, key = self._capture
            text = " ".join("".join(self._text).split())
            if kind == "figure":
                self.figures[key] = text
            else:
                self.least.append(text)
            self._capture = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)
        if self._capture:
            self._text.append(data)


def _number(text: str) -> int | None:
    """A published count, or None where it says "fewer than"."""
    text = text.strip()
    return int(text) if re.fullmatch(r"\d+", text) else None


def _from_page(html: str) -> dict:
    """What a reader of the participation page learns, in one shape for old and new
    pages: total, breakdowns {dimension: ({shown group: n}, others or None)},
    new people per day or period, the groups named as taking part least."""
    page = _Page(html)
    found = {
        "total": _number(page.figures.get("people", "")),
        "breakdowns": {},
        "periods": [],
        "least": [t.split(":")[0] for t in page.least],
        "headcounts": {},
    }
    for table in page.tables:
        dimension = table["attrs"].get("data-breakdown")
        rows = [r for r in table["rows"] if r]
        if dimension:
            shown, others = {}, None
            for row in rows[1:]:
                if len(row) < 2:
                    continue
                if row[0] == "Other groups together":
                    others = _number(row[1])
                    continue
                shown[row[0]] = _number(row[1])  # None: "fewer than" (old pages)
                if _number(row[2]) is not None:
                    found["headcounts"][row[0]] = _number(row[2])
            found["breakdowns"][dimension] = (shown, others)
        elif rows and "New people" in rows[0]:
            column = rows[0].index("New people")
            found["periods"] += [_number(r[column]) for r in rows[1:] if r]
    return found


def _from_csv(text: str) -> dict:
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))[1:]
    found = {"total": None, "breakdowns": {}, "periods": [], "least": []}
    found["headcounts"] = {}
    labels = {
        "Directorate": "directorate",
        "Staff group": "staff_group",
        "Band": "band",
    }
    for section, group, measure, value in rows:
        if section == "summary" and measure == "people":
            found["total"] = _number(value)
        elif (section == "timeline" and measure == "people") or section == "new people":
            found["periods"].append(_number(value))
        elif section in labels:
            shown, others = found["breakdowns"].setdefault(labels[section], ({}, None))
            if measure == "people" and group == "Other groups together":
                found["breakdowns"][labels[section]] = (shown, _number(value))
            elif measure == "people":
                shown[group] = _number(value)
            elif measure == "headcount":
                found["headcounts"][group] = _number(value)
        elif section == "taking part least":
            found["least"].append(group.split(": ", 1)[1])
    return found


# -- the attacks ---------------------------------------------------------------------

KNOWN = {
    "directorate": [*DIRECTORATES, NOT_GIVEN],
    "staff_group": [*STAFF_GROUPS, NOT_GIVEN],
    "band": [*BANDS, NOT_GIVEN],
}


def _small(n) -> bool:
    return n is not None and n < LIMIT


def attacks(seen: dict) -> list[str]:
    """Every small number a reader can work out from one figure set."""
    found = []
    total = seen["total"]
    if _small(total):
        found.append(f"the total is {total}")
    shown_in_some = set()
    sums = {}
    for dimension, (shown, others) in seen["breakdowns"].items():
        exact = {g: n for g, n in shown.items() if n is not None}
        shown_in_some |= {(dimension, g) for g in exact}
        for group, n in exact.items():
            if _small(n):
                found.append(f"{dimension} {group} is shown as {n}")
        hidden = [g for g in KNOWN[dimension] if g not in exact]
        if others is not None:
            if _small(others):
                found.append(f"{dimension}: the other groups are {others}")
            sums[dimension] = sum(exact.values()) + others
        elif total is not None:
            sums[dimension] = total
        if total is not None and hidden:
            rest = total - sum(exact.values())
            if _small(rest):  # totals minus the shown groups
                found.append(f"{dimension}: {hidden} together are {rest}")
        for group in hidden:
            if group in seen["headcounts"]:
                found.append(f"{dimension}: hidden {group}'s headcount is shown")
    # One breakdown's total against another's.
    for a in sums:
        for b in sums:
            if a < b and 0 < abs(sums[a] - sums[b]) < LIMIT:
                found.append(f"{a} and {b} differ by {abs(sums[a] - sums[b])}")
    # Periods (days) of new people, and their sum against the total.
    for n in seen["periods"]:
        if _small(n) and n > 0:
            found.append(f"a day or period shows {n} new people")
    exact_periods = [n for n in seen["periods"] if n is not None]
    if total is not None and len(exact_periods) < len(seen["periods"]):
        rest = total - sum(exact_periods)
        if _small(rest):
            found.append(f"the hidden days together are {rest}")
    # "Taking part least" names a group a breakdown does not show.
    for name in seen["least"]:
        if not any(g == name for _d, g in shown_in_some):
            found.append(f"{name} is named as taking part least but is hidden")
    return found


def changes(before: dict, after: dict) -> list[str]:
    """Between two readings of a live figure set, one colleague having just joined:
    a shown group that moved by fewer than the threshold says which group they are in."""
    found = []
    for dimension, (shown, _others) in after["breakdowns"].items():
        old = before["breakdowns"].get(dimension, ({}, None))[0]
        for group, n in shown.items():
            if (
                n is not None
                and old.get(group) is not None
                and 0 < n - old[group] < LIMIT
            ):
                found.append(f"{dimension} {group} went from {old[group]} to {n}")
    return found


# -- every figure set ----------------------------------------------------------------


def _get(person, path) -> str:
    client = Client()
    client.force_login(person)
    response = client.get(path)
    assert response.status_code == 200, path
    return b"".join(response).decode() if response.streaming else response.text


def _url(name, campaign):
    return reverse(f"reports:{name}", args=[campaign.slug])


def test_the_participation_page_gives_no_small_group_away(world):
    seen = _from_page(_get(world["reader"], _url("analytics", world["campaign"])))
    assert seen["total"] == len(PEOPLE)
    assert attacks(seen) == []


def test_the_live_fragment_gives_no_small_group_away(world):
    html = _get(world["reader"], _url("analytics_fragment", world["campaign"]))
    assert attacks(_from_page(html)) == []


def test_the_figures_csv_gives_no_small_group_away(world):
    text = _get(world["manager"], _url("analytics_csv", world["campaign"]))
    seen = _from_csv(text)
    assert seen["total"] == len(PEOPLE)
    assert attacks(seen) == []


def test_the_published_report_and_its_frozen_figures_give_no_small_group_away(world):
    campaign = world["campaign"]
    report = report_services.report_for(campaign)
    report_services.publish_report(world["manager"], report)
    for name in ("report", "report_print"):
        assert attacks(_from_page(_get(world["reader"], _url(name, campaign)))) == []
    frozen = _get(world["reader"], _url("analytics", campaign))
    assert "frozen" in frozen
    assert attacks(_from_page(frozen)) == []
    csv_text = _get(world["manager"], _url("analytics_csv", campaign))
    assert attacks(_from_csv(csv_text)) == []


def test_a_small_campaign_shows_fewer_than_five_everywhere(
    settings, make_campaign, make_staff
):
    settings.SMALL_GROUP_THRESHOLD = LIMIT
    campaign = make_campaign("open")
    theme = campaign.themes.first()
    for n in range(3):
        services.post_idea(
            make_staff(), campaign, theme=theme, title=f"Idea {n}", body="Rest."
        )
    reader = make_staff()
    leaks = {}
    for name, path in (
        ("campaign page", campaign.get_absolute_url()),
        ("participation page", _url("analytics", campaign)),
    ):
        found = attacks(_from_page(_get(reader, path)))
        if found:
            leaks[name] = found
    listing = _get(reader, reverse("home"))
    if "fewer than 5 people taking part" not in listing:
        leaks["campaign list"] = re.findall(
            r"\d+ (?:person|people) taking part", listing
        )
    # The live counts pushed to every open campaign page (the hub's frame function,
    # called in this thread as its worker thread would).
    frame = hub._tally_frame.func(campaign.pk, set())
    if "people" in frame["counts"]:
        leaks["live counts"] = frame["counts"]["people"]
    assert leaks == {}
    assert frame["counts"]["ideas"] == 3
    assert stats.counts(campaign).people is None


def test_watching_live_never_tells_which_group_a_new_colleague_is_in(world, make_staff):
    campaign, reader = world["campaign"], world["reader"]
    before = _from_page(_get(reader, _url("analytics_fragment", campaign)))
    # A colleague from Dental posts anonymously: their first time taking part.
    newcomer = make_staff()
    newcomer.directorate = world["dental_newcomer"]
    newcomer.save()
    services.post_idea(
        newcomer,
        campaign,
        theme=world["theme"],
        title="Quiet",
        body="Please.",
        anonymous=True,
    )
    after = _from_page(_get(reader, _url("analytics_fragment", campaign)))

    assert after["total"] == before["total"] + 1  # the total may move by one
    assert changes(before, after) == []
    assert attacks(after) == []


def test_team_views_are_only_for_teams_of_five_and_show_only_named_ideas(world):
    campaign, reader = world["campaign"], world["reader"]
    big, small = world["teams"]
    page = _get(reader, campaign.get_absolute_url())
    assert f'value="{big.pk}">Ward 9</option>' in page
    assert ">Ward 2</option>" not in page  # 3 members: no view of its own
    # Asking for the small team's view anyway gives the whole campaign.
    whole = _get(reader, campaign.get_absolute_url())
    asked = _get(reader, f"{campaign.get_absolute_url()}?team={small.pk}")
    assert asked.count("Idea ") == whole.count("Idea ")
    # An anonymous idea by a team member is never in the team's view, so comparing
    # two views (or a view with the whole) cannot place an anonymous author.
    member = world["people"][0]
    services.post_idea(
        member,
        campaign,
        theme=world["theme"],
        title="Unsigned thought",
        body="x",
        anonymous=True,
    )
    team_page = _get(reader, f"{campaign.get_absolute_url()}?team={big.pk}")
    assert "Unsigned thought" not in team_page


def test_figures_frozen_in_a_report_before_this_rule_are_published_safely(world):
    """A report published earlier keeps figures in the old shape (per-day people,
    hidden groups named with their headcount, "taking part least" naming them): they
    are read through the same rule."""
    campaign = world["campaign"]
    report = report_services.report_for(campaign)
    report_services.publish_report(world["manager"], report)
    opens = timezone.localdate(campaign.opens_at)
    per_day = [8, 3, 3, 6, 0, 2]

    def group(name, people, headcount=None):
        hidden = people < LIMIT
        return {
            "name": name,
            "people": None if hidden else people,
            "headcount": headcount,
            "share": None
            if hidden or not headcount
            else round(100 * people / headcount, 1),
            "suppressed": hidden,
        }

    report.figures = {
        "generated_at": timezone.now().isoformat(),
        "threshold": LIMIT,
        "people": 22,
        "ideas": 22,
        "comments": 0,
        "votes": 0,
        "headcount": 130,
        "share": 16.9,
        "timeline": [
            {
                "date": (opens + timedelta(days=n)).isoformat(),
                "people": people,
                "ideas": people,
                "comments": 0,
                "votes": 0,
            }
            for n, people in enumerate(per_day)
        ],
        "breakdowns": [
            {
                "dimension": "directorate",
                "groups": [
                    group("Acute", 12, 40),
                    group("Beds", 3, 20),
                    group("Corporate", 0, 30),
                    group("Dental", 6, 40),
                    group(NOT_GIVEN, 1),
                ],
            },
        ],
        "least": [
            {"dimension": "directorate", **group("Corporate", 0, 30)},
            {"dimension": "directorate", **group("Beds", 3, 20)},
        ],
        "most_supported": [],
        "most_discussed": [],
        "themes": [],
    }
    report.save(update_fields=["figures"])

    page = _get(world["reader"], _url("analytics", campaign))
    assert "frozen" in page
    seen = _from_page(page)
    assert seen["total"] == 22
    assert attacks(seen) == []
    assert (
        attacks(_from_csv(_get(world["manager"], _url("analytics_csv", campaign))))
        == []
    )
    assert attacks(_from_page(_get(world["reader"], _url("report", campaign)))) == []
