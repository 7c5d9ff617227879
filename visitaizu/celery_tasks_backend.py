"""A django-tasks backend that hands Wagtail's background jobs to Celery, so production runs one kind of worker."""

from typing import Any

from django.utils.module_loading import import_string
from django_tasks.backends.base import BaseTaskBackend
from django_tasks.base import Task, TaskResult, TaskResultStatus
from django_tasks.utils import get_random_id

from .celery import app


@app.task(name="visitaizu.run_django_task", acks_late=True)
def run_django_task(module_path: str, args: list, kwargs: dict) -> None:
    import_string(module_path).call(*args, **kwargs)


class CeleryTaskBackend(BaseTaskBackend):
    def enqueue(self, task: Task, args: Any, kwargs: Any) -> TaskResult:
        self.validate_task(task)
        run_django_task.delay(task.module_path, list(args), dict(kwargs))
        return TaskResult(
            task=task,
            id=get_random_id(),
            status=TaskResultStatus.READY,
            enqueued_at=None,
            started_at=None,
            last_attempted_at=None,
            finished_at=None,
            args=list(args),
            kwargs=dict(kwargs),
            backend=self.alias,
            errors=[],
            worker_ids=[],
        )
