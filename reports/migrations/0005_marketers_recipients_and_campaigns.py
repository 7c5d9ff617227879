"""The Marketers group also keeps the weekly report's recipients and the saved UTM campaign links."""

from importlib import import_module

from django.db import migrations

marketers = import_module("reports.migrations.0003_marketers_group")

PERMISSIONS = [
    ("reports", "reportrecipient",
     ["add_reportrecipient", "change_reportrecipient", "delete_reportrecipient", "view_reportrecipient"]),
    ("reports", "utmcampaign", ["add_utmcampaign", "change_utmcampaign", "delete_utmcampaign", "view_utmcampaign"]),
]  # fmt: skip


def grant(apps, schema_editor):
    marketers.grant(apps, PERMISSIONS)


def revoke(apps, schema_editor):
    group = apps.get_model("auth", "Group").objects.filter(name=marketers.GROUP).first()
    if group:
        codenames = [codename for _app, _model, names in PERMISSIONS for codename in names]
        group.permissions.remove(*group.permissions.filter(content_type__app_label="reports", codename__in=codenames))


class Migration(migrations.Migration):
    dependencies = [("reports", "0004_recipients_and_utm_campaigns")]
    operations = [migrations.RunPython(grant, revoke)]
