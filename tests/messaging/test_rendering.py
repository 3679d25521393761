"""Email templates share the documents' restricted engine: formatting only, nothing else."""

import pytest
from django.core.exceptions import ValidationError

from messaging.rendering import render_message
from stafftemplates.errors import StaffTemplateError
from stafftemplates.validators import validate_template_syntax


@pytest.mark.parametrize(
    "source",
    [
        "{% load static %}{% static 'x' %}",
        "{% debug %}",
        "{% include 'base.html' %}",
        "{% url 'shop:catalog' %}",
        "{% csrf_token %}",
    ],
)
def test_tags_that_reach_outside_the_context_do_not_exist(source):
    with pytest.raises(ValidationError, match="Line 1"):
        validate_template_syntax(source)


def test_formatting_tags_and_filters_work():
    context = {"customer": {"first_name": "åsa"}, "lines": [{"product": "Mugg"}] * 2}

    rendered = render_message(
        subject="Hej {{ customer.first_name|capfirst }}",
        text="{% for line in lines %}{{ forloop.counter }}. {{ line.product }}\n{% endfor %}",
        html="<p>{{ customer.first_name|upper }}</p>",
        context=context,
    )

    assert rendered.subject == "Hej Åsa"
    assert rendered.text == "1. Mugg\n2. Mugg\n"
    assert rendered.html == "<p>ÅSA</p>"


def test_a_model_instance_in_the_context_is_refused(django_user_model):
    with pytest.raises(StaffTemplateError, match="only get plain values"):
        render_message(subject="x", text="x", html="", context={"user": django_user_model()})
