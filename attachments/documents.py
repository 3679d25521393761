"""The public API of `attachments`: what other apps import (and nothing else).

attachment = build_attachment(template, context, document_password(template, ...))
message.attach(attachment.filename, attachment.content, attachment.mimetype)
"""

from .engine import AttachmentError, AttachmentTemplateError, AttachmentTooLarge
from .passwords import (
    PASSWORD_BITS,
    document_password,
    generated_password,
    password_guess_space,
)
from .preview import can_reveal_password
from .rendering import Attachment, build_attachment, render_filename, safe_filename, warm_up

__all__ = [
    "PASSWORD_BITS",
    "Attachment",
    "AttachmentError",
    "AttachmentTemplateError",
    "AttachmentTooLarge",
    "build_attachment",
    "can_reveal_password",
    "document_password",
    "generated_password",
    "password_guess_space",
    "render_filename",
    "safe_filename",
    "warm_up",
]
