"""/healthz (liveness) and /readyz (readiness): what a probe gets, from the test client
and from a real page worker whose Redis or PostgreSQL the test takes away."""

import time
from datetime import timedelta

import httpx
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from accounts.tasks import send_invitations
from tests.deployment import processes
from tests.deployment.tcp_proxy import TcpProxy

PROBE_HOST = "10.0.3.7:8000"  # a container's own address: never an allowed host


def test_liveness_answers_without_the_database_from_any_host_over_plain_http(
    client, settings
):
    """No ``db`` fixture: a single query would fail this test."""
    settings.SECURE_SSL_REDIRECT = True

    response = client.get("/healthz", HTTP_HOST=PROBE_HOST)

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["Cache-Control"] == "no-store"


@pytest.mark.django_db
def test_readiness_reports_each_check_and_nothing_more(client, settings):
    settings.SECURE_SSL_REDIRECT = True

    response = client.get("/readyz", HTTP_HOST=PROBE_HOST)
    page = client.get("/", HTTP_HOST=PROBE_HOST)

    assert response.status_code == 200
    expected = {"database": True, "tasks": True}
    if settings.REDIS_URL:
        expected["redis"] = True
    assert response.json() == {"status": "ok", "checks": expected}
    assert "Set-Cookie" not in response.headers
    # Only the probes skip host validation and the redirect; pages do not.
    assert page.status_code == 400


# Transactional: the worker closes its database connection when it is done.
@pytest.mark.django_db(transaction=True)
def test_readiness_fails_while_a_task_has_waited_too_long_and_recovers_once_run(
    client, settings
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.HEALTH_TASK_QUEUE_MAX_AGE = 600
    waiting = send_invitations.enqueue([])
    # A retry due later waits from when it is due, not from when it was queued.
    later = send_invitations.using(
        run_after=timezone.now() + timedelta(minutes=5)
    ).enqueue([])
    DBTaskResult.objects.filter(pk=later.id).update(
        enqueued_at=timezone.now() - timedelta(hours=2)
    )
    assert client.get("/readyz").status_code == 200  # queued just now

    DBTaskResult.objects.filter(pk=waiting.id).update(
        enqueued_at=timezone.now() - timedelta(minutes=11)
    )
    stale = client.get("/readyz")
    assert stale.status_code == 503
    assert stale.json()["status"] == "unavailable"
    assert stale.json()["checks"]["tasks"] is False
    assert stale.json()["checks"]["database"] is True

    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
    assert client.get("/readyz").status_code == 200


@pytest.mark.django_db
def test_the_readiness_command_exits_1_when_not_ready(settings, capsys):
    """For the task worker and scheduler, which serve no HTTP (compose.yaml)."""
    call_command("readiness")
    assert '"status": "ok"' in capsys.readouterr().out

    settings.REDIS_URL = f"redis://127.0.0.1:{processes.free_port()}/0"  # nobody there
    with pytest.raises(CommandError, match="not ready"):
        call_command("readiness")
    assert '"redis": false' in capsys.readouterr().out


def _probe(worker: processes.Process, path: str) -> tuple[int, dict, float]:
    started = time.monotonic()
    response = httpx.get(worker.url + path, headers={"Host": PROBE_HOST}, timeout=20)
    return response.status_code, response.json(), time.monotonic() - started


@pytest.mark.live
@pytest.mark.timeout(90)
def test_a_page_worker_is_not_ready_while_its_redis_is_stopped(django_db_setup):
    redis = processes.OwnRedis()
    redis.start()
    worker = processes.start("web", processes.app_env(REDIS_URL=redis.url))
    try:
        assert _probe(worker, "/readyz")[:2] == (
            200,
            {
                "status": "ok",
                "checks": {"database": True, "redis": True, "tasks": True},
            },
        )

        redis.stop()
        status, body, seconds = _probe(worker, "/readyz")
        print(f"\nRedis stopped: /readyz {status} {body} in {seconds:.2f} s")
        assert (status, body) == (
            503,
            {
                "status": "unavailable",
                "checks": {"database": True, "redis": False, "tasks": True},
            },
        )
        assert seconds < 5
        assert _probe(worker, "/healthz")[:2] == (200, {"status": "ok"})

        redis.start()  # the same port: back as it was
        assert _probe(worker, "/readyz")[0] == 200
    finally:
        worker.stop()
        redis.stop()


@pytest.mark.live
@pytest.mark.timeout(90)
def test_a_page_worker_is_not_ready_while_its_database_is_unreachable(
    django_db_setup, tmp_path
):
    """On PostgreSQL the worker reaches the database through a forwarder the test
    stops and starts again; on SQLite the database file's folder is taken away."""
    env = processes.app_env(CONN_MAX_AGE="60")  # as compose.yaml runs `web`
    env.pop("REDIS_URL", None)
    db = connection.settings_dict
    proxy = None
    if db["ENGINE"].endswith("sqlite3"):
        env["SQLITE_PATH"] = str(tmp_path / "gone" / "db.sqlite3")
    else:
        proxy = TcpProxy(db.get("HOST") or "127.0.0.1", int(db.get("PORT") or 5432))
        proxy.start()
        user = db.get("USER") or "postgres"
        password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
        env["DATABASE_URL"] = (
            f"postgres://{user}{password}@127.0.0.1:{proxy.port}/{db['NAME']}"
        )
    worker = processes.start("web", env)
    try:
        if proxy is not None:
            assert _probe(worker, "/readyz")[0] == 200
            proxy.stop()

        status, body, seconds = _probe(worker, "/readyz")
        print(f"\nDatabase unreachable: /readyz {status} {body} in {seconds:.2f} s")
        assert (status, body) == (
            503,
            {"status": "unavailable", "checks": {"database": False, "tasks": False}},
        )
        assert seconds < 5
        assert _probe(worker, "/healthz")[:2] == (200, {"status": "ok"})

        if proxy is not None:
            proxy.start(proxy.port)
            assert _probe(worker, "/readyz")[0] == 200
    finally:
        worker.stop()
        if proxy is not None:
            proxy.stop()
