"""The usage page's use case: one Query of the caller's batches created since the oldest period shown."""

from functions.domain.usage import Period, UsageReport, usage_report, windows
from functions.observability import tracer
from functions.services.batches import Caller
from functions.services.context import Services


@tracer.capture_method
def get_usage(ctx: Services, caller: Caller, period: Period) -> UsageReport:
    now = ctx.clock()
    since = windows(period, now)[-1].start
    return usage_report(caller.tier, period, now, ctx.batches.list_for_user_since(caller.user_id, since))
