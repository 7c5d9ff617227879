"""Model fields shared by the page types."""

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

MONTHS = [
    (1, _("January")),
    (2, _("February")),
    (3, _("March")),
    (4, _("April")),
    (5, _("May")),
    (6, _("June")),
    (7, _("July")),
    (8, _("August")),
    (9, _("September")),
    (10, _("October")),
    (11, _("November")),
    (12, _("December")),
]


class ChoiceListField(models.JSONField):
    """A list of choices stored as JSON, edited as checkboxes.

    JSON keeps the same schema on SQLite and PostgreSQL; lists are short, so filtering happens in Python.
    """

    def __init__(self, *args, choice_list=(), **kwargs):
        self.choice_list = list(choice_list)
        kwargs.setdefault("default", list)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["choice_list"] = self.choice_list
        return name, path, args, kwargs

    def validate(self, value, model_instance):
        super().validate(value, model_instance)
        allowed = {key for key, _label in self.choice_list}
        unknown = [item for item in value or [] if item not in allowed]
        if unknown:
            raise ValidationError(_("Unknown choice: %(items)s"), params={"items": ", ".join(map(str, unknown))})

    def formfield(self, **kwargs):
        coerce = int if all(isinstance(key, int) for key, _label in self.choice_list) else str
        return forms.TypedMultipleChoiceField(
            choices=self.choice_list,
            coerce=coerce,
            required=not self.blank,
            widget=forms.CheckboxSelectMultiple,
            label=kwargs.get("label", self.verbose_name),
            help_text=self.help_text,
        )


class MonthsField(ChoiceListField):
    def __init__(self, *args, **kwargs):
        kwargs["choice_list"] = MONTHS
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        del kwargs["choice_list"]
        return name, path, args, kwargs
