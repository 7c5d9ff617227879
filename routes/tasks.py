"""The nightly training job. It starts `manage.py train_recommender` in a process of its own: LightFM's OpenMP
threads must never run in a process that forks afterwards (a Celery parent or a gunicorn master)."""

import subprocess
import sys
from pathlib import Path

from celery import shared_task

MANAGE = Path(__file__).resolve().parent.parent / "manage.py"


@shared_task(ignore_result=True)
def train_recommender() -> int:
    completed = subprocess.run(
        [sys.executable, str(MANAGE), "train_recommender", "--verbosity", "0"], capture_output=True, text=True
    )
    if completed.returncode != 0:
        raise RuntimeError(f"training failed: {completed.stderr[-2000:]}")
    return completed.returncode
