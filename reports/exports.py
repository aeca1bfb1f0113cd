"""Exports for analysts: contributions as CSV or JSON, and the figures as CSV.

Contributions stream: rows come from ``values()`` through ``.iterator(chunk_size=...)``
(tuples, not model instances) and are written as they are read, so a campaign of any
size is exported in flat memory. Anonymous authors are never named; hidden and held
posts are left out unless a moderator asks for them.
"""

import csv
import json
from collections.abc import Iterable, Iterator

from django.db.models import CharField, F, Value
from django.db.models.functions import Cast, Coalesce
from django.utils.translation import gettext as _

from accounts.models import StaffMember
from conversations.models import Campaign, Idea, Visibility
from reports.figures import dimension_label
from reports.synthesis import plain_text

CHUNK = 2000
FIELDS = [
    "id",
    "theme",
    "outcome_theme",
    "title",
    "text",
    "support",
    "dont_support",
    "comments",
    "status",
    "visibility",
    "created_at",
    "updated_at",
    "author",
    # Entered on behalf of staff (paper form, event, focus group) and when collected.
    "source",
    "collected_on",
]
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_FIRST = frozenset(_FORMULA_START)


class _Echo:
    """A file-like object whose write returns what it was given (for csv.writer)."""

    def write(self, value: str) -> str:
        return value


def _author(is_anonymous, author_id, display_name, first, last, email) -> str:
    if is_anonymous or author_id is None:
        return ""
    return StaffMember.name_from(display_name, first, last, email)


def _iso(value: str) -> str:
    """A UTC timestamp as the database writes it ("2026-11-20 10:11:12.5", or with
    "+00" on PostgreSQL) in ISO 8601 with its offset."""
    value = value.replace(" ", "T", 1)
    if value.endswith("+00"):
        return value + ":00"
    return value if value.endswith("+00:00") else value + "+00:00"


def contribution_rows(campaign: Campaign, *, include_hidden: bool) -> Iterator[tuple]:
    """One tuple per idea of the campaign in ``FIELDS`` order, in id order, read in
    chunks of plain values (no model instances)."""
    ideas = Idea.objects.filter(campaign=campaign)
    if not include_hidden:
        ideas = ideas.filter(visibility=Visibility.VISIBLE)
    rows = (
        ideas.order_by("pk")
        .annotate(
            theme_name=F("theme__name"),
            outcome_theme=Coalesce(F("outcome_link__theme__name"), Value("")),
            support=Coalesce(F("tallies__support"), 0),
            dont_support=Coalesce(F("tallies__dont_support"), 0),
            # As text: turning each into an aware datetime and back into ISO text took
            # a third of the export's time.
            created=Cast("created_at", CharField()),
            updated=Cast("updated_at", CharField()),
        )
        .values_list(
            "pk",
            "theme_name",
            "outcome_theme",
            "title",
            "body",
            "support",
            "dont_support",
            "comment_count",
            "status",
            "visibility",
            "created",
            "updated",
            "source",
            "collected_on",
            "is_anonymous",
            "author_id",
            "author__display_name",
            "author__first_name",
            "author__last_name",
            "author__email",
        )
    )
    for (
        pk,
        theme,
        outcome_theme,
        title,
        body,
        support,
        dont_support,
        comments,
        status,
        visibility,
        created_at,
        updated_at,
        source,
        collected_on,
        *author,
    ) in rows.iterator(chunk_size=CHUNK):
        yield (
            pk,
            theme,
            outcome_theme,
            plain_text(title),
            plain_text(body),
            support,
            dont_support,
            comments,
            status,
            visibility,
            _iso(created_at),
            _iso(updated_at),
            _author(*author),
            source,
            collected_on.isoformat() if collected_on else "",
        )


def contributions(campaign: Campaign, *, include_hidden: bool) -> Iterator[dict]:
    """The same rows as dicts (for JSON)."""
    for row in contribution_rows(campaign, include_hidden=include_hidden):
        yield dict(zip(FIELDS, row, strict=True))


def _cell(value):
    """Text a spreadsheet would run as a formula is quoted with a leading apostrophe."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


# The columns people type into (the others are numbers, choices and dates).
_TYPED = tuple(
    FIELDS.index(f) for f in ("theme", "outcome_theme", "title", "text", "author")
)


def csv_lines(rows: Iterable[tuple], fields: list[str] = FIELDS) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(fields)  # BOM: spreadsheets then read UTF-8
    for row in rows:
        if any(row[i] and row[i].startswith(_FORMULA_START) for i in _TYPED):
            row = [_cell(value) for value in row]
        yield writer.writerow(row)


def json_lines(rows: Iterable[dict]) -> Iterator[str]:
    yield "[\n"
    first = True
    for row in rows:
        yield ("" if first else ",\n") + json.dumps(row, ensure_ascii=False)
        first = False
    yield "\n]\n"


def figures_rows(figures: dict) -> Iterator[list]:
    """The analytics as rows of (section, group, measure, value): the published
    figures only (``conversations.small_numbers``), so the file tells no more than
    the page."""
    threshold = figures["threshold"]
    hidden = _("fewer than %(n)d") % {"n": threshold}
    for key in ("people", "ideas", "comments", "votes", "headcount", "share"):
        value = figures[key]
        if key == "people" and value is None:
            value = hidden
        yield ["summary", "", key, "" if value is None else value]
    for day in figures["timeline"]:
        for key in ("ideas", "comments", "votes"):
            yield ["timeline", day["date"], key, day[key]]
    for period in figures["newcomers"]:
        days = period["from"]
        if period["to"] != period["from"]:
            days = f"{period['from']}/{period['to']}"  # an ISO 8601 interval
        people = hidden if period["people"] is None else period["people"]
        yield ["new people", days, "people", people]
    others = _("Other groups together")
    for item in figures["breakdowns"]:
        label = dimension_label(item["dimension"])
        for group in item["groups"]:
            yield [label, group["name"], "people", group["people"]]
            if group["headcount"]:
                yield [label, group["name"], "headcount", group["headcount"]]
                if group["share"] is not None:
                    yield [label, group["name"], "share", group["share"]]
        if item["others"] is not None:
            yield [label, others, "people", item["others"]]
    for group in figures["least"]:
        yield [
            "taking part least",
            f"{dimension_label(group['dimension'])}: {group['name']}",
            "share",
            group["share"],
        ]
    for key in ("most_supported", "most_discussed"):
        for idea in figures[key]:
            yield [key, idea["title"], "support", idea["support"]]
            yield [key, idea["title"], "comments", idea["comments"]]
    for theme in figures["themes"]:
        for key in ("ideas", "comments", "votes"):
            yield ["theme", theme["name"], key, theme[key]]


def figures_csv_lines(figures: dict) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(["section", "group", "measure", "value"])
    for row in figures_rows(figures):
        yield writer.writerow([_cell(v) for v in row])
