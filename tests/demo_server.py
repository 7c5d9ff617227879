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


@contextmanager
def demo_server(var_dir: Path, workers: int = 1, **extra_env: str) -> Iterator[str]:
    """Yield the base URL of gunicorn serving the demo site; stop it afterwards."""
    env = server_env(var_dir, **extra_env)
    prepare_demo_database(env)
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "visitaizu.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--access-logfile",
            "/dev/null",
            "--error-logfile",
            "-",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(base_url + "/robots.txt", timeout=2)
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    detail = server.stderr.read() if server.stderr else ""
                    raise RuntimeError("demo server did not start: " + detail) from None
                time.sleep(0.2)
        yield base_url
    finally:
        server.terminate()
        server.wait(timeout=30)
