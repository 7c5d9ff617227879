"""A task for the worker test: proves a message crossed from one process to a real worker process."""

from pathlib import Path

from celery import shared_task


@shared_task(name="tests.write_marker")
def write_marker(path: str, text: str) -> None:
    Path(path).write_text(text)
