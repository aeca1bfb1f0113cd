"""Small numbers: the one place figures about people are made safe to publish.

Every figure set that counts people (the campaign's "people taking part" on its page,
in lists and in live updates; the participation page, its live refresh, its CSV and
the report's frozen copy) goes through these functions, so no reader can work out a
group of fewer than ``settings.SMALL_GROUP_THRESHOLD`` people, nor anything about one:

- A total under the threshold is not given ("fewer than 5"). Zero is a small number
  too: "none of the 5 in Band 9 took part" says something about each of them.
- A breakdown lists only groups at or over the threshold, never a hidden group's name,
  headcount or share. Everyone else is one "other groups" row whose number is itself
  at or over the threshold: groups are hidden, smallest first, until it is (so the
  total minus the shown groups is never a small number, and every breakdown adds up
  to the same total, so comparing two breakdowns tells nothing more).
- New people over time are counted in periods of whole days, each with at least the
  threshold of newcomers: a day of 1 to 4 is merged with the days after it.
- Breakdowns count the people of closed periods only; people who joined since are in
  "other groups" until a period closes with the threshold of them. So a breakdown
  changes only by a whole period of newcomers at once, and watching it live never
  tells which group the one colleague who just posted (anonymously, say) is in.
"""

from dataclasses import dataclass

from django.conf import settings


def threshold() -> int:
    return settings.SMALL_GROUP_THRESHOLD


def total(n: int, limit: int | None = None) -> int | None:
    """A count of people as it may be published: None ("fewer than N") if small."""
    return n if n >= (threshold() if limit is None else limit) else None


@dataclass
class Breakdown:
    shown: list[dict]  # groups at or over the threshold, in their given order
    others: int | None  # everyone else together (None: nobody else, or too few)
    hidden: bool  # whether anything at all was left out of ``shown``


def breakdown(groups: list[dict], *, unplaced: int = 0, limit: int) -> Breakdown:
    """Split ``groups`` (each with an exact ``people``) into those that may be shown
    and the rest, which are published only as one number at or over ``limit``.

    ``unplaced`` people count in the total but in no group yet (they joined after the
    last closed period): they are part of "others" from the start.
    """
    hidden = {id(g) for g in groups if g["people"] < limit}
    others = unplaced + sum(g["people"] for g in groups if id(g) in hidden)
    if hidden or unplaced:
        # Complementary suppression: hide the next smallest group until the hidden
        # ones together are not a small number (or nothing is left to hide).
        for group in sorted(
            (g for g in groups if id(g) not in hidden),
            key=lambda g: (g["people"], str(g["name"])),
        ):
            if others >= limit:
                break
            hidden.add(id(group))
            others += group["people"]
    shown = [g for g in groups if id(g) not in hidden]
    anything_hidden = bool(hidden) or unplaced > 0
    return Breakdown(
        shown=shown,
        others=others if anything_hidden and others >= limit else None,
        hidden=anything_hidden,
    )


@dataclass
class Period:
    first: int  # index of its first day
    last: int  # index of its last day
    people: int | None  # new people in it (None: fewer than the threshold)


def periods(
    per_day: list[int], *, last_day_over: bool, limit: int
) -> tuple[list[Period], int]:
    """Merge days into periods of at least ``limit`` new people each.

    Returns the periods and ``closed``: how many leading days are in periods that
    closed on their own (breakdowns count the people of those days only). The last
    day closes a period only once it is over. What is left after the last closed
    period joins that period, or, before any closed, is one period of "fewer than".
    """
    found: list[Period] = []
    start, running = 0, 0
    closable = len(per_day) if last_day_over else len(per_day) - 1
    for day in range(max(closable, 0)):
        running += per_day[day]
        if running >= limit:
            found.append(Period(start, day, running))
            start, running = day + 1, 0
    closed = start
    rest = sum(per_day[start:])
    if start < len(per_day):
        if rest >= limit:
            found.append(Period(start, len(per_day) - 1, rest))
        elif found:
            found[-1].last = len(per_day) - 1
            found[-1].people += rest
        else:
            found.append(Period(start, len(per_day) - 1, None))
    return found, closed
