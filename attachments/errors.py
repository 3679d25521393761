"""The attachments app's own exceptions: a document could not be built.

A template that does not compile or render raises `stafftemplates.errors.StaffTemplateError`
instead, the same error emails raise.
"""


class AttachmentError(Exception):
    """Base class: an attachment could not be built (drawing, encryption, size)."""


class AttachmentTooLarge(AttachmentError):
    """The built attachment exceeds `settings.ATTACHMENT_MAX_BYTES` (counted after base64)."""
