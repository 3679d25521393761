"""ESP tracking webhooks: only the configured ESP's, authenticated, bad input a 400, per-IP limit.

Anymail ships a view for every ESP and accepts unauthenticated events when no secret is set.
Here, `/webhooks/anymail/<esp>/tracking/` answers only for the ESP of `EMAIL_BACKEND`
(`anymail.backends.postmark.EmailBackend` → `postmark`); every other ESP's URL, every inbound
URL and, with a non-ESP backend (the development capture backend, SMTP), every webhook URL is a
404. A request is refused (403) while the ESP's webhook has no authentication configured:
`ANYMAIL_WEBHOOK_SECRET` (basic auth), or the ESP's own signing key where Anymail verifies
signatures (e.g. `ANYMAIL_MAILGUN_WEBHOOK_SIGNING_KEY`). `config.checks` fails the production
gate for the same reason, so this refusal is the last line, not the first.

A body that is not what the ESP sends (not JSON, a missing field, an event without the ESP's
message id, or with a NUL byte in it) is the sender's error: a 400, never a 500 (an ESP retries
a 500 for days). Errors recording a valid event stay 500s, so the ESP retries those; a NUL in
the text of a valid event is replaced (`messaging.tracking.without_nul`), so it is recorded.
"""

import functools
import time
import warnings
from contextlib import contextmanager

from anymail import urls as anymail_urls
from anymail.exceptions import AnymailInsecureWebhookWarning
from django.conf import settings
from django.core.exceptions import BadRequest, ImproperlyConfigured
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt

from sealpost_ratelimits import Rate, seconds_to_wait

ANYMAIL_BACKENDS = "anymail.backends."


def configured_esp() -> str | None:
    """The ESP whose tracking webhook is mounted: `postmark` for Anymail's Postmark backend,
    None for any backend that is not an Anymail ESP (nothing would ever call a webhook)."""
    module = settings.EMAIL_BACKEND.rpartition(".")[0]
    if not module.startswith(ANYMAIL_BACKENDS):
        return None
    esp = module.removeprefix(ANYMAIL_BACKENDS)
    return esp if tracking_view_class(esp) is not None else None


@functools.cache
def tracking_view_class(esp: str):
    """Anymail's tracking view for `esp` (None when it has none, e.g. the test backend)."""
    for pattern in anymail_urls.urlpatterns:
        if pattern.name == f"{esp}_tracking_webhook":
            return pattern.callback.view_class
    return None


def tracking_url(esp: str) -> str:
    return reverse("anymail_tracking", kwargs={"esp": esp})


def is_authenticated(esp: str) -> bool:
    """Whether Anymail will refuse an event without the secret: basic auth is configured, or
    the view verifies the ESP's signature (it then says basic auth is not needed, and refuses to
    start without its key)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AnymailInsecureWebhookWarning)
        try:
            view = tracking_view_class(esp)()
        except ImproperlyConfigured:  # e.g. Mailgun with neither signing key nor API key
            return False
    return bool(view.basic_auth) or not view.warn_if_no_basic_auth


@contextmanager
def _payload_errors_are_bad_requests():
    try:
        yield
    except (
        ValueError,
        LookupError,
        TypeError,
        AttributeError,
        RecursionError,
        ImproperlyConfigured,
    ) as exc:
        # ValueError covers invalid JSON and undecodable bytes; RecursionError JSON nested
        # deeper than the parser recurses; the rest a payload of the wrong shape (Anymail calls
        # an inbound email posted here a configuration error). The text is not echoed: it may
        # quote the payload.
        raise BadRequest("Malformed webhook payload.") from exc


@functools.cache
def _strict_view(view_class):
    """`view_class` with payload errors in validation and parsing turned into 400s."""

    class StrictTrackingView(view_class):
        def run_validators(self, request):
            with _payload_errors_are_bad_requests():
                super().run_validators(request)

        def parse_events(self, request):
            with _payload_errors_are_bad_requests():
                # Some ESPs parse lazily: read every event before the first is recorded.
                events = list(super().parse_events(request))
            if any(not event.message_id for event in events):
                # The ESP's message id is in every event it sends about an email; one without
                # it is about nothing we sent.
                raise BadRequest("Webhook event without the ESP's message id.")
            if any("\x00" in str(event.message_id) for event in events):
                # No id an ESP gave us holds a NUL, and PostgreSQL refuses one in a query.
                raise BadRequest("Webhook event with a NUL byte in the ESP's message id.")
            return events

    StrictTrackingView.__name__ = f"Strict{view_class.__name__}"
    return StrictTrackingView.as_view()


def client_ip(request: HttpRequest) -> str:
    """REMOTE_ADDR: the proxy's address behind a proxy, which then limits all webhook traffic
    together (it all comes from the ESP anyway); never a header a client could forge."""
    return request.META.get("REMOTE_ADDR", "")


def over_rate_limit(request: HttpRequest) -> bool:
    """A fixed one-minute window per client IP, counted in the default cache (per process
    unless CACHES points at a shared cache) by the project's shared counter
    (sealpost_ratelimits.py). `WEBHOOK_RATE_LIMIT` 0 turns it off. An unreachable cache (often
    the broker's Redis, down) must not lose the ESP's events: the count is skipped,
    authenticated requests are still checked below."""
    limit = settings.WEBHOOK_RATE_LIMIT
    if not limit:
        return False
    limits = [("webhook", client_ip(request), Rate(limit, 60))]
    return bool(seconds_to_wait(limits, now=time.time()))


@csrf_exempt
def tracking_webhook(request: HttpRequest, esp: str) -> HttpResponse:
    """Anymail's tracking view for the configured ESP, behind the checks above."""
    if esp != configured_esp():
        raise Http404("No such webhook.")
    if over_rate_limit(request):
        response = HttpResponse("Too many requests.", status=429, content_type="text/plain")
        response["Retry-After"] = "60"
        return response
    if not is_authenticated(esp):
        return HttpResponse(
            "Webhook authentication is not configured.", status=403, content_type="text/plain"
        )
    return _strict_view(tracking_view_class(esp))(request)
