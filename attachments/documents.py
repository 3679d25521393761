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
from .rendering import Attachment, build_attachment, safe_filename

__all__ = [
    "PASSWORD_BITS",
    "Attachment",
    "AttachmentError",
    "AttachmentTemplateError",
    "AttachmentTooLarge",
    "build_attachment",
    "document_password",
    "generated_password",
    "password_guess_space",
    "safe_filename",
]
