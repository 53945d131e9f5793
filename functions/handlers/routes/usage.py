"""Usage route (seed 5.5): the caller's videos and minutes processed and success rate per period."""

from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query

from functions.domain.usage import Period, UsageReport
from functions.handlers.http import BEARER, caller_of, responses_for
from functions.services import usage
from functions.services.context import services

router = Router()  # type: ignore[no-untyped-call]


@router.get(
    "/api/usage",
    summary="Your usage per day (last 7), week (last 8) or month (last 6), newest first",
    security=BEARER,
    responses=responses_for(UsageReport),
)
def get_usage(period: Annotated[Period, Query()] = "week") -> UsageReport:
    return usage.get_usage(services(), caller_of(router.current_event), period)
