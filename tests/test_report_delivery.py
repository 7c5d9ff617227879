"""Delivering the weekly report: the email through a real SMTP server on this machine (both languages, charts
inline by content id, one-click unsubscribe), the PDF, the CSV zip and XLSX downloads, the UTM link builder, and
what the Marketers group may do."""

import csv
import email
import io
import re
import socket
import subprocess
import zipfile
from email import policy

import pytest
from aiosmtpd.controller import Controller
from django.contrib.auth.models import Group
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import load_workbook

from reports import documents
from reports.mailing import unsubscribe_token
from reports.models import ReportRecipient, UtmCampaign
from reports.utm import tagged_link
from reports.weekly import build_weekly_report
from tests.report_fixtures import WEEK

pytestmark = pytest.mark.django_db
WEEK_ARG = f"{WEEK[0]}-W{WEEK[1]:02d}"


# -- email through a real SMTP server -----------------------------------------------------------------------------


class Inbox:
    """aiosmtpd handler keeping every message it is handed, as the server received it."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.refused: set[str] = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refused:
            return "550 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        self.messages.append(message)
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp(settings):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", controller.port, False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield inbox
    controller.stop()


@pytest.fixture
def recipients():
    return {
        "ja": ReportRecipient.objects.create(email="tanaka@example.jp", language="ja"),
        "en": ReportRecipient.objects.create(email="smith@example.com", language="en"),
        "off": ReportRecipient.objects.create(email="gone@example.com", language="en", active=False),
    }


def parts(message) -> dict:
    """The text, the HTML and the inline images (by content id) of a received message, checking its layout:
    multipart/alternative [text/plain, multipart/related [text/html, image/png ...]]."""
    assert message.get_content_type() == "multipart/alternative"
    text, related = message.get_payload()
    assert text.get_content_type() == "text/plain" and related.get_content_type() == "multipart/related"
    html, *images = related.get_payload()
    assert html.get_content_type() == "text/html"
    assert all(image.get_content_type() == "image/png" for image in images)
    return {
        "text": text.get_content(),
        "html": html.get_content(),
        "images": {image["Content-ID"].strip("<>"): image.get_content() for image in images},
    }


def test_weekly_email_arrives_in_both_languages_with_inline_charts(smtp, recipients, week, client):
    route, _spot = week
    call_command("send_weekly_report", "--week", WEEK_ARG, stdout=io.StringIO())
    received = {message["To"]: message for message in smtp.messages}
    assert set(received) == {"tanaka@example.jp", "smith@example.com"}  # not the inactive recipient

    ja, en = parts(received["tanaka@example.jp"]), parts(received["smith@example.com"])
    # (folded, encoded headers come back with the space that followed "Subject:")
    assert received["smith@example.com"]["Subject"].strip() == "VisitAizu — Weekly marketing report: Week 42 of 2026"
    assert "週間マーケティングレポート" in received["tanaka@example.jp"]["Subject"].strip()
    assert '<html lang="ja">' in ja["html"] and route.title_ja in ja["html"] and "閲覧数" in ja["text"]
    assert '<html lang="en">' in en["html"] and route.title_en in en["html"] and "Page views: 4" in en["text"]
    for message in (ja, en):
        cids = set(message["images"])
        referenced = set(re.findall(r'src="cid:([^"]+)"', message["html"]))
        assert referenced == cids and {"daily", "markets", "devices", "channels"} <= cids
        assert all(png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 1000 for png in message["images"].values())
        assert "<svg" not in message["html"]  # mail programs show no SVG

    assert ja["images"]["daily"] != en["images"]["daily"]  # the same figures, legends in each language
    assert 'alt="Page views per day"' in en["html"] and 'alt="日別の閲覧数"' in ja["html"]

    # Each email carries its recipient's own one-click unsubscribe link, in the body and the headers.
    header = received["smith@example.com"]["List-Unsubscribe"]
    assert received["smith@example.com"]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = header.strip().strip("<>")
    assert url in en["text"] and url in en["html"] and url not in ja["text"]
    path = url.split("://", 1)[1].split("/", 1)[1]
    response = client.get("/" + path)  # no login; opening the link only asks (mail scanners open links)
    assert response.status_code == 200 and b"data-unsubscribe" in response.content
    recipients["en"].refresh_from_db()
    assert recipients["en"].active is True
    response = client.post("/" + path)  # the page's one button
    assert response.status_code == 200 and b'data-unsubscribed="smith@example.com"' in response.content
    recipients["en"].refresh_from_db()
    assert recipients["en"].active is False and recipients["en"].unsubscribed_at is not None

    smtp.messages.clear()
    call_command("send_weekly_report", "--week", WEEK_ARG, stdout=io.StringIO())
    assert smtp.messages == []  # everyone still subscribed already has this week's report
    call_command("send_weekly_report", "--week", WEEK_ARG, "--resend", stdout=io.StringIO())
    assert [message["To"] for message in smtp.messages] == ["tanaka@example.jp"]


def test_empty_week_sends_a_short_no_data_email(smtp, recipients):
    out = io.StringIO()
    call_command("send_weekly_report", "--week", "2030-W05", "--to", "smith@example.com", stdout=out)
    assert "1 sent, 0 failed" in out.getvalue()
    (message,) = smtp.messages
    assert message["Subject"].strip().endswith("(no data)")
    content = parts(message)
    assert 'data-flag="no-data"' in content["html"] and "No data for this period." in content["text"]
    assert "Top routes and spots by market" not in content["html"]
    assert content["images"]  # the daily chart (all zero) still comes inline


def test_an_address_the_server_refuses_is_skipped_and_retried_next_run(smtp, recipients, week):
    smtp.refused.add("tanaka@example.jp")
    out = io.StringIO()
    with pytest.raises(CommandError, match="1 emails could not be sent"):
        call_command("send_weekly_report", "--week", WEEK_ARG, stdout=out)
    assert "1 sent, 1 failed" in out.getvalue()
    assert [message["To"] for message in smtp.messages] == ["smith@example.com"]
    smtp.refused.clear()
    call_command("send_weekly_report", "--week", WEEK_ARG, stdout=io.StringIO())
    assert [message["To"] for message in smtp.messages] == ["smith@example.com", "tanaka@example.jp"]


def test_one_click_unsubscribe_by_post_and_bad_tokens(client, recipients):
    token = unsubscribe_token(recipients["ja"])
    response = client.post(reverse("report_unsubscribe", args=[token]), {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200 and "配信を停止".encode() in response.content
    recipients["ja"].refresh_from_db()
    assert recipients["ja"].active is False
    assert client.get(reverse("report_unsubscribe", args=[token + "x"])).status_code == 404
    recipients["en"].email = "new@example.com"
    recipients["en"].save()
    old = unsubscribe_token(ReportRecipient(pk=recipients["en"].pk, email="smith@example.com"))
    assert client.get(reverse("report_unsubscribe", args=[old])).status_code == 404


def test_send_command_refuses_unknown_addresses_and_weeks(recipients):
    with pytest.raises(CommandError, match="gone@example.com"):
        call_command("send_weekly_report", "--to", "gone@example.com", stdout=io.StringIO())
    with pytest.raises(CommandError, match="ISO week"):
        call_command("send_weekly_report", "--week", "2026-W60", stdout=io.StringIO())


def test_beat_sends_last_weeks_report_on_monday_morning_once(settings, recipients, week, monkeypatch):
    from reports import tasks

    entry = settings.CELERY_BEAT_SCHEDULE["weekly-report-email"]
    assert entry["task"] == "reports.tasks.send_weekly_report_email"
    schedule = entry["schedule"]
    assert (schedule.day_of_week, schedule.hour, schedule.minute) == ({1}, {9}, {0})
    assert settings.CELERY_TIMEZONE == "Asia/Tokyo"
    monkeypatch.setattr(tasks, "last_complete_week", lambda: WEEK)
    assert tasks.send_weekly_report_email() == {"sent": 2, "failed": 0}
    assert sorted(message.to[0] for message in mail.outbox) == ["smith@example.com", "tanaka@example.jp"]
    # Run again (a task delivered twice, a worker restarted): nobody gets the week's report a second time.
    assert tasks.send_weekly_report_email() == {"sent": 0, "failed": 0}
    assert len(mail.outbox) == 2


# -- PDF ----------------------------------------------------------------------------------------------------------


def pdf_text(pdf: bytes) -> str:
    """The PDF's text as poppler reads it, with line breaks and runs of spaces made single spaces."""
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    return " ".join(text.split())


def test_pdf_in_japanese_and_english(week):
    route, _spot = week
    ja = documents.render_pdf(build_weekly_report(*WEEK, language="ja"))
    en = documents.render_pdf(build_weekly_report(*WEEK, language="en"))
    assert ja.startswith(b"%PDF") and en.startswith(b"%PDF")
    ja_text, en_text = pdf_text(ja), pdf_text(en)
    assert "週間マーケティングレポート" in ja_text and route.title_ja in ja_text
    assert "Weekly marketing report" in en_text and route.title_en in en_text and "Aizu festival" in en_text


# -- CSV and XLSX -------------------------------------------------------------------------------------------------


def test_csv_zip_holds_every_table_of_the_report(marketer, week):
    route, _spot = week
    response = marketer.get(reverse("reports:download", args=["csv"]), {"week": WEEK_ARG, "language": "en"})
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert "visitaizu-report-2026-W42-en.zip" in response["Content-Disposition"]
    report = build_weekly_report(*WEEK, language="en")
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert archive.namelist() == [f"{table.name}.csv" for table in documents.tables(report)]

    def rows(name):
        return list(csv.DictReader(io.StringIO(archive.read(f"{name}.csv").decode("utf-8-sig"))))

    headline = {row["metric"]: row for row in rows("headline")}
    assert {metric: row["value"] for metric, row in headline.items()} == {
        row["metric"]: str(row["value"]) for row in report.headline
    }
    assert headline["pageviews"]["value"] == "4" and headline["pageviews"]["change_previous"] == "100.0"
    assert [row["pageviews"] for row in rows("daily")] == ["4", "0", "0", "0", "0", "0", "0"]
    assert {
        (row["kind"], row["title"], row["pageviews"]) for row in rows("top_pages") if row["market"] == "taiwan"
    } >= {("route", route.title_en, "2")}
    assert [(row["key"], row["key2"], row["sessions"]) for row in rows("campaigns")] == [
        ("autumn-aizu", "instagram / social", "1")
    ]
    assert {row["item"]: row["value"] for row in rows("quality")}["bots"] == "5"


def test_xlsx_has_a_sheet_per_table_and_follows_the_filters(marketer, week):
    route, _spot = week
    response = marketer.get(
        reverse("reports:download", args=["xlsx"]), {"week": WEEK_ARG, "language": "ja", "market": "taiwan"}
    )
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    report = build_weekly_report(*WEEK, language="ja", market="taiwan")
    assert workbook.sheetnames == [table.name for table in documents.tables(report)]
    period = list(workbook["period"].values)
    assert dict(zip(period[0], period[1], strict=True))["market"] == "taiwan"
    headline = {row[0]: row for row in list(workbook["headline"].values)[1:]}
    assert headline["pageviews"][1] == 3 and headline["visitors"][1] == 1  # Taiwan's visitor only
    titles = [row[4] for row in list(workbook["top_pages"].values)[1:]]
    assert route.title_ja in titles


def test_pdf_download_and_who_may_download(marketer, client, django_user_model, week):
    response = marketer.get(reverse("reports:download", args=["pdf"]), {"week": WEEK_ARG})
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert marketer.get(reverse("reports:download", args=["doc"])).status_code in (302, 404)  # 302: to /en/…
    reversed_dates = marketer.get(reverse("reports:download", args=["csv"]), {"from": "2026-10-18", "to": "2026-10-12"})
    assert reversed_dates.status_code == 400 and reversed_dates.content == b"to: is before from"
    client.logout()
    editor = django_user_model.objects.create_user("editor", "e@example.com", "pw")
    editor.user_permissions.add(*Group.objects.get(name="Marketers").permissions.filter(codename="access_admin"))
    client.force_login(editor)
    for kind in ("pdf", "csv", "xlsx"):
        assert client.get(reverse("reports:download", args=[kind])).status_code in (302, 403)
    assert client.get(reverse("reports:utm")).status_code in (302, 403)


# -- UTM link builder ---------------------------------------------------------------------------------------------


def test_tagged_link_keeps_query_and_fragment():
    link = tagged_link("https://example.com/a/?lang=ja&utm_source=old#map", "instagram", "social", "autumn")
    assert link == "https://example.com/a/?lang=ja&utm_source=instagram&utm_medium=social&utm_campaign=autumn#map"


def test_utm_builder_makes_and_saves_a_link_for_a_page(marketer, route_index):
    data = {"page": route_index.pk, "source": " Instagram ", "medium": "social", "campaign": "autumn-leaves-2026",
            "content": "reel-1", "save": "on", "note": "Taiwan creators"}  # fmt: skip
    response = marketer.post(reverse("reports:utm"), data)
    assert response.status_code == 200
    link = response.context["link"]
    assert link == (
        route_index.get_full_url()
        + "?utm_source=instagram&utm_medium=social&utm_campaign=autumn-leaves-2026&utm_content=reel-1"
    )
    assert b"data-utm-link" in response.content
    saved = UtmCampaign.objects.get()
    assert saved.link == link and saved.note == "Taiwan creators"
    assert marketer.get(reverse("wagtailsnippets_reports_utmcampaign:list")).status_code == 200


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"url": "https://example.com/", "medium": "social", "campaign": "a"}, "source", "This field is required."),
        ({"url": "https://example.com/", "source": "insta gram", "medium": "social", "campaign": "a"}, "source",
         "no spaces"),
        ({"url": "https://example.com/", "source": "x" * 101, "medium": "social", "campaign": "a"}, "source",
         "At most 100 characters."),
        ({"url": "ftp://example.com/", "source": "a", "medium": "b", "campaign": "c"}, "url", "https://"),
        ({"source": "a", "medium": "b", "campaign": "c"}, "__all__", "Choose a page of this site or give a web"),
        ({"url": "https://example.com/", "page": "PAGE", "source": "a", "medium": "b", "campaign": "c"}, "__all__",
         "not both"),
    ],
)  # fmt: skip
def test_utm_builder_explains_what_is_wrong(marketer, home, data, field, message):
    data = {key: home.pk if value == "PAGE" else value for key, value in data.items()}
    response = marketer.post(reverse("reports:utm"), data)
    assert response.status_code == 200 and response.context["link"] is None
    errors = response.context["form"].errors
    assert any(message in error for error in errors[field]), errors
    assert message.encode() in response.content
    assert not UtmCampaign.objects.exists()


# -- the Marketers group ------------------------------------------------------------------------------------------


def test_marketers_see_everything_of_the_report_and_edit_no_page(marketer, home, week):
    assert marketer.get(reverse("reports:dashboard"), {"week": WEEK_ARG}).status_code == 200
    assert marketer.get(reverse("reports:utm")).status_code == 200
    for model in ("kpi", "kpitarget", "kpimonthlyvalue", "annotation", "reportrecipient", "utmcampaign"):
        assert marketer.get(reverse(f"wagtailsnippets_reports_{model}:list")).status_code == 200
        assert marketer.get(reverse(f"wagtailsnippets_reports_{model}:add")).status_code == 200
    response = marketer.post(
        reverse("wagtailsnippets_reports_reportrecipient:add"), {"email": "new@example.jp", "language": "ja",
                                                                 "active": "on"}
    )  # fmt: skip
    assert response.status_code == 302 and ReportRecipient.objects.filter(email="new@example.jp").exists()
    ReportRecipient.objects.create(email="other@example.com", language="en")
    listing = marketer.get(reverse("wagtailsnippets_reports_reportrecipient:list"), {"q": "new@"})
    assert listing.status_code == 200 and b"new@example.jp" in listing.content
    assert b"other@example.com" not in listing.content
    edit = marketer.get(reverse("wagtailadmin_pages:edit", args=[home.pk]))
    assert edit.status_code in (302, 403) and "/edit/" not in edit.get("Location", "")
    assert marketer.post(reverse("wagtailadmin_pages:edit", args=[home.pk]), {"title": "x"}).status_code in (302, 403)
    home.refresh_from_db()
    assert home.title != "x"
