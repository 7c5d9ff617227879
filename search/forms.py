"""The visitor's search form: the words, what kind of page, which theme, which page of results."""

from django import forms
from django.utils.translation import gettext_lazy as _

from content.models import Theme

from .models import PageType
from .text import MAX_TERMS, query_terms

MAX_QUERY_LENGTH = 100
MAX_PAGE = 1000
TYPE_CHOICES = [
    ("", _("Everything")),
    (PageType.ROUTE.value, _("Routes")),
    (PageType.SPOT.value, _("Spots")),
    (PageType.EVENT.value, _("Festivals")),
    (PageType.PAGE.value, _("Other pages")),
]


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search for"),
        required=False,
        max_length=MAX_QUERY_LENGTH,
        error_messages={"max_length": _("Please shorten your search to %(limit_value)d characters or fewer.")},
    )
    type = forms.ChoiceField(
        label=_("Type"),
        required=False,
        choices=TYPE_CHOICES,
        error_messages={"invalid_choice": _("We do not know that type of page. Choose one from the list.")},
    )
    theme = forms.ChoiceField(
        label=_("Theme"),
        required=False,
        error_messages={"invalid_choice": _("We do not know that theme. Choose one from the list.")},
    )
    page = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_PAGE,
        error_messages={
            "invalid": _("The page number must be a whole number."),
            "min_value": _("There is no such page of results."),
            "max_value": _("There is no such page of results."),
        },
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Theme names come out in the active language (modeltranslation).
        self.fields["theme"].choices = [("", _("All themes"))] + [(t.key, t.name) for t in Theme.objects.all()]

    def clean_q(self) -> list[str] | str:
        query = self.cleaned_data["q"]
        if len(query_terms(query)) > MAX_TERMS:
            raise forms.ValidationError(
                _("Please search for %(count)d words or fewer.") % {"count": MAX_TERMS}, code="too_many_words"
            )
        return query

    @property
    def terms(self) -> list[str]:
        return query_terms(self.cleaned_data.get("q", "")) if self.is_valid() else []
