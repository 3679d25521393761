"""xhtml2pdf's default stylesheet parsed once per process (attachments/stylesheets.py): the same
pages as xhtml2pdf's own per-document parse, and guards on the private method it replaces."""

import inspect
import tomllib
from importlib.metadata import version

import pytest
from django.conf import settings
from xhtml2pdf import parser as xhtml2pdf_parser
from xhtml2pdf.context import pisaContext
from xhtml2pdf.default import DEFAULT_CSS

from attachments import stylesheets
from attachments.rendering import BASE_CSS, html_to_pdf, render_html

from .test_fonts import rasterised, text_of

# What the default stylesheet styles: headings, lists, quotes, code, tables, rules, inline tags.
DEFAULT_STYLED = (
    "<h1>h1 Å</h1><h2>h2</h2><h3>h3</h3><h4>h4</h4><h5>h5</h5><h6>h6</h6>"
    "<p>p <b>b</b> <strong>strong</strong> <i>i</i> <em>em</em> <u>u</u> <s>s</s> <small>small"
    "</small> <big>big</big> x<sub>sub</sub> x<sup>sup</sup> <code>code</code> <tt>tt</tt></p>"
    "<ul><li>one</li><li>two<ol><li>nested</li></ol></li></ul><ol><li>first</li></ol>"
    "<blockquote>quote</blockquote><pre>pre  formatted</pre><hr>"
    "<dl><dt>term</dt><dd>definition</dd></dl><address>address</address>"
    "<table><caption>caption</caption><tr><th>th</th><td>td</td></tr></table>"
    "<center>center</center><div dir='rtl'>rtl</div>"
)


def document(css: str, body: str = DEFAULT_STYLED) -> str:
    return f"<html><head><style>{BASE_CSS}\n{css}</style></head><body>{body}</body></html>"


@pytest.fixture
def unshared(monkeypatch):
    """Draw as xhtml2pdf does by itself: its own parse of the default stylesheet each time."""

    def draw(html: str) -> bytes:
        with monkeypatch.context() as patch:
            patch.setattr(pisaContext, "_parseCSSSource", stylesheets._original_parse)
            patch.setattr(stylesheets, "_decided", True)
            return html_to_pdf(html)

    return draw


def assert_same_document(shared: bytes, unshared: bytes) -> None:
    pages = rasterised(shared)
    assert pages
    assert rasterised(unshared) == pages
    assert text_of(unshared) == text_of(shared)


def test_default_styled_elements_are_pixel_identical(unshared):
    html = document("")
    assert_same_document(html_to_pdf(html), unshared(html))


def test_a_receipt_is_pixel_identical(receipt_template, context, unshared):
    context["lines"] = context["lines"] * 10  # two pages: the footer and repeated headers too
    html = render_html(receipt_template, context)
    assert_same_document(html_to_pdf(html), unshared(html))


def test_a_document_overriding_the_defaults_changes_nothing_for_the_next(unshared):
    overriding = document("h1 { font-size: 40pt; color: #b91c1c; } li { margin-left: 3cm; }")
    plain = document("")

    html_to_pdf(overriding)  # shares the parsed defaults with the next document
    after = html_to_pdf(plain)

    assert_same_document(after, unshared(plain))
    assert rasterised(html_to_pdf(overriding)) != rasterised(after)  # the override did apply


def test_the_default_stylesheet_is_parsed_once_and_every_template_css_each_time(monkeypatch):
    calls: list[str] = []
    original = stylesheets._original_parse

    def counting(context, text, sourceName):
        calls.append(sourceName)
        return original(context, text, sourceName)

    monkeypatch.setattr(stylesheets, "_original_parse", counting)
    monkeypatch.setattr(stylesheets, "_parsed", {})
    for size in (10, 11, 12):
        html_to_pdf(document(f"p {{ font-size: {size}pt; }}", "<p>text</p>"))

    # The guard on the private method this relies on: if xhtml2pdf stops parsing its default
    # stylesheet through `pisaContext._parseCSSSource`, the shared parse is never used and
    # this fails.
    assert calls.count(xhtml2pdf_parser.DEFAULT_CSS_SOURCE) == 1
    assert len([name for name in calls if name != xhtml2pdf_parser.DEFAULT_CSS_SOURCE]) == 3
    assert stylesheets._parsed.keys() == {DEFAULT_CSS.strip() + "\n"}


def test_xhtml2pdf_is_pinned_to_the_release_the_shared_parse_was_checked_against():
    html_to_pdf(document("", "<p>x</p>"))

    assert pisaContext._parseCSSSource is stylesheets._parse_css_source
    assert version("xhtml2pdf") == stylesheets.CHECKED_VERSION
    pyproject = tomllib.loads((settings.BASE_DIR / "pyproject.toml").read_text())
    assert f"xhtml2pdf=={stylesheets.CHECKED_VERSION}" in pyproject["project"]["dependencies"]
    replaced = inspect.signature(stylesheets._original_parse)
    assert list(replaced.parameters) == ["self", "text", "sourceName"]
    # parseCSS hands the default stylesheet to that method under this source name.
    assert "self._parseCSSSource(" in inspect.getsource(pisaContext.parseCSS)
    assert "parser.DEFAULT_CSS_SOURCE" in inspect.getsource(pisaContext.parseCSS)
