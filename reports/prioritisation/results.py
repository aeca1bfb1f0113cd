"""A round's results: points per shortlist item, overall and by profile group.

Counted by the database. By group, the same small-number rule as the participation
figures (``reports.figures``): a group with fewer than the threshold of people who
spread points is shown without its points, and where one group alone would be
hidden, the next smallest is hidden too.
"""

from django.conf import settings
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from reports import figures
from reports.prioritisation.models import Allocation, AllocationLine, Round


def _items(round_: Round) -> list:
    return list(round_.items.select_related("idea", "outcome_theme"))


def results(round_: Round) -> dict:
    """Points and people per shortlist item, most points first (ties in shortlist
    order), and how many people have spread their points."""
    rows = {
        item_id: (points, people)
        for item_id, points, people in AllocationLine.objects.filter(
            allocation__round=round_
        )
        .order_by()
        .values("item_id")
        .annotate(points=Sum("points"), people=Count("allocation_id"))
        .values_list("item_id", "points", "people")
    }
    total = sum(points for points, _people in rows.values())
    items = []
    for position, item in enumerate(_items(round_)):
        points, people = rows.get(item.pk, (0, 0))
        items.append(
            {
                "id": item.pk,
                "label": item.label,
                "url": item.idea.get_absolute_url() if item.idea_id else "",
                "points": points,
                "people": people,
                "share": round_share(points, total),
                "_position": position,
            }
        )
    items.sort(key=lambda i: (-i["points"], i["_position"]))
    for item in items:
        del item["_position"]
    return {
        "people": Allocation.objects.filter(round=round_, total__gt=0).count(),
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


def by_group(round_: Round, threshold: int | None = None) -> list[dict]:
    """For each profile dimension, each group's people and points per item, with
    small groups hidden."""
    threshold = threshold or settings.SMALL_GROUP_THRESHOLD
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
            {"name": choice.name, "people": people.get(choice.pk, 0), "_key": choice.pk}
            for choice in model.objects.all()
        ]
        groups.append(
            {"name": _("Not given"), "people": people.get(None, 0), "_key": None}
        )
        figures._suppress(groups, threshold)
        for group in groups:
            key_of = group.pop("_key")
            if group["suppressed"]:
                group["people"] = None
                group["items"] = []
                continue
            per_item = points.get(key_of, {})
            total = sum(per_item.values())
            ranked = sorted(
                items, key=lambda i: (-per_item.get(i.pk, 0), i.position, i.pk)
            )
            group["items"] = [
                {
                    "id": i.pk,
                    "label": i.label,
                    "points": per_item.get(i.pk, 0),
                    "share": round_share(per_item.get(i.pk, 0), total),
                }
                for i in ranked
            ]
        found.append(
            {
                "dimension": key,
                "label": figures.dimension_label(key),
                "threshold": threshold,
                "groups": groups,
            }
        )
    return found


def for_report(campaign) -> dict | None:
    """The campaign's round as the action report shows it, or None without one."""
    round_ = Round.objects.filter(campaign=campaign).first()
    if round_ is None:
        return None
    return {
        "round": round_,
        "results": results(round_),
        "groups": by_group(round_),
        "still_open": not round_.has_closed(timezone.now()),
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
