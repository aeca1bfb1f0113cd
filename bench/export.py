"""How fast does the contributions CSV stream, next to a raw SELECT dump of the same rows,
and does its memory stay flat as the campaign grows?

    .venv/bin/python bench/export.py            # 10,000 ideas, then 100,000 ideas
    .venv/bin/python bench/export.py --quick    # 2,000 ideas, then 20,000
    DATABASE_URL=postgres://... .venv/bin/python bench/export.py

Seeds the benchmark campaign (``seed_demo``, as bench/analytics.py does, with comments
and votes), then for each size:

- the baseline: a raw ``SELECT`` of the same rows (ids, theme, outcome theme, title,
  text, support, comments, status, visibility, dates, author fields) through a database
  cursor in chunks, each row written with ``csv.writer`` to nowhere;
- the export as the view streams it: ``exports.csv_lines(contribution_rows(...))``
  (``values()`` rows through ``.iterator(chunk_size=2000)``, anonymous authors blanked,
  HTML turned to text, spreadsheet formulas defused), consumed line by line;
- peak Python memory (tracemalloc) while streaming the export, in a separate pass.

Goals: the export at least half the rows per second of the raw dump, and peak memory
about the same at 10,000 and 100,000 ideas.
"""

import argparse
import csv
import os
import shutil
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.analytics import environment, seed  # noqa: E402

RAW_SQL = """
SELECT i.id, t.name, ot.name, i.title, i.body, COALESCE(ta.support, 0),
       COALESCE(ta.dont_support, 0), i.comment_count, i.status, i.visibility,
       i.created_at, i.updated_at, i.is_anonymous, i.author_id, a.display_name,
       a.first_name, a.last_name, a.email
FROM conversations_idea i
JOIN conversations_theme t ON t.id = i.theme_id
LEFT JOIN reports_outcomethemeidea oti ON oti.idea_id = i.id
LEFT JOIN reports_outcometheme ot ON ot.id = oti.theme_id
LEFT JOIN voting_tally ta ON ta.target_id = i.id AND ta.target_type_id = %s
LEFT JOIN accounts_staffmember a ON a.id = i.author_id
WHERE i.campaign_id = %s AND i.visibility = 'visible'
ORDER BY i.id
"""


class _Null:
    def write(self, value):
        return value


def raw_dump(campaign) -> int:
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection

    from conversations.models import Idea

    writer = csv.writer(_Null())
    rows = 0
    with connection.cursor() as cursor:
        cursor.execute(
            RAW_SQL, [ContentType.objects.get_for_model(Idea).pk, campaign.pk]
        )
        while chunk := cursor.fetchmany(2000):
            for row in chunk:
                writer.writerow(row)
            rows += len(chunk)
    return rows


def export(campaign) -> int:
    from reports import exports

    lines = 0
    for _line in exports.csv_lines(
        exports.contribution_rows(campaign, include_hidden=False)
    ):
        lines += 1
    return lines - 1  # the header


def rate(function, campaign, repeat: int) -> tuple[float, int]:
    times, rows = [], 0
    for _ in range(repeat):
        started = time.perf_counter()
        rows = function(campaign)
        times.append(time.perf_counter() - started)
    return rows / statistics.median(times), rows


def peak_memory(campaign) -> float:
    tracemalloc.start()
    export(campaign)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument(
        "--sizes", help="comma-separated idea counts, e.g. 10000,100000"
    )
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    sizes = (
        [int(n) for n in args.sizes.split(",")]
        if args.sizes
        else ([2000, 20000] if args.quick else [10000, 100000])
    )
    tmp = environment()
    print(f"load average {os.getloadavg()[0]:.1f}; database: ", end="")
    print("PostgreSQL" if os.environ.get("DATABASE_URL") else "SQLite (temporary)")
    results = []
    try:
        for ideas in sizes:
            # Votes and comments as in bench/analytics.py, up to 100,000 and 50,000:
            # the larger size grows the ideas, which is what the export streams.
            seed(ideas, min(ideas * 10, 100_000), min(ideas * 5, 50_000))
            from conversations.management.commands.seed_demo import BENCH_SLUG
            from conversations.models import Campaign

            campaign = Campaign.objects.get(slug=BENCH_SLUG)
            export(campaign)  # warm up
            raw_rate, raw_rows = rate(raw_dump, campaign, args.repeat)
            export_rate, export_rows = rate(export, campaign, args.repeat)
            assert raw_rows == export_rows, (raw_rows, export_rows)
            results.append(
                (ideas, export_rows, raw_rate, export_rate, peak_memory(campaign))
            )
        print()
        print(
            "| ideas | rows | raw SELECT dump rows/s | CSV export rows/s "
            "| export ÷ raw | export peak memory |"
        )
        print("|---:|---:|---:|---:|---:|---:|")
        for ideas, rows, raw_rate, export_rate, peak in results:
            print(
                f"| {ideas:,} | {rows:,} | {raw_rate:,.0f} | {export_rate:,.0f} "
                f"| {export_rate / raw_rate:.2f} (goal ≥ 0.5) | {peak:.1f} MB |"
            )
        print(f"load average at the end {os.getloadavg()[0]:.1f}")
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
