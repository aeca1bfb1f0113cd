"""Debian's nginx running the shipped configuration (platform/nginx/) for a test: the
template rendered as the nginx image renders it (only the variables given are
replaced), under a temporary prefix, on free ports, with a certificate the test makes."""

import os
import re
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from tests.deployment.processes import REPO, free_port, wait_for_port

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
SHIPPED = REPO / "platform" / "nginx"

# What the nginx image's own /etc/nginx/nginx.conf gives the shipped files: the
# `http` block that includes conf.d/*.conf. Here, with paths a test may write to.
MAIN_CONF = """\
{user}
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    client_body_temp_path {prefix}/temp/body;
    proxy_temp_path {prefix}/temp/proxy;
    fastcgi_temp_path {prefix}/temp/fastcgi;
    uwsgi_temp_path {prefix}/temp/uwsgi;
    scgi_temp_path {prefix}/temp/scgi;
    include conf.d/*.conf;
}}
"""


def available() -> bool:
    return os.path.exists(NGINX) and os.path.exists("/etc/nginx/mime.types")


def render(template: str, variables: dict[str, str]) -> str:
    """envsubst with a list of names, as the image's 20-envsubst-on-templates.sh runs
    it: ``$NAME`` and ``${NAME}`` of the given names only; nginx's own ``$host`` and
    the like are left as they are."""
    names = "|".join(map(re.escape, variables))
    return re.sub(
        rf"\$\{{({names})\}}|\$({names})\b",
        lambda m: variables[m[1] or m[2]],
        template,
    )


def self_signed_certificate(directory: Path) -> tuple[Path, Path]:
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-keyout", str(key), "-out", str(cert), "-subj", "/CN=localhost",
         "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    return cert, key


@dataclass
class Nginx:
    prefix: Path
    popen: subprocess.Popen
    http_port: int
    https_port: int | None

    def access_log(self) -> str:
        return (self.prefix / "access.log").read_text(errors="replace")

    def error_log(self) -> str:
        return (self.prefix / "error.log").read_text(errors="replace")

    def stop(self) -> None:
        if self.popen.poll() is None:
            self.popen.terminate()  # nginx: fast shutdown, workers included
            try:
                self.popen.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(timeout=5)
        shutil.rmtree(self.prefix, ignore_errors=True)


def start(mode: str, web_port: int, live_port: int, **variables: str) -> Nginx:
    """``mode``: "tls" or "behind-load-balancer", the two shipped templates."""
    prefix = Path(tempfile.mkdtemp(prefix="sv-nginx-"))
    for folder in ("conf.d", "staffvoice", "temp"):
        (prefix / folder).mkdir()
    for name in ("http.conf", "locations.conf"):
        shutil.copy(SHIPPED / name, prefix / "staffvoice" / name)
    http_port = free_port()
    https_port = free_port() if mode == "tls" else None
    values = {
        "SERVER_NAME": "localhost",
        "HTTP_PORT": str(http_port),
        "WEB_UPSTREAM": f"127.0.0.1:{web_port}",
        "LIVE_UPSTREAM": f"127.0.0.1:{live_port}",
        **variables,
    }
    if https_port:
        cert, key = self_signed_certificate(prefix)
        values.update(
            HTTPS_PORT=str(https_port),
            TLS_CERTIFICATE=str(cert),
            TLS_CERTIFICATE_KEY=str(key),
        )
    template = (SHIPPED / f"{mode}.conf.template").read_text()
    conf = render(template, values)
    # The access log goes to a file the test reads, not to the test's own output.
    locations = prefix / "staffvoice" / "locations.conf"
    locations.write_text(
        locations.read_text().replace("/dev/stdout", str(prefix / "access.log"))
    )
    (prefix / "conf.d" / "default.conf").write_text(
        conf.replace("/dev/stdout", str(prefix / "access.log"))
    )
    # As root, nginx's workers would run as "nobody" and could not use the temporary
    # folders; the image runs them as its own user.
    user = "user root root;" if os.geteuid() == 0 else ""
    main = prefix / "nginx.conf"
    main.write_text(MAIN_CONF.format(user=user, prefix=prefix))
    test = subprocess.run(
        [NGINX, "-t", "-q", "-p", str(prefix), "-c", str(main)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    if test.returncode != 0:
        raise RuntimeError(f"nginx -t failed:\n{test.stderr}\n{conf}")
    log = prefix / "nginx.out"
    with log.open("wb") as out:
        popen = subprocess.Popen(
            [NGINX, "-p", str(prefix), "-c", str(main), "-g", "daemon off;"],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    server = Nginx(prefix, popen, http_port, https_port)
    try:
        wait_for_port(http_port, popen, log, seconds=15)
        if https_port:
            wait_for_port(https_port, popen, log, seconds=15)
    except RuntimeError:
        server.stop()
        raise
    time.sleep(0.1)
    return server
