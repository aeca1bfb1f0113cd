"""PostgreSQL: each post's ``tsvector`` stored beside it, for ranking.

0001's expression indexes found matches fast, but ranking them recomputed every
matching post's vector (10,000 ideas: 410 ms for a four-word "similar ideas" query,
nearly all of it ``to_tsvector``). The vectors now live in tables of their own, one
row per idea or comment, kept by triggers on every insert, change of text, delete and
truncate (so the services' queryset ``update()``s, the admin and scripts are covered),
GIN-indexed; the expression indexes go. Tables of their own rather than a generated
column, so no later change to the posts' columns is ever blocked by one, and no
foreign key, so Django's flush can truncate the posts as it always has.
"""

from django.db import migrations

KINDS = {
    "idea": (
        "conversations_idea",
        "setweight(to_tsvector('english'::regconfig, NEW.title), 'A')"
        " || to_tsvector('english'::regconfig, NEW.body)",
        "setweight(to_tsvector('english'::regconfig, title), 'A')"
        " || to_tsvector('english'::regconfig, body)",
        "OLD.title IS DISTINCT FROM NEW.title OR OLD.body IS DISTINCT FROM NEW.body",
    ),
    "comment": (
        "conversations_comment",
        "to_tsvector('english'::regconfig, NEW.body)",
        "to_tsvector('english'::regconfig, body)",
        "OLD.body IS DISTINCT FROM NEW.body",
    ),
}


def _forward(kind: str) -> list[str]:
    table, new_vector, vector, changed = KINDS[kind]
    vectors = f"search_{kind}_vector"
    return [
        f"DROP INDEX IF EXISTS search_{kind}_document",
        f"""CREATE TABLE {vectors} (
          post_id bigint PRIMARY KEY,
          document tsvector NOT NULL
        )""",
        f"CREATE INDEX {vectors}_document ON {vectors} USING gin (document)",
        f"""CREATE FUNCTION {vectors}_write() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          INSERT INTO {vectors} (post_id, document) VALUES (NEW.id, {new_vector})
          ON CONFLICT (post_id) DO UPDATE SET document = EXCLUDED.document;
          RETURN NULL;
        END $$""",
        f"""CREATE FUNCTION {vectors}_delete() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          DELETE FROM {vectors} WHERE post_id = OLD.id;
          RETURN NULL;
        END $$""",
        f"""CREATE FUNCTION {vectors}_truncate() RETURNS trigger LANGUAGE plpgsql
        AS $$ BEGIN TRUNCATE {vectors}; RETURN NULL; END $$""",
        f"""CREATE TRIGGER {vectors}_inserted AFTER INSERT ON {table}
        FOR EACH ROW EXECUTE FUNCTION {vectors}_write()""",
        f"""CREATE TRIGGER {vectors}_updated AFTER UPDATE ON {table}
        FOR EACH ROW WHEN ({changed}) EXECUTE FUNCTION {vectors}_write()""",
        f"""CREATE TRIGGER {vectors}_deleted AFTER DELETE ON {table}
        FOR EACH ROW EXECUTE FUNCTION {vectors}_delete()""",
        f"""CREATE TRIGGER {vectors}_truncated AFTER TRUNCATE ON {table}
        FOR EACH STATEMENT EXECUTE FUNCTION {vectors}_truncate()""",
        f"INSERT INTO {vectors} (post_id, document) SELECT id, {vector} FROM {table}",
        f"ANALYZE {vectors}",
    ]


def _backward(kind: str) -> list[str]:
    table, _, vector, _ = KINDS[kind]
    vectors = f"search_{kind}_vector"
    return [
        *(
            f"DROP TRIGGER IF EXISTS {vectors}_{change} ON {table}"
            for change in ("inserted", "updated", "deleted", "truncated")
        ),
        *(
            f"DROP FUNCTION IF EXISTS {vectors}_{what}()"
            for what in ("write", "delete", "truncate")
        ),
        f"DROP TABLE IF EXISTS {vectors}",
        f"CREATE INDEX search_{kind}_document ON {table} USING gin (({vector}))",
    ]


def _run(statements: list[str]):
    def run(apps, schema_editor) -> None:
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0001_full_text_index")]

    operations = [
        migrations.RunPython(
            _run(_forward("idea") + _forward("comment")),
            _run(_backward("idea") + _backward("comment")),
        )
    ]
