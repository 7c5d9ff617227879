"""Default markets, the countries in each, and outbound sites that count as goals. Staff edit all three."""

from django.db import migrations

MARKETS = [  # key, names in ja / en / zh-hant / zh-hans / ko / th, countries
    ("taiwan", ("台湾", "Taiwan", "臺灣", "台湾", "대만", "ไต้หวัน"), ["TW"]),
    ("hong-kong", ("香港", "Hong Kong", "香港", "香港", "홍콩", "ฮ่องกง"), ["HK", "MO"]),
    ("mainland-china", ("中国本土", "Mainland China", "中國大陸", "中国大陆", "중국 본토", "จีนแผ่นดินใหญ่"), ["CN"]),
    ("korea", ("韓国", "South Korea", "韓國", "韩国", "한국", "เกาหลีใต้"), ["KR"]),
    ("thailand", ("タイ", "Thailand", "泰國", "泰国", "태국", "ไทย"), ["TH"]),
    (
        "southeast-asia",
        ("東南アジア", "Southeast Asia", "東南亞", "东南亚", "동남아시아", "เอเชียตะวันออกเฉียงใต้"),
        ["SG", "MY", "ID", "VN", "PH", "BN", "KH", "LA", "MM", "TL"],
    ),
    ("north-america", ("北米", "North America", "北美", "北美", "북미", "อเมริกาเหนือ"), ["US", "CA"]),
    (
        "europe",
        ("欧州", "Europe", "歐洲", "欧洲", "유럽", "ยุโรป"),
        ["GB", "IE", "FR", "DE", "IT", "ES", "PT", "NL", "BE", "LU", "CH", "AT", "SE", "NO", "DK", "FI", "IS",
         "PL", "CZ", "SK", "HU", "SI", "HR", "RO", "BG", "GR", "EE", "LV", "LT", "UA", "RU"],
    ),  # fmt: skip
    ("oceania", ("オセアニア", "Oceania", "大洋洲", "大洋洲", "오세아니아", "โอเชียเนีย"), ["AU", "NZ"]),
    ("japan", ("日本", "Japan", "日本", "日本", "일본", "ญี่ปุ่น"), ["JP"]),
    ("other", ("その他", "Other", "其他", "其他", "기타", "อื่น ๆ"), []),
]
LANGUAGE_FIELDS = ("ja", "en", "zh_hant", "zh_hans", "ko", "th")
GOAL_DOMAINS = [
    ("booking.com", "booking"),
    ("jalan.net", "booking"),
    ("travel.rakuten.co.jp", "booking"),
    ("agoda.com", "booking"),
    ("trip.com", "booking"),
    ("expedia.com", "booking"),
    ("klook.com", "booking"),
    ("kkday.com", "booking"),
    ("jreast.co.jp", "rail"),
    ("eki-net.com", "rail"),
    ("aizutetsudo.jp", "rail"),
    ("aizubus.com", "bus"),
    ("city.aizuwakamatsu.fukushima.jp", "official"),
    ("tsurugajo.com", "official"),
    ("google.com/maps", "map"),
    ("maps.google.com", "map"),
    ("maps.apple.com", "map"),
]


def create(apps, schema_editor):
    Market = apps.get_model("analytics", "Market")
    CountryMarket = apps.get_model("analytics", "CountryMarket")
    GoalDomain = apps.get_model("analytics", "GoalDomain")
    for order, (key, names, countries) in enumerate(MARKETS):
        fields = {"name": names[0], "sort_order": order}
        fields.update({f"name_{code}": name for code, name in zip(LANGUAGE_FIELDS, names, strict=True)})
        market, _ = Market.objects.get_or_create(key=key, defaults=fields)
        for country in countries:
            CountryMarket.objects.get_or_create(country=country, defaults={"market": market})
    for domain, kind in GOAL_DOMAINS:
        GoalDomain.objects.get_or_create(domain=domain, defaults={"kind": kind})


class Migration(migrations.Migration):
    dependencies = [("analytics", "0001_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
