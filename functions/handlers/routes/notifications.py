"""Notification settings: opt in to an e-mail for each of your finished batches."""

from aws_lambda_powertools.event_handler.api_gateway import Router
from pydantic import BaseModel, ConfigDict, Field

from functions.adapters.notifications import BatchNotifications
from functions.handlers.http import BEARER, caller_of, responses_for
from functions.services import notification_settings
from functions.services.context import services

router = Router()  # type: ignore[no-untyped-call]
EMAIL = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


class EmailOptIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: str = Field(pattern=EMAIL, max_length=254, description="Where finished-batch e-mails go.")


class EmailOptedIn(BaseModel):
    email: str
    subscription: str = Field(description="'pending confirmation' until the address confirms SNS's e-mail.")


@router.put(
    "/api/me/notifications",
    summary="Opt in to an e-mail when each of your batches completes, fails or is cancelled",
    security=BEARER,
    responses=responses_for(EmailOptedIn, 409, body=True),
)
def opt_in(request: EmailOptIn) -> EmailOptedIn:
    caller = caller_of(router.current_event)
    topic = services().config.notification_topic_arn
    subscriber = BatchNotifications(topic_arn=topic) if topic else None
    subscription = notification_settings.opt_in_email(subscriber, caller.user_id, request.email)
    return EmailOptedIn(email=request.email, subscription=subscription)
