"""Similar ideas while typing, and search: how many true duplicates are shown, and how
long a keystroke's request takes on a campaign of 10,000 ideas.

    .venv/bin/python bench/similar_ideas.py              # 10,000 ideas
    .venv/bin/python bench/similar_ideas.py --ideas 2000 # quicker
    DATABASE_URL=postgres://.../staffvoice_bench .venv/bin/python bench/similar_ideas.py

Builds one campaign (a temporary SQLite file, or the PostgreSQL database in
DATABASE_URL, where it adds a campaign of its own) holding the labelled set of
bench/data/near_duplicates.py (60 ideas, each with a colleague's paraphrase of it, and
60 distractors on neighbouring subjects) and filler ideas made from the same words,
up to ``--ideas``. Then:

1. recall@5: for each paraphrase, are its original among the five similar ideas shown
   (``search.services.similar_ideas``, what the endpoint returns), from the title
   alone and from the title and body; among the labelled ideas alone and among all;
   on PostgreSQL, the same with trigram similarity (pg_trgm, if the extension can be
   created) for comparison;
2. time: requests through Django's whole stack (test client, signed in, middleware,
   views, templates) in this process, one at a time: a hello-world view (the
   baseline every ratio is against), the similar-ideas fragment as a person types
   each paraphrase's title word by word (one request per word, as the page's debounced
   script sends them), and search pages (one and two words, with and without the
   campaign filter).

The machine is shared: compare ratios measured in the same run, not raw numbers.
"""

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
import types
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench" / "data"))
SLUG = "bench-similar-ideas"


def environment() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.setdefault("STATIC_MANIFEST", "0")  # pages render without collectstatic
    if not os.environ.get("DATABASE_URL"):
        tmp = tempfile.mkdtemp(prefix="staffvoice-bench-similar-")
        os.environ["SQLITE_PATH"] = str(Path(tmp) / "bench.sqlite3")


def hello_urls() -> None:
    """The project's URLs plus a hello-world view, so the baseline request goes
    through the same middleware as the others."""
    from django.conf import settings
    from django.http import HttpResponse
    from django.urls import include, path

    module = types.ModuleType("bench_similar_urls")
    module.urlpatterns = [
        path("hello/", lambda request: HttpResponse("Hello, world")),
        path("", include("config.urls")),
    ]
    sys.modules[module.__name__] = module
    settings.ROOT_URLCONF = module.__name__


def filler(rng: random.Random, vocabulary: list[str], n: int):
    for _ in range(n):
        title = " ".join(rng.sample(vocabulary, rng.randint(4, 7))).capitalize()
        body = " ".join(rng.choices(vocabulary, k=rng.randint(15, 35))).capitalize()
        yield title, body + "."


def build(ideas: int, slug: str = SLUG):
    import near_duplicates as data
    from django.utils import timezone

    from accounts.models import StaffMember
    from conversations.models import Campaign, Idea, Theme
    from conversations.sanitise import sanitise
    from search import text

    # A run before this one: its ideas first (their theme is protected).
    Idea.objects.filter(campaign__slug=slug).delete()
    Campaign.objects.filter(slug=slug).delete()
    now = timezone.now()
    campaign = Campaign.objects.create(
        title="Similar ideas benchmark",
        slug=slug,
        is_published=True,
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=19),
    )
    theme = Theme.objects.create(campaign=campaign, name="Everything")
    author, _ = StaffMember.objects.get_or_create(
        email="bench.author@nhs.net", defaults={"display_name": "Bench Author"}
    )
    viewer, _ = StaffMember.objects.get_or_create(
        email="bench.viewer@nhs.net", defaults={"display_name": "Bench Viewer"}
    )
    labelled = [(t, b) for t, b, _, _ in data.PAIRS] + list(data.DISTRACTORS)
    vocabulary = sorted(
        {w for t, b, pt, pb in data.PAIRS for w in text.terms(f"{t} {b} {pt} {pb}")}
        | {w for t, b in data.DISTRACTORS for w in text.terms(f"{t} {b}")}
    )
    rng = random.Random(18)
    rows = labelled + list(filler(rng, vocabulary, max(0, ideas - len(labelled))))
    made = []
    for start in range(0, len(rows), 2000):
        made += Idea.objects.bulk_create(
            Idea(
                campaign=campaign,
                theme=theme,
                author=author,
                title=sanitise(title, allow_markup=False),
                body=sanitise(f"<p>{body}</p>"),
            )
            for title, body in rows[start : start + 2000]
        )
    originals = made[: len(data.PAIRS)]
    return campaign, viewer, originals, data


def recall(viewer, campaign, data, originals, *, with_body: bool) -> float:
    from search import services

    hits = 0
    for (_, _, title, body), original in zip(data.PAIRS, originals, strict=True):
        shown = services.similar_ideas(
            viewer, campaign, title, body if with_body else ""
        )
        hits += original.pk in {i.pk for i in shown}
    return hits / len(data.PAIRS)


def trigram_recall(campaign, data, originals, *, with_body: bool) -> float | None:
    """PostgreSQL only: the five ideas whose title (and body) are most alike by
    pg_trgm's word similarity, if the extension can be created here."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    try:
        with connection.cursor() as cursor:
            cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except Exception as error:  # noqa: BLE001 - reported, not fatal
        print(f"  (pg_trgm not available: {error})")
        return None
    hits = 0
    column = "title || ' ' || body" if with_body else "title"
    with connection.cursor() as cursor:
        for (_, _, title, body), original in zip(data.PAIRS, originals, strict=True):
            typed = f"{title} {body}" if with_body else title
            cursor.execute(
                f"SELECT id FROM conversations_idea WHERE campaign_id = %s "
                f"ORDER BY word_similarity(%s, {column}) DESC LIMIT 5",
                [campaign.pk, typed],
            )
            hits += original.pk in {row[0] for row in cursor.fetchall()}
    return hits / len(data.PAIRS)


def timed(client, urls: list[str]) -> list[float]:
    times = []
    for url in urls:
        started = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - started)
        assert response.status_code == 200, (url, response.status_code)
    return times


def row(label: str, times: list[float], baseline: float) -> str:
    median = statistics.median(times)
    p95 = sorted(times)[max(0, int(len(times) * 0.95) - 1)]
    return (
        f"| {label} | {len(times)} | {median * 1000:.1f} ms | {p95 * 1000:.1f} ms "
        f"| {median / baseline:.1f} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--ideas", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    environment()
    import django

    django.setup()
    from urllib.parse import urlencode

    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from search import text

    print(f"load average at start: {os.getloadavg()[0]:.2f}")
    call_command("migrate", verbosity=0)
    hello_urls()
    started = time.perf_counter()
    campaign, viewer, originals, data = build(args.ideas)
    print(
        f"{connection.vendor}: {campaign.ideas.count():,} ideas in the campaign, "
        f"built in {time.perf_counter() - started:.1f} s"
    )

    print("\nrecall@5 (share of the 60 paraphrases whose original is shown)")
    print("| ideas in the campaign | title only | title and body |")
    print("|---|---:|---:|")
    small, _, small_originals, _ = build(0, slug=SLUG + "-labelled")
    print(
        f"| {small.ideas.count():,} (the labelled set alone) | "
        f"{recall(viewer, small, data, small_originals, with_body=False):.2f} | "
        f"{recall(viewer, small, data, small_originals, with_body=True):.2f} |"
    )
    print(
        f"| {campaign.ideas.count():,} | "
        f"{recall(viewer, campaign, data, originals, with_body=False):.2f} | "
        f"{recall(viewer, campaign, data, originals, with_body=True):.2f} |"
    )
    tri = trigram_recall(campaign, data, originals, with_body=False)
    if tri is not None:
        tri_body = trigram_recall(campaign, data, originals, with_body=True)
        print(
            f"| {campaign.ideas.count():,}, pg_trgm word_similarity | {tri:.2f} | {tri_body:.2f} |"
        )

    client = Client()
    client.force_login(viewer)
    similar_url = reverse("search:similar", args=[campaign.slug])
    keystrokes = []
    for _, _, title, _ in data.PAIRS:
        words = title.split()
        for n in range(1, len(words) + 1):
            keystrokes.append(
                similar_url + "?" + urlencode({"title": " ".join(words[:n])})
            )
    searches_one, searches_two, searches_campaign = [], [], []
    results = reverse("search:results")
    for _, _, title, _ in data.PAIRS:
        words = text.content_terms(title)
        searches_one.append(results + "?" + urlencode({"q": words[0]}))
        searches_two.append(results + "?" + urlencode({"q": " ".join(words[:2])}))
        searches_campaign.append(
            results + "?" + urlencode({"q": words[0], "campaign": campaign.pk})
        )
    hello = ["/hello/"] * 200
    timed(client, hello[:20] + keystrokes[:20] + searches_one[:5])  # warm up
    figures = {
        "hello": [],
        "keys": [],
        "one": [],
        "two": [],
        "campaign": [],
    }
    for _ in range(args.rounds):
        figures["hello"] += timed(client, hello)
        figures["keys"] += timed(client, keystrokes)
        figures["one"] += timed(client, searches_one)
        figures["two"] += timed(client, searches_two)
        figures["campaign"] += timed(client, searches_campaign)
    baseline = statistics.median(figures["hello"])
    print("\nrequests, one at a time through the whole Django stack, signed in")
    print("| request | n | median | p95 | median / hello world |")
    print("|---|---:|---:|---:|---:|")
    print(row("hello world (baseline)", figures["hello"], baseline))
    print(row("similar ideas, a keystroke (title so far)", figures["keys"], baseline))
    print(row("search, one word, everywhere", figures["one"], baseline))
    print(row("search, two words, everywhere", figures["two"], baseline))
    print(row("search, one word, this campaign", figures["campaign"], baseline))


if __name__ == "__main__":
    main()
