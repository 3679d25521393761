"""Beat's operations tasks: the health check (relay queue), the daily retention purge and the
hourly deletion of expired sessions."""

from celery import shared_task

from . import alerting, retention


@shared_task(name="operations.check_delivery_health", ignore_result=True)
def check_delivery_health() -> None:
    """Evaluate the alert rules, record transitions and send the emails due."""
    alerting.check_delivery_health()


# A first purge of a large backlog can take minutes; each chunk commits on its own, so a run
# cut short by the limit is simply continued by the next one.
@shared_task(
    name="operations.purge_messages", ignore_result=True, soft_time_limit=1700, time_limit=1800
)
def purge_messages() -> None:
    """Anonymise messages past `MESSAGING_RETENTION_DAYS`; trim the dev inbox."""
    retention.purge_messages()


@shared_task(name="operations.clear_expired_sessions", ignore_result=True)
def clear_expired_sessions() -> None:
    """Delete expired sessions: a checkout left half-way holds a name and an address."""
    retention.clear_expired_sessions()
