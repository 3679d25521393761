"""Stylesheets parsed once per process (attachments/stylesheets.py): xhtml2pdf's defaults and a
template's element rules, its page rules apart; the same pages as xhtml2pdf's own per-document
parse of the template's CSS as written, and guards on the private method it replaces."""

import inspect
import io
from collections import OrderedDict
from importlib.metadata import version

import pytest
from django.conf import settings
from pypdf import PdfReader
from xhtml2pdf.context import pisaContext
from xhtml2pdf.default import DEFAULT_CSS

from attachments import stylesheets
from attachments.models import AttachmentTemplate
from attachments.rendering import BASE_CSS, html_to_pdf, render_html
from attachments.stylesheets import split_document_rules

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
    """Draw as xhtml2pdf does by itself: its own parse of every stylesheet each time."""

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


def parse_counter(monkeypatch) -> list[str]:
    """The texts xhtml2pdf really parses from now on (the shared parse starts empty)."""
    calls: list[str] = []
    original = stylesheets._original_parse

    def counting(context, text, sourceName):
        calls.append(text)
        return original(context, text, sourceName)

    monkeypatch.setattr(stylesheets, "_original_parse", counting)
    monkeypatch.setattr(stylesheets, "_parsed", OrderedDict())
    return calls


def test_each_stylesheet_is_parsed_once_but_page_rules_every_time(
    monkeypatch, receipt_template, context
):
    calls = parse_counter(monkeypatch)
    html = render_html(receipt_template, context)
    page_rules, element_rules = split_document_rules(receipt_template.css)

    for _ in range(3):
        html_to_pdf(html)

    # The guard on the private method this relies on: if xhtml2pdf stops parsing stylesheets
    # through `pisaContext._parseCSSSource`, the shared parse is never used and this fails.
    assert calls.count(DEFAULT_CSS.strip() + "\n") == 1
    assert calls.count(f"{BASE_CSS}\n{element_rules}".strip()) == 1
    assert calls.count(page_rules.strip()) == 3  # they build each document's pages
    assert "@page" in page_rules
    assert "@" not in element_rules


def test_three_templates_css_are_three_parses_and_none_leaks_into_another(monkeypatch, unshared):
    calls = parse_counter(monkeypatch)
    sizes = (10, 11, 12)
    for size in sizes:
        html_to_pdf(document(f"p {{ font-size: {size}pt; }}", "<p>text</p>"))
    assert len(calls) == 1 + len(sizes)  # the defaults once, each template once

    for size in sizes:
        html = document(f"p {{ font-size: {size}pt; }}", "<p>text</p>")
        assert_same_document(html_to_pdf(html), unshared(html))


def test_the_demo_document_is_pixel_identical_to_its_css_parsed_whole(
    receipt_template, context, unshared
):
    """Page rules moved apart and element rules shared: the same pages as the template's CSS
    in one <style>, parsed by xhtml2pdf for this document alone (how it was drawn before)."""
    context["lines"] = context["lines"] * 10  # two pages: the footer and repeated headers too
    html = render_html(receipt_template, context)
    body = html[html.index("<body>") :]
    as_written = f"<html><head><style>{BASE_CSS}\n{receipt_template.css}</style></head>{body}"

    html_to_pdf(html)  # the element rules' parse now shared
    assert_same_document(html_to_pdf(html), unshared(as_written))


@pytest.mark.parametrize(
    "css",
    [
        "@media print { p { color: #b91c1c; } } p { font-size: 11pt; }",
        "p { background-image: url(img/logo.png); }",
        "p { background-image: u\\72 l(img/logo.png); }",  # url( spelled with an escape
    ],
)
def test_a_stylesheet_whose_parse_depends_on_the_document_is_never_shared(monkeypatch, css):
    calls = parse_counter(monkeypatch)

    html_to_pdf(document(css, "<p>x</p>"))
    html_to_pdf(document(css, "<p>x</p>"))

    assert calls.count(f"{BASE_CSS}\n{css}".strip()) == 2
    assert list(stylesheets._parsed) == [DEFAULT_CSS.strip() + "\n"]


def test_the_shared_parses_are_bounded(monkeypatch):
    parse_counter(monkeypatch)
    monkeypatch.setattr(stylesheets, "MAX_PARSED", 3)

    for size in range(6, 12):
        html_to_pdf(document(f"p {{ font-size: {size}pt; }}", "<p>x</p>"))

    kept = " ".join(stylesheets._parsed)
    assert len(stylesheets._parsed) == 3  # the defaults (used by every document) and the newest
    assert "font-size: 11pt" in kept
    assert "font-size: 10pt" in kept
    assert "font-size: 9pt" not in kept


@pytest.mark.parametrize(
    ("css", "page_rules", "element_rules"),
    [
        ("p { color: red; }", "", "p { color: red; }"),
        (
            "@page { margin: 1cm; @frame f { top: 0; } }\np { x: y; }\n@FONT-FACE { a: b; }",
            "@page { margin: 1cm; @frame f { top: 0; } }\n@FONT-FACE { a: b; }",
            "\n\np { x: y; }\n\n",
        ),
        ("@page:first { margin: 0 }", "@page:first { margin: 0 }", "\n"),
        ("@page;\np { a: b }", "@page;", "\n\np { a: b }"),
        ("p { c: '\\'' } @page { }", "@page { }", "p { c: '\\'' } \n"),
        # A rule of the cascade, or an at-rule not about pages, stays where it is.
        ("@media print { p { a: b } } i { c: d }", "", "@media print { p { a: b } } i { c: d }"),
    ],
)
def test_page_rules_are_moved_apart(css, page_rules, element_rules):
    assert split_document_rules(css) == (page_rules, element_rules)


@pytest.mark.parametrize(
    "css",
    [
        # Page rules that would stay behind and be parsed after the moved ones.
        "@media print { @page { size: a5 } } @page { size: a4 landscape }",
        "@pages-x { size: a5 } @page { }",  # xhtml2pdf reads @pages-x as @page
        "/* @page { } */ @page { }",
        # Custom properties come from rules parsed before the page rules.
        ":root { --paper: a5 } @page { size: var(--paper) }",
        # Joining what is left would make new text.
        "p { } </sty@page { }le>",
        ".a@page { } b { }",
        # Comment markers in strings: xhtml2pdf strips comments regardless of strings.
        "p::after { content: '/*'; } @page { } i::after { content: '*/' }",
        # A stray ; at the top: xhtml2pdf skips what follows it as one bad rule.
        ".total { color: #f00 };\n@page { size: a5; }",
        ";@page { size: a5 } p { }",
        # A font face left behind would be registered before the moved ones.
        "@font-face { font-family: X } @media print { @font-face { font-family: Y } } p { }",
        # Braces inside brackets: xhtml2pdf counts ( [ { together when it skips a declaration.
        "@page { x: f(}); y: g({) } p { color: #f00 }",
        "p { x: f(}); y: g({) } @page { size: a5 }",
        # CSS the scan cannot follow.
        "@page { margin: 1cm; p { }",
        "p { } } @page { }",
        "/* unclosed @page { }",
        "p { content: 'unclosed } @page { }",
        "p\\{ } @page { }",
    ],
)
def test_what_cannot_move_safely_stays_whole(css):
    assert split_document_rules(css) == ("", css)


def test_a_later_stylesheet_keeps_its_rank_when_the_first_is_shared(unshared):
    """xhtml2pdf breaks a tie between equally specific rules by the order it parsed them in,
    counted for the whole process: a shared parse of a body <style> would rank before the
    next template's head and win where the head rule should lose."""
    body = "<style>.b { color: #1d4e89; }</style><p class='a b'>which colour wins</p>"
    red = document(".a { color: #b91c1c; }", body)
    green = document(".a { color: #15803d; }", body)

    html_to_pdf(red)  # shares what it may with the next document

    assert_same_document(html_to_pdf(green), unshared(green))


@pytest.mark.parametrize(
    "css",
    [
        ":root { --paper: a5; } @page { size: var(--paper); }",
        "@media print { @page { size: a5; } } @page { size: a4 landscape; }",
    ],
)
def test_page_sizes_are_as_written(css, unshared):
    template = AttachmentTemplate(name="Sized", html="<p>x</p>", css=css)
    html = render_html(template, {})
    html_to_pdf(html)  # the first stylesheet's parse now shared

    shared = html_to_pdf(html)

    as_written = unshared(f"<html><head><style>{BASE_CSS}\n{css}</style></head><body><p>x</p>")
    assert page_size(shared) == page_size(as_written)
    assert_same_document(shared, as_written)


def test_custom_properties_a_later_page_rule_reads_are_not_lost(unshared):
    """A :root custom property is recorded while its stylesheet is parsed, for an @page parsed
    later to read with var(): a stylesheet declaring one is never shared."""
    template = AttachmentTemplate(
        name="Sized",
        html="<style>@page { size: var(--paper); }</style><p>text</p>",
        css=":root { --paper: a5; } p { color: #b91c1c; }",
    )
    html = render_html(template, {})
    first = html_to_pdf(html)

    second = html_to_pdf(html)

    assert page_size(first) == page_size(second) == page_size(unshared(html)) == (420, 595)


def page_size(pdf: bytes) -> tuple[float, float]:
    box = PdfReader(io.BytesIO(pdf)).pages[0].mediabox
    return round(float(box.width)), round(float(box.height))


def test_another_xhtml2pdf_release_draws_with_its_own_parse(monkeypatch):
    """pyproject.toml takes a range: on a release nobody checked, nothing is replaced."""
    monkeypatch.setattr(pisaContext, "_parseCSSSource", stylesheets._original_parse)
    monkeypatch.setattr(stylesheets, "_decided", False)
    monkeypatch.setattr(stylesheets, "version", lambda name: "0.2.99")

    pdf = html_to_pdf(document("", "<p>another release</p>"))

    assert pisaContext._parseCSSSource is stylesheets._original_parse
    assert "another release" in text_of(pdf)


def test_xhtml2pdf_is_pinned_to_the_release_the_shared_parse_was_checked_against():
    html_to_pdf(document("", "<p>x</p>"))

    assert pisaContext._parseCSSSource is stylesheets._parse_css_source
    assert version("xhtml2pdf") == stylesheets.CHECKED_VERSION
    # pyproject.toml takes a range; the lock, what deployments install, pins the checked one.
    lock = (settings.BASE_DIR / "requirements.lock").read_text()
    assert f"\nxhtml2pdf=={stylesheets.CHECKED_VERSION} " in lock
    replaced = inspect.signature(stylesheets._original_parse)
    assert list(replaced.parameters) == ["self", "text", "sourceName"]
    # parseCSS hands the default stylesheet and each <style> to that method.
    assert "self._parseCSSSource(" in inspect.getsource(pisaContext.parseCSS)
    assert "starmap(self._parseCSSSource, self.cssSources)" in inspect.getsource(
        pisaContext.parseCSS
    )
