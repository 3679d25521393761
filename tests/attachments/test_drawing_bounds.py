"""Drawing is bounded: a budget on the rendered HTML checked before xhtml2pdf starts, and a
deadline that stops a drawing that runs long anyway (attachments/drawing_budget.py,
drawing_deadline.py)."""

import signal
import threading

import pytest
from reportlab.pdfgen.canvas import Canvas

from attachments import rendering
from attachments.api import AttachmentError, build_attachment
from attachments.drawing_budget import DocumentTooComplex, check_drawable
from attachments.drawing_deadline import DocumentTookTooLong
from attachments.models import AttachmentTemplate

from .conftest import PASSWORD, decrypted_text

X149 = '"' + "x" * 149 + '"'
# The reported template: 22,201 page breaks from a 200-byte template (22,207 elements with
# the document's own html, head, meta, title, style and body).
PAGE_BREAK_LOOPS = (
    f"{{% for a in {X149} %}}{{% for b in {X149} %}}"
    '<div style="page-break-after:always">p</div>{% endfor %}{% endfor %}'
)
# The reported template: 20,000 unclosed <div>s (the loop's string, unrolled by the engine).
UNCLOSED = '{% for a in "' + "x" * 20_000 + '" %}<div>{% endfor %}'


@pytest.fixture
def drawings(monkeypatch):
    """Every call xhtml2pdf gets: the budget must refuse before the first."""
    calls = []
    original = rendering.pisa.CreatePDF

    def counting(*args, **kwargs):
        calls.append(args)
        return original(*args, **kwargs)

    monkeypatch.setattr(rendering.pisa, "CreatePDF", counting)
    return calls


def document(body: str, css: str = "") -> str:
    return f"<html><head><style>{css}</style></head><body>{body}</body></html>"


def test_deep_nesting_is_refused_before_xhtml2pdf_parses_it(drawings, context):
    template = AttachmentTemplate(name="Runaway", html=UNCLOSED)

    with pytest.raises(
        DocumentTooComplex,
        match=r"“Runaway” nests its elements more than 60 deep \(ATTACHMENT_MAX_NESTING\)",
    ):
        build_attachment(template, context, PASSWORD)
    assert drawings == []


def test_a_template_looping_into_22201_page_breaks_is_refused_before_drawing(drawings, context):
    template = AttachmentTemplate(name="Pages", html=PAGE_BREAK_LOOPS)

    with pytest.raises(
        DocumentTooComplex,
        match=r"“Pages” has 22,207 elements, more than 10,000 \(ATTACHMENT_MAX_ELEMENTS\)",
    ):
        build_attachment(template, context, PASSWORD)
    assert drawings == []


@pytest.mark.parametrize(
    ("body", "css"),
    [
        ('<div style="page-break-before: always">p</div>' * 250, ""),
        ('<DIV STYLE="PAGE-BREAK-AFTER: Always">p</DIV>' * 250, ""),  # CSS ignores case
        # Closed: html5lib keeps an unknown element open whatever its slash says.
        ("<pdf:nextpage></pdf:nextpage>p" * 250, ""),
        ('<div class="sheet x">p</div>' * 250, "div.sheet { page-break-after: always }"),
        ('<section id="s">p</section>' * 250, "#s, .never { break-after: page }"),
    ],
)
def test_page_breaks_over_the_page_budget_are_refused(drawings, body, css):
    with pytest.raises(DocumentTooComplex, match=r"asks for 251 pages, more than 200"):
        rendering.html_to_pdf(document(body, css), name="Sheets")
    assert drawings == []


def test_what_html5lib_does_not_nest_is_not_counted_as_nesting():
    # Unclosed siblings, void elements and end tags closing what they match: all flat.
    body = (
        "<ul>"
        + "<li>item" * 500
        + "</ul>"
        + "<p>para" * 500
        + "<table>"
        + "<tr><td>a<td>b" * 300
        + "</table>"
        + "<br><img src='x.png'><hr>" * 100
        + "<div><span><b>x</div>" * 300
    )
    check_drawable(document(body), name="Flat")


def test_a_rule_that_matches_nothing_breaks_no_page():
    body = '<div class="sheet">p</div>' * 250
    check_drawable(document(body, ".other, p.sheet { page-break-after: always }"), name="x")


def test_the_limits_are_settings(settings):
    settings.ATTACHMENT_MAX_NESTING = 3
    with pytest.raises(DocumentTooComplex, match="more than 3 deep"):
        check_drawable(document("<div><div><div><div>x"), name="x")
    settings.ATTACHMENT_MAX_ELEMENTS = 2
    with pytest.raises(DocumentTooComplex, match="more than 2 "):
        check_drawable(document("<b>1</b><b>2</b><b>3</b>"), name="x")


def test_a_200_line_order_is_within_the_budget(receipt_template, context):
    context["lines"] = context["lines"][1:2] * 200

    attachment = build_attachment(receipt_template, context, PASSWORD)

    assert decrypted_text(attachment.content, PASSWORD).count(context["lines"][0]["product"]) == 200


@pytest.fixture
def pages_drawn(monkeypatch):
    """Pages ReportLab finished: a drawing stopped by the deadline finishes fewer."""
    pages = []
    original = Canvas.showPage

    def counting(canvas):
        pages.append(1)
        return original(canvas)

    monkeypatch.setattr(Canvas, "showPage", counting)
    return pages


@pytest.fixture
def no_budget(settings):
    settings.ATTACHMENT_MAX_NESTING = 100_000
    settings.ATTACHMENT_MAX_ELEMENTS = 1_000_000
    settings.ATTACHMENT_MAX_PAGES = 1_000_000
    return settings


def test_the_deadline_stops_a_long_layout(no_budget, pages_drawn):
    # ReportLab's layout, which xhtml2pdf's own render limit never checks.
    no_budget.ATTACHMENT_DRAW_SECONDS = 0.05
    html = document('<div style="page-break-after: always">p</div>' * 5000)

    with pytest.raises(
        DocumentTookTooLong,
        match=r"“Long” took longer than 0.05 s to draw \(ATTACHMENT_DRAW_SECONDS\)",
    ):
        rendering.html_to_pdf(html, name="Long")
    assert len(pages_drawn) < 5000
    assert signal.getsignal(signal.SIGALRM) is signal.SIG_DFL  # left as found
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_the_deadline_stops_the_parse_of_deep_nesting(no_budget, pages_drawn):
    # The parse that xhtml2pdf checks its depth limit after: a minute for 20,000 levels.
    no_budget.ATTACHMENT_DRAW_SECONDS = 0.05

    with pytest.raises(DocumentTookTooLong, match=r"took longer than 0\.05 s"):
        rendering.html_to_pdf(document("<div>" * 20_000), name="Deep")
    assert pages_drawn == []


def test_a_document_within_the_deadline_is_drawn_and_the_alarm_left_alone(pages_drawn):
    pdf = rendering.html_to_pdf(document("<p>one</p>"), name="Short")

    assert pdf.startswith(b"%PDF")
    assert len(pages_drawn) == 1
    assert signal.getsignal(signal.SIGALRM) is signal.SIG_DFL
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_outside_the_main_thread_the_budget_still_holds(drawings, context):
    # No signal reaches a thread (runserver, Celery's threads pool): the budget is what holds.
    outcome = {}

    def build():
        try:
            build_attachment(AttachmentTemplate(name="T", html=UNCLOSED), context, PASSWORD)
        except AttachmentError as exc:
            outcome["error"] = exc
        outcome["pdf"] = rendering.html_to_pdf(document("<p>fine</p>"), name="Fine")

    thread = threading.Thread(target=build)
    thread.start()
    thread.join(60)
    assert isinstance(outcome["error"], DocumentTooComplex)
    assert outcome["pdf"].startswith(b"%PDF")


def test_someone_elses_alarm_is_left_alone(pages_drawn):
    def theirs(signum, frame):
        raise AssertionError("not ours to fire")

    previous = signal.signal(signal.SIGALRM, theirs)
    try:
        pdf = rendering.html_to_pdf(document("<p>one</p>"), name="Short")
        assert signal.getsignal(signal.SIGALRM) is theirs
    finally:
        signal.signal(signal.SIGALRM, previous)
    assert pdf.startswith(b"%PDF")
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)  # no timer was armed
