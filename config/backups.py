"""The restore drill: proof that a backup restores (platform/RUNBOOK.md, "Backups").

1. Dump the database with ``pg_dump --format=custom`` from an exported snapshot, and
   count every table's rows in that same snapshot, so the counts are exact even while
   people keep posting and voting.
2. Restore the dump with ``pg_restore`` into a fresh database beside the live one.
3. Compare the row counts table by table.
4. Render a campaign page from the restored copy, in a separate process whose only
   database is the copy (and no Redis: nothing is read from or written to the live
   cache), signed in as someone who may see it.
5. Drop the copy (unless asked to keep it).

The same commands are the manual procedure in the runbook; this only runs them and
checks what they produced.
"""

import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import psycopg
from django.conf import settings
from django.db import connection
from psycopg import sql

DRILL_SUFFIX = "_restore_drill"


class DrillFailed(Exception):
    pass


@dataclass
class DrillReport:
    source: str
    target: str
    dump_bytes: int = 0
    dump_seconds: float = 0.0
    restore_seconds: float = 0.0
    counts: dict[str, int] = field(default_factory=dict)
    mismatches: dict[str, tuple[int, int | None]] = field(default_factory=dict)
    page: dict = field(default_factory=dict)


def _params(dbname: str | None = None) -> dict[str, str]:
    db = connection.settings_dict
    params = {
        "host": db.get("HOST") or "",
        "port": str(db.get("PORT") or ""),
        "user": db.get("USER") or "",
        "password": db.get("PASSWORD") or "",
        "dbname": dbname or db["NAME"],
    }
    return {k: v for k, v in params.items() if v}


def _pg_env(dbname: str | None = None) -> dict[str, str]:
    """libpq's environment for pg_dump and pg_restore: no password on a command line."""
    names = {
        "host": "PGHOST",
        "port": "PGPORT",
        "user": "PGUSER",
        "password": "PGPASSWORD",
        "dbname": "PGDATABASE",
    }
    env = {**os.environ, **{names[k]: v for k, v in _params(dbname).items()}}
    sslmode = connection.settings_dict.get("OPTIONS", {}).get("sslmode")
    if sslmode:
        env["PGSSLMODE"] = sslmode
    return env


def _connect(dbname: str | None = None, **kwargs) -> psycopg.Connection:
    sslmode = connection.settings_dict.get("OPTIONS", {}).get("sslmode")
    extra = {"sslmode": sslmode} if sslmode else {}
    return psycopg.connect(**_params(dbname), connect_timeout=10, **extra, **kwargs)


def _tables(conn: psycopg.Connection) -> list[str]:
    rows = conn.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
    ).fetchall()
    return [name for (name,) in rows]


def _count(conn: psycopg.Connection, table: str) -> int:
    query = sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))
    return conn.execute(query).fetchone()[0]


def _run(args: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(args, env=env, capture_output=True, text=True, timeout=3600)
    if result.returncode != 0:
        raise DrillFailed(f"{args[0]} failed: {result.stderr.strip()[-2000:]}")


def dump_and_count(dump_file: Path, report: DrillReport) -> None:
    """pg_dump and the row counts from one exported snapshot."""
    with _connect(autocommit=True) as conn:
        conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        snapshot = conn.execute("SELECT pg_export_snapshot()").fetchone()[0]
        report.counts = {table: _count(conn, table) for table in _tables(conn)}
        started = time.monotonic()
        # The transaction stays open while pg_dump reads the snapshot it exported.
        _run(
            [
                "pg_dump",
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                f"--snapshot={snapshot}",
                f"--file={dump_file}",
            ],
            _pg_env(),
        )
        report.dump_seconds = time.monotonic() - started
        conn.execute("COMMIT")
    report.dump_bytes = dump_file.stat().st_size


def _recreate(target: str) -> None:
    """A fresh database; one left by an earlier drill is replaced, any other refused."""
    with _connect("postgres", autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [target]
        ).fetchone()
        if exists and not target.endswith(DRILL_SUFFIX):
            raise DrillFailed(
                f"database {target} exists: the drill restores into a new database"
            )
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(target)
            )
        )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(target)))


def drop(target: str) -> None:
    with _connect("postgres", autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(target)
            )
        )


def restore(dump_file: Path, report: DrillReport) -> None:
    started = time.monotonic()
    _run(
        [
            "pg_restore",
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            # One transaction: all or nothing, and one commit instead of one per table,
            # index and constraint (several times faster).
            "--single-transaction",
            f"--dbname={report.target}",
            str(dump_file),
        ],
        _pg_env(report.target),
    )
    report.restore_seconds = time.monotonic() - started


def compare(report: DrillReport) -> None:
    with _connect(report.target) as conn:
        restored = set(_tables(conn))
        for table, expected in report.counts.items():
            found = _count(conn, table) if table in restored else None
            if found != expected:
                report.mismatches[table] = (expected, found)


def _database_url(dbname: str) -> str:
    params = _params(dbname)
    auth = quote(params.get("user", ""), safe="")
    if params.get("password"):
        auth += ":" + quote(params["password"], safe="")
    host = params.get("host", "")
    port = f":{params['port']}" if params.get("port") else ""
    return f"postgres://{auth}@{host}{port}/{quote(dbname, safe='')}"


def render_from_copy(report: DrillReport) -> None:
    """A campaign page from the restored copy, in a process of its own."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("REDIS_URL", "REDIS_CACHE_URL", "SQLITE_PATH")
    }
    env.update(
        DATABASE_URL=_database_url(report.target),
        DB_POOL="0",
        # The drill is about the data: pages render whether or not collectstatic ran.
        STATIC_MANIFEST="0",
        TASKS_BACKEND="django_tasks.backends.dummy.DummyBackend",
        DJANGO_SETTINGS_MODULE="config.settings",
    )
    script = "import django; django.setup(); from config.backups import render_check; render_check()"
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    lines = result.stdout.strip().splitlines()
    if result.returncode != 0 or not lines:
        raise DrillFailed(f"rendering from the copy failed: {result.stderr[-2000:]}")
    report.page = json.loads(lines[-1])


def render_check() -> None:
    """Run inside the copy's process: render the newest campaign someone may see, as
    them, through every middleware, and print what came back (ids only)."""
    from django.test import Client

    from accounts.models import StaffMember
    from conversations import rules
    from conversations.models import Campaign

    campaign, viewer = None, None
    for person in StaffMember.objects.filter(is_active=True).order_by("-pk")[:50]:
        campaign = (
            rules.visible_campaigns(person)
            .filter(kind=Campaign.Kind.CAMPAIGN)
            .order_by("-pk")
            .first()
        )
        if campaign is not None:
            viewer = person
            break
    if campaign is None:
        print(json.dumps({"path": None, "status": None, "shows_campaign": False}))
        return
    names = [h.lstrip(".") for h in settings.ALLOWED_HOSTS if "*" not in h]
    client = Client(HTTP_HOST=names[0] if names else "localhost")
    client.force_login(viewer, backend="django.contrib.auth.backends.ModelBackend")
    path = campaign.get_absolute_url()
    response = client.get(path, secure=True)
    print(
        json.dumps(
            {
                "path": path,
                "status": response.status_code,
                "campaign": campaign.pk,
                "viewer": viewer.pk,
                "shows_campaign": campaign.title in response.content.decode(),
            }
        )
    )


def run_drill(
    target: str | None = None, keep: bool = False, dump_dir: str | None = None
) -> DrillReport:
    if connection.vendor != "postgresql":
        raise DrillFailed("the restore drill is for PostgreSQL (DATABASE_URL)")
    source = connection.settings_dict["NAME"]
    report = DrillReport(source=source, target=target or f"{source}{DRILL_SUFFIX}")
    if report.target == source:
        raise DrillFailed("the copy must be a database of its own")
    with tempfile.TemporaryDirectory(prefix="staffvoice-drill-", dir=dump_dir) as tmp:
        dump_file = Path(tmp) / f"{source}.dump"
        dump_and_count(dump_file, report)
        _recreate(report.target)
        try:
            restore(dump_file, report)
            compare(report)
            render_from_copy(report)
        finally:
            if not keep:
                drop(report.target)
    return report
