from django.db import migrations, models


class Migration(migrations.Migration):
    """has_synthetic() asks whether a period has synthetic rollup rows in any dimension: without this (partial)
    index a period with none reads the whole table."""

    dependencies = [
        ("analytics", "0003_rollups"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="dailyrollup",
            index=models.Index(
                condition=models.Q(synthetic=True), fields=["day"], name="analytics_rollup_synthetic_day"
            ),
        ),
    ]
