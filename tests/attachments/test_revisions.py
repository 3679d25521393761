"""The shared revision mechanism (stafftemplates/revisions.py) under concurrent saves."""

import threading

import pytest
from django.db import connection

from attachments.models import AttachmentTemplate
from tests.factories import EventTypeFactory


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_revisions_of_one_template_take_distinct_numbers(postgres):
    template = AttachmentTemplate(
        name="Receipt", html="<p>{{ order.number }}</p>", event_type=EventTypeFactory()
    )
    template.save()
    barrier = threading.Barrier(4)
    errors = []

    def editor(css: str) -> None:
        try:
            # Each editor holds their own copy, as two admin requests would.
            mine = AttachmentTemplate.objects.get(pk=template.pk)
            mine.css = css
            barrier.wait()
            mine.record_revision(note=css)
        except Exception as error:  # reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=editor, args=(f"p {{ margin: {i}px; }}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sorted(template.revisions.values_list("number", flat=True)) == [1, 2, 3, 4, 5]
