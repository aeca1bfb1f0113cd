"""What a trust's digital team takes as it is: the image (platform/Dockerfile and
.dockerignore) and the Compose file, read for what matters, and checked by Docker
Compose itself where it is installed."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from config import websocket_protocol

REPO = Path(__file__).resolve().parents[2]
PLATFORM = REPO / "platform"


def _stages() -> list[tuple[str, str]]:
    """(FROM line, the stage's instructions) for each build stage, comments and line
    continuations removed."""
    text = (PLATFORM / "Dockerfile").read_text()
    text = re.sub(r"^\s*#.*\n", "", text, flags=re.M).replace("\\\n", " ")
    parts = re.split(r"^(FROM .+)$", text, flags=re.M)
    return list(zip(parts[1::2], parts[2::2], strict=True))


def _final() -> tuple[str, str]:
    return _stages()[-1]


def _compose() -> dict:
    return yaml.safe_load((PLATFORM / "compose.yaml").read_text())


def test_image_is_built_in_stages_and_node_stays_out_of_the_final_one():
    stages = _stages()
    from_final, final = _final()
    assert len(stages) >= 2
    assert any("node:" in line for line, _ in stages[:-1])
    assert "node" not in from_final
    # The front end is built as the Makefile builds it, then only its output is copied.
    assets = next(body for line, body in stages if "node:" in line)
    assert "make build/.assets" in assets
    assert "COPY --from=assets /src/build/static build/static" in final
    for word in ("npm", "nodejs", "node_modules", "apt-get install -y nodejs"):
        assert word not in final
    # Python packages as pinned, with error tracking and tracing there to switch on.
    packages = next(body for line, body in stages if " AS packages" in line)
    assert 'pip install -c constraints.txt ".[observability]"' in packages


def test_image_has_pango_and_a_font_for_the_pdf_export():
    _, final = _final()
    for package in (
        "libpango-1.0-0",
        "libpangoft2-1.0-0",
        "libharfbuzz-subset0",
        "libfontconfig1",
        "fonts-dejavu-core",
    ):
        assert re.search(rf"apt-get install[^&]*\b{re.escape(package)}\b", final), (
            package
        )


def test_image_has_the_postgresql_tools_the_restore_drill_needs_for_its_server():
    _, final = _final()
    assert re.search(r"apt-get install[^&]*\bpostgresql-client\b", final)
    # Debian 12's client is PostgreSQL 15; pg_dump refuses a newer server.
    assert "bookworm" in _final()[0]
    assert _compose()["services"]["db"]["image"] == "postgres:15"


def test_image_runs_as_a_user_that_is_not_root_and_cannot_change_its_code():
    _, final = _final()
    users = re.findall(r"^USER (\S+)", final, flags=re.M)
    assert users and users[-1].split(":")[0] not in ("root", "0")
    # The code is copied before the switch, owned by root.
    assert final.index("COPY . .") < final.index("USER ")
    assert "--chown" not in final


def test_static_files_are_collected_when_the_image_is_built():
    _, final = _final()
    run = " ".join(re.findall(r"^RUN (.+)$", final, flags=re.M))
    assert "manage.py collectstatic --no-input" in run
    assert final.index("COPY --from=assets") < final.index("collectstatic")


def test_dockerignore_keeps_local_environments_databases_and_secrets_out():
    ignored = {
        line.strip()
        for line in (REPO / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    for entry in (
        ".venv",
        "node_modules",
        ".git",
        "staticfiles",
        "build",
        "db.sqlite3*",
        "platform/staffvoice.env",
        "platform/tls",
    ):
        assert entry in ignored, entry


def test_compose_runs_every_process_with_health_checks_and_restart_policies():
    services = _compose()["services"]
    assert set(services) == {
        "db",
        "redis",
        "migrate",
        "web",
        "live",
        "worker",
        "scheduler",
        "proxy",
    }
    for name, service in services.items():
        if name == "migrate":
            continue
        assert service.get("restart") == "unless-stopped", name
        assert service.get("healthcheck", {}).get("test"), name
    commands = {
        name: " ".join(services[name]["command"])
        for name in services
        if "command" in services[name]
    }
    assert "manage.py db_worker" in commands["worker"]
    assert "manage.py send_notifications" in commands["scheduler"]
    assert "manage.py apply_retention --if-due" in commands["scheduler"]
    assert "granian --interface wsgi" in commands["web"]
    assert "uvicorn config.asgi:application" in commands["live"]
    assert websocket_protocol.WS in commands["live"]
    # Probes ask the application, not just the port.
    for name in ("web", "live"):
        assert "/readyz" in " ".join(services[name]["healthcheck"]["test"]), name
    for name in ("worker", "scheduler"):
        assert services[name]["healthcheck"]["test"][-2:] == ["manage.py", "readiness"]


def test_migrations_are_a_release_step_every_worker_waits_for():
    services = _compose()["services"]
    migrate = services["migrate"]
    assert migrate["command"] == ["python", "manage.py", "migrate", "--no-input"]
    assert migrate["restart"] == "no"
    for name in ("web", "live", "worker", "scheduler"):
        assert services[name]["depends_on"]["migrate"] == {
            "condition": "service_completed_successfully"
        }, name
    assert services["proxy"]["depends_on"]["web"] == {"condition": "service_healthy"}


def test_compose_mounts_the_nginx_configuration_that_exists():
    proxy = _compose()["services"]["proxy"]
    for volume in proxy["volumes"]:
        source, _, access = volume.rsplit(":", 2)
        assert access == "ro", volume
        if "${NGINX_MODE" in source:
            for mode in ("tls", "behind-load-balancer"):
                path = source.replace("${NGINX_MODE:-tls}", mode)
                assert (PLATFORM / path).is_file(), path
        elif source.startswith("${TLS_DIR"):
            continue  # the trust's certificates, never in the repository
        else:
            assert (PLATFORM / source).is_file(), source


def _docker_compose() -> list[str] | None:
    """Compose v2 (the `docker compose` plugin): v1 predates the Compose
    Specification this file is written to (its `name`, for one)."""
    docker = shutil.which("docker")
    if docker:
        probe = subprocess.run(
            [docker, "compose", "version"], capture_output=True, timeout=30
        )
        if probe.returncode == 0:
            return [docker, "compose"]
    return None


@pytest.mark.timeout(60)
def test_docker_compose_accepts_the_file(tmp_path):
    compose = _docker_compose()
    if compose is None:
        pytest.skip("Docker Compose is not installed here")
    # A copy, with the example settings as staffvoice.env (which holds secrets and is
    # never committed), so nothing is written into the repository.
    copy = tmp_path / "platform"
    shutil.copytree(PLATFORM / "nginx", copy / "nginx")
    shutil.copy(PLATFORM / "compose.yaml", copy / "compose.yaml")
    shutil.copy(PLATFORM / "staffvoice.env.example", copy / "staffvoice.env")
    for mode in ("tls", "behind-load-balancer"):
        result = subprocess.run(
            [*compose, "-f", str(copy / "compose.yaml"), "config", "--quiet"],
            capture_output=True,
            text=True,
            timeout=60,
            env={"PATH": "/usr/local/bin:/usr/bin:/bin", "NGINX_MODE": mode},
        )
        assert result.returncode == 0, result.stderr


def test_every_socket_server_cuts_off_clients_that_stop_reading():
    """The live process everywhere it is started runs the protocol that drops a
    client which reads nothing (``config.websocket_protocol``)."""
    procfile = (PLATFORM / "Procfile").read_text()
    live = next(line for line in procfile.splitlines() if line.startswith("live:"))
    makefile = (PLATFORM.parent / "Makefile").read_text()
    run = makefile.split("\nrun:")[1].split("\n\n")[0]

    assert f"--ws {websocket_protocol.WS}" in live
    assert f"--ws {websocket_protocol.WS}" in run
