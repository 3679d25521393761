"""AttachmentTemplate: syntax checked on save, a revision per change."""

import pytest
from django.core.exceptions import ValidationError

from attachments.models import AttachmentTemplate, AttachmentTemplateRevision, PasswordPolicy
from tests.factories import AttachmentTemplateFactory, EventTypeFactory, StaffFactory


def valid_template(**fields) -> AttachmentTemplate:
    values = {
        "name": "Receipt",
        "html": "<p>{{ order.number }}</p>",
        "event_type": EventTypeFactory(),
    } | fields
    return AttachmentTemplate(**values)


@pytest.mark.parametrize(
    ("field", "source", "line"),
    [
        ("html", "<h1>{{ order.number }}</h1>\n<p>\n{% for line in lines %}\n</p>", 3),
        ("html", "<p>{{ order.number|nosuchfilter }}</p>", 1),
        ("html", "<p>\n{% load static %}</p>", 2),
        ("filename_template", "order-{{ order.number|nope }}.pdf", 1),
        ("password_template", "{% if %}", 1),
    ],
)
def test_syntax_errors_are_reported_with_their_line(db, field, source, line):
    template = valid_template(**{field: source})

    with pytest.raises(ValidationError) as raised:
        template.full_clean()

    assert raised.value.message_dict[field][0].startswith(f"Line {line}:")


@pytest.mark.parametrize(
    ("field", "value"),
    [("html", "{% if %}"), ("filename_template", "{% for %}"), ("css", "</style><script>")],
)
def test_every_save_compiles_first_whoever_saves(db, field, value):
    """The compile-on-save rule of every staff template: a command or a shell that skips
    `full_clean` still cannot store a template the worker would choke on."""
    with pytest.raises(ValidationError) as raised:
        AttachmentTemplate.objects.create(
            **(
                {"name": "Broken", "html": "<p>x</p>", "event_type": EventTypeFactory()}
                | {field: value}
            )
        )

    assert field in raised.value.message_dict
    assert not AttachmentTemplate.objects.exists()


def test_factory_templates_compile_and_keep_a_revision(db):
    template = AttachmentTemplateFactory()
    assert template.current_revision().html == template.html


def test_template_policy_needs_an_expression(db):
    template = valid_template(password_policy=PasswordPolicy.TEMPLATE, password_template=" ")

    with pytest.raises(ValidationError) as raised:
        template.full_clean()
    assert "password_template" in raised.value.message_dict


def test_css_cannot_close_the_style_element(db):
    with pytest.raises(ValidationError) as raised:
        valid_template(css="p {} </style><script>").full_clean()
    assert "css" in raised.value.message_dict


def test_every_save_keeps_a_numbered_immutable_revision(db):
    editor = StaffFactory()
    template = valid_template()
    template.save(author=editor)
    template.html = "<p>Order {{ order.number }}</p>"
    template.save()

    first, second = template.revisions.order_by("number")
    assert (first.number, second.number) == (1, 2)
    assert first.html == "<p>{{ order.number }}</p>"
    assert second.html == "<p>Order {{ order.number }}</p>"
    assert first.created_by == editor
    assert second.created_by is None
    assert template.current_revision() == second

    first.html = "tampered"
    with pytest.raises(ValueError, match="immutable"):
        first.save()
    assert AttachmentTemplateRevision.objects.get(pk=first.pk).html == "<p>{{ order.number }}</p>"


def test_revision_numbers_are_per_template(db):
    one, other = valid_template(name="One"), valid_template(name="Other")
    one.save()
    other.save()
    one.css = "p { margin: 0; }"
    one.save()

    assert list(one.revisions.values_list("number", flat=True)) == [2, 1]
    assert list(other.revisions.values_list("number", flat=True)) == [1]


def test_an_unchanged_save_keeps_no_revision_and_restore_notes_its_source(db):
    template = valid_template()
    template.save()
    first = template.current_revision()
    template.save()
    assert template.revisions.count() == 1

    template.html = "<p>Changed {{ order.number }}</p>"
    template.save()
    restored = template.restore(first)

    assert restored.number == 3
    assert restored.html == first.html
    assert restored.note == "Restored from revision 1."
