"""The public API of `attachments`: everything another app may import from it (the import
contracts in `.importlinter` hold `messaging` to this module).

    password = document_password(template, context=context, token=order.token)
    attachment = build_attachment(template, context, password)
    email.attach(attachment.filename, attachment.content, attachment.mimetype)

Template errors raise `stafftemplates.errors.StaffTemplateError`; everything else that stops a
document being built raises `AttachmentError`.
"""

from .errors import AttachmentError, AttachmentTooLarge
from .isolation import preview_attachment, preview_pages
from .page_images import pages_html
from .passwords import PASSWORD_BITS, document_password, generated_password
from .preview import (
    PreviewPassword,
    PreviewRefused,
    PreviewSource,
    can_reveal_password,
    check_order_number,
    context_variables,
    find_source,
    preview_password,
    sample_source,
)
from .rendering import Attachment, build_attachment, render_filename, warm_up

__all__ = [
    "PASSWORD_BITS",
    "Attachment",
    "AttachmentError",
    "AttachmentTooLarge",
    "PreviewPassword",
    "PreviewRefused",
    "PreviewSource",
    "build_attachment",
    "can_reveal_password",
    "check_order_number",
    "context_variables",
    "document_password",
    "find_source",
    "generated_password",
    "pages_html",
    "preview_attachment",
    "preview_pages",
    "preview_password",
    "render_filename",
    "sample_source",
    "warm_up",
]
