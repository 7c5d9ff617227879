"""The default broker needs no server yet works with a real worker process; so does Redis when configured."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)


def run_worker_round_trip(tmp_path: Path, extra_env: dict[str, str]) -> str:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "visitaizu.settings.dev",
        "VISITAIZU_VAR_DIR": str(tmp_path / "var"),
        "PYTHONPATH": str(ROOT),
        **extra_env,
    }
    env.pop("CELERY_ALWAYS_EAGER", None)
    marker = tmp_path / "marker.txt"
    # Send first, then start the worker: the message must wait in the broker, and the two processes never race
    # to create the broker's tables.
    subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from tests.celery_probe import write_marker;"
            f" write_marker.delay({str(marker)!r}, 'sent by another process')",
        ],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=60,
    )
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "visitaizu",
            "worker",
            "--include",
            "tests.celery_probe",
            "--pool",
            "solo",
            "--loglevel",
            "warning",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not marker.exists() and time.monotonic() < deadline and worker.poll() is None:
            time.sleep(0.2)
        assert marker.exists(), worker.stdout.read() if worker.poll() is not None else "worker did not run the task"
        return marker.read_text()
    finally:
        worker.terminate()
        worker.wait(timeout=30)


def test_default_broker_needs_no_server_and_feeds_a_real_worker(tmp_path):
    env = {"CELERY_BROKER_URL": "", "REDIS_URL": "", "DATABASE_URL": ""}
    assert run_worker_round_trip(tmp_path, env) == "sent by another process"
    assert (tmp_path / "var" / "celery-broker.sqlite3").exists()


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="REDIS_URL not set: Redis broker tested in CI")
def test_redis_broker_feeds_a_real_worker(tmp_path):
    env = {"CELERY_BROKER_URL": os.environ["REDIS_URL"]}
    assert run_worker_round_trip(tmp_path, env) == "sent by another process"
