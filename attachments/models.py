"""Staff-editable attachment templates and their immutable revisions."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models

from stafftemplates.languages import LanguageField, language_name
from stafftemplates.revisions import Revision, RevisionedModel, published_revision_field
from stafftemplates.validators import (
    document_html_problems,
    validate_stylesheet,
    validate_template_syntax,
)

DEFAULT_FILENAME_TEMPLATE = "order-{{ order.number }}.pdf"


class PasswordPolicy(models.TextChoices):
    GENERATED = "generated", "Generated (strong, shown on the confirmation page)"
    TEMPLATE = "template", "From customer data (weak: guessable)"


class AttachmentContent(models.Model):
    """What a template and each of its revisions hold: everything needed to build a document."""

    name = models.CharField(max_length=200)
    html = models.TextField(
        "HTML body",
        validators=[validate_template_syntax],
        help_text="The document's <body> content, in the Django template language. "
        "Variables: shop, order, customer, lines (each with options).",
    )
    css = models.TextField(
        "CSS",
        blank=True,
        validators=[validate_stylesheet],
        help_text="Stylesheet (plain CSS, not a template). DejaVu Sans is embedded as the "
        "default font so every language renders.",
    )
    filename_template = models.CharField(
        "file name",
        max_length=200,
        default=DEFAULT_FILENAME_TEMPLATE,
        validators=[validate_template_syntax],
        help_text="A template; the result is reduced to a safe ASCII name ending in .pdf.",
    )
    # The title readers show and screen readers announce, in this version's language
    # (docs/integrators/documents.md, "Accessibility"); blank: the document's name.
    title_template = models.CharField(
        "title",
        max_length=200,
        blank=True,
        validators=[validate_template_syntax],
        help_text="A template, in this version's language, e.g. Receipt {{ order.number }}. "
        "Viewers show it instead of the file name, and screen readers announce it. Blank: "
        "the document's name.",
    )
    password_policy = models.CharField(
        max_length=20, choices=PasswordPolicy.choices, default=PasswordPolicy.GENERATED
    )
    password_template = models.CharField(
        "password expression",
        max_length=500,
        blank=True,
        validators=[validate_template_syntax],
        help_text="Only for the “from customer data” policy, e.g. "
        "{{ customer.postal_code|cut:' ' }}{{ order.number|slice:'-4:' }}.",
    )

    class Meta:
        abstract = True

    def clean(self) -> None:
        super().clean()
        errors = {}
        if self.password_policy == PasswordPolicy.TEMPLATE and not self.password_template.strip():
            needs = "The “from customer data” policy needs an expression."
            errors["password_template"] = needs
        if problems := document_html_problems(self.html):
            errors["html"] = problems
        if "html" not in errors:
            # Drawn for the sample order within the drawing budget and deadline, so a draft
            # that cannot be drawn is refused here, not in a customer's (or a proof's) message.
            from .isolation import sample_drawing_problem  # xhtml2pdf only where drawn

            if problem := sample_drawing_problem(self):
                errors["html"] = problem
        if errors:
            raise ValidationError(errors)


class AttachmentTemplate(RevisionedModel, AttachmentContent):
    """A PDF attachment staff edit in admin; every save keeps a revision.

    Each language has its own version under the same name: a message carries the version in
    its own language, or the default language's when there is none.
    """

    PasswordPolicy = PasswordPolicy
    REVISION_FIELDS = (
        "name",
        "html",
        "css",
        "filename_template",
        "title_template",
        "password_policy",
        "password_template",
    )
    # Versions of a document in several languages share its name.
    LIVE_FIELDS = ("name", "event_type", "language", "active")
    # Compiled on every save (`RevisionedModel.save`), whoever saves.
    TEMPLATE_FIELDS = ("html", "filename_template", "title_template", "password_template")
    STYLESHEET_FIELDS = ("css",)

    name = models.CharField(
        max_length=200, help_text="The versions of one document in each language share its name."
    )
    event_type = models.ForeignKey(
        "stafftemplates.EventType",
        on_delete=models.PROTECT,
        related_name="attachment_templates",
        help_text="The events whose data this document renders; previews render its example.",
    )
    language = LanguageField()
    active = models.BooleanField(default=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_revision = published_revision_field("AttachmentTemplateRevision")

    class Meta:
        ordering = ["name", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["name", "language"], name="one_document_version_per_language"
            )
        ]
        permissions = [
            # Apart from editing: a constant or guessable password, chosen once, would weaken
            # every future customer's document.
            ("change_password_policy", "Can change a document's password policy"),
            ("publish_attachmenttemplate", "Can publish an attachment template"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({language_name(self.language)})"

    def active_versions(self) -> models.QuerySet[AttachmentTemplate]:
        """This document's active versions in every language (this one included, if active)."""
        return AttachmentTemplate.objects.filter(name=self.name, active=True)


class AttachmentTemplateRevision(Revision, AttachmentContent):  # noqa: DJ008 - Revision.__str__
    """An immutable copy of a template as saved; messages record the revision they used."""

    template = models.ForeignKey(
        AttachmentTemplate, on_delete=models.CASCADE, related_name="revisions"
    )

    class Meta:
        ordering = ["template", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["template", "number"], name="unique_attachment_revision_number"
            )
        ]
