"""The local stand-in for the EventBridge rule that runs the sweep every minute: a timer thread calling
the same handler (functions/handlers/sweep.py), and, for `reelflow serve` on a kept data folder, one
recovery pass at start: Step Functions executions do not survive the process, so every batch found
`processing` or `paused` lost its execution and is resumed with a new one (or failed with a reason)."""

from datetime import UTC, datetime
from typing import Any

from functions import deployment
from functions.services.context import services
from functions.services.sweep import SweepReport, sweep
from reelflow.local.access_control import acting_as
from reelflow.local.env_seconds import seconds_from_env
from reelflow.local.invoker import LocalLambdaContext, identity_for
from reelflow.local.ticker import Ticker

INTERVAL_ENV = "REELFLOW_SWEEP_INTERVAL_SECONDS"
DEFAULT_INTERVAL_SECONDS = 60.0


def interval_from_env() -> float:
    return seconds_from_env(INTERVAL_ENV, DEFAULT_INTERVAL_SECONDS)


def scheduled_event() -> dict[str, Any]:
    """What an EventBridge schedule delivers."""
    return {
        "version": "0",
        "id": "local-sweep",
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": "123456789012",
        "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": "us-east-1",
        "resources": [],
        "detail": {},
    }


def recover_lost_executions() -> SweepReport:
    """Every running batch lost its execution with the previous process: recover or settle each."""
    with acting_as(identity_for(deployment.SWEEP.handler)):
        return sweep(services(), executions_lost=True)


class Sweeper(Ticker):
    """Invokes the sweep function's handler every `interval_seconds`, as its schedule would."""

    thread_name = "reelflow-sweep"
    failure = "Local sweep failed"

    def tick(self) -> None:
        from functions.handlers.sweep import handler

        with acting_as(identity_for(deployment.SWEEP.handler)):
            handler(scheduled_event(), LocalLambdaContext(function_name=deployment.SWEEP.slug))
