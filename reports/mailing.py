"""The weekly email: HTML with the charts inline as PNG (multipart/related, shown by content id), a plain-text
alternative, and a signed one-click unsubscribe link (also in the List-Unsubscribe headers) for each recipient."""

from __future__ import annotations

import logging
import smtplib
from email.mime.image import MIMEImage

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.message import SafeMIMEMultipart, SafeMIMEText
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from .documents import email_parts
from .models import ReportDelivery, ReportRecipient
from .weekly import WeeklyReport, build_weekly_report

logger = logging.getLogger(__name__)
UNSUBSCRIBE_SALT = "reports.unsubscribe"


class RelatedEmail(EmailMultiAlternatives):
    """multipart/alternative [text/plain, multipart/related [text/html, image/png ...]]: the layout mail
    programs expect for HTML whose images travel with it (Django alone puts related parts beside, not inside)."""

    def __init__(self, *args, html: str, images: dict[str, bytes], **kwargs):
        super().__init__(*args, **kwargs)
        self.html, self.images = html, images

    def _create_alternatives(self, msg):
        encoding = self.encoding or settings.DEFAULT_CHARSET
        related = SafeMIMEMultipart(_subtype="related", encoding=encoding)
        related.attach(SafeMIMEText(self.html, "html", encoding))
        for cid, png in self.images.items():
            image = MIMEImage(png, "png")
            image.add_header("Content-ID", f"<{cid}>")
            image.add_header("Content-Disposition", "inline", filename=f"{cid}.png")
            related.attach(image)
        alternative = SafeMIMEMultipart(_subtype="alternative", encoding=encoding)
        alternative.attach(msg)
        alternative.attach(related)
        return alternative


def unsubscribe_token(recipient: ReportRecipient) -> str:
    """Signed with SECRET_KEY: names the recipient and their address, so it stops working if the address changes."""
    return signing.dumps({"id": recipient.pk, "email": recipient.email}, salt=UNSUBSCRIBE_SALT)


def recipient_for_token(token: str) -> ReportRecipient | None:
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    return ReportRecipient.objects.filter(pk=data.get("id"), email=data.get("email")).first()


def _absolute(path: str) -> str:
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def report_email(report: WeeklyReport, recipient: ReportRecipient) -> RelatedEmail:
    unsubscribe_url = _absolute(reverse("report_unsubscribe", args=[unsubscribe_token(recipient)]))
    query = f"?week={report.iso_year}-W{report.iso_week:02d}" if report.iso_week else ""
    dashboard_url = _absolute(reverse("reports:dashboard") + query)
    html, text, images = email_parts(report, unsubscribe_url=unsubscribe_url, dashboard_url=dashboard_url)
    with translation.override(report.language):
        subject = "VisitAizu — " + _("Weekly marketing report") + ": " + report.title
        if report.synthetic:
            subject += " [" + _("synthetic data") + "]"
        elif report.no_data:
            subject += " (" + _("no data") + ")"
    headers = {"List-Unsubscribe": f"<{unsubscribe_url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
    return RelatedEmail(subject, text, to=[recipient.email], headers=headers, html=html, images=images)


def send_weekly_report(
    iso_year: int, iso_week: int, to: list[str] | None = None, synthetic: bool = False, resend: bool = False
) -> dict[str, int]:
    """Email the week's report to every active recipient (or to the given active addresses), built once per
    language. Recipients who already got this week's report are skipped unless `resend`; one failed address is
    logged and skipped, so the others still get theirs (and a later run retries it)."""
    week = f"{iso_year}-W{iso_week:02d}"
    recipients = ReportRecipient.objects.filter(active=True)
    if to is not None:
        recipients = recipients.filter(email__in=to)
    if not resend:
        recipients = recipients.exclude(deliveries__week=week, deliveries__synthetic=synthetic)
    reports: dict[str, WeeklyReport] = {}
    counts = {"sent": 0, "failed": 0}
    with get_connection() as connection:
        for recipient in recipients:
            if recipient.language not in reports:
                reports[recipient.language] = build_weekly_report(iso_year, iso_week, recipient.language, synthetic)
            message = report_email(reports[recipient.language], recipient)
            message.connection = connection
            try:
                message.send()
            except (smtplib.SMTPException, OSError):  # an address the server refuses must not stop the rest
                logger.exception("weekly report to recipient %s failed", recipient.pk)
                counts["failed"] += 1
                continue
            ReportDelivery.objects.get_or_create(recipient=recipient, week=week, synthetic=synthetic)
            counts["sent"] += 1
    return counts
