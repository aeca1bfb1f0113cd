"""The full-text index of ideas and comments, on each database its own way.

PostgreSQL: GIN indexes over the same ``to_tsvector`` expressions the queries use
(``search.postgres``), so the index follows every write by itself.

SQLite: FTS5 tables holding a copy of each post's text (and, for a post that is not
anonymous, its author's public name, worked out as ``StaffMember.name_from`` does),
kept in step by triggers: every insert, update (the services' queryset ``update()``s
too) and delete, and a person's change of name. An anonymous post's author is never
copied, so no search can match it.

Nothing else lives in the index: who may see a post, its visibility, campaign, theme
and status are read from the posts' own rows when a search runs.
"""

from django.db import migrations

TOKENIZE = "tokenize='porter unicode61 remove_diacritics 2'"

SQLITE_NAME = """(SELECT CASE
    WHEN s.display_name != '' THEN s.display_name
    WHEN trim(s.first_name || ' ' || s.last_name) != ''
        THEN trim(s.first_name || ' ' || s.last_name)
    ELSE substr(s.email, 1, instr(s.email || '@', '@') - 1) END
  FROM accounts_staffmember s WHERE s.id = {author})"""


def _author(row: str) -> str:
    return (
        f"CASE WHEN {row}.is_anonymous THEN '' ELSE "
        f"coalesce({SQLITE_NAME.format(author=row + '.author_id')}, '') END"
    )


SQLITE_FORWARD = [
    f"CREATE VIRTUAL TABLE search_idea_fts USING fts5(title, body, author, {TOKENIZE})",
    f"CREATE VIRTUAL TABLE search_comment_fts USING fts5(body, author, {TOKENIZE})",
    f"""CREATE TRIGGER search_idea_inserted AFTER INSERT ON conversations_idea BEGIN
      INSERT INTO search_idea_fts(rowid, title, body, author)
      VALUES (new.id, new.title, new.body, {_author("new")});
    END""",
    f"""CREATE TRIGGER search_idea_updated
    AFTER UPDATE OF title, body, is_anonymous, author_id ON conversations_idea BEGIN
      DELETE FROM search_idea_fts WHERE rowid = old.id;
      INSERT INTO search_idea_fts(rowid, title, body, author)
      VALUES (new.id, new.title, new.body, {_author("new")});
    END""",
    """CREATE TRIGGER search_idea_deleted AFTER DELETE ON conversations_idea BEGIN
      DELETE FROM search_idea_fts WHERE rowid = old.id;
    END""",
    f"""CREATE TRIGGER search_comment_inserted AFTER INSERT ON conversations_comment
    BEGIN
      INSERT INTO search_comment_fts(rowid, body, author)
      VALUES (new.id, new.body, {_author("new")});
    END""",
    f"""CREATE TRIGGER search_comment_updated
    AFTER UPDATE OF body, is_anonymous, author_id ON conversations_comment BEGIN
      DELETE FROM search_comment_fts WHERE rowid = old.id;
      INSERT INTO search_comment_fts(rowid, body, author)
      VALUES (new.id, new.body, {_author("new")});
    END""",
    """CREATE TRIGGER search_comment_deleted AFTER DELETE ON conversations_comment
    BEGIN
      DELETE FROM search_comment_fts WHERE rowid = old.id;
    END""",
    f"""CREATE TRIGGER search_person_renamed
    AFTER UPDATE OF display_name, first_name, last_name, email ON accounts_staffmember
    BEGIN
      UPDATE search_idea_fts SET author = coalesce({SQLITE_NAME.format(author="new.id")}, '')
      WHERE rowid IN (SELECT id FROM conversations_idea
                      WHERE author_id = new.id AND NOT is_anonymous);
      UPDATE search_comment_fts SET author = coalesce({SQLITE_NAME.format(author="new.id")}, '')
      WHERE rowid IN (SELECT id FROM conversations_comment
                      WHERE author_id = new.id AND NOT is_anonymous);
    END""",
    f"""INSERT INTO search_idea_fts(rowid, title, body, author)
    SELECT i.id, i.title, i.body, {_author("i")} FROM conversations_idea i""",
    f"""INSERT INTO search_comment_fts(rowid, body, author)
    SELECT c.id, c.body, {_author("c")} FROM conversations_comment c""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS search_person_renamed",
    *(
        f"DROP TRIGGER IF EXISTS search_{kind}_{change}"
        for kind in ("idea", "comment")
        for change in ("inserted", "updated", "deleted")
    ),
    "DROP TABLE IF EXISTS search_idea_fts",
    "DROP TABLE IF EXISTS search_comment_fts",
]

POSTGRES_FORWARD = [
    """CREATE INDEX search_idea_document ON conversations_idea USING gin ((
      setweight(to_tsvector('english'::regconfig, title), 'A')
      || to_tsvector('english'::regconfig, body)))""",
    """CREATE INDEX search_comment_document ON conversations_comment
    USING gin ((to_tsvector('english'::regconfig, body)))""",
    """CREATE INDEX search_person_name ON accounts_staffmember USING gin ((
      to_tsvector('simple'::regconfig, CASE
        WHEN display_name <> '' THEN display_name
        WHEN btrim(first_name || ' ' || last_name) <> ''
          THEN btrim(first_name || ' ' || last_name)
        ELSE split_part(email, '@', 1) END)))""",
]
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS search_idea_document",
    "DROP INDEX IF EXISTS search_comment_document",
    "DROP INDEX IF EXISTS search_person_name",
]


def _run(statements: dict[str, list[str]]):
    def run(apps, schema_editor) -> None:
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("conversations", "0010_campaignvisit"),
        ("accounts", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
        )
    ]
