"""The one error type of staff-written templates, and its kinds.

Every failure of a staff template — it does not compile, it breaks a render limit, it renders
an address the project refuses, it was handed a context that is not plain values — raises a
`StaffTemplateError`. Emails and documents share it: the delivery engine records any of them
as a permanent "Template error", admin shows its text on save or in a preview.
"""


class StaffTemplateError(Exception):
    """A staff template does not compile or does not render: a permanent failure."""


class TemplateLimitExceeded(StaffTemplateError):
    """A staff template ran too long or produced too much: it is refused, not retried."""


class TemplateRefused(StaffTemplateError):
    """A rendered template points somewhere the project does not allow (a remote host)."""
