"""The UTM link builder's form: a page of this site or any web address, and the tags, checked one by one."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail.admin.widgets import AdminPageChooser
from wagtail.models import Page

from .utm import clean_value, tagged_link

HELP = {
    "source": _("Where the link is placed: instagram, newsletter, google…"),
    "medium": _("The kind of channel: social, email, cpc, print…"),
    "campaign": _("The campaign's name: autumn-leaves-2026…"),
    "content": _("Optional: which ad or link, when a campaign has several."),
    "term": _("Optional: the paid search keyword."),
}


class TagField(forms.CharField):
    def clean(self, value) -> str:
        return clean_value(super().clean(value))


class UtmForm(forms.Form):
    page = forms.ModelChoiceField(
        Page.objects.live().filter(depth__gt=1), required=False, label=_("Page on this site"),
        widget=AdminPageChooser(can_choose_root=False),
    )  # fmt: skip
    url = forms.URLField(
        label=_("or web address"), required=False, max_length=400, assume_scheme="https",
        help_text=_("Leave empty when you chose a page."),
    )  # fmt: skip
    source = TagField(label=_("Source (utm_source)"), help_text=HELP["source"])
    medium = TagField(label=_("Medium (utm_medium)"), help_text=HELP["medium"])
    campaign = TagField(label=_("Campaign (utm_campaign)"), help_text=HELP["campaign"])
    content = TagField(label=_("Content (utm_content)"), required=False, help_text=HELP["content"])
    term = TagField(label=_("Term (utm_term)"), required=False, help_text=HELP["term"])
    save = forms.BooleanField(label=_("Save this link to the campaign list"), required=False)
    note = forms.CharField(label=_("Note"), required=False, max_length=300)

    def clean_url(self) -> str:
        url = self.cleaned_data["url"]
        if url and not url.lower().startswith(("https://", "http://")):
            raise ValidationError(_("Give a web address that starts with https://."))
        return url

    def clean(self) -> dict:
        data = super().clean()
        page, url = data.get("page"), data.get("url")
        if page and url:
            raise ValidationError(_("Choose a page or give a web address, not both."))
        if not page and not url and "url" not in self.errors:
            raise ValidationError(_("Choose a page of this site or give a web address."))
        if page:
            data["destination"] = page.specific.get_full_url()
            if not data["destination"]:
                raise ValidationError(_("That page has no address on a site (is it under a site's home page?)."))
        else:
            data["destination"] = url
        return data

    def link(self) -> str:
        data = self.cleaned_data
        return tagged_link(data["destination"], data["source"], data["medium"], data["campaign"], data["content"],
                           data["term"])  # fmt: skip
