"""Staff-editable attachment templates and their immutable revisions."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Max

from .engine import validate_template_syntax

DEFAULT_FILENAME_TEMPLATE = "order-{{ order.number }}.pdf"


def validate_stylesheet(css: str) -> None:
    """The stylesheet goes inside `<style>`: it must not be able to close that element."""
    if "</style" in css.lower():
        raise ValidationError("The stylesheet cannot contain “</style”.", code="stylesheet")


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
        if self.password_policy == PasswordPolicy.TEMPLATE and not self.password_template.strip():
            raise ValidationError(
                {"password_template": "The “from customer data” policy needs an expression."}
            )


class AttachmentTemplate(AttachmentContent):
    """A PDF attachment staff edit in admin; every save keeps a revision."""

    PasswordPolicy = PasswordPolicy

    name = models.CharField(max_length=200, unique=True)
    active = models.BooleanField(default=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, revised_by=None, **kwargs) -> None:
        """Save and append a revision holding exactly what was saved (and who saved it)."""
        with transaction.atomic():
            super().save(*args, **kwargs)
            # Lock the template row so two concurrent saves cannot take the same number.
            AttachmentTemplate.objects.select_for_update().filter(pk=self.pk).exists()
            last = self.revisions.aggregate(last=Max("number"))["last"] or 0
            AttachmentTemplateRevision.objects.create(
                template=self,
                number=last + 1,
                created_by=revised_by,
                **{field: getattr(self, field) for field in CONTENT_FIELDS},
            )

    @property
    def latest_revision(self) -> AttachmentTemplateRevision | None:
        return self.revisions.order_by("-number").first()

    def restore(self, revision: AttachmentTemplateRevision, *, revised_by=None) -> None:
        """Copy an old revision back; the save records it as a new revision.

        Raises `ValidationError` when the restored content no longer validates (its name was
        taken by another template since, say).
        """
        if revision.template_id != self.pk:
            raise ValueError("That revision belongs to another template.")
        for field in CONTENT_FIELDS:
            setattr(self, field, getattr(revision, field))
        self.full_clean()
        self.save(revised_by=revised_by)


class AttachmentTemplateRevision(AttachmentContent):
    """An immutable copy of a template as saved; messages record the revision they used."""

    template = models.ForeignKey(
        AttachmentTemplate, on_delete=models.CASCADE, related_name="revisions"
    )
    number = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["template", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["template", "number"], name="unique_attachment_revision_number"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} (revision {self.number})"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise ValueError("Attachment template revisions are immutable.")
        super().save(*args, **kwargs)


CONTENT_FIELDS = (
    "name",
    "html",
    "css",
    "filename_template",
    "password_policy",
    "password_template",
)
