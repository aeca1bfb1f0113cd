"""Suggested groups of ideas, computed from the text of the ideas and their comments.

TF-IDF over each idea's title, text and visible comments, then k-means (seeded) on the normalised vectors: the same ideas give the same groups every time. Key
phrases are the heaviest terms of a group's centre; representative quotes are the ideas
nearest it. Only visible ideas (never held or hidden ones, nor ideas merged away) and
visible comments are read. The suggestions are only suggestions: people accept, rename,
split or merge them (``reports.services``).
"""

import html
import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import F
from django.utils.translation import gettext

from conversations.models import Campaign, Comment, Idea, Visibility

SEED = 2026
MAX_GROUPS = 12
MIN_GROUPS = 2
KEY_PHRASES = 5
QUOTES = 3
_TAG = re.compile(r"<[^>]+>")


@dataclass
class Group:
    label: str
    key_phrases: list[str]
    idea_ids: list[int]
    quote_idea_ids: list[int]


def plain_text(value: str | None) -> str:
    """Sanitised HTML as plain text (the sanitiser leaves only well-formed tags)."""
    if not value:
        return ""
    text = _TAG.sub(" ", value) if "<" in value else value
    return (html.unescape(text) if "&" in text else text).strip()


def documents(campaign: Campaign) -> tuple[list[int], list[str]]:
    """Idea ids and, for each, its title, text and visible comments as one text."""
    ideas = (
        Idea.objects.filter(
            campaign=campaign, visibility=Visibility.VISIBLE, merged_into__isnull=True
        )
        .order_by("pk")
        .values_list("pk", "title", "body")
    )
    ids, texts, index = [], [], {}
    for pk, title, body in ideas.iterator(chunk_size=2000):
        index[pk] = len(ids)
        ids.append(pk)
        # The title twice: it is what the author chose to say first.
        texts.append([title, title, body])
    comments = (
        Comment.objects.filter(
            idea__campaign=campaign,
            idea__visibility=Visibility.VISIBLE,
            visibility=Visibility.VISIBLE,
        )
        .annotate(idea_pk=F("idea_id"))
        .values_list("idea_pk", "body")
    )
    for idea_pk, body in comments.iterator(chunk_size=5000):
        if idea_pk in index:
            texts[index[idea_pk]].append(body)
    return ids, [plain_text(" ".join(parts)) for parts in texts]


def group_count(n: int) -> int:
    """The square root of the number of ideas, at most 12: few enough groups to read,
    and people can merge or split them."""
    if n < MIN_GROUPS * 2:
        return 1 if n else 0
    return max(MIN_GROUPS, min(MAX_GROUPS, round(math.sqrt(n))))


def suggest(
    ids: list[int],
    texts: list[str],
    progress: Callable[[int, str], None] = lambda pct, stage: None,
) -> list[Group]:
    """Group ``texts`` (one per idea id); deterministic for the same input."""
    # Imported here: scikit-learn and numpy take seconds to import on a busy machine,
    # and every web process imports this module (for plain_text) without needing them.
    import numpy as np
    from sklearn.cluster import KMeans
    from sklearn.feature_extraction.text import TfidfVectorizer

    k = group_count(len(ids))
    if k == 0:
        return []
    progress(30, "vectorise")
    vectoriser = TfidfVectorizer(
        stop_words="english",
        ngram_range=(1, 2),
        min_df=2 if len(ids) >= 20 else 1,
        max_df=0.6 if len(ids) >= 20 else 1.0,
        max_features=10000,
        sublinear_tf=True,
        token_pattern=r"(?u)\b[a-zA-Z][a-zA-Z]+\b",
    )
    try:
        matrix = vectoriser.fit_transform(texts)
    except ValueError:  # nothing but stop words
        return [Group(_label([]), [], list(ids), list(ids[:QUOTES]))]
    terms = np.asarray(vectoriser.get_feature_names_out())
    if k == 1:
        labels = np.zeros(len(ids), dtype=int)
        centres = np.asarray(matrix.mean(axis=0))
    else:
        progress(55, "cluster")
        # Full (Lloyd) k-means on the sparse matrix: measured faster than mini-batches
        # here (0.6 s against 2.7 s for 10,000 ideas), because k-means++ seeding of
        # mini-batches over sparse rows dominates.
        model = KMeans(n_clusters=k, random_state=SEED, n_init=2, max_iter=100)
        labels = model.fit_predict(matrix)
        centres = model.cluster_centers_
    progress(85, "describe")
    groups = []
    for cluster in range(centres.shape[0]):
        members = np.flatnonzero(labels == cluster)
        if not len(members):
            continue
        centre = centres[cluster]
        phrases = [str(t) for t in terms[np.argsort(-centre)[:KEY_PHRASES]]]
        # Nearest the centre: the highest dot product with it (rows are L2-normalised).
        closeness = np.asarray(matrix[members] @ centre).ravel()
        nearest = members[np.argsort(-closeness, kind="stable")[:QUOTES]]
        groups.append(
            Group(
                label=_label(phrases),
                key_phrases=phrases,
                idea_ids=[ids[i] for i in members],
                quote_idea_ids=[ids[i] for i in nearest],
            )
        )
    groups.sort(key=lambda g: (-len(g.idea_ids), g.label))
    return groups


def _label(phrases: list[str]) -> str:
    """The first few key phrases, skipping one whose words an earlier one already has."""
    chosen: list[str] = []
    seen: set[str] = set()
    for phrase in phrases:
        words = set(phrase.split())
        if words <= seen:
            continue
        chosen.append(phrase)
        seen |= words
        if len(chosen) == 3:
            break
    return ", ".join(chosen).capitalize() if chosen else gettext("Other ideas")


def run(campaign: Campaign, progress=lambda pct, stage: None) -> tuple[int, list]:
    """Read the campaign's ideas and suggest groups; returns (idea count, groups)."""
    started = time.perf_counter()
    progress(5, "read")
    ids, texts = documents(campaign)
    groups = suggest(ids, texts, progress)
    progress(100, f"{time.perf_counter() - started:.2f}")
    return len(ids), groups
