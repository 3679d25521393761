"""A staff template's syntax error names its line once and quotes it, as the staff guide says."""

import pytest

from stafftemplates.engine import syntax_error_message


@pytest.mark.parametrize(
    ("source", "message"),
    [
        (
            "<p>Hi {{ customer.first_name }}</p>\n<p>{% if customer.first_name %}</p>",
            "Line 2: Unclosed tag: 'if'. Looking for one of: elif, else, endif. "
            "The line: “<p>{% if customer.first_name %}</p>”",
        ),
        (
            "<p>Order</p>\n\n  {% endif %}  \n",
            "Line 3: Invalid block tag: 'endif'. Did you forget to register or load this tag? "
            "The line: “{% endif %}”",
        ),
        (
            "{{ order.number|nosuch }}",
            "Line 1: Invalid filter: 'nosuch'. The line: “{{ order.number|nosuch }}”",
        ),
    ],
)
def test_a_syntax_error_names_its_line_once_and_quotes_it(source, message):
    assert syntax_error_message(source) == message


def test_a_long_line_is_quoted_around_the_error():
    source = "<p>" + "x" * 200 + "{% endfor %}" + "y" * 200 + "</p>"

    message = syntax_error_message(source)

    assert "“…" in message
    assert "{% endfor %}" in message
    assert "…”" in message
    assert len(message) < 250


def test_a_template_that_compiles_has_no_error():
    assert syntax_error_message("{% if order.number %}{{ order.number }}{% endif %}") is None
