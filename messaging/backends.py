"""Deprecated location of the development capture backend, kept so that an existing
`EMAIL_BACKEND=messaging.backends.CaptureEmailBackend` keeps working: it moved to the `inbox`
app (`inbox.backends.CaptureEmailBackend`), which must then be installed."""


def __getattr__(name: str):
    # Imported on use only: `messaging` works without the dev inbox installed.
    if name == "CaptureEmailBackend":
        from inbox.backends import CaptureEmailBackend

        return CaptureEmailBackend
    raise AttributeError(name)
