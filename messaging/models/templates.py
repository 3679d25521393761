"""Message templates and layouts staff edit, each with immutable revisions.

Every save compiles the templates first (`stafftemplates.revisions.RevisionedModel`) and keeps
a revision; a message pins the revisions it is rendered from, so editing a template never
changes what history says was sent.
"""

from __future__ import annotations

from typing import ClassVar

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from stafftemplates.languages import LanguageField, language_name, pick_version
from stafftemplates.revisions import Revision, RevisionedModel, published_revision_field
from stafftemplates.validators import validate_stylesheet, validate_template_syntax

from ..template_checks import layout_errors, message_template_errors


class Layout(RevisionedModel):
    """The frame the messages of a template render inside: branding is changed here, once.

    The template's HTML body goes between `html_header` and `html_footer`, `css` into a
    `<style>` in the email's `<head>`, and the text body between `text_header` and
    `text_footer`. Every save keeps an immutable `LayoutRevision`; each message pins the one it
    was rendered from, like it pins its template's.

    Each language has its own layout under the same name ("Nordic Goods" in Svenska and in
    English): a message renders inside the version in its own language, or the default
    language's when there is none (`messaging.outbox`).
    """

    REVISION_FIELDS = ("name", "html_header", "html_footer", "css", "text_header", "text_footer")
    # Versions of a layout in several languages share its name.
    LIVE_FIELDS = ("name", "language", "active")
    TEMPLATE_FIELDS = ("html_header", "html_footer", "text_header", "text_footer")
    STYLESHEET_FIELDS = ("css",)

    name = models.CharField(
        max_length=200, help_text="The versions of one layout in each language share its name."
    )
    language = LanguageField()
    html_header = models.TextField(
        "HTML header",
        blank=True,
        validators=[validate_template_syntax],
        help_text="Django template language, e.g. your logo and {{ shop.name }}. It may open "
        "elements the footer closes.",
    )
    html_footer = models.TextField("HTML footer", blank=True, validators=[validate_template_syntax])
    css = models.TextField(
        "CSS",
        blank=True,
        validators=[validate_stylesheet],
        help_text="Plain CSS (not a template), placed in the style element of the email's head.",
    )
    text_header = models.TextField("text header", blank=True, validators=[validate_template_syntax])
    text_footer = models.TextField("text footer", blank=True, validators=[validate_template_syntax])
    active = models.BooleanField(
        default=True, help_text="An inactive layout is skipped: its templates render alone."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_revision = published_revision_field("LayoutRevision")

    class Meta:
        ordering = ["name", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["name", "language"], name="one_layout_version_per_language"
            )
        ]
        permissions = [("publish_layout", "Can publish a layout")]

    def __str__(self) -> str:
        return f"{self.name} ({language_name(self.language)})"

    def active_versions(self) -> models.QuerySet[Layout]:
        """This layout's active versions in every language (this one included, if active)."""
        return Layout.objects.filter(name=self.name, active=True)

    def clean(self) -> None:
        """Where the layout's HTML and CSS may point (the same checks a restore passes)."""
        super().clean()
        if errors := layout_errors(
            html_header=self.html_header, html_footer=self.html_footer, css=self.css
        ):
            raise ValidationError(errors)


class LayoutRevision(Revision):
    """An immutable snapshot of a layout: what a message was rendered inside."""

    REVISED_FIELD = "layout"

    layout = models.ForeignKey(Layout, on_delete=models.CASCADE, related_name="revisions")
    name = models.CharField(max_length=200)
    html_header = models.TextField("HTML header", blank=True)
    html_footer = models.TextField("HTML footer", blank=True)
    css = models.TextField("CSS", blank=True)
    text_header = models.TextField(blank=True)
    text_footer = models.TextField(blank=True)

    class Meta:
        ordering = ["layout", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["layout", "number"], name="unique_layout_revision")
        ]


class MessageTemplateQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)


class MessageTemplate(RevisionedModel):
    """The staff-editable email for one event type: subject, bodies, sender and attachments.

    Every save keeps an immutable `MessageTemplateRevision`; messages point at the revision they
    were rendered from, so editing a template never changes what history says was sent.

    One template per event type and language is active; a recipient gets the one in the
    language of their event, or the default language's when there is none (`messaging.outbox`).
    """

    # The fields copied into each revision: the content, not the bookkeeping.
    REVISION_FIELDS = ("layout_id", "subject", "text_body", "html_body", "from_email", "reply_to")
    LIVE_FIELDS = ("event", "language", "active")
    # Compiled on every save (`RevisionedModel.save`), whoever saves.
    TEMPLATE_FIELDS = ("subject", "text_body", "html_body")

    # By code, in the column that held the code before event types were rows of their own.
    event = models.ForeignKey(
        "stafftemplates.EventType",
        to_field="code",
        db_column="event",
        on_delete=models.PROTECT,
        related_name="message_templates",
        verbose_name="event type",
    )
    name = models.CharField(max_length=200)
    language = LanguageField(help_text="Recipients of events in this language get it.")
    layout = models.ForeignKey(
        Layout,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="message_templates",
        help_text="The header, footer and styles this email renders inside (in the email's "
        "language when that layout has a version in it).",
    )
    subject = models.CharField(
        max_length=998,  # RFC 5322's line limit
        validators=[validate_template_syntax],
        help_text="Django template language; e.g. Your order {{ order.number }}.",
    )
    text_body = models.TextField(
        "text body",
        validators=[validate_template_syntax],
        help_text="The plain-text version every email has.",
    )
    html_body = models.TextField(
        "HTML body",
        blank=True,
        validators=[validate_template_syntax],
        help_text="Optional HTML version; values are escaped automatically.",
    )
    from_email = models.CharField(
        "from", max_length=254, blank=True, help_text="Empty: the site's DEFAULT_FROM_EMAIL."
    )
    reply_to = models.CharField("reply-to", max_length=254, blank=True)
    attachment_templates = models.ManyToManyField(
        "attachments.AttachmentTemplate",
        through="MessageTemplateAttachment",
        blank=True,
        related_name="message_templates",
    )
    active = models.BooleanField(
        default=True,
        help_text="The active template of an event in a language is the one sent.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_revision = published_revision_field("MessageTemplateRevision")

    objects = MessageTemplateQuerySet.as_manager()

    class Meta:
        ordering = ["event", "name", "language"]
        permissions = [("publish_messagetemplate", "Can publish a message template")]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "language"],
                condition=Q(active=True),
                name="one_active_template_per_event_language",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({language_name(self.language)})"

    def clean(self) -> None:
        """One active template per event and language; senders the ESP can parse; HTML that
        carries no template data into an address and points only at allowed hosts."""
        super().clean()
        errors = message_template_errors(
            html_body=self.html_body, from_email=self.from_email, reply_to=self.reply_to
        )
        rivals = MessageTemplate.objects.active().filter(
            event_id=self.event_id, language=self.language
        )
        if self.active and rivals.exclude(pk=self.pk).exists():
            errors["active"] = [
                "Another active template already sends this event in this language."
            ]
        if errors:
            raise ValidationError(errors)

    def restore_related(self, revision: MessageTemplateRevision) -> None:
        """Restore the revision's attachments too, leaving out those deleted since."""
        attachment_model = MessageTemplateAttachment._meta.get_field(
            "attachment_template"
        ).related_model
        ids = list(revision.attachment_template_ids)
        existing = set(attachment_model.objects.filter(pk__in=ids).values_list("pk", flat=True))
        self.attachment_links.all().delete()
        MessageTemplateAttachment.objects.bulk_create(
            MessageTemplateAttachment(template=self, attachment_template_id=pk, position=i)
            for i, pk in enumerate(pk for pk in ids if pk in existing)
        )

    def publish_problems(self, revision: MessageTemplateRevision) -> list[str]:
        """A template revision goes live only with a live layout and live documents: customers
        would otherwise get an email without its branding or without its PDF.

        Judged as a customer's message chooses them (`messaging.languages`): among the linked
        layout's or document's active versions in every language, a published one is taken
        before a draft, so only when none is published does the message fail; the version
        named is the one it would have used. A draft translation beside a live one is a
        fallback, not a reason to refuse."""
        problems = []
        if layout := _unpublished_choice(revision.layout, self.language):
            problems.append(f"Its layout “{layout}” has never been published: publish it first.")
        attachment_model = MessageTemplateAttachment._meta.get_field(
            "attachment_template"
        ).related_model
        linked = attachment_model.objects.select_related("event_type").in_bulk(
            revision.attachment_template_ids
        )
        for pk in revision.attachment_template_ids:
            if pk in linked and (wrong := attachment_type_problem(self, linked[pk])):
                problems.append(wrong)
            if pk in linked and (document := _unpublished_choice(linked[pk], self.language)):
                problems.append(
                    f"Its attachment “{document}” has never been published: publish it first."
                )
        return problems

    def ordered_attachment_templates(self) -> list:
        """The attachment templates in their configured order."""
        return [link.attachment_template for link in self.attachment_links.all()]

    def revision_content(self) -> dict:
        """The fields plus the attachments in order (admin saves those after the template,
        then records again: a no-op unless they changed)."""
        content = super().revision_content()
        content["attachment_template_ids"] = (
            list(self.attachment_links.values_list("attachment_template_id", flat=True))
            if self.pk
            else []
        )
        return content


def attachment_type_problem(template: MessageTemplate, document) -> str:
    """Why `template` may not carry `document` (empty: it may): a document renders the data of
    its own event type, so an email carries only documents of the type it sends."""
    if template.event_id is None or document.event_type.code == template.event_id:
        return ""
    return (
        f"“{document.name}” is a document of the event type “{document.event_type}”; this "
        f"email sends “{template.event}” events. Choose a document of that type."
    )


def _unpublished_choice(linked, language: str):
    """The version of `linked` (a layout or attachment template) a customer message in
    `language` would pin while it has nothing published, or None: some active version is
    published (the message takes it), none is active (it goes without), or nothing is linked."""
    if linked is None:
        return None
    versions = list(linked.active_versions())
    if any(version.published_revision_id for version in versions):
        return None
    return pick_version(versions, language)


class MessageTemplateAttachment(models.Model):
    """Which attachment templates a message template carries, and in which order."""

    template = models.ForeignKey(
        MessageTemplate, on_delete=models.CASCADE, related_name="attachment_links"
    )
    attachment_template = models.ForeignKey(
        "attachments.AttachmentTemplate", on_delete=models.PROTECT, related_name="+"
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["template", "attachment_template"], name="unique_attachment_per_template"
            )
        ]

    def __str__(self) -> str:
        return f"{self.template} #{self.position}"

    def clean(self) -> None:
        """The document belongs to the email's event type (`attachment_type_problem`)."""
        super().clean()
        try:
            template = self.template  # unsaved while admin adds the email with its links
        except MessageTemplate.DoesNotExist:
            template = None
        document = self.attachment_template if self.attachment_template_id else None
        problem = attachment_type_problem(template, document) if template and document else ""
        if problem:
            raise ValidationError({"attachment_template": problem})


class MessageTemplateRevision(Revision):
    """An immutable snapshot of a message template's content: what a message was rendered from.

    Restoring a revision (back office) copies its content back onto the template, which creates
    a new revision; revisions themselves never change.
    """

    template = models.ForeignKey(
        MessageTemplate, on_delete=models.CASCADE, related_name="revisions"
    )
    layout = models.ForeignKey(
        Layout, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    subject = models.CharField(max_length=998)
    text_body = models.TextField()
    html_body = models.TextField(blank=True)
    from_email = models.CharField(max_length=254, blank=True)
    reply_to = models.CharField(max_length=254, blank=True)
    # Ids of the attachment templates in order, as configured when this revision was taken.
    attachment_template_ids = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["template", "-number"]
        get_latest_by = "number"
        constraints = [
            models.UniqueConstraint(
                fields=["template", "number"], name="unique_message_template_revision"
            )
        ]

    def content(self) -> dict:
        content = super().content()
        content["attachment_template_ids"] = list(self.attachment_template_ids)
        return content

    CONTENT_LABELS: ClassVar[dict[str, str]] = {"attachment_template_ids": "Attachments"}

    def readable_content(self) -> dict:
        """The layout and the documents by name, one document a line, in order; each message
        takes the version in its own language, so no one version's language is named."""
        content = self.content()
        content["layout_id"] = self.layout.name if self.layout else "(none)"
        content["attachment_template_ids"] = "\n".join(self.attachment_names()) or "(none)"
        return content

    def attachment_names(self) -> list[str]:
        """The linked documents' names in order (a document deleted since by its old id)."""
        attachment_model = MessageTemplateAttachment._meta.get_field(
            "attachment_template"
        ).related_model
        linked = attachment_model.objects.in_bulk(self.attachment_template_ids)
        return [
            linked[pk].name if pk in linked else f"deleted document #{pk}"
            for pk in self.attachment_template_ids
        ]
