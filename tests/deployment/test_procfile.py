"""The process layout of platform/Procfile, run as written (on free ports and the test
database): the release step, a page worker, a socket worker and the task worker each
do their job, as they would on a Procfile platform or in compose.yaml."""

import subprocess
import time

import httpx
import pytest
import websockets
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from accounts.tasks import send_invitations
from tests.deployment import processes
from tests.live.helpers import receive_until, run
from tests.servers import session_cookie_for

pytestmark = [
    pytest.mark.live,
    pytest.mark.django_db(transaction=True),
    pytest.mark.timeout(120),
]


def test_every_long_running_process_has_a_procfile_entry():
    assert set(processes.procfile()) == {
        "web",
        "live",
        "worker",
        "release",
        "scheduler",
    }


def test_the_release_step_migrates_and_is_safe_to_run_again():
    result = subprocess.run(
        ["sh", "-c", processes.procfile()["release"]],
        cwd=processes.REPO,
        env=processes.app_env(),
        capture_output=True,
        text=True,
        timeout=90,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "No migrations to apply" in result.stdout


def test_page_and_socket_workers_answer_as_behind_the_proxy(make_staff, make_campaign):
    campaign = make_campaign("open")
    session = session_cookie_for(make_staff())
    env = processes.app_env()
    web = processes.start("web", env)
    live = processes.start("live", env)
    try:
        # nginx tells the workers the client used https (platform/nginx/).
        page = httpx.get(
            f"{web.url}/campaigns/{campaign.slug}/",
            headers={"Cookie": f"sessionid={session}", "X-Forwarded-Proto": "https"},
            timeout=20,
        )
        bounced = httpx.get(f"{web.url}/", timeout=20)
        # compose.yaml's health check of each: its own /readyz, over plain HTTP.
        ready = [httpx.get(f"{p.url}/readyz", timeout=20) for p in (web, live)]

        frames = []

        async def scenario():
            async with websockets.connect(
                f"ws://127.0.0.1:{live.port}/ws/campaigns/{campaign.pk}/",
                additional_headers={
                    "Cookie": f"sessionid={session}",
                    "Origin": "https://localhost",
                },
                open_timeout=10,
            ) as socket:
                frames.extend(
                    await receive_until(socket, lambda f: f["type"] == "hello")
                )

        run(scenario())
    finally:
        web.stop()
        live.stop()

    assert page.status_code == 200, web.output()
    assert campaign.title in page.text
    # Without the proxy's word, the page worker sends people to https.
    assert bounced.status_code == 301
    assert bounced.headers["location"].startswith("https://")
    assert frames[-1]["type"] == "hello"
    assert [r.status_code for r in ready] == [200, 200]
    assert all(r.json()["status"] == "ok" for r in ready)


def test_the_task_worker_runs_what_a_page_queued(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    queued = send_invitations.enqueue([])
    worker = processes.start("worker", processes.app_env(), listens=False)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            status = DBTaskResult.objects.get(pk=queued.id).status
            if status != TaskResultStatus.READY and status != TaskResultStatus.RUNNING:
                break
            time.sleep(0.2)
    finally:
        worker.stop()

    assert status == TaskResultStatus.SUCCESSFUL, worker.output()
