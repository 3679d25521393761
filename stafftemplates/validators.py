"""What every staff template must satisfy before it is saved, in one place.

* it compiles (`validate_template_syntax`, and `RevisionedModel.save` for every save);
* it stays within the render limits on the sample order (`validate_template_syntax`);
* a stylesheet cannot close its `<style>` element (`validate_stylesheet`);
* no template data inside an address, and in emails only allowed hosts (`*_url_problems`);
* a From or Reply-To is one address the ESP can parse (`validate_sender`).

Models use these as field validators and in `clean()`; admin forms get them through the
models, so a command, a migration and a form all apply the same rules.
"""

from __future__ import annotations

from anymail.exceptions import AnymailInvalidAddress
from anymail.utils import parse_single_address
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail.message import sanitize_address
from django.core.validators import validate_email
from django.utils.module_loading import import_string

from .engine import render_template, syntax_error_message
from .errors import StaffTemplateError, TemplateLimitExceeded
from .template_urls import stylesheet_url_problems, template_url_problems

STYLESHEET_ERROR = "The stylesheet cannot contain “</style”."


def sample_context() -> dict:
    """The sample order's flat context, from the callable the project names in
    `STAFF_TEMPLATE_SAMPLE` (it returns `(context, token)`): this app never imports the shop.
    Without one, empty: the limits are then tried on each event type's example when the type
    is saved (`EventType.template_problems`), and on real data when a message renders."""
    if not (sample := getattr(settings, "STAFF_TEMPLATE_SAMPLE", "")):
        return {}
    context, _token = import_string(sample)()
    return context


def limit_error_message(source: str) -> str | None:
    """Why `source` breaks the render limits on the sample order, or None when it does not.

    Run on save so staff see a runaway loop or a huge width in the form; data bigger than
    the sample can still hit a limit later, and then the message fails with the same text.
    """
    try:
        render_template(source, sample_context(), label="template")
    except TemplateLimitExceeded as exc:
        return f"{exc} (tried on the demo sample)"
    except StaffTemplateError:
        return None  # other render errors depend on the data: the preview shows them
    return None


def validate_template_syntax(source: str) -> None:
    """A model/form field validator: raise `ValidationError` naming the line of a syntax error,
    or saying which render limit the template exceeds on the sample order."""
    message = syntax_error_message(source)
    if message:
        raise ValidationError(message, code="template_syntax")
    message = limit_error_message(source)
    if message:
        raise ValidationError(message, code="template_limit")


def stylesheet_error_message(css: str) -> str | None:
    """Why a stylesheet cannot go inside `<style>`, or None."""
    return STYLESHEET_ERROR if "</style" in (css or "").lower() else None


def validate_stylesheet(css: str) -> None:
    """The stylesheet goes inside `<style>`: it must not be able to close that element."""
    if message := stylesheet_error_message(css):
        raise ValidationError(message, code="stylesheet")


def document_html_problems(source: str) -> list[str]:
    """A document fetches nothing remote, but an address built from customer data would still
    be one click away in the reader: no template data inside an address."""
    return template_url_problems(source or "", allowed_hosts=None)


def email_html_problems(source: str) -> list[str]:
    """Problems with the addresses in an email's HTML template (body, layout header/footer)."""
    return template_url_problems(source or "", allowed_hosts=settings.EMAIL_ALLOWED_URL_HOSTS)


def email_stylesheet_problems(css: str) -> list[str]:
    """Problems with the addresses in an email's stylesheet (`url()`, `@import`)."""
    return stylesheet_url_problems(css or "", allowed_hosts=settings.EMAIL_ALLOWED_URL_HOSTS)


def validate_sender(value: str) -> None:
    """A From or Reply-To value: one address, `orders@example.com` or `Shop <orders@…>`.

    Checked when staff save, because a value the ESP or the SMTP library cannot parse fails
    every email of the template, retried until the attempts run out.
    """
    if not value:
        return
    example = "Use orders@example.com or Nordic Goods <orders@example.com>."
    if "\n" in value or "\r" in value:
        raise ValidationError(f"An address fits on one line. {example}", code="sender")
    try:
        parsed = parse_single_address(value)
        sanitize_address(value, "utf-8")  # what Django's SMTP backend does with it
        validate_email(parsed.addr_spec)
    except (AnymailInvalidAddress, ValueError, IndexError, ValidationError):
        raise ValidationError(
            f"“{value}” is not a single email address. {example}", code="sender"
        ) from None


def sender_problems(value: str) -> list[str]:
    """`validate_sender` as a list of messages (empty: fine)."""
    try:
        validate_sender(value or "")
    except ValidationError as exc:
        return exc.messages
    return []
