"""Admin for revisions (see `revisions.py`): the history inline, a read-only revision page with
its diff and a Restore button, and the restore endpoint. Shared by every revisioned model."""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from itertools import zip_longest
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.views.decorators.http import require_http_methods, require_POST

from .admin_pages import ReadOnlyInline, no_store
from .revisions import Revision, RevisionedModel, normalise_newlines


class StaffTextField(forms.CharField):
    """A staff-written text as submitted: CRLF and CR become LF, so text whose only difference
    is its line endings (a browser submits CRLF, the seed wrote LF) has not changed.

    A multi-line text keeps its leading and trailing whitespace (`strip=False`): stripping the
    final newline of a seeded body would be a change nobody made. Whitespace alone is still
    empty for a required field.
    """

    def to_python(self, value: Any) -> Any:
        return normalise_newlines(super().to_python(value))

    def validate(self, value: Any) -> None:
        super().validate(value.strip() if isinstance(value, str) else value)

    def has_changed(self, initial: Any, data: Any) -> bool:
        return super().has_changed(normalise_newlines(initial), data)


class NormalisedTextAdminMixin:
    """For a revisioned model's admin: its text fields are `StaffTextField`s, so the form's
    `changed_data` — hence the change message in the admin log — and the saved values ignore
    line endings, and a subject-only edit is recorded as just that."""

    model: type[RevisionedModel]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name in self.model.text_fields() and not db_field.choices:
            kwargs.setdefault("form_class", StaffTextField)
            if isinstance(db_field, models.TextField):
                kwargs.setdefault("strip", False)
        return super().formfield_for_dbfield(db_field, request, **kwargs)


def content_changes(before: Mapping[str, Any] | None, after: Mapping[str, Any]) -> list:
    """(field, unified diff) for each field that differs between two revisions' contents."""
    changes = []
    for field, value in after.items():
        old = "" if before is None else before.get(field, "")
        # An old revision may hold CRLF: line endings alone are no change.
        if normalise_newlines(old) == normalise_newlines(value):
            continue
        diff = difflib.unified_diff(
            str(old).splitlines(), str(value).splitlines(), "before", "after", lineterm=""
        )
        changes.append((field, "\n".join(diff)))
    return changes


def changed_fields(revision: Revision) -> str:
    """A one-line summary of what a revision changed, by the fields' human names, for the
    revision lists."""
    before = revision.previous()
    if before is None:
        return "First revision."
    changes = content_changes(before.content(), revision.content())
    return ", ".join(revision_field_label(revision, f) for f, _ in changes) or "No change."


# Inline styles: the admin's policy allows style attributes, not a <style> element.
_CELL = "font-family: monospace; white-space: pre-wrap; word-break: break-all; padding: 1px 6px;"
_NUMBER = "color: #6b7280; text-align: right; padding: 1px 4px; user-select: none;"
_REMOVED = "background: #fde2e1;"
_ADDED = "background: #dcfce7;"


def side_by_side(before: str, after: str, *, labels: tuple[str, str] = ("Before", "After")) -> str:
    """A two-column diff, before on the left and after on the right: removed lines red, added
    lines green, three lines of context around each change; `labels` head the columns."""
    old, new = (("" if text is None else str(text)).splitlines() for text in (before, after))
    rows = []
    groups = difflib.SequenceMatcher(None, old, new, autojunk=False).get_grouped_opcodes(3)
    for index, group in enumerate(groups):
        if index:
            rows.append(format_html('<tr><td colspan="4" style="{}">⋯</td></tr>', _NUMBER))
        for tag, i1, i2, j1, j2 in group:
            pairs = zip_longest(range(i1, i2), range(j1, j2))
            for i, j in pairs:
                left = "" if i is None else old[i]
                right = "" if j is None else new[j]
                changed = tag != "equal"
                rows.append(
                    format_html(
                        '<tr><td style="{}">{}</td><td style="{}{}">{}</td>'
                        '<td style="{}">{}</td><td style="{}{}">{}</td></tr>',
                        _NUMBER,
                        "" if i is None else i + 1,
                        _CELL,
                        _REMOVED if changed and i is not None else "",
                        left,
                        _NUMBER,
                        "" if j is None else j + 1,
                        _CELL,
                        _ADDED if changed and j is not None else "",
                        right,
                    )
                )
    return format_html(
        '<table style="width: 100%; table-layout: fixed;" data-testid="side-by-side-diff">'
        '<colgroup><col style="width: 3em;"><col><col style="width: 3em;"><col></colgroup>'
        '<thead><tr><th colspan="2">{}</th><th colspan="2">{}</th></tr></thead>'
        "<tbody>{}</tbody></table>",
        *labels,
        format_html_join("", "{}", ((row,) for row in rows)),
    )


def field_label(model, field: str) -> str:
    """A field's human name ("Text body" for text_body, "Layout" for layout_id)."""
    try:
        return capfirst(model._meta.get_field(field).verbose_name)
    except Exception:
        return field


def revision_field_label(revision: Revision, field: str) -> str:
    """What a revision holds under `field`, by its human name: the revised model's field, or
    the revision's `CONTENT_LABELS` for a key no model field has ("Attachments")."""
    if field in revision.CONTENT_LABELS:
        return revision.CONTENT_LABELS[field]
    return field_label(revision.revised_model(), field)


def changes_diff(revision: Revision) -> str:
    """Each field a revision changed, by its human name, diffed side by side, for its page."""
    return revisions_diff(revision.previous(), revision)


def revisions_diff(
    before: Revision | None, after: Revision, *, labels: tuple[str, str] = ("Before", "After")
) -> str:
    """Each field that differs between two revisions (`before` None: the first), by its human
    name, side by side: a revision's page, and the Publish page (live against the draft)."""
    changes = content_changes(before.content() if before else None, after.content())
    if not changes:
        return "No change."
    # What changed is decided on the stored values; it is shown as staff read it (names).
    old = before.readable_content() if before else {}
    new = after.readable_content()
    return format_html_join(
        "",
        "<h3>{}</h3>{}",
        (
            (
                revision_field_label(after, field),
                side_by_side(old.get(field, ""), new[field], labels=labels),
            )
            for field, _ in changes
        ),
    )


def admin_url(obj, view: str) -> str:
    """The URL of one of `obj`'s admin views (change, restore…) by Django's naming scheme."""
    opts = obj._meta
    return f"admin:{opts.app_label}_{opts.model_name}_{view}"


class RevisionInline(ReadOnlyInline):
    """An object's history, newest first: who, when, what changed; never editable here."""

    fields = ["number_link", "status", "created_at", "created_by", "note", "changes"]
    ordering = ["-number"]

    @admin.display(description="status")
    def status(self, revision: Revision) -> str:
        revised = revision.revised
        if revision.pk == revised.published_revision_id:
            return mark_safe('<strong data-testid="live-revision">Live</strong>')
        if revision.number > getattr(revised.published_revision, "number", 0):
            return "Draft"
        return ""

    @admin.display(description="revision")
    def number_link(self, revision: Revision) -> str:
        url = reverse(admin_url(revision, "change"), args=[revision.pk])
        return format_html('<a href="{}">#{}</a>', url, revision.number)

    @admin.display(description="what changed")
    def changes(self, revision: Revision) -> str:
        return changed_fields(revision)


class RevisionAdmin(admin.ModelAdmin):
    """An append-only revision log: viewable with its diff, restorable, never edited here.

    Subclasses list the revision's fields; `changes` is the diff from the previous revision.
    """

    change_form_template = "admin/revisions/change_form.html"
    # For revisions whose foreign key is the default `template`; others override these.
    list_display = ["template", "number", "created_at", "created_by", "note"]
    list_filter = ["template"]
    list_select_related = ["template", "created_by"]

    def has_module_permission(self, request) -> bool:
        # Not an entry of its own in the admin index: revisions are reached from their
        # template's or layout's history inline (the pages themselves stay reachable).
        return False

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="changes from the previous revision")
    def changes(self, revision: Revision) -> str:
        return changes_diff(revision)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        revision = self.get_object(request, object_id)
        extra = dict(extra_context or {})
        if revision is not None:
            revised = revision.revised
            revised_admin = self.admin_site._registry[type(revised)]
            # The button shows only to those the restore view would let through.
            if revised_admin.has_change_permission(request, revised):
                extra["restore_url"] = reverse(
                    admin_url(revised, "restore"), args=[revised.pk, revision.pk]
                )
        return super().change_view(request, object_id, form_url, extra)


class RestoreRevisionMixin:
    """A POST-only "restore this revision" endpoint on a revisioned model's admin.

    Add `self.restore_url()` to `get_urls()`; the revision page's button posts to it.
    """

    def restore_view(self, request: HttpRequest, pk: int, revision_pk: int) -> HttpResponse:
        """Copy an old revision back (a new revision records it); editors only, logged."""
        obj = get_object_or_404(self.model, pk=pk)
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        revision = get_object_or_404(obj.revisions, pk=revision_pk)
        # A restore must pass the checks a save passes (an old revision may predate them),
        # and, like the change form, leave which version goes to whom to those who may publish.
        problems = [*self._live_field_problems(request, obj, revision)]
        if problems := problems or self.restore_problems(request, obj, revision):
            self.message_user(request, "Not restored: " + "; ".join(problems), messages.ERROR)
            return HttpResponseRedirect(reverse(admin_url(obj, "change"), args=[obj.pk]))
        try:
            obj.restore(revision, author=request.user)
        except ValidationError as exc:
            self.message_user(request, "; ".join(exc.messages), messages.ERROR)
        else:
            self.log_change(request, obj, f"Restored revision {revision.number}.")
            self.message_user(request, f"Revision {revision.number} restored.", messages.SUCCESS)
        return HttpResponseRedirect(reverse(admin_url(obj, "change"), args=[obj.pk]))

    def _live_field_problems(self, request: HttpRequest, obj, revision: Revision) -> list[str]:
        may_publish = getattr(self, "has_publish_permission", None)
        if may_publish is not None and may_publish(request):
            return []
        changed = [
            obj._meta.get_field(name).verbose_name
            for name in obj.LIVE_FIELDS
            if name in obj.REVISION_FIELDS and getattr(revision, name) != getattr(obj, name)
        ]
        if not changed:
            return []
        return [
            f"it would change the {', '.join(changed)}, which decides which customers get this "
            "version; staff who may publish can restore it"
        ]

    def restore_problems(self, request: HttpRequest, obj, revision: Revision) -> list[str]:
        """Why this user may not restore `revision` (the admin form's checks); none by default."""
        return []

    def restore_url(self) -> URLPattern:
        """The URL pattern of `restore_view`, named `<app>_<model>_restore`."""
        opts = self.model._meta
        return path(
            "<int:pk>/revisions/<int:revision_pk>/restore/",
            self.admin_site.admin_view(require_POST(self.restore_view)),
            name=f"{opts.app_label}_{opts.model_name}_restore",
        )


class PublishRevisionMixin:
    """Draft and publish on a revisioned model's admin: a status line on the change form and a
    Publish page (the live revision against the draft, side by side) whose POST makes the draft
    live. Publishing takes its own permission, `<app>.publish_<model>`, and is logged.

    Add `self.publish_url()` to `get_urls()`; the change form template shows the status.
    """

    def has_publish_permission(self, request: HttpRequest) -> bool:
        opts = self.model._meta
        return request.user.has_perm(f"{opts.app_label}.publish_{opts.model_name}")

    def get_readonly_fields(self, request, obj=None):
        """Without the publish permission, the model's `LIVE_FIELDS` (which version goes to
        whom: switching one off, relabelling its language) are read-only: they change what
        customers get at once. A new object can be written, but stays switched off."""
        fields = list(super().get_readonly_fields(request, obj))
        if not self.has_publish_permission(request):
            live = self.model.LIVE_FIELDS if obj is not None else ("active",)
            fields += [name for name in live if name not in fields]
        return fields

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is not None or not self._switched_off_on_add(request):
            return form

        class SwitchedOffForm(form):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                # Before validation, which checks e.g. one active email per event and language.
                self.instance.active = False

        return SwitchedOffForm

    def response_add(self, request, obj, post_url_continue=None):
        if self._switched_off_on_add(request):
            self.message_user(
                request,
                "Saved switched off: staff who may both edit and publish review it, publish it and "
                "switch it on.",
                messages.INFO,
            )
        return super().response_add(request, obj, post_url_continue)

    def _switched_off_on_add(self, request: HttpRequest) -> bool:
        return "active" in self.model.LIVE_FIELDS and not self.has_publish_permission(request)

    def publication_context(self, request: HttpRequest, obj: RevisionedModel) -> dict:
        """What the change form says about what is live and what is a draft."""
        draft = obj.draft_revision()
        return {
            "live_revision": obj.published_revision,
            "published_by": obj.published_by,
            "published_at": obj.published_at,
            "draft_revision": draft,
            "publish_url": reverse(admin_url(obj, "publish"), args=[obj.pk])
            if draft is not None and self.has_publish_permission(request)
            else None,
        }

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra = dict(extra_context or {})
        obj = self.get_object(request, object_id)
        if obj is not None:
            extra["publication"] = self.publication_context(request, obj)
        return super().change_view(request, object_id, form_url, extra)

    def response_change(self, request, obj):
        obj.refresh_from_db(fields=["published_revision"])
        if (draft := obj.draft_revision()) is not None:
            self.message_user(
                request,
                f"Saved as a draft (revision {draft.number}): customers get it only once it is "
                "published.",
                messages.INFO,
            )
        return super().response_change(request, obj)

    def publish_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """GET: the live revision and the draft side by side; POST: publish that draft."""
        obj = get_object_or_404(self.model, pk=pk)
        if not self.has_publish_permission(request):
            raise PermissionDenied
        change_url = reverse(admin_url(obj, "change"), args=[obj.pk])
        draft = obj.draft_revision()
        if request.method == "POST":
            return self._publish(request, obj, draft, change_url)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": obj,
            "title": f"Publish: {obj}",
            "live": obj.published_revision,
            "draft": draft,
            "diff": revisions_diff(
                obj.published_revision,
                draft,
                labels=(
                    f"Live (revision {obj.published_revision.number})"
                    if obj.published_revision
                    else "Nothing live",
                    f"Draft (revision {draft.number})",
                ),
            )
            if draft
            else "",
            "problems": obj.publish_problems(draft) if draft else [],
            "change_url": change_url,
        }
        response = TemplateResponse(request, "admin/revisions/publish.html", context)
        return no_store(response)

    def _publish(self, request, obj, draft, change_url) -> HttpResponse:
        posted = request.POST.get("revision", "")
        if draft is None or posted != str(draft.pk):
            # Publish exactly what the publisher reviewed: a save since then is reviewed again.
            self.message_user(
                request,
                "Not published: the draft changed since the page was opened; review it again.",
                messages.ERROR,
            )
            return HttpResponseRedirect(reverse(admin_url(obj, "publish"), args=[obj.pk]))
        was = obj.published_revision
        try:
            obj.publish(draft, by=request.user)
        except ValidationError as exc:
            self.message_user(request, "Not published: " + " ".join(exc.messages), messages.ERROR)
            return HttpResponseRedirect(reverse(admin_url(obj, "publish"), args=[obj.pk]))
        before = f" (replacing revision {was.number})" if was else ""
        self.log_change(request, obj, f"Published revision {draft.number}{before}.")
        self.message_user(
            request,
            f"Revision {draft.number} published: customers get it from now on.",
            messages.SUCCESS,
        )
        return HttpResponseRedirect(change_url)

    def publish_url(self) -> URLPattern:
        """The URL pattern of `publish_view`, named `<app>_<model>_publish`."""
        opts = self.model._meta
        return path(
            "<int:pk>/publish/",
            self.admin_site.admin_view(require_http_methods(["GET", "POST"])(self.publish_view)),
            name=f"{opts.app_label}_{opts.model_name}_publish",
        )
