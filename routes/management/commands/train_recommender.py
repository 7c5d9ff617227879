from django.core.management.base import BaseCommand
from tqdm import tqdm

from routes.recommender.training import train


class Command(BaseCommand):
    help = (
        "Train the route recommender, evaluate it on the latest days held out, and make it live unless it is worse "
        "than the live model. Run it as its own process (the nightly task does)."
    )

    def handle(self, *args, **options):
        steps = tqdm(total=5, desc="Training", unit="step", disable=options["verbosity"] == 0)

        def progress(message: str) -> None:
            steps.set_postfix_str(message)
            steps.update(1)

        record = train(progress=progress)
        steps.close()
        evaluation = record.metrics.get("evaluation", {})
        for group in ("all", "returning", "new"):
            row = evaluation.get(group, {})
            figures = ", ".join(
                f"{name} {row[name]['precision']:.3f}" for name in row if isinstance(row[name], dict) and row[name]
            )
            self.stdout.write(f"precision@5 {group} ({row.get('visitors', 0)} visitors): {figures}")
        self.stdout.write(f"Model {record.pk}: {record.get_status_display()}. {record.note}".strip())
