"""A real VisitAizu server with the demo content, in its own process and database, for browser tests and benches."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env(var_dir: Path, **extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "visitaizu.settings.dev",
        "VISITAIZU_VAR_DIR": str(var_dir),
        "MEDIA_ROOT": str(var_dir / "media"),
        "DATABASE_URL": "",
        "REDIS_URL": "",  # self-contained: its own SQLite database and cache, events written at once
        "PYTHONPATH": str(ROOT),
        **extra,
    }
    return env


def prepare_demo_database(env: dict[str, str]) -> None:
    manage = [sys.executable, str(ROOT / "manage.py")]
    for command in (["migrate", "--noinput", "-v0"], ["createcachetable"], ["load_demo_content", "--no-admin", "-v0"]):
        subprocess.run(manage + command, cwd=ROOT, env=env, check=True, capture_output=True)


def start_gunicorn(
    env: dict[str, str],
    workers: int = 1,
    ready_path: str = "/robots.txt",
    access_log: str = "/dev/null",
    access_format: str | None = None,
    timeout: float = 60,
) -> tuple[subprocess.Popen, str]:
    """Start gunicorn on a free port and wait until `ready_path` answers; return the process and its base URL."""
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "visitaizu.wsgi", "--bind", f"127.0.0.1:{port}",
               "--workers", str(workers), "--access-logfile", access_log,
               "--error-logfile", "-", "--log-level", "warning"]  # fmt: skip
    if access_format:
        command += ["--access-logformat", access_format]
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    base_url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while True:
        try:
            urllib.request.urlopen(base_url + ready_path, timeout=2)
            return server, base_url
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                raise RuntimeError("server did not start: " + (server.stderr.read() or "")) from None
            time.sleep(0.2)


@contextmanager
def demo_server(var_dir: Path, workers: int = 1, **extra_env: str) -> Iterator[str]:
    """Yield the base URL of gunicorn serving the demo site; stop it afterwards."""
    env = server_env(var_dir, **extra_env)
    prepare_demo_database(env)
    server, base_url = start_gunicorn(env, workers)
    try:
        yield base_url
    finally:
        server.terminate()
        server.wait(timeout=30)
