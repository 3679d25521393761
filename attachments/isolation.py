"""Staff previews are drawn in a child process: lowered in priority, and killed at the deadline.

A preview is drawn in a web request. In the request's own process it would take a web worker,
and a core, for as long as the drawing runs: two editors previewing a heavy draft made the
storefront's home page take 45 s. In a forked child (`draw_apart`):

* the child runs at a lower CPU priority (`NICENESS`), so the storefront's processes win the
  cores while it draws;
* the child draws in its main thread, where the SIGALRM deadline (`drawing_deadline`) works even
  when the web server runs requests in threads (runserver);
* the parent waits at most the render and drawing limits plus `MARGIN_SECONDS` (encryption,
  page images), then kills the child (SIGKILL: nothing inside it can delay that).

The child inherits the loaded fonts and stylesheets (fork, no start-up cost) and never touches
the database: what it needs (the template's fields, the plain context, the password) is read
before the fork, and it drops its copy of the parent's database connections unclosed (closing
would end the parent's session). Where `fork` does not exist, the preview is drawn in-process,
still under the budget and the cooperative deadline.

A waiting preview still holds its web worker (or thread), so one staff member with many tabs
could hold them all: each gets `STAFF_PREVIEW_CONCURRENCY` drawings at a time (`preview_slot`),
counted in the shared cache, and the next is refused before any child starts.
"""

from __future__ import annotations

import contextlib
import logging
import math
import multiprocessing
import os
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import connections

from stafftemplates.errors import StaffTemplateError
from stafftemplates.validators import sample_context

from .drawing_deadline import DocumentTookTooLong
from .errors import AttachmentError
from .page_images import pages_html
from .rendering import Attachment, build_attachment, html_to_pdf, render_html

if TYPE_CHECKING:
    from .models import AttachmentTemplate, AttachmentTemplateRevision

log = logging.getLogger(__name__)

# Below the web server's own processes (niceness 0): the storefront gets the cores first.
NICENESS = 10
# Encryption and page images, after the template's render and the drawing.
MARGIN_SECONDS = 5.0

T = TypeVar("T")


def can_fork() -> bool:
    """Whether this platform can fork a child that inherits the loaded drawing state."""
    return "fork" in multiprocessing.get_all_start_methods()


def time_allowed() -> float:
    """How long the parent waits for a preview child before killing it."""
    return (
        float(settings.STAFF_TEMPLATE_TIME_LIMIT)
        + float(settings.ATTACHMENT_DRAW_SECONDS)
        + MARGIN_SECONDS
    )


def _forget_database_connections() -> None:
    # The child's copies share the parent's sockets: never close them from here, and never
    # use them (a query would open a fresh connection instead).
    for connection in connections.all(initialized_only=True):
        connection.connection = None


def _child(pipe, function: Callable[..., Any], args: tuple, kwargs: Mapping[str, Any]) -> None:
    _forget_database_connections()
    with contextlib.suppress(OSError):  # already lower, or not allowed: draw anyway
        os.nice(NICENESS)
    try:
        pipe.send(("ok", function(*args, **kwargs)))
    except (AttachmentError, StaffTemplateError) as exc:
        pipe.send(("error", type(exc), str(exc)))
    except Exception as exc:
        # Only the type: a message could quote the document (customer data).
        pipe.send(("failed", type(exc).__name__, ""))
    finally:
        pipe.close()


def draw_apart(name: str, function: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    """`function(*args, **kwargs)` in a forked, lower-priority child killed after
    `time_allowed()`; its result, or the `AttachmentError` or `StaffTemplateError` it raised.

    `function`, its arguments and its result cross a pipe (pickled): plain values, and no
    model instance that could load a deferred field from the database in the child.
    Raises `DocumentTookTooLong` naming the document `name` when the child is killed.
    """
    if not can_fork():
        return function(*args, **kwargs)
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(sender, function, args, kwargs), daemon=True)
    seconds = time_allowed()
    child.start()
    sender.close()
    try:
        if not receiver.poll(seconds):
            raise DocumentTookTooLong(
                f"The preview of “{name}” was stopped after {seconds:g} s "
                "(STAFF_TEMPLATE_TIME_LIMIT + ATTACHMENT_DRAW_SECONDS + encryption): "
                "shorten the document, or simplify its tables and page rules."
            )
        try:
            outcome = receiver.recv()
        except EOFError:
            outcome = ("failed", "the process ended", "")
    finally:
        receiver.close()
        if child.is_alive():
            child.kill()
        child.join()
    if outcome[0] == "ok":
        return outcome[1]
    if outcome[0] == "error":
        _kind, error_type, message = outcome
        # The same type and text, whatever its constructor does with its arguments.
        error = error_type.__new__(error_type)
        error.args = (message,)
        raise error
    log.warning("A preview could not be drawn (%s).", outcome[1])
    raise AttachmentError(f"The preview of “{name}” could not be drawn ({outcome[1]}).")


class PreviewBusy(AttachmentError):
    """The staff member already has as many previews drawing as they may."""


@contextlib.contextmanager
def preview_slot(staff: int | None) -> Iterator[None]:
    """One of the `STAFF_PREVIEW_CONCURRENCY` drawings staff member `staff` (a user id) may
    have at once, held while the block runs; raises `PreviewBusy` when none is free.

    Counted in the shared cache, so every web process sees the same count; the count expires
    with the longest a preview can take, so a process killed mid-preview frees its slot. A
    cache that is down never stops a preview (it is a guard against one person's tabs, not a
    security boundary)."""
    limit = int(settings.STAFF_PREVIEW_CONCURRENCY)
    if staff is None or limit <= 0:
        yield
        return
    key = f"attachments:previews-drawing:{staff}"
    try:
        cache.add(key, 0, timeout=math.ceil(time_allowed()) + 5)
        running = cache.incr(key)
    except Exception as exc:
        log.warning("Preview slots not counted: the cache failed (%s).", type(exc).__name__)
        yield
        return
    try:
        if running > limit:
            raise PreviewBusy(
                f"Not drawn: you already have {limit} preview{'s' if limit > 1 else ''} "
                "drawing (STAFF_PREVIEW_CONCURRENCY). Reload this one when it has finished."
            )
        yield
    finally:
        with contextlib.suppress(Exception):  # expired meanwhile, or the cache went down
            cache.decr(key)


# --- what staff previews draw -----------------------------------------------------------------


def _unsaved_copy(template: AttachmentTemplate | AttachmentTemplateRevision) -> AttachmentTemplate:
    """The document's fields read now, in the parent: the child must not load a deferred one."""
    from .models import AttachmentTemplate

    return AttachmentTemplate(
        **{field: getattr(template, field) for field in AttachmentTemplate.REVISION_FIELDS}
    )


def preview_attachment(
    template: AttachmentTemplate | AttachmentTemplateRevision,
    context: Mapping[str, Any],
    password: str,
    *,
    staff: int | None = None,
) -> Attachment:
    """`build_attachment` for a staff preview, drawn apart (`draw_apart`) in one of the staff
    member's preview slots (`preview_slot`)."""
    with preview_slot(staff):
        return draw_apart(
            template.name, build_attachment, _unsaved_copy(template), dict(context), password
        )


def _pages(template: AttachmentTemplate, context: dict, password: str, title: str) -> str:
    attachment = build_attachment(template, context, password)
    return pages_html(attachment.content, password=password, title=title)


def preview_pages(
    template: AttachmentTemplate | AttachmentTemplateRevision,
    context: Mapping[str, Any],
    password: str,
    *,
    title: str,
    staff: int | None = None,
) -> str:
    """The document built and shown as page images (`page_images.pages_html`), drawn apart:
    the PDF and its pages never exist in the web process."""
    with preview_slot(staff):
        return draw_apart(
            template.name, _pages, _unsaved_copy(template), dict(context), password, title
        )


def sample_drawing_problem(template: AttachmentTemplate) -> str | None:
    """Why the document cannot be drawn for the sample order within the drawing budget and
    deadline, or None. Run on save, so staff see it in the form rather than in a failed
    customer message; a template that does not render is left to the other validators."""
    try:
        html = render_html(template, sample_context())
    except StaffTemplateError:
        return None
    try:
        draw_apart(template.name, html_to_pdf, html, name=template.name)
    except AttachmentError as exc:
        return f"{exc} (tried on the demo sample)"
    return None
