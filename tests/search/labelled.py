"""The labelled near-duplicates of bench/data/near_duplicates.py, loaded by path (bench/
is scripts, not a package), and the recall@5 measure both the test and the bench use."""

import importlib.util

from django.conf import settings

from conversations.models import Idea
from conversations.sanitise import sanitise
from search import services

_spec = importlib.util.spec_from_file_location(
    "near_duplicates", settings.BASE_DIR / "bench" / "data" / "near_duplicates.py"
)
data = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(data)


def post_labelled(campaign, author, pairs, distractors) -> list[Idea]:
    """The posted side of each pair and the distractors, as ideas of ``campaign``
    (through the database's own triggers and indexes, as any idea is); returns the
    posted ideas in the order of ``pairs``."""
    theme = campaign.themes.first()
    rows = [
        Idea(
            campaign=campaign,
            theme=theme,
            author=author,
            title=sanitise(title, allow_markup=False),
            body=sanitise(f"<p>{body}</p>"),
        )
        for title, body, *_ in [*pairs, *distractors]
    ]
    made = Idea.objects.bulk_create(rows)
    return made[: len(pairs)]


def recall_at_5(viewer, campaign, pairs, originals, *, with_body: bool) -> float:
    """The share of paraphrases whose original is among the five similar ideas shown."""
    hits = 0
    for (_, _, title, body), original in zip(pairs, originals, strict=True):
        shown = services.similar_ideas(
            viewer, campaign, title, body if with_body else ""
        )
        hits += original.pk in {idea.pk for idea in shown}
    return hits / len(pairs)
