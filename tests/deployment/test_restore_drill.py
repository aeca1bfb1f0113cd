"""The restore drill (manage.py restore_drill): a dump of the test database restored into
a fresh database of its own, compared table by table, and a page rendered from it."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from config import backups
from conversations.models import Comment

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="pg_dump and pg_restore: the PostgreSQL path (CI runs it there)",
)
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(180)]


def _databases() -> set[str]:
    with backups._connect("postgres") as conn:
        return {name for (name,) in conn.execute("SELECT datname FROM pg_database")}


@pytest.fixture
def organisation(make_staff, make_campaign, make_idea, make_comment):
    campaign = make_campaign("open", title="Rest breaks on night shifts")
    for n in range(3):
        idea = make_idea(campaign, title=f"Quiet room {n}")
        make_comment(idea)
    make_staff()
    return campaign


@postgres_only
def test_the_drill_restores_every_row_and_renders_a_page_from_the_copy(organisation):
    out = StringIO()

    call_command("restore_drill", "--keep", stdout=out)

    output = out.getvalue()
    print("\n" + output)
    copy = f"{connection.settings_dict['NAME']}_restore_drill"
    try:
        assert "Restore drill passed." in output
        assert "tables match" in output
        assert "shows the campaign" in output
        assert f"/campaigns/{organisation.slug}/" in output
        assert f"Kept {copy}" in output
        assert copy in _databases()

        # The comparison is not vacuous: a copy that lost a row is caught.
        report = backups.DrillReport(
            source=connection.settings_dict["NAME"], target=copy
        )
        with backups._connect() as source:
            report.counts = {
                t: backups._count(source, t) for t in backups._tables(source)
            }
        table = Comment._meta.db_table
        assert report.counts[table] == 3
        with backups._connect(copy, autocommit=True) as restored:
            restored.execute(
                f'DELETE FROM "{table}" WHERE id = (SELECT min(id) FROM "{table}")'
            )
        backups.compare(report)
        # (Rendering the page wrote a session into the copy: not looked at here.)
        assert report.mismatches[table] == (3, 2)
    finally:
        backups.drop(copy)
    assert copy not in _databases()


@postgres_only
def test_the_drill_never_restores_over_a_database_that_is_not_its_own():
    # A database of the test's own stands for someone else's (never a shared one).
    other = f"{connection.settings_dict['NAME']}_someone_elses"
    with backups._connect("postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{other}"')
        conn.execute(f'CREATE DATABASE "{other}"')
    try:
        with pytest.raises(CommandError, match="exists"):
            call_command("restore_drill", "--target", other, stdout=StringIO())
        assert other in _databases()
    finally:
        backups.drop(other)


@pytest.mark.skipif(connection.vendor == "postgresql", reason="the SQLite path")
def test_the_drill_says_it_needs_postgresql_on_the_embedded_default():
    with pytest.raises(CommandError, match="for PostgreSQL"):
        call_command("restore_drill", stdout=StringIO())


def test_no_password_is_put_on_a_command_line(monkeypatch):
    """pg_dump and pg_restore get the password from their environment (PGPASSWORD),
    where `ps` does not show it."""
    monkeypatch.setitem(connection.settings_dict, "PASSWORD", "s3cret")
    env = backups._pg_env("copy")
    assert env["PGPASSWORD"] == "s3cret" and env["PGDATABASE"] == "copy"
    assert "s3cret" not in backups._database_url("copy").split("@")[1]
