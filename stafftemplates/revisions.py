"""Immutable, numbered revisions for models staff edit: one mechanism for every such model.

A revisioned model (`RevisionedModel`) lists the fields it snapshots in `REVISION_FIELDS` and
has a concrete `Revision` subclass pointing at it with `related_name="revisions"`. Every save
records a revision unless the content is unchanged; restoring an old revision copies it back,
which records a new one, so history never changes.

Compile on save, whoever saves (admin, a command, a migration, a test): a model lists its
template fields in `TEMPLATE_FIELDS` and its stylesheets in `STYLESHEET_FIELDS`, and `save()`
refuses a syntax error or a stylesheet that closes `<style>` with a `ValidationError` naming
the field. A syntax error must be found here, never by a worker at 3 a.m.

Draft and publish: saving never changes what customers receive. Each revisioned model has a
`published_revision` pointer (declared on the concrete model with `published_revision_field`,
since an abstract model cannot name its revision table); customers' messages pin the published
revision, staff previews and proofs may show the newest one, the draft. `publish()` moves the
pointer; it takes its own permission (`publish_<model>`) in admin, where it is logged.

Line endings are normalised on save (CRLF and CR become LF) in every text field a revision
holds: a browser submits a textarea with CRLF, the demo seed and commands write LF, and the
same text must not count as a change.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from .engine import syntax_error_message
from .validators import stylesheet_error_message


def normalise_newlines(value: Any) -> Any:
    """`value` with CRLF and lone CR turned into LF; anything but a string unchanged."""
    if isinstance(value, str):
        return value.replace("\r\n", "\n").replace("\r", "\n")
    return value


class Revision(models.Model):
    """An immutable snapshot of a revisioned object: what a message was rendered from."""

    # The foreign key to the revised object: a class attribute rather than a shared field, so
    # each revision table keeps the column it has always had.
    REVISED_FIELD: ClassVar[str] = "template"

    number = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        # A revision that snapshots a name shows the name it had then, not today's.
        return f"{getattr(self, 'name', None) or self.revised} (revision {self.number})"

    def save(self, *args, **kwargs) -> None:
        """Insert only: a revision that could change would no longer say what was sent."""
        if not self._state.adding:
            raise ValueError("Revisions are immutable; record a new one instead.")
        super().save(*args, **kwargs)

    @property
    def revised(self) -> RevisionedModel:
        """The object this is a revision of."""
        return getattr(self, self.REVISED_FIELD)

    @property
    def revised_id(self) -> int:
        return getattr(self, f"{self.REVISED_FIELD}_id")

    @classmethod
    def revised_model(cls) -> type[RevisionedModel]:
        return cls._meta.get_field(cls.REVISED_FIELD).related_model

    def content(self) -> dict[str, Any]:
        """What this revision holds, comparable with `RevisionedModel.revision_content()`."""
        return {field: getattr(self, field) for field in self.revised_model().REVISION_FIELDS}

    # Human names of content keys that are no model field (e.g. a list of linked ids).
    CONTENT_LABELS: ClassVar[dict[str, str]] = {}

    def readable_content(self) -> dict[str, Any]:
        """`content()` as staff read it in a diff: a linked object by its name, not its id."""
        return self.content()

    def previous(self) -> Revision | None:
        """The revision just before this one, or None for the first."""
        return (
            type(self)
            .objects.filter(**{f"{self.REVISED_FIELD}_id": self.revised_id})
            .filter(number__lt=self.number)
            .order_by("-number")
            .first()
        )


def published_revision_field(revision_model: str) -> models.ForeignKey:
    """The concrete model's pointer to its published revision (None until first published).

    SET_NULL rather than PROTECT: revisions are deleted only with their object.
    """
    return models.ForeignKey(
        revision_model,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        help_text="What customers receive; newer revisions are drafts until published.",
    )


class RevisionedModel(models.Model):
    """A model whose every save keeps an immutable `Revision` of `REVISION_FIELDS`; customers
    get the revision `published_revision` points at (see the module docstring)."""

    # The fields copied into each revision: the content, not the bookkeeping.
    REVISION_FIELDS: ClassVar[tuple[str, ...]] = ()
    # The fields holding staff templates (compiled on every save) and plain stylesheets.
    TEMPLATE_FIELDS: ClassVar[tuple[str, ...]] = ()
    STYLESHEET_FIELDS: ClassVar[tuple[str, ...]] = ()
    # Fields outside the revisions that still decide what customers get (which version of a
    # template is sent to whom): changing them takes effect at once, so in admin it takes the
    # publish permission, like publishing does.
    LIVE_FIELDS: ClassVar[tuple[str, ...]] = ()

    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )

    class Meta:
        abstract = True

    def save(self, *args, author=None, note: str = "", **kwargs) -> None:
        """Compile the templates, save and record a revision (by `author`, with a `note`).

        Raises `ValidationError` (nothing saved) when a template does not compile.
        """
        self.normalise_line_endings()
        if errors := self.compile_errors():
            raise ValidationError(errors)
        with transaction.atomic():
            super().save(*args, **kwargs)
            self.record_revision(author=author, note=note)

    @classmethod
    def text_fields(cls) -> tuple[str, ...]:
        """The staff-written text fields: templates, stylesheets and the other text a revision
        holds (a name, a subject…), in `REVISION_FIELDS` order."""
        names = dict.fromkeys((*cls.REVISION_FIELDS, *cls.TEMPLATE_FIELDS, *cls.STYLESHEET_FIELDS))
        return tuple(
            name
            for name in names
            if isinstance(cls._meta.get_field(name), models.CharField | models.TextField)
        )

    def normalise_line_endings(self) -> None:
        """CRLF and CR to LF in every text field, so a browser's CRLF is no change."""
        for field in self.text_fields():
            setattr(self, field, normalise_newlines(getattr(self, field)))

    def compile_errors(self) -> dict[str, str]:
        """Field → why it cannot be saved: a template that does not compile, a stylesheet that
        closes its element. Empty when every field is fine."""
        errors = {
            field: message
            for field in self.TEMPLATE_FIELDS
            if (message := syntax_error_message(getattr(self, field) or ""))
        }
        for field in self.STYLESHEET_FIELDS:
            if message := stylesheet_error_message(getattr(self, field)):
                errors[field] = message
        return errors

    def revision_content(self) -> dict[str, Any]:
        """What a revision of this object holds (compared to skip no-op revisions)."""
        return {field: getattr(self, field) for field in self.REVISION_FIELDS}

    def current_revision(self) -> Revision | None:
        """The newest revision: the one a message rendered now pins."""
        return self.revisions.order_by("-number").first()

    def draft_revision(self) -> Revision | None:
        """The newest revision when it is not the published one: what *Publish* would make live."""
        latest = self.current_revision()
        if latest is None or latest.pk == self.published_revision_id:
            return None
        return latest

    def revision_for(self, *, draft: bool) -> Revision | None:
        """The newest revision (`draft=True`, what staff check) or the published one (what
        customers get; None until something is published)."""
        return self.current_revision() if draft else self.published_revision

    def publish_problems(self, revision: Revision) -> list[str]:
        """Why `revision` cannot go live (something it needs is not live itself); none by
        default."""
        return []

    def publish(self, revision: Revision, *, by=None) -> None:
        """Make `revision` what customers receive from now on.

        Raises `ValidationError` when `publish_problems` finds a reason not to. The row is
        updated in place: publishing changes no content, so it records no revision.
        """
        if revision.revised_id != self.pk:
            raise ValueError("That revision belongs to another object.")
        if problems := self.publish_problems(revision):
            raise ValidationError(problems)
        self.published_revision = revision
        self.published_at = timezone.now()
        self.published_by = by
        type(self)._default_manager.filter(pk=self.pk).update(
            published_revision=revision, published_at=self.published_at, published_by=by
        )

    def record_revision(self, *, author=None, note: str = "") -> Revision:
        """Keep the current content as a new immutable revision, unless it is unchanged."""
        with transaction.atomic():
            # Lock this row so two concurrent saves cannot take the same number.
            type(self)._default_manager.select_for_update().filter(pk=self.pk).exists()
            content = self.revision_content()
            latest = self.current_revision()
            if latest is not None and latest.content() == content:
                return latest
            return self.revisions.create(
                number=(latest.number + 1) if latest else 1,
                created_by=author,
                note=note,
                **content,
            )

    def restore(self, revision: Revision, *, author=None) -> Revision:
        """Copy an old revision back; that records a new revision (history never changes).

        Raises `ValidationError` when the restored content no longer validates (its name was
        taken by another object since, say).
        """
        if revision.revised_id != self.pk:
            raise ValueError("That revision belongs to another object.")
        for field in self.REVISION_FIELDS:
            setattr(self, field, getattr(revision, field))
        self.full_clean()
        with transaction.atomic():
            self.restore_related(revision)
            self.save(author=author, note=f"Restored from revision {revision.number}.")
        return self.current_revision()

    def restore_related(self, revision: Revision) -> None:
        """Restore what a revision holds outside this row (links, say); nothing by default.

        Runs before the save, in its transaction, so the one revision it records holds both.
        """
