"""Full-text search on PostgreSQL: each post's stored ``tsvector`` (migration 0002,
kept by triggers; an idea's title weighted A), GIN-indexed and ranked by ``ts_rank``;
authors' public names through the expression index of migration 0001."""

from django.db import connection
from django.db.models import QuerySet

from search.backends import ids_sql
from search.text import START, STOP

VECTORS = {"idea": "search_idea_vector", "comment": "search_comment_vector"}
# ts_rank's normalisation flags. Dividing by a post's length (2) lifted recall@5 among
# the benchmark's 10,000 ideas (title only 0.38 to 0.60) but lowered it among the
# labelled ideas alone (0.85 to 0.73): the filler's long random bodies, not real
# ideas, were what it helped with. None, then (bench/README.md).
RANK_NORMALISATION = 0
TABLES = {"idea": "conversations_idea", "comment": "conversations_comment"}
PERSON_NAME = """(to_tsvector('simple'::regconfig, CASE
        WHEN s.display_name <> '' THEN s.display_name
        WHEN btrim(s.first_name || ' ' || s.last_name) <> ''
          THEN btrim(s.first_name || ' ' || s.last_name)
        ELSE split_part(s.email, '@', 1) END))"""


def tsquery(words: list[str], *, any_word: bool, prefix: bool = False) -> str:
    """A ``to_tsquery`` text: words are letters and digits only (``text.terms``)."""
    parts = list(words)
    if prefix and parts:
        parts[-1] += ":*"
    return (" | " if any_word else " & ").join(parts)


def ranked(
    kind: str,
    permitted: QuerySet,
    words: list[str],
    *,
    any_word: bool = False,
    names: bool = True,
    prefix: bool = False,
    limit: int = 200,
) -> list[tuple[int, float]]:
    """(id, score) of the best matches among ``permitted``, best first. A post also
    matches when every word is in its author's public name, unless it is anonymous."""
    permitted_sql = ids_sql(permitted)
    if permitted_sql is None or not words:
        return []
    inner, params = permitted_sql
    query = tsquery(words, any_word=any_word, prefix=prefix)
    sql = (
        f"SELECT v.post_id AS id, ts_rank(v.document, q.q, {RANK_NORMALISATION}) AS score "
        f"FROM {VECTORS[kind]} v, to_tsquery('english'::regconfig, %s) q(q) "
        f"WHERE v.document @@ q.q AND v.post_id IN ({inner})"
    )
    args = [query, *params]
    if names:
        sql += (
            f" UNION SELECT t.id, 0.01 FROM {TABLES[kind]} t "
            "JOIN accounts_staffmember s ON s.id = t.author_id "
            f"WHERE NOT t.is_anonymous AND {PERSON_NAME} @@ "
            "to_tsquery('simple'::regconfig, %s) "
            f"AND t.id IN ({inner})"
        )
        args += [tsquery(words, any_word=False), *params]
    sql = f"SELECT id, max(score) AS score FROM ({sql}) m GROUP BY id "
    sql += "ORDER BY score DESC, id DESC LIMIT %s"
    with connection.cursor() as cursor:
        cursor.execute(sql, [*args, limit])
        return [(pk, float(score)) for pk, score in cursor.fetchall()]


def headlines(
    kind: str, ids: list[int], words: list[str], *, any_word: bool = False
) -> dict[int, tuple[str, str]]:
    """Each post's title and body with matches between START and STOP."""
    if not ids or not words:
        return {}
    options = f'HighlightAll=true, StartSel="{START}", StopSel="{STOP}"'
    title = (
        "ts_headline('english'::regconfig, t.title, q.q, %s)"
        if kind == "idea"
        else "''"
    )
    sql = (
        f"SELECT t.id, {title}, ts_headline('english'::regconfig, t.body, q.q, %s) "
        f"FROM {TABLES[kind]} t, to_tsquery('english'::regconfig, %s) q(q) "
        "WHERE t.id = ANY(%s)"
    )
    args = [options] if kind == "idea" else []
    args += [options, tsquery(words, any_word=True), list(ids)]
    with connection.cursor() as cursor:
        cursor.execute(sql, args)
        return {pk: (t, b) for pk, t, b in cursor.fetchall()}
