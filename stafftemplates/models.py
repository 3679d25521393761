"""Event types: what can happen that deserves an email, and the data it carries.

Every staff template (email, attachment) belongs to an event type. The type's JSON Schema says
what data an event of it carries, and its example is what previews and proofs render. The
templates of the type render the event's data (`stafftemplates.contexts.template_context`).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models

from .contexts import template_context
from .errors import StaffTemplateError
from .schemas import data_errors, schema_problems

# A code is what senders name the type by (`send_event(type="order_confirmation")`): lower case,
# digits and underscores, so it reads the same in Python, JSON and a URL.
CODE_FORMAT = RegexValidator(
    r"^[a-z][a-z0-9_]*\Z", "Lower-case letters, digits and underscores, starting with a letter."
)


class EventType(models.Model):
    """A kind of event (`order_confirmation`): its name, the schema of its data, an example.

    Saving through `full_clean()` (admin does) refuses a schema that is not one, an example
    that breaks it, and an example the type's published templates no longer render.
    """

    code = models.CharField(
        max_length=50,
        unique=True,
        validators=[CODE_FORMAT],
        help_text="What senders name this type by, e.g. order_confirmation. Cannot change later.",
    )
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    schema = models.JSONField(
        default=dict,
        help_text='JSON Schema (2020-12) of the event\'s data, an object. Strings with "format": '
        '"date-time", "date" or "decimal" reach templates as dates and exact numbers.',
    )
    example = models.JSONField(
        default=dict,
        help_text="Sample data satisfying the schema: what previews and proofs render.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name or self.code

    def clean(self) -> None:
        """The schema is one, the example satisfies it, and every published template of this
        type still renders it (an example they cannot render means events they cannot render).
        """
        super().clean()
        if problems := schema_problems(self.schema):
            raise ValidationError({"schema": problems})
        if errors := data_errors(self.schema, self.example, root="example"):
            raise ValidationError({"example": [str(error) for error in errors[:10]]})
        if self.pk and (problems := self.template_problems()):
            raise ValidationError({"example": problems})

    def example_context(self, *, language: str = "") -> dict[str, Any]:
        """What a preview or proof of this type's templates renders: the example, typed, with
        the standard values and a made-up recipient."""
        return template_context(
            schema=self.schema,
            data=self.example,
            recipient_email="recipient@example.com",
            recipient_name="Example Recipient",
            language=language,
            reference="EXAMPLE",
        )

    def template_problems(self) -> list[str]:
        """Why a published template of this type would fail on the example (empty: none).

        Finds the templates through the relations other apps declare to this model (this app
        imports none of them): each revisioned model pointing here has its published revision
        rendered, field by field.
        """
        from .engine import render_template
        from .revisions import RevisionedModel

        context = self.example_context()
        problems = []
        for relation in self._meta.related_objects:
            model = relation.related_model
            if not (isinstance(model, type) and issubclass(model, RevisionedModel)):
                continue
            published = model._default_manager.filter(
                **{relation.field.name: self}, published_revision__isnull=False
            ).select_related("published_revision")
            for template in published:
                for field in model.TEMPLATE_FIELDS:
                    source = getattr(template.published_revision, field, "") or ""
                    try:
                        render_template(source, context, label=field)
                    except StaffTemplateError as exc:
                        problems.append(f"“{template}” cannot render this example: {exc}")
        return problems
