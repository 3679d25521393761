"""Staff previews are drawn in a child process the storefront outranks, killed at the deadline;
a draft whose sample cannot be drawn is refused on save (attachments/isolation.py)."""

import multiprocessing
import os
import time

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from attachments import isolation
from attachments.api import build_attachment
from attachments.drawing_budget import DocumentTooComplex
from attachments.drawing_deadline import DocumentTookTooLong
from attachments.models import AttachmentTemplate
from stafftemplates.errors import TemplateLimitExceeded
from tests.factories import EventTypeFactory

from .test_drawing_bounds import PAGE_BREAK_LOOPS, UNCLOSED

pytestmark = pytest.mark.skipif(not isolation.can_fork(), reason="needs fork")


def where_and_how_nice() -> tuple[int, int]:
    return os.getpid(), os.nice(0)


def test_a_preview_is_drawn_in_another_process_at_a_lower_priority():
    pid, niceness = isolation.draw_apart("Receipt", where_and_how_nice)

    assert pid != os.getpid()
    assert niceness == min(19, os.nice(0) + isolation.NICENESS)
    assert multiprocessing.active_children() == []


def test_a_child_that_runs_past_the_time_allowed_is_killed(monkeypatch):
    monkeypatch.setattr(isolation, "time_allowed", lambda: 0.2)

    with pytest.raises(DocumentTookTooLong, match=r"preview of “Slow” was stopped after 0\.2 s"):
        isolation.draw_apart("Slow", time.sleep, 600)
    assert multiprocessing.active_children() == []  # killed, not left sleeping


def test_errors_come_back_with_their_type_and_text(context):
    with pytest.raises(DocumentTooComplex, match="“Deep” nests its elements more than 60"):
        isolation.draw_apart(
            "Deep", build_attachment, AttachmentTemplate(name="Deep", html=UNCLOSED), context, "p"
        )
    with pytest.raises(TemplateLimitExceeded, match="asks “ljust” for a width"):
        isolation.draw_apart(
            "Wide",
            build_attachment,
            AttachmentTemplate(name="Wide", html='{{ "x"|ljust:"99999999" }}'),
            context,
            "p",
        )


def test_the_parents_database_connection_survives_a_preview(receipt_template, context):
    User = get_user_model()
    before = User.objects.count()

    isolation.preview_attachment(receipt_template, context, "K7M2-QX9D-4HRT-W3ZP")

    assert User.objects.count() == before  # the same connection, still usable


def add_document(client, html: str):
    return client.post(
        reverse("admin:attachments_attachmenttemplate_add"),
        {
            "name": "Runaway",
            "event_type": EventTypeFactory().pk,
            "language": "en",
            "active": "on",
            "html": html,
            "css": "",
            "filename_template": "order.pdf",
            "password_policy": "generated",
            "password_template": "",
            "revisions-TOTAL_FORMS": "0",
            "revisions-INITIAL_FORMS": "0",
        },
    )


@pytest.mark.parametrize(
    ("html", "reason"),
    [
        (UNCLOSED, "nests its elements more than 60 deep (ATTACHMENT_MAX_NESTING)"),
        (PAGE_BREAK_LOOPS, "has 22,207 elements, more than 10,000 (ATTACHMENT_MAX_ELEMENTS)"),
    ],
)
def test_admin_refuses_on_save_a_document_the_sample_cannot_be_drawn_for(
    admin_client, db, html, reason
):
    response = add_document(admin_client, html)

    assert response.status_code == 200
    page = response.content.decode()
    assert f"{reason}: " in page.replace("&quot;", '"')
    assert "(tried on the demo sample)" in page
    assert not AttachmentTemplate.objects.filter(name="Runaway").exists()


def test_a_document_that_can_be_drawn_is_saved(admin_client, db):
    response = add_document(admin_client, "<p>{{ order.number }}</p>")

    assert response.status_code == 302
    assert AttachmentTemplate.objects.filter(name="Runaway").exists()


def test_the_editors_unsaved_preview_refuses_the_reported_template_without_drawing(
    admin_client, receipt_template
):
    url = reverse(
        "admin:attachments_attachmenttemplate_preview_unsaved", args=[receipt_template.pk]
    )

    response = admin_client.post(
        url,
        {
            "html": PAGE_BREAK_LOOPS,
            "css": "",
            "filename_template": "x.pdf",
            "_preview_part": "pages",
        },
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "Not previewed" in page
    assert "has 22,207 elements, more than 10,000 (ATTACHMENT_MAX_ELEMENTS)" in page


def test_one_staff_member_draws_only_so_many_previews_at_once(
    admin_client, admin_user, receipt_template, settings
):
    """Six tabs of previews from one editor held every web worker: each staff member gets
    `STAFF_PREVIEW_CONCURRENCY` drawings at a time, the next is refused before any child."""
    settings.STAFF_PREVIEW_CONCURRENCY = 1
    url = reverse("admin:attachments_attachmenttemplate_preview_pages", args=[receipt_template.pk])

    with isolation.preview_slot(admin_user.pk):  # one preview of theirs still drawing
        refused = admin_client.get(url)
        with isolation.preview_slot(admin_user.pk + 1):  # another editor's is not counted
            pass

    assert refused.status_code == 400
    assert refused.content.decode() == (
        "Not drawn: you already have 1 preview drawing (STAFF_PREVIEW_CONCURRENCY). "
        "Reload this one when it has finished."
    )
    assert multiprocessing.active_children() == []
    drawn = admin_client.get(url)  # the slot is free again
    assert drawn.status_code == 200
    assert "<img" in drawn.content.decode()


def test_a_cache_that_is_down_never_stops_a_preview(monkeypatch, settings):
    settings.STAFF_PREVIEW_CONCURRENCY = 1

    def down(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(isolation.cache, "add", down)
    with isolation.preview_slot(1), isolation.preview_slot(1):
        pass
