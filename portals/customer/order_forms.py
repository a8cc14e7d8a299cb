"""Forms of the customer's order steps: cancel or reject with a reason, rate, look an order up.
The services check everything again; these forms only shape the input and say what is missing."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _


class StepForm(forms.Form):
    """A step's form; ``view`` is the ``portals.order_ui.OrderView`` it belongs to."""

    def __init__(self, *args: Any, view: Any = None, **kwargs: Any) -> None:
        self.view = view
        super().__init__(*args, **kwargs)


class CancelForm(StepForm):
    reason = forms.CharField(
        label=_("Why do you want to cancel?"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Enter the reason for cancelling.")},
    )


class ReasonForm(StepForm):
    reason = forms.CharField(
        label=_("What is still wrong?"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Enter the reason.")},
    )


class RateForm(StepForm):
    """评价: 1–5 stars with the provider's descriptions, its tags, a comment."""

    stars = forms.TypedChoiceField(
        label=_("Stars"),
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose from 1 to 5 stars.")},
    )
    tags = forms.MultipleChoiceField(label=_("Tags"), required=False, widget=forms.CheckboxSelectMultiple)
    comment = forms.CharField(
        label=_("Comment"),
        max_length=500,
        required=False,
        widget=forms.Textarea(
            attrs={
                "rows": 3,
                "placeholder": _("How was the service? Tell us what was good or could be better."),
            }
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        descriptions = self.view.star_descriptions if self.view is not None else {}
        # 1 → 5 in reading order: the template draws each choice as a tappable star (a radio
        # input under it), and the label is the provider's description of that many stars.
        self.fields["stars"].choices = [  # type: ignore[attr-defined]
            (n, descriptions.get(str(n), "")) for n in range(1, 6)
        ]
        tags = self.view.rating_tags if self.view is not None else []
        self.fields["tags"].choices = [(t, t) for t in tags]  # type: ignore[attr-defined]


class QueryForm(forms.Form):
    number = forms.CharField(
        label=_("Order number"),
        max_length=24,
        widget=forms.TextInput(attrs={"placeholder": "BX-20240101-00001", "autocapitalize": "characters"}),
        error_messages={"required": _("Enter the order number.")},
    )
