"""Local mode's stand-in for the drop folder's EventBridge schedule: a timer thread that invokes the sweep
function (through moto's Lambda, as the schedule would) every `interval` seconds."""

from typing import Any

from reelflow.local.ticker import Ticker


class DropSweeper(Ticker):
    thread_name = "drop-folder-sweep"
    failure = "drop folder sweep failed"

    def __init__(self, lambda_client: Any, function_arn: str, interval: float) -> None:
        super().__init__(interval)
        self.client = lambda_client
        self.function_arn = function_arn

    def tick(self) -> None:
        self.client.invoke(FunctionName=self.function_arn, Payload=b"{}")
