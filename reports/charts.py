"""Server-rendered SVG charts: the geometry is worked out here, the template draws it.

Every chart is also shown as a table beside it, so the numbers never depend on seeing it.
"""

from datetime import date

WIDTH = 600
HEIGHT = 160
BAR_WIDTH = 80


def column_chart(days: list[dict], key: str) -> dict:
    """One column per day of ``key`` (e.g. activity), scaled to the busiest day."""
    values = [day[key] for day in days]
    top = max(values, default=0) or 1
    n = max(len(values), 1)
    step = WIDTH / n
    gap = min(2.0, step * 0.2)
    columns = []
    for i, day in enumerate(days):
        height = round(HEIGHT * day[key] / top, 1)
        columns.append(
            {
                "x": round(i * step, 2),
                "y": round(HEIGHT - height, 1),
                "width": round(max(step - gap, 0.5), 2),
                "height": height,
                "date": date.fromisoformat(day["date"]),
                "value": day[key],
            }
        )
    return {"width": WIDTH, "height": HEIGHT, "columns": columns, "top": top}


def with_bars(groups: list[dict], width: int = BAR_WIDTH) -> list[dict]:
    """Copies of ``groups`` with the length of a bar for each shown share (or, where no
    headcount is known, number of people), scaled to the largest in the breakdown."""
    key = "share" if any(g.get("share") is not None for g in groups) else "people"
    top = max([g[key] for g in groups if g.get(key) is not None] + [0]) or 1
    return [
        {**g, "bar": round(width * g[key] / top, 1) if g.get(key) else 0}
        for g in groups
    ]
