"""A round's results: points per shortlist item, overall and by profile group.

Counted by the database. Counts of people go through ``conversations.small_numbers``
like every other figure about people: a small total is "fewer than N", and by group
only groups at or over the threshold are shown, everyone else as one "other groups"
number that is not small either. Figures by group are made once the round has
closed, so they never move as one person saves.
"""

from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from conversations import small_numbers
from reports import figures
from reports.prioritisation.models import Allocation, AllocationLine, Round


def _items(round_: Round) -> list:
    return list(round_.items.shown())


def results(round_: Round) -> dict:
    """Points per shortlist item, most points first (ties in shortlist order), and
    how many people have spread their points (None while fewer than the threshold)."""
    rows = {
        item_id: points
        for item_id, points in AllocationLine.objects.filter(allocation__round=round_)
        .order_by()
        .values("item_id")
        .annotate(points=Sum("points"))
        .values_list("item_id", "points")
    }
    shown = _items(round_)
    total = sum(rows.get(item.pk, 0) for item in shown)
    items = []
    for position, item in enumerate(shown):
        points = rows.get(item.pk, 0)
        items.append(
            {
                "id": item.pk,
                "label": item.label,
                "url": item.idea.get_absolute_url() if item.idea_id else "",
                "points": points,
                "share": round_share(points, total),
                "_position": position,
            }
        )
    items.sort(key=lambda i: (-i["points"], i["_position"]))
    for item in items:
        del item["_position"]
    return {
        # How many took part is a count of people: "fewer than N" while small.
        "people": small_numbers.total(
            Allocation.objects.filter(round=round_, total__gt=0).count()
        ),
        "points": total,
        "items": items,
    }


def round_share(points: int, total: int) -> int:
    return round(100 * points / total) if total else 0


def live_payload(round_: Round) -> dict:
    """What every viewer of the campaign is sent when an allocation commits: numbers
    only (labels are already on the page, in the viewer's language)."""
    found = results(round_)
    return {
        "type": "priorities.results",
        "round": round_.pk,
        "people": found["people"],
        "points": found["points"],
        "items": [
            {"id": i["id"], "points": i["points"], "share": i["share"]}
            for i in found["items"]
        ],
    }


def by_group(round_: Round, limit: int | None = None) -> list[dict]:
    """For each profile dimension, the people and points per item of each group that
    may be shown (``conversations.small_numbers.breakdown``: small groups, and more
    where needed, are only part of one "other groups" number).

    Asked of a closed round only: while it is open, a group's figures moving as one
    person saves would show where that person put their points."""
    limit = limit or small_numbers.threshold()
    items = _items(round_)
    allocations = Allocation.objects.filter(round=round_, total__gt=0).order_by()
    lines = AllocationLine.objects.filter(allocation__round=round_).order_by()
    found = []
    for key, model, path in figures.DIMENSIONS:
        people = dict(
            allocations.values(path).annotate(n=Count("pk")).values_list(path, "n")
        )
        points: dict = {}
        for group, item_id, n in (
            lines.values(f"allocation__{path}", "item_id")
            .annotate(n=Sum("points"))
            .values_list(f"allocation__{path}", "item_id", "n")
        ):
            points.setdefault(group, {})[item_id] = n
        groups = [
            {"name": choice.name, "people": people.get(choice.pk, 0), "key": choice.pk}
            for choice in model.objects.all()
        ]
        groups.append(
            {"name": _("Not given"), "people": people.get(None, 0), "key": None}
        )
        split = small_numbers.breakdown(groups, limit=limit)
        shown = []
        for group in split.shown:
            per_item = points.get(group["key"], {})
            total = sum(per_item.get(i.pk, 0) for i in items)
            ranked = sorted(
                items, key=lambda i: (-per_item.get(i.pk, 0), i.position, i.pk)
            )
            shown.append(
                {
                    "name": group["name"],
                    "people": group["people"],
                    "items": [
                        {
                            "id": i.pk,
                            "label": i.label,
                            "points": per_item.get(i.pk, 0),
                            "share": round_share(per_item.get(i.pk, 0), total),
                        }
                        for i in ranked
                    ],
                }
            )
        found.append(
            {
                "dimension": key,
                "label": figures.dimension_label(key),
                "limit": limit,
                "groups": shown,
                "others": split.others,
                "hidden": split.hidden,
            }
        )
    return found


def for_report(campaign) -> dict | None:
    """The campaign's round as the action report shows it, or None without one."""
    round_ = Round.objects.filter(campaign=campaign).first()
    if round_ is None:
        return None
    now = timezone.now()
    return {
        "round": round_,
        "results": results(round_),
        "groups": by_group(round_) if round_.has_closed(now) else None,
        "still_open": not round_.has_closed(now),
        "limit": small_numbers.threshold(),
    }


def open_rounds(campaigns, now) -> list[Round]:
    """The open rounds of these campaigns, closing soonest first."""
    return list(
        Round.objects.filter(
            campaign__in=campaigns, opens_at__lte=now, closes_at__gt=now
        )
        .select_related("campaign")
        .order_by("closes_at", "pk")
    )
