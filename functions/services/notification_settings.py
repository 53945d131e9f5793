"""Use case: a user opts in to e-mails about their finished batches (an SNS e-mail subscription whose
filter policy only lets their own user id through; SNS asks the address to confirm and every e-mail
carries an unsubscribe link, which is how a user opts out)."""

from typing import Protocol

from functions.domain.errors import DomainError
from functions.observability import tracer


class EmailSubscriber(Protocol):
    def subscribe_email(self, email: str, user_id: str) -> str:
        """The subscription's ARN ("pending confirmation" until the address confirms)."""
        ...


class NotificationsUnavailable(DomainError):
    title = "E-mail notifications are not configured"
    http_status = 409


@tracer.capture_method
def opt_in_email(subscriber: EmailSubscriber | None, user_id: str, email: str) -> str:
    if subscriber is None:
        raise NotificationsUnavailable("This deployment has no notification topic")
    return subscriber.subscribe_email(email, user_id)
