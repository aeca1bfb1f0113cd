"""Participation figures of a campaign: the one place they are computed.

Everything is counted by the database (aggregates grouped by day or by profile group),
so the cost does not grow with Python loops over rows. The result is plain JSON-ready
data: the analytics page and its live fragment render it, the analytics CSV writes it,
and a published report keeps a copy (``ActionReport.figures``) so its figures are
frozen at publication.

What counts: contributions everyone can see (visible ideas and comments, and the votes
on them); people taking part are ``Participation`` rows (posted, commented or voted).

Small numbers: every figure about people goes through ``conversations.small_numbers``
(see there): small totals are "fewer than N", breakdowns list only groups at or over the
threshold with everyone else as one "other groups" number that is not small either,
new people are counted in periods of at least the threshold, and breakdowns count the
people of closed periods only. Only published figures leave this module.
"""

from bisect import bisect_right
from datetime import date, datetime, timedelta
from datetime import time as dt_time

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connections
from django.db.models import Count, F, Func, IntegerField, Q, Sum, Value
from django.db.models.functions import Coalesce, Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Band, Directorate, StaffGroup
from conversations import small_numbers
from conversations.models import (
    Campaign,
    Comment,
    Idea,
    Participation,
    Theme,
    Visibility,
)
from voting.models import Vote

TOP_IDEAS = 5
LEAST_GROUPS = 5
MAX_TIMELINE_DAYS = 366

DIMENSIONS = (
    ("directorate", Directorate, "staff_member__directorate"),
    ("staff_group", StaffGroup, "staff_member__staff_group"),
    ("band", Band, "staff_member__band"),
)


def dimension_label(key: str) -> str:
    return {
        "directorate": _("Directorate"),
        "staff_group": _("Staff group"),
        "band": _("Band"),
    }[key]


def _visible_ideas(campaign: Campaign):
    return Idea.objects.filter(campaign=campaign, visibility=Visibility.VISIBLE)


def _visible_comments(campaign: Campaign):
    return Comment.objects.filter(
        idea__campaign=campaign,
        idea__visibility=Visibility.VISIBLE,
        visibility=Visibility.VISIBLE,
    )


def _voted_comments(campaign: Campaign):
    """Visible comments that have a tally (all that were ever voted on). Reached from
    the tally side, so the cost follows the comments with votes rather than every
    comment of the campaign (0.1 ms instead of 31 ms for 50,000 comments)."""
    return _visible_comments(campaign).filter(tallies__isnull=False)


def _votes(campaign: Campaign) -> list:
    """Votes on visible ideas, and on visible comments: two querysets, so each can use
    the (target type, target id) index; one query with OR between them scans every vote."""
    idea_type = ContentType.objects.get_for_model(Idea)
    comment_type = ContentType.objects.get_for_model(Comment)
    return [
        Vote.objects.filter(
            target_type=idea_type,
            target_id__in=_visible_ideas(campaign).values("pk"),
        ),
        Vote.objects.filter(
            target_type=comment_type,
            target_id__in=_voted_comments(campaign).values("pk"),
        ),
    ]


def _totals(campaign: Campaign, themes: list[dict]) -> dict:
    """Ideas, comments and votes from the counts the services keep: each idea's
    ``comment_count`` (its visible comments) and the tallies (equal to the vote rows).
    Every idea is under one of its campaign's themes, so the ideas' totals are the sums
    of :func:`themes_by_activity`; votes on comments are read from the tally side, where
    only comments with votes have a row."""
    comment_votes = _voted_comments(campaign).aggregate(
        n=Coalesce(Sum(F("tallies__support") + F("tallies__dont_support")), 0)
    )["n"]
    idea_votes = sum(t["votes"] for t in themes)
    return {
        "ideas": sum(t["ideas"] for t in themes),
        "comments": sum(t["comments"] for t in themes),
        "votes": idea_votes + comment_votes,
        "_votes": {"idea": idea_votes, "comment": comment_votes},
    }


def _added(*counts: dict) -> dict:
    total: dict = {}
    for count in counts:
        for key, n in count.items():
            total[key] = total.get(key, 0) + n
    return total


def _midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, dt_time.min))


class _WidthBucket(Func):
    """PostgreSQL's width_bucket over ascending bounds: 1 for a value in the first
    interval, 2 in the second... a binary search per row, exact in any time zone."""

    function = "WIDTH_BUCKET"
    arity = 2
    output_field = IntegerField()


def _day_keys(connection, field: str, bounds: list[datetime]) -> tuple[Func, list]:
    """An expression to group rows by, and each bound as a key of it, in order: the
    rows of day n have keys from ``edges[n]`` up to (not including) ``edges[n + 1]``.

    SQLite groups by a prefix of the stored UTC text ("YYYY-MM-DD HH"; minute or second
    where a local midnight is not on the hour), which stays in C: Django's TruncDate
    there is a Python function per row (0.3 s for 20,000 votes), and a conditional
    count per day costs a comparison per row per day (100,000 votes: 51 ms over 11
    days, 0.36 s over 100, against 41 ms grouped by hour for any length).
    """
    if connection.vendor != "sqlite":
        return _WidthBucket(F(field), Value(bounds)), list(range(1, len(bounds) + 1))
    edges = [connection.ops.adapt_datetimefield_value(b) for b in bounds]
    length = 19
    if all(edge.endswith(":00") for edge in edges):
        length = 13 if all(edge.endswith(":00:00") for edge in edges) else 16
    return Substr(field, 1, length), [edge[:length] for edge in edges]


def _per_day(queryset, field: str, days: list[date]) -> dict[int, int]:
    """Rows per day, as {index of the day in ``days``: count}: grouped in the database
    (on SQLite by the hour of the stored UTC text), added up into days here."""
    bounds = [_midnight(day) for day in days]
    bounds.append(_midnight(days[-1] + timedelta(days=1)))
    key, edges = _day_keys(connections[queryset.db], field, bounds)
    rows = (
        queryset.filter(**{f"{field}__gte": bounds[0], f"{field}__lt": bounds[-1]})
        .order_by()
        .values(key=key)
        .annotate(n=Count("pk"))
        .values_list("key", "n")
    )
    counts: dict[int, int] = {}
    for value, n in rows:
        day = bisect_right(edges, value) - 1
        counts[day] = counts.get(day, 0) + n
    return counts


def _days(campaign: Campaign, now: datetime) -> list[date]:
    start = timezone.localdate(campaign.opens_at)
    end_at = min(campaign.closes_at, now) if campaign.closes_at else now
    end = max(start, timezone.localdate(end_at))
    start = max(start, end - timedelta(days=MAX_TIMELINE_DAYS - 1))
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


def timeline(
    campaign: Campaign, now: datetime, totals: dict | None = None
) -> list[dict]:
    """Ideas, comments and votes on each day of the campaign (what everyone can see
    anyway; new people are counted by :func:`newcomers`). A series whose total is
    nought is not queried."""
    totals = totals or _totals(campaign, themes_by_activity(campaign))
    days = _days(campaign, now)
    idea_votes, comment_votes = _votes(campaign)

    def per_day(total: int, queryset, field: str = "created_at") -> dict:
        return _per_day(queryset, field, days) if total else {}

    series = {
        "ideas": per_day(totals["ideas"], _visible_ideas(campaign)),
        "comments": per_day(totals["comments"], _visible_comments(campaign)),
        "votes": _added(
            per_day(totals["_votes"]["idea"], idea_votes),
            per_day(totals["_votes"]["comment"], comment_votes),
        ),
    }
    return [
        {"date": day.isoformat(), **{k: v.get(n, 0) for k, v in series.items()}}
        for n, day in enumerate(days)
    ]


def _people_sources(campaign: Campaign):
    """Who counts as a person taking part, and since when: a ``Participation`` row
    (posted, commented or voted) and each idea entered on behalf of staff."""
    return [
        (Participation.objects.filter(campaign=campaign), "first_at"),
        (_entered_ideas(campaign), "created_at"),
    ]


def _people_per_day(campaign: Campaign, days: list[date]) -> list[int]:
    """New people on each day; anyone from before the first day counts on it, anyone
    after the last day (a clock's edge) on the last."""
    counts = [0] * len(days)
    first = _midnight(days[0])
    last = _midnight(days[-1] + timedelta(days=1))
    for queryset, field in _people_sources(campaign):
        for day, n in _per_day(queryset, field, days).items():
            counts[day] += n
        counts[0] += queryset.filter(**{f"{field}__lt": first}).count()
        counts[-1] += queryset.filter(**{f"{field}__gte": last}).count()
    return counts


def newcomers(
    campaign: Campaign, now: datetime, limit: int
) -> tuple[list, date | None, datetime | None]:
    """New people taking part in periods of whole days, each of at least ``limit``
    (``small_numbers.periods``); the last day whose people breakdowns count (None: no
    period has closed yet), and the moment they count up to (None: everyone)."""
    days = _days(campaign, now)
    over = campaign.closes_at is not None and campaign.closes_at <= now
    found, closed = small_numbers.periods(
        _people_per_day(campaign, days), last_day_over=over, limit=limit
    )
    rows = [
        {
            "from": days[p.first].isoformat(),
            "to": days[p.last].isoformat(),
            "people": p.people,
        }
        for p in found
    ]
    if closed == len(days):  # every day is in a closed period: everyone counts
        return rows, days[-1], None
    return rows, (days[closed - 1] if closed else None), _midnight(days[closed])


def _share(people: int, headcount: int | None) -> float | None:
    if not headcount:
        return None
    return round(100 * people / headcount, 1)


def _entered_ideas(campaign: Campaign):
    """Visible ideas entered on behalf of staff (conversations.services.on_behalf):
    each stands for one person taking part who has no account row to count."""
    return _visible_ideas(campaign).exclude(source="")


def _group_counts(
    campaign: Campaign, path: str, cutoff: datetime | None
) -> dict[int | None, int]:
    """People in each group of one dimension who joined before ``cutoff`` (None:
    everyone)."""
    before = {} if cutoff is None else {"first_at__lt": cutoff}
    counts = dict(
        Participation.objects.filter(campaign=campaign, **before)
        .order_by()
        .values(path)
        .annotate(n=Count("pk"))
        .values_list(path, "n")
    )
    # An entered idea counts in the group its form asked, or as "not given".
    entered = f"on_behalf_groups__{path.removeprefix('staff_member__')}"
    for group, n in (
        _entered_ideas(campaign)
        .filter(**({} if cutoff is None else {"created_at__lt": cutoff}))
        .order_by()
        .values(entered)
        .annotate(n=Count("pk"))
        .values_list(entered, "n")
    ):
        counts[group] = counts.get(group, 0) + n
    return counts


def breakdown(
    campaign: Campaign,
    key: str,
    limit: int,
    people: int,
    until: date | None,
    cutoff: datetime | None,
) -> dict:
    """People taking part in each group of one profile dimension, with headcounts, as
    it may be published (``small_numbers.breakdown``): people who joined from
    ``cutoff`` on are among the "others" until their period closes; before any
    period has closed (``until`` None), everyone is."""
    model, path = next((m, p) for k, m, p in DIMENSIONS if k == key)
    counts = _group_counts(campaign, path, cutoff) if until else {}
    groups = [
        {"name": choice.name, "people": counts.get(choice.pk, 0), "headcount": h}
        for choice, h in ((c, c.headcount) for c in model.objects.all())
    ]
    groups.append({"name": _("Not given"), "people": counts.get(None, 0)})
    split = small_numbers.breakdown(
        groups, unplaced=people - sum(counts.values()), limit=limit
    )
    for group in split.shown:
        group.setdefault("headcount", None)
        group["share"] = _share(group["people"], group["headcount"])
    return {
        "dimension": key,
        "groups": split.shown,
        "others": split.others,
        "hidden": split.hidden,
    }


def _least(breakdowns: list[dict], overall: float | None) -> list[dict]:
    """Shown groups with a headcount taking part least compared with it, lowest share
    first, and below the organisation's overall share. A hidden group is never here:
    its place in the list would say how few of it took part."""
    found = []
    for item in breakdowns:
        for group in item["groups"]:
            share = group["share"]
            if share is None or (overall is not None and share >= overall):
                continue
            found.append({"dimension": item["dimension"], **group})
    found.sort(key=lambda g: (g["share"], g["name"]))
    return found[:LEAST_GROUPS]


def _headcount() -> int | None:
    """The organisation's headcount, from the first dimension that has any entered."""
    for _key, model, _path in DIMENSIONS:
        total = model.objects.aggregate(n=Sum("headcount"))["n"]
        if total:
            return total
    return None


def _top_ideas(campaign: Campaign, order: list[str]) -> list[dict]:
    rows = (
        _visible_ideas(campaign)
        .filter(merged_into__isnull=True)
        .annotate(
            support=Coalesce(F("tallies__support"), 0),
            dont_support=Coalesce(F("tallies__dont_support"), 0),
        )
        .order_by(*order)
        .values("pk", "title", "support", "dont_support", "comment_count")[:TOP_IDEAS]
    )
    return [
        {
            "id": row["pk"],
            "title": row["title"],
            "support": row["support"],
            "dont_support": row["dont_support"],
            "comments": row["comment_count"],
        }
        for row in rows
    ]


def themes_by_activity(campaign: Campaign) -> list[dict]:
    """Visible ideas, their comments and the votes on them, per theme: one query (each
    idea has at most one tally, so joining it multiplies nothing)."""
    visible = Q(ideas__visibility=Visibility.VISIBLE)
    rows = (
        Theme.objects.filter(campaign=campaign)
        .annotate(
            idea_count=Count("ideas", filter=visible),
            comments=Coalesce(Sum("ideas__comment_count", filter=visible), 0),
            votes=Coalesce(Sum("ideas__tallies__support", filter=visible), 0)
            + Coalesce(Sum("ideas__tallies__dont_support", filter=visible), 0),
        )
        .values("name", "idea_count", "comments", "votes")
    )
    themes = [
        {
            "name": row["name"],
            "ideas": row["idea_count"],
            "comments": row["comments"],
            "votes": row["votes"],
        }
        for row in rows
    ]
    themes.sort(key=lambda t: (-(t["ideas"] + t["comments"] + t["votes"]), t["name"]))
    return themes


def campaign_figures(campaign: Campaign, now: datetime | None = None) -> dict:
    """Every figure of the analytics page, as JSON-ready data."""
    now = now or timezone.now()
    threshold = settings.SMALL_GROUP_THRESHOLD
    people = sum(q.count() for q, _field in _people_sources(campaign))
    themes = themes_by_activity(campaign)
    totals = _totals(campaign, themes)
    headcount = _headcount()
    periods, until, cutoff = newcomers(campaign, now, threshold)
    shown_people = small_numbers.total(people, threshold)
    share = _share(shown_people, headcount) if shown_people is not None else None
    breakdowns = [
        breakdown(campaign, key, threshold, people, until, cutoff)
        for key, _model, _path in DIMENSIONS
    ]
    least = _least(breakdowns, share)
    return {
        "generated_at": now.isoformat(),
        "threshold": threshold,
        "people": shown_people,
        "ideas": totals["ideas"],
        "comments": totals["comments"],
        "votes": totals["votes"],
        "headcount": headcount,
        "share": share,
        "timeline": timeline(campaign, now, totals),
        "newcomers": periods,
        "counted_until": until.isoformat() if until else None,
        "breakdowns": breakdowns,
        "least": least,
        "most_supported": _top_ideas(
            campaign, ["-support", "dont_support", "-created_at", "-id"]
        ),
        "most_discussed": _top_ideas(
            campaign, ["-comment_count", "-created_at", "-id"]
        ),
        "themes": themes,
    }


def as_published(data: dict) -> dict:
    """Figures frozen in a report before periods and "other groups" existed, made safe
    the same way: the old per-day people become periods, the old shown groups are
    split again with everyone else as "others" (hiding more where that is small), and
    a hidden group is no longer named or ranked."""
    if not data or "newcomers" in data or "timeline" not in data:
        return data
    limit = data["threshold"]
    people = data["people"] or 0
    days = data["timeline"]
    found, _closed = small_numbers.periods(
        [d.get("people") or 0 for d in days], last_day_over=True, limit=limit
    )
    breakdowns = []
    for item in data["breakdowns"]:
        groups = [dict(g) for g in item["groups"] if not g.get("suppressed")]
        split = small_numbers.breakdown(
            groups,
            unplaced=people - sum(g["people"] for g in groups),
            limit=limit,
        )
        breakdowns.append(
            {
                "dimension": item["dimension"],
                "groups": split.shown,
                "others": split.others,
                "hidden": split.hidden,
            }
        )
    shown = {(b["dimension"], g["name"]) for b in breakdowns for g in b["groups"]}
    people_shown = small_numbers.total(people, limit)
    return {
        **data,
        "people": people_shown,
        "share": data["share"] if people_shown is not None else None,
        "timeline": [{k: v for k, v in day.items() if k != "people"} for day in days],
        "newcomers": [
            {
                "from": days[p.first]["date"],
                "to": days[p.last]["date"],
                "people": p.people,
            }
            for p in found
        ],
        "counted_until": days[-1]["date"] if days and people_shown else None,
        "breakdowns": breakdowns,
        "least": [
            g
            for g in data["least"]
            if not g.get("suppressed") and (g["dimension"], g["name"]) in shown
        ],
    }
