"""A real nginx running the shipped site (deploy/nginx/lvzhi.conf) in front of `lvzhi serve`."""

from __future__ import annotations

import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import requests
from requests.adapters import HTTPAdapter

from bot.emulator.tls import self_signed
from tests.support.processes import stop_process

PROJECT_ROOT = Path(__file__).resolve().parent.parent.parent
SITE = PROJECT_ROOT / "deploy" / "nginx" / "lvzhi.conf"
STARTUP_SECONDS = 20
NOT_INSTALLED = "nginx is not installed: run scripts/system-deps.sh (make test runs it)"
TEMP_FOLDERS = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")

# The directives the site's header says a test rewrites: pattern, replacement builder.
SERVER_NAME = re.compile(r"^([ \t]*)server_name lvzhi\.example\.gov\.cn;", re.M)
CERTIFICATE = re.compile(r"^([ \t]*)ssl_certificate /etc/ssl/lvzhi/fullchain\.pem;", re.M)
CERTIFICATE_KEY = re.compile(r"^([ \t]*)ssl_certificate_key /etc/ssl/lvzhi/privkey\.pem;", re.M)
IPV6_LISTEN = re.compile(r"^[ \t]*listen \[::\]:(?:80|443)\b[^;]*;\n", re.M)
LISTEN = re.compile(r"^([ \t]*)listen (80|443)\b", re.M)
UPSTREAM = re.compile(r"^([ \t]*)server 127\.0\.0\.1:8000;", re.M)


def nginx_binary() -> str:
    """Return the nginx executable's path; fail with the fix when it is not installed."""
    found = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/sbin")
    if found is None:
        raise FileNotFoundError(NOT_INSTALLED)
    return found


def self_signed_certificate(folder: Path, host: str = "127.0.0.1") -> tuple[Path, Path]:
    """Write a self-signed certificate for `host` (and localhost); return (cert, key) paths."""
    certificate, key = self_signed(host)  # the emulator's own wss:// certificate maker
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(certificate)
    key_path.write_bytes(key)
    key_path.chmod(0o600)
    return cert_path, key_path


def _substitute(pattern: re.Pattern, replacement, text: str) -> str:
    """Apply one rewrite of the site; fail when the directive is no longer in the file."""
    rendered, count = pattern.subn(replacement, text)
    assert count, f"{SITE.name}: no line matches {pattern.pattern!r} (see the file's header)"
    return rendered


@dataclass(frozen=True)
class SiteValues:
    """What a test puts in place of the site's operator-edited values."""

    server_name: str
    certificate: Path
    certificate_key: Path
    https_port: int
    http_port: int
    upstream: str  # host:port of `lvzhi serve`


def render_site(text: str, values: SiteValues) -> str:
    """Rewrite the shipped site's documented directives for loopback ports and a test cert."""
    text = _substitute(SERVER_NAME, rf"\1server_name {values.server_name};", text)
    text = _substitute(CERTIFICATE, rf"\1ssl_certificate {values.certificate};", text)
    text = _substitute(CERTIFICATE_KEY, rf"\1ssl_certificate_key {values.certificate_key};", text)
    text = _substitute(IPV6_LISTEN, "", text)  # the test listens on IPv4 loopback only
    ports = {"80": values.http_port, "443": values.https_port}
    text = _substitute(LISTEN, lambda m: f"{m[1]}listen 127.0.0.1:{ports[m[2]]}", text)
    return _substitute(UPSTREAM, rf"\1server {values.upstream};", text)


def _main_config(base: Path, site: Path) -> str:
    """Return a minimal nginx.conf around the site: everything under `base`, no root needed."""
    temps = "\n".join(f"    {name}_temp_path {base / 'temp' / name};" for name in TEMP_FOLDERS)
    # Started as root, nginx would run its workers as `nobody`: keep them as the current user.
    user = f"user {pwd.getpwuid(os.geteuid()).pw_name};" if os.geteuid() == 0 else ""
    return (
        f"{user}\nworker_processes 1;\npid {base / 'nginx.pid'};\n"
        f"error_log {base / 'error.log'} info;\nevents {{ worker_connections 256; }}\n"
        f"http {{\n    access_log {base / 'access.log'};\n{temps}\n    include {site};\n}}\n"
    )


class NginxServer:
    """nginx in the foreground with its own prefix, logs and temp folders under `base`."""

    def __init__(self, base: Path, site_text: str) -> None:
        self.base, self.site_text, self.process = base, site_text, None
        self.config = base / "nginx.conf"

    def _command(self, *extra: str) -> list[str]:
        prefix = ["-p", str(self.base), "-c", str(self.config), "-e", str(self.base / "error.log")]
        return [nginx_binary(), *prefix, *extra]

    def start(self, wait_for_port: int) -> NginxServer:
        """Check the configuration (`nginx -t`), start nginx and wait until the port accepts."""
        for name in TEMP_FOLDERS:
            (self.base / "temp" / name).mkdir(parents=True, exist_ok=True)
        site = self.base / "lvzhi.conf"
        site.write_text(self.site_text, encoding="utf-8")
        self.config.write_text(_main_config(self.base, site), encoding="utf-8")
        check = subprocess.run(self._command("-t"), capture_output=True, text=True, check=False)
        assert check.returncode == 0, f"nginx -t refused the site:\n{check.stderr}"
        self.process = subprocess.Popen(self._command("-g", "daemon off;"))
        _wait_for_port(wait_for_port, self.process, "nginx", self.error_log)
        return self

    def error_log(self) -> str:
        """Return nginx's error log so far."""
        path = self.base / "error.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self) -> None:
        """Stop nginx gracefully (SIGQUIT), killing it if it lingers."""
        stop_process(self.process, 10, signal.SIGQUIT)
        self.process = None


class LvzhiServe:
    """`lvzhi serve` (gunicorn) as a child process, its output (the access log) in a file."""

    def __init__(self, base: Path, port: int, environment: dict[str, str]) -> None:
        self.base, self.port, self.environment, self.process = base, port, environment, None
        self.log_path = base / "gunicorn.log"

    def start(self) -> LvzhiServe:
        """Start `lvzhi serve` in `base` (so no .env of the checkout is read) and wait for it."""
        lvzhi = Path(sys.executable).with_name("lvzhi")
        command = [
            str(lvzhi),
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--workers",
            "2",
        ]
        env = {**os.environ, **self.environment}
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(command, cwd=self.base, env=env, stdout=log, stderr=log)
        _wait_for_port(self.port, self.process, "lvzhi serve", self.log)
        return self

    def log(self) -> str:
        """Return gunicorn's output so far (access log lines included)."""
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        """Stop gunicorn gracefully (SIGTERM)."""
        stop_process(self.process, 10, signal.SIGTERM)
        self.process = None


def _wait_for_port(port: int, process: subprocess.Popen, name: str, log) -> None:
    """Wait until something accepts on the loopback port; fail with the log if it dies."""
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        assert process.poll() is None, f"{name} exited ({process.returncode}):\n{log()[-3000:]}"
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    stop_process(process, 10, signal.SIGTERM)
    raise AssertionError(f"{name} did not listen on port {port}:\n{log()[-3000:]}")


class _SourceAddressAdapter(HTTPAdapter):
    """An adapter whose connections leave from one local address (any of 127/8 on Linux)."""

    def __init__(self, source: str) -> None:
        self.source = source
        super().__init__()

    def init_poolmanager(self, *args, **kwargs) -> None:
        """Bind every pooled connection to the source address."""
        kwargs["source_address"] = (self.source, 0)
        super().init_poolmanager(*args, **kwargs)


def client_from(source: str, certificate: Path) -> requests.Session:
    """Return an HTTP client whose requests come from `source` and trust the test certificate."""
    client = requests.Session()
    client.trust_env = False  # no proxy from the environment between us and nginx
    client.verify = str(certificate)
    adapter = _SourceAddressAdapter(source)
    client.mount("http://", adapter)
    client.mount("https://", adapter)
    return client
