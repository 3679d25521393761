from django.apps import AppConfig


class InboxConfig(AppConfig):
    """The development mail catcher: a capture email backend and the `/dev/inbox/` pages.

    Optional: a production deployment leaves it out of `INSTALLED_APPS` (and points
    `EMAIL_BACKEND` at its ESP); nothing else imports it.
    """

    name = "inbox"
    verbose_name = "Dev inbox"
