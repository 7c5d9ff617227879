"""The Marketers group: the Wagtail admin, the dashboard, KPIs, targets, monthly values and annotations; a look
at the analytics tables (markets, goals, funnels); and no page permissions at all, so they cannot edit pages."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Marketers"
PERMISSIONS = [
    ("wagtailadmin", "admin", ["access_admin"]),
    ("reports", "kpi", ["view_dashboard", "add_kpi", "change_kpi", "delete_kpi", "view_kpi"]),
    ("reports", "kpitarget", ["add_kpitarget", "change_kpitarget", "delete_kpitarget", "view_kpitarget"]),
    ("reports", "kpimonthlyvalue",
     ["add_kpimonthlyvalue", "change_kpimonthlyvalue", "delete_kpimonthlyvalue", "view_kpimonthlyvalue"]),
    ("reports", "annotation", ["add_annotation", "change_annotation", "delete_annotation", "view_annotation"]),
    ("analytics", "market", ["view_market"]),
    ("analytics", "countrymarket", ["view_countrymarket"]),
    ("analytics", "goaldomain", ["view_goaldomain"]),
    ("analytics", "funnel", ["view_funnel"]),
]  # fmt: skip


def grant(apps, permissions: list[tuple[str, str, list[str]]]) -> None:
    """Add (app label, model, codenames) permissions to the group, made first if need be (later migrations too)."""
    # Permissions are normally made after all migrations ran; make them now so the group can hold them.
    for app_config in apps.get_app_configs():
        if app_config.label in ("reports", "analytics"):
            app_config.models_module = True
            create_permissions(app_config, apps=apps, verbosity=0)
            app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _created = Group.objects.get_or_create(name=GROUP)
    for app_label, model, codenames in permissions:
        group.permissions.add(
            *Permission.objects.filter(
                content_type__app_label=app_label, content_type__model=model, codename__in=codenames
            )
        )


def create(apps, schema_editor):
    grant(apps, PERMISSIONS)


def remove(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0002_city_kpis"),
        ("analytics", "0003_rollups"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(create, remove)]
