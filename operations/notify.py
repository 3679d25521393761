"""Alert emails: through `ALERT_EMAIL_BACKEND`, never the ESP that may be the thing down."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.urls import reverse

from .models import AlertEvent
from .rules import TITLES, duration

SUBJECT_PREFIX = "[Sealpost alert] "
NO_RECIPIENTS = "MESSAGING_ALERT_EMAILS is empty"


def alert_subject(event: AlertEvent) -> str:
    state = {"firing": "FIRING", "reminder": "STILL FIRING", "resolved": "RESOLVED"}[event.kind]
    return f"{SUBJECT_PREFIX}{state}: {TITLES.get(event.rule, event.rule)}"


def alert_body(event: AlertEvent) -> str:
    """Counts and ids only (the rule's summary); where to look next."""
    lines = [
        f"Rule: {TITLES.get(event.rule, event.rule)} ({event.rule})",
        f"State: {event.get_kind_display()} at {event.occurred_at:%Y-%m-%d %H:%M:%S %Z}",
        "",
        event.summary,
        "",
        f"Delivery health: {reverse('operations:delivery_health')} in the back office.",
    ]
    if event.kind == AlertEvent.Kind.FIRING:
        lines.append(
            f"You get a reminder every {duration(settings.ALERT_REPEAT_MINUTES)} while it fires, "
            "and an email when it clears."
        )
    failed = (
        AlertEvent.objects.exclude(email_error="")
        .exclude(pk=event.pk)
        .filter(occurred_at__lt=event.occurred_at)
        .count()
    )
    if failed:
        lines.append(f"{failed} earlier alert emails could not be sent (see Delivery health).")
    return "\n".join(lines) + "\n"


def send_alert_email(*, event: AlertEvent) -> str:
    """Send the event's email; returns "" when sent, else why not (a class name, no text)."""
    recipients = list(settings.MESSAGING_ALERT_EMAILS)
    if not recipients:
        return NO_RECIPIENTS
    try:
        connection = get_connection(
            settings.ALERT_EMAIL_BACKEND,
            fail_silently=False,
            timeout=settings.ALERT_EMAIL_TIMEOUT,
        )
        EmailMessage(
            subject=alert_subject(event),
            body=alert_body(event),
            from_email=settings.SERVER_EMAIL,
            to=recipients,
            connection=connection,
        ).send()
    except Exception as exc:
        # Whatever the backend raised: the alert is recorded either way, and the error text
        # could quote addresses, so only its class is kept.
        return f"the alert email backend failed ({type(exc).__name__})"
    return ""
