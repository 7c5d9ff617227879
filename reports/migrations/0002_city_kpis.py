"""The city's KPIs and the targets it set for FY2024 (../shared/context/aizu-tourism.md: baseline end FY2019 →
target end FY2024). No other figures are invented: staff set later targets and enter monthly values."""

from django.db import migrations

SOURCE = "Target set by Aizuwakamatsu City for FY2024 (baseline end FY2019: {baseline})."

KPIS = [
    # key, name_ja, name_en, unit, year basis, source, baseline, FY2024 target
    ("inbound-site-pageviews", "インバウンドサイトの閲覧数", "Inbound site page views", "page views", "fiscal",
     "site_pageviews", "150,000", 600_000),
    ("foreign-overnight-guests", "外国人宿泊者数", "Foreign overnight guests", "guests", "calendar", "entered",
     "25,012", 32_700),
    ("tourist-arrivals", "観光客入込数", "Tourist arrivals", "visitors", "calendar", "entered", "3.0 M",
     3_950_000),
    ("school-trip-schools", "県外からの教育旅行校数", "Out-of-prefecture school-trip schools", "schools",
     "calendar", "entered", "654", 808),
    ("industrial-tourism-visitors", "産業観光の来訪者数", "Industrial-tourism visitors", "visitors", "calendar",
     "entered", "1,601", 2_600),
]  # fmt: skip

DESCRIPTIONS = {
    "inbound-site-pageviews": "Page views of this site in every language, counted from the analytics rollups "
    "(real visits only), by fiscal year April–March.",
    "foreign-overnight-guests": "Foreign guests staying overnight in the city's inns and hotels, including "
    "Higashiyama and Ashinomaki onsen, by calendar year. Entered monthly by staff from the city's statistics.",
    "tourist-arrivals": "Tourist arrivals in the city by calendar year. Entered monthly by staff.",
    "school-trip-schools": "Schools from outside Fukushima prefecture on school trips to the city, by calendar "
    "year. Entered monthly by staff.",
    "industrial-tourism-visitors": "Visitors to industrial-tourism sites (sake breweries, lacquerware workshops...). "
    "The city's plan does not say whether this counts by calendar or fiscal year; calendar year assumed. "
    "Entered monthly by staff.",
}


def create(apps, schema_editor):
    Kpi = apps.get_model("reports", "Kpi")
    KpiTarget = apps.get_model("reports", "KpiTarget")
    for order, (key, name_ja, name_en, unit, basis, source, baseline, target) in enumerate(KPIS):
        kpi, _created = Kpi.objects.get_or_create(
            key=key,
            defaults=dict(
                name_ja=name_ja, name_en=name_en, unit=unit, year_basis=basis, source=source,
                description=f"{DESCRIPTIONS[key]} {SOURCE.format(baseline=baseline)}", sort_order=order,
            ),
        )  # fmt: skip
        KpiTarget.objects.get_or_create(
            kpi=kpi, year=2024, defaults={"target": target, "note": SOURCE.format(baseline=baseline)}
        )


def remove(apps, schema_editor):
    apps.get_model("reports", "Kpi").objects.filter(key__in=[row[0] for row in KPIS]).delete()


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_initial")]
    operations = [migrations.RunPython(create, remove)]
