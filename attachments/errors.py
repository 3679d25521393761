"""The attachments app's exceptions (one module, so the engine and its limits share them)."""


class AttachmentError(Exception):
    """Base class: an attachment could not be built."""


class AttachmentTemplateError(AttachmentError):
    """A staff template does not compile or does not render."""


class AttachmentTooLarge(AttachmentError):
    """The built attachment exceeds `settings.ATTACHMENT_MAX_BYTES` (counted after base64)."""
