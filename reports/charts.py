"""Server-rendered SVG charts: the geometry is worked out here, the template draws it.

Every chart is also shown as a table beside it, so the numbers never depend on seeing it.
"""

from datetime import date

WIDTH = 600
HEIGHT = 160
BAR_HEIGHT = 22
LABEL_WIDTH = 0  # labels sit above horizontal bars, so narrow screens keep them whole


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


def bar_chart(groups: list[dict], key: str = "share", scale: float = 100.0) -> dict:
    """Horizontal bars for the groups that have a figure (hidden groups have none)."""
    shown = [g for g in groups if g.get(key) is not None]
    top = max([g[key] for g in shown] + [0]) or 1
    top = max(top, scale) if key == "share" and top > scale else top
    bars = []
    for i, group in enumerate(shown):
        bars.append(
            {
                "y": i * (BAR_HEIGHT + 6),
                "width": round(WIDTH * group[key] / top, 1),
                "name": group["name"],
                "value": group[key],
            }
        )
    return {
        "width": WIDTH,
        "height": max(len(bars) * (BAR_HEIGHT + 6), 1),
        "bar_height": BAR_HEIGHT,
        "bars": bars,
    }
