"""The forms of messaging's admin pages: which order a preview draws, where a proof goes, why
a document password is revealed.

Template content is checked by the models themselves (`MessageTemplate.clean`,
`Layout.clean` and the compile-on-save rule), so the admin's model forms need nothing extra.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from attachments.api import PreviewRefused, find_source

from .addresses import proof_recipient_allowed


class PreviewForm(forms.Form):
    """Which order to preview: a number, or blank for the demo sample."""

    order = forms.CharField(
        label="Order number",
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "blank: the demo sample"}),
    )

    def __init__(self, *args, user, event_type=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.event_type = event_type  # whose example a blank number draws, without a sample

    def clean_order(self) -> str:
        number = self.cleaned_data["order"].strip().upper()
        try:
            self.source = find_source(number, user=self.user, event_type=self.event_type)
        except PreviewRefused as exc:
            raise ValidationError(str(exc), code="order") from None
        if self.source is None:
            raise ValidationError(f"There is no order {number}.", code="unknown_order")
        return number


class ProofForm(PreviewForm):
    """Where a proof goes (staff only), and which order it renders."""

    email = forms.EmailField(label="Send a proof to")
    order = forms.CharField(max_length=40, required=False, widget=forms.HiddenInput)
    version = forms.ChoiceField(
        label="Version",
        choices=[
            ("draft", "The draft (newest revisions)"),
            ("published", "What customers get now (published)"),
        ],
        initial="draft",
        required=False,
    )

    def clean_email(self) -> str:
        email = self.cleaned_data["email"]
        # A proof of a real order is that customer's email: it goes to staff, nowhere else.
        if not proof_recipient_allowed(email):
            raise ValidationError(
                f"Proofs go only to active staff users' addresses or to the domains in "
                f"PROOF_ALLOWED_DOMAINS; {email} is neither.",
                code="proof_recipient",
            )
        return email

    def clean(self):
        cleaned = super().clean()
        if hasattr(self, "source"):
            cleaned["source"] = self.source
        return cleaned


REASON_INPUT_STYLE = "width: 100%; max-width: 40em; box-sizing: border-box;"


def reason_field(help_text: str) -> forms.CharField:
    """Why staff do something that the admin log keeps (a resend, a reveal). As wide as the
    page allows, up to 40em: a 60-character box pushed a phone's page to 557 px."""
    return forms.CharField(
        max_length=200,
        widget=forms.TextInput(
            attrs={
                "autofocus": True,
                "style": "width: 100%; max-width: 40em; box-sizing: border-box;",
            }
        ),
        help_text=help_text,
    )


class RevealForm(forms.Form):
    """Why support reveals an order's document password: kept in the admin log's line."""

    reason = reason_field(
        "Why you need it (e.g. “customer called, identity checked with the order number and "
        "address”): it goes into the admin log with your name. No password, no personal data."
    )
