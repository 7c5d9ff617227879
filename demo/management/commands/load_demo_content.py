from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from demo.loader import DemoLoader


class Command(BaseCommand):
    help = "Load the demo routes, spots, festivals and pages in all languages (safe to run again)."

    def add_arguments(self, parser):
        parser.add_argument("--admin-user", default="admin", help="Demo admin user name (created if missing).")
        parser.add_argument("--admin-password", default="", help="Demo admin password (default only with DEBUG).")
        parser.add_argument("--no-admin", action="store_true", help="Do not create a demo admin user.")

    def handle(self, *args, **options):
        loader = DemoLoader()
        steps = list(loader.steps())
        with tqdm(steps, desc="Demo content", unit="item", disable=options["verbosity"] == 0) as bar:
            for label, step in bar:
                bar.set_postfix_str(label, refresh=False)
                step()
        call_command("update_index", verbosity=0)
        summary = ", ".join(f"{count} {label}" for label, count in sorted(loader.counts.items()))
        self.stdout.write(self.style.SUCCESS(f"Demo content ready: {summary}."))
        if not options["no_admin"]:
            self._demo_admin(options["admin_user"], options["admin_password"])

    def _demo_admin(self, username: str, password: str) -> None:
        if not password:
            if not settings.DEBUG:
                raise CommandError("Give --admin-password (or --no-admin): no default password outside development.")
            password = "aizu-demo"
        admin_url = settings.WAGTAILADMIN_BASE_URL.rstrip("/") + "/admin/"
        user_model = get_user_model()
        user, created = user_model.objects.get_or_create(
            username=username, defaults={"is_staff": True, "is_superuser": True, "email": ""}
        )
        if created:
            user.set_password(password)
            user.save()
            self.stdout.write(f"Demo admin login: {admin_url}  user {username!r}  password {password!r}")
        else:
            self.stdout.write(f"Demo admin login: {admin_url}  user {username!r} (password unchanged)")
