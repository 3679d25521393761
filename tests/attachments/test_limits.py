"""Every staff render is bounded: time, output size, and the widths filters may allocate."""

import threading

import pytest
from django.urls import reverse

from attachments.api import build_attachment, document_password
from attachments.models import AttachmentTemplate, PasswordPolicy
from stafftemplates.engine import render_template
from stafftemplates.errors import StaffTemplateError, TemplateLimitExceeded
from tests.factories import EventTypeFactory

from .conftest import PASSWORD, decrypted_text

# A million iterations of nothing: three nested loops over 100 characters each.
HUNDRED = '"' + "x" * 100 + '"'
MILLION_LOOPS = (
    f"{{% for a in {HUNDRED} %}}{{% for b in {HUNDRED} %}}{{% for c in {HUNDRED} %}}"
    "{% endfor %}{% endfor %}{% endfor %}"
)


@pytest.fixture
def short_limit(settings):
    settings.STAFF_TEMPLATE_TIME_LIMIT = 0.2
    return settings


def test_nested_loops_stop_at_the_time_limit_with_a_clear_error(short_limit):
    # Finishing the million loops would return text; only the limit ends them with this error.
    with pytest.raises(TemplateLimitExceeded, match=r"HTML body took longer than 0.2 s"):
        render_template(MILLION_LOOPS, {}, label="HTML body")


class SteppingClock:
    """A clock that moves 1 ms each time it is read: the time limit then counts budget
    checks, not seconds, whatever else the machine is doing."""

    def __init__(self) -> None:
        self.reads = 0

    def monotonic(self) -> float:
        self.reads += 1
        return self.reads / 1000


def test_the_time_limit_holds_in_a_worker_thread(short_limit, monkeypatch):
    # Celery and web servers render outside the main thread, where no alarm signal arrives:
    # the checks are cooperative, so they must run from the loop itself, in any thread.
    clock = SteppingClock()
    monkeypatch.setattr("stafftemplates.limits.time", clock)
    outcome = {}

    def render():
        try:
            # One loop: the loop tag's own check runs once, the iterations must check too.
            source = "{% for n in numbers %}{% endfor %}done"
            outcome["output"] = render_template(
                source, {"numbers": range(1_000_000)}, label="subject"
            )
        except TemplateLimitExceeded as exc:
            outcome["error"] = str(exc)

    thread = threading.Thread(target=render)
    thread.start()
    thread.join(60)
    assert "subject took longer" in outcome["error"]
    # 0.2 s at 1 ms a check: stopped after about 200 of the million iterations.
    assert clock.reads < 400


@pytest.mark.parametrize(
    "source",
    [
        '{{ "x"|ljust:"200000000" }}',
        '{{ "x"|rjust:"200000000" }}',
        '{{ "x"|center:"200000000" }}',
        '{{ 1|stringformat:"0500000000d" }}',
        '{{ 1|stringformat:".500000000f" }}',
        '{{ 1.5|floatformat:"100000" }}',
        '{{ "1e999999"|floatformat }}',
    ],
)
def test_huge_widths_are_refused_before_anything_is_allocated(source):
    with pytest.raises(TemplateLimitExceeded, match="file name asks"):
        render_template(source, {}, label="file name", autoescape=False)


def test_reasonable_widths_still_format():
    source = '[{{ "ab"|ljust:"5" }}][{{ 7|stringformat:"03d" }}][{{ 2.456|floatformat:2 }}]'
    assert render_template(source, {}, autoescape=False) == "[ab   ][007][2.46]"


def test_output_is_capped(settings):
    settings.STAFF_TEMPLATE_MAX_OUTPUT = 10_000
    # 100 × 100 × 1,000 characters of text: 10 MB from a 1 KB template, without any filter.
    text = "y" * 1000
    source = (
        f"{{% for a in {HUNDRED} %}}{{% for b in {HUNDRED} %}}{text}{{% endfor %}}{{% endfor %}}"
    )
    with pytest.raises(TemplateLimitExceeded, match="HTML body produced more than 10,000"):
        render_template(source, {}, label="HTML body")


def test_doubling_through_with_stops_at_the_cap(settings):
    settings.STAFF_TEMPLATE_MAX_OUTPUT = 10_000
    source = '{% with a="xxxxxxxxxxxxxxxx" %}'
    for name in "bcdefghijklmnopqrstu":
        source += f"{{% with {name}=a|add:a %}}{{% with a={name} %}}"
    with pytest.raises(TemplateLimitExceeded, match="produced more than"):
        render_template(source + "{{ a|length }}" + "{% endwith %}" * 41, {})


def test_join_is_measured_before_it_is_built(settings):
    settings.STAFF_TEMPLATE_MAX_OUTPUT = 10_000
    separator = "z" * 1000
    source = f'{{{{ letters|join:"{separator}" }}}}'
    with pytest.raises(TemplateLimitExceeded, match="produced more than"):
        render_template(source, {"letters": list("abcdefghijklmnopqrstuvwxyz")})


def test_an_ordinary_document_renders_well_within_the_limits(receipt_template, context):
    context["lines"] = context["lines"][1:2] * 200

    attachment = build_attachment(receipt_template, context, PASSWORD)

    text = decrypted_text(attachment.content, PASSWORD)
    assert text.count(context["lines"][0]["product"]) == 200


def test_a_document_over_the_limit_names_its_template(short_limit, context):
    template = AttachmentTemplate(name="Invoice", html=MILLION_LOOPS)
    with pytest.raises(StaffTemplateError, match=r"“Invoice”.*took longer"):
        build_attachment(template, context, PASSWORD)


def test_a_password_expression_is_bounded(short_limit, context):
    template = AttachmentTemplate(
        name="Invoice",
        html="<p>x</p>",
        password_policy=PasswordPolicy.TEMPLATE,
        password_template=MILLION_LOOPS + "{{ customer.postal_code }}",
    )
    with pytest.raises(TemplateLimitExceeded, match=r"password expression.*took longer"):
        document_password(template, context=context, token="t")


def test_a_file_name_is_bounded(context):
    template = AttachmentTemplate(
        name="Invoice", html="<p>x</p>", filename_template='{{ "x"|ljust:"99999999" }}'
    )
    with pytest.raises(TemplateLimitExceeded, match="file name"):
        build_attachment(template, context, PASSWORD)


def test_admin_refuses_on_save_a_document_over_the_limits(admin_client, short_limit, db):
    response = admin_client.post(
        reverse("admin:attachments_attachmenttemplate_add"),
        {
            "name": "Runaway",
            "language": "en",
            "event_type": EventTypeFactory().pk,
            "active": "on",
            "html": MILLION_LOOPS,
            "css": "",
            "filename_template": '{{ 1|stringformat:"0500000000d" }}.pdf',
            "password_policy": "generated",
            "password_template": "",
            "revisions-TOTAL_FORMS": "0",
            "revisions-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "took longer than 0.2 s to render" in page
    assert "asks “stringformat” for a width of 500,000,000" in page
    assert not AttachmentTemplate.objects.filter(name="Runaway").exists()


def test_expensive_text_filters_refuse_a_huge_input_before_starting(monkeypatch):
    # Under the output cap, one truncatewords_html call on this ran for 24 s in one go.
    source = (
        '{% with t="x"|center:"999"|make_list|join:"<b>a</b> <i>b</i> <u>c</u> " %}'
        "{{ t|truncatewords_html:999 }}{% endwith %}"
    )
    assert render_template('{{ "a b c"|truncatewords_html:2 }}', {}, label="x") == "a b …"
    started = []
    monkeypatch.setattr(
        "django.template.defaultfilters.Truncator", lambda value: started.append(value)
    )

    with pytest.raises(
        TemplateLimitExceeded, match=r"gives “truncatewords_html” [\d,]+ characters"
    ):
        render_template(source, {}, label="HTML body")
    assert started == []  # refused before Django's truncation began
