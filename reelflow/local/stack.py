"""The embedded AWS plus the local gateway, started together: what `run`, `demo` and `serve` stand on."""

from collections.abc import Callable
from pathlib import Path

from functions.services.sweep import SweepReport
from reelflow.local import expiry
from reelflow.local.children import stop_children
from reelflow.local.cloud import ACCOUNT, REGION, LocalCloud, LocalSettings
from reelflow.local.gateway import Gateway
from reelflow.local.sweeper import Sweeper, interval_from_env, recover_lost_executions
from reelflow.local.websocket_limits import ConnectionLimits


class LocalStack:
    """The embedded AWS plus the local gateway, started together."""

    def __init__(
        self,
        work_dir: Path,
        port: int = 0,
        moto_port: int = 0,
        data_dir: Path | None = None,
        tuning: Callable[[LocalSettings], LocalSettings] | None = None,
    ) -> None:
        settings = LocalSettings(work_dir=work_dir, data_dir=data_dir)
        self.cloud = LocalCloud(tuning(settings) if tuning else settings, port=moto_port)
        self.gateway = Gateway(port=port, connection_limits=ConnectionLimits.from_env())
        self.sweeper = Sweeper(interval_from_env())
        self.reaper: expiry.Reaper | None = None
        self.recovered: SweepReport | None = None

    def __enter__(self) -> "LocalStack":
        self.cloud.start()
        if self.cloud.settings.data_dir is not None:
            self.recovered = recover_lost_executions()  # batches kept from a previous process
        self.gateway.start()
        self.sweeper.start()
        self.reaper = expiry.Reaper(ACCOUNT, REGION, expiry.interval_from_env()).start()
        return self

    def __exit__(self, *_: object) -> None:
        self.sweeper.stop()
        if self.reaper is not None:
            self.reaper.stop()
        # Nothing a handler cut short writes after this reaches the data folder; no ffmpeg outlives us.
        self.cloud.detach_store()
        stop_children()
        self.gateway.stop()
        self.cloud.stop()
