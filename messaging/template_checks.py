"""What a message template or layout must satisfy beyond compiling, checked when staff save
(admin forms) and when they restore a revision: addresses the ESP can parse, and HTML that
carries no template data into an address and points only at allowed hosts."""

from __future__ import annotations

from stafftemplates.validators import (
    email_html_problems,
    email_stylesheet_problems,
    sender_problems,
)


def message_template_errors(*, html_body: str, from_email: str, reply_to: str) -> dict:
    """Field → messages, empty when the content is fine."""
    errors = {
        "html_body": email_html_problems(html_body),
        "from_email": sender_problems(from_email),
        "reply_to": sender_problems(reply_to),
    }
    return {field: messages for field, messages in errors.items() if messages}


def layout_errors(*, html_header: str, html_footer: str, css: str) -> dict:
    """Field → messages, empty when the layout is fine."""
    errors = {
        "html_header": email_html_problems(html_header),
        "html_footer": email_html_problems(html_footer),
        "css": email_stylesheet_problems(css),
    }
    return {field: messages for field, messages in errors.items() if messages}
