"""Chart geometry: the busiest day fills the chart; bars follow shares, hidden groups
get no bar."""

from reports import charts


def test_the_busiest_day_fills_the_chart_and_an_empty_day_has_no_column():
    chart = charts.column_chart(
        [
            {"date": "2026-11-01", "n": 10},
            {"date": "2026-11-02", "n": 0},
            {"date": "2026-11-03", "n": 5},
        ],
        "n",
    )
    heights = [c["height"] for c in chart["columns"]]
    assert heights == [charts.HEIGHT, 0, charts.HEIGHT / 2]
    assert chart["columns"][0]["y"] == 0
    assert chart["top"] == 10


def test_a_campaign_with_no_activity_draws_flat_columns():
    chart = charts.column_chart([{"date": "2026-11-01", "n": 0}], "n")
    assert chart["columns"][0]["height"] == 0


def test_bars_follow_shares_and_hidden_groups_have_none():
    groups = charts.with_bars(
        [
            {"name": "A", "people": 6, "share": 60.0},
            {"name": "B", "people": None, "share": None, "suppressed": True},
            {"name": "C", "people": 3, "share": 15.0},
        ]
    )
    assert [g["bar"] for g in groups] == [charts.BAR_WIDTH, 0, charts.BAR_WIDTH / 4]


def test_without_headcounts_bars_follow_people():
    groups = charts.with_bars(
        [
            {"name": "A", "people": 10, "share": None},
            {"name": "B", "people": 5, "share": None},
        ]
    )
    assert [g["bar"] for g in groups] == [charts.BAR_WIDTH, charts.BAR_WIDTH / 2]
