"""`reelflow simulate`: the service's capacity under thousands of creators, on a simulated clock.

It drives the real use cases on the in-memory stores (`create_batch`, `release_batches`, `start_batch`,
the fair queue's `admit_waiting` with the caps read from the capacity item, `begin_video`,
`finish_video`, `complete_batch`), and simulates only what ffmpeg, Transcribe and Step Functions would
take: each video's processing time, from its media length and its route (`routing.choose_route`, the
probing stage's rule: one Lambda, a Lambda render in parts, or Fargate). Batches arrive as a Poisson process;
each user is on one plan and asks for 3–50 videos (at most their plan's per-batch limit) of 1–60 minutes.

It reports throughput, time from start request to completion per plan, Jain's fairness index within each
plan (of each user's share of what they asked for: the time their batches would take on an empty service
over the time they took), the caps' highest values, the highest write rate on one partition key (every
write of the stores counted on each partition key it touches, base table and indexes, per simulated
second), and the cost per media minute at list prices (functions/domain/pricing.py).
"""

import argparse
import heapq
import math
import random
import statistics
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, Literal

from rich.console import Console

from functions.adapters import keys
from functions.domain.batch_cost import Footprint
from functions.domain.capacity import (
    NEW_ACCOUNT,
    RAISED_ACCOUNT,
    Capacity,
    derived_capacity,
    parts_at_once,
    with_overrides,
)
from functions.domain.enums import BatchStatus, ExportFormat, ExportQuality, Tier, UploadStatus
from functions.domain.models import BatchJob
from functions.domain.pipeline_contract import VideoRef
from functions.domain.pricing import Usage, cost_of
from functions.domain.quotas import limits_for
from functions.domain.routing import STITCH_SPEED, choose_route, estimated_render_seconds, part_count
from functions.domain.scheduling import batch_videos
from functions.domain.schemas import BatchJobCreate
from functions.observability import logger
from functions.services import batches
from functions.services.batch_lifecycle import begin_video, complete_batch, finish_video
from functions.services.batches import Caller
from functions.services.capacity import change_capacity
from functions.services.ingestion import release_batches
from reelflow.capacity_cli import CAPS
from reelflow.fakes.cloud import FakeWorkflow
from reelflow.fakes.container import fake_services

PLANS = (Tier.FREE, Tier.CREATOR, Tier.PRO)
TERMINAL = [s for s in BatchStatus if s.is_terminal]


@dataclass(frozen=True)
class Workload:
    users: int = 10_000
    hours: float = 24.0
    batches_per_user_per_day: float = 0.25
    plan_mix: tuple[float, float, float] = (0.70, 0.25, 0.05)  # free, creator, pro
    videos: tuple[int, int] = (3, 50)
    minutes: tuple[float, float] = (1.0, 60.0)
    share_1080p: float = 0.2  # batches asking for 1080p exports (the others 720p), from 1080p sources
    seed: int = 7


@dataclass(frozen=True)
class Speeds:
    """Simulated processing: seconds a video takes from its media length (no ffmpeg runs)."""

    lambda_media_x: float = 4.0  # media seconds per second, every stage on Lambda (one render)
    # The deploy's engine (infra/config.py `transcription`): faster-whisper on the Transcriber at this
    # speed (media seconds per second on its 2 vCPUs, measured in docs/media.md), or Transcribe minutes.
    transcription: Literal["whisper", "transcribe"] = "whisper"
    whisper_media_x: float = 6.0
    fargate_media_x: float = 3.0
    overhead_seconds: float = 20.0  # cold start, gate, downloads
    # A video routed to parts: the stages before the render at this speed (the one render's 4x less its
    # 720p render at 8x), then its pieces, `parts_at_once` at a time, each a Lambda with its own start,
    # then the stitch (routing.STITCH_SPEED).
    analysis_media_x: float = 8.0
    part_overhead_seconds: float = 5.0
    footprint: Footprint = field(default_factory=Footprint)  # memory, calls, transitions (batch_cost.py)
    bytes_per_media_minute: int = 8 * 1024**2  # 720p H.264 talk
    output_ratio: float = 0.7  # silence removed


class _Workflow(FakeWorkflow):
    """Step Functions as the simulation sees it: an execution that starts tells the simulation to run the
    batch's videos."""

    def __init__(self, state_machine_arn: str, started: Callable[[str], None]) -> None:
        super().__init__(state_machine_arn)
        self.started = started

    def start(self, name: str, payload: dict[str, Any]) -> str:
        arn = super().start(name, payload)
        self.started(str(payload["batch_id"]))
        return arn


@dataclass
class _Video:
    ref: VideoRef
    media_seconds: float
    processing_seconds: float
    fargate: bool
    lambda_slots: int = 1  # the media function's invocations it holds (a split render's parts at once)
    lambda_seconds: float = 0.0  # invocation seconds it bills (every part's)


@dataclass
class _Batch:
    id: str
    user: str
    tier: Tier
    requested_at: float
    videos: list[_Video]
    waiting: list[_Video] = field(default_factory=list)
    running: int = 0
    finished: int = 0


_OWNED = (keys.batch_pk(""), keys.user_pk(""), keys.video_pk(""))


class WriteMeter:
    """Writes per partition key per simulated second: the highest rate any one key takes."""

    def __init__(self, now: Callable[[], float]) -> None:
        self.now = now
        self.current: dict[str, tuple[int, int]] = {}
        self.peak = (0, "")
        self.shared_peak = (0, "")  # keys no single batch, user or video owns
        self.writes = 0

    def count(self, partitions: set[str]) -> None:
        second = int(self.now())
        for pk in partitions:
            last, n = self.current.get(pk, (second, 0))
            n = n + 1 if last == second else 1
            self.current[pk] = (second, n)
            self.writes += 1
            if n > self.peak[0]:
                self.peak = (n, pk)
            if not pk.startswith(_OWNED) and n > self.shared_peak[0]:
                self.shared_peak = (n, pk)


def _batch_partitions(batch: BatchJob | None) -> set[str]:
    """Every partition a write of the batch item touches: the table's and each index's."""
    if batch is None:
        return set()
    item = keys.batch_keys(batch)
    return {str(item[name]) for name in ("PK", "GSI1PK", "GSI2PK", "GSI3PK")}


_Partitions = Callable[[str, tuple[Any, ...], dict[str, Any], Any], set[str]]


class _Metered:
    """A store whose writes are counted on the partitions they touch (keys from functions/adapters/keys)."""

    def __init__(self, inner: Any, meter: WriteMeter, partitions: _Partitions) -> None:
        self._inner, self._meter, self._partitions = inner, meter, partitions

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._inner, name)
        if not callable(attribute) or name.startswith(("get", "list", "of_", "page", "count", "slot_counts")):
            return attribute

        def counted(*args: Any, **kwargs: Any) -> Any:
            result = attribute(*args, **kwargs)
            self._meter.count(self._partitions(name, args, kwargs, result))
            return result

        return counted


def _meter_stores(ctx: Any, meter: WriteMeter) -> None:
    batches_store = ctx.batches

    def batch_writes(name: str, args: tuple[Any, ...], kwargs: dict[str, Any], result: Any) -> set[str]:
        if name == "create":
            batch, members = args[0], args[1]
            return _batch_partitions(batch) | {keys.video_pk(m.video_id) for m in members}
        if name in {"transition", "update"} and isinstance(result, BatchJob):
            touched = _batch_partitions(result)
            if name == "transition" and (args[0].status is BatchStatus.PROCESSING) != (
                result.status is BatchStatus.PROCESSING
            ):
                touched |= {keys.user_slots_key(result.user_id)["PK"], keys.global_slots_key()["PK"]}
            return touched
        return {keys.batch_pk(str(args[0].id if hasattr(args[0], "id") else args[0]))}

    def member_writes(name: str, args: tuple[Any, ...], kwargs: dict[str, Any], result: Any) -> set[str]:
        batch_id, video_id = str(args[0]), str(args[1])
        touched = {keys.batch_pk(batch_id), keys.video_pk(video_id)}
        if kwargs.get("batch_add"):  # the batch's counters move in the same transaction
            touched |= _batch_partitions(batches_store.get(batch_id))
        return touched

    def video_writes(name: str, args: tuple[Any, ...], kwargs: dict[str, Any], result: Any) -> set[str]:
        first = args[0]
        if isinstance(first, str):
            return {keys.video_pk(first)}
        return {keys.video_pk(v.id) for v in first} if name == "put_many" else {keys.video_pk(first.id)}

    ctx.batches = _Metered(batches_store, meter, batch_writes)
    ctx.batch_videos = _Metered(ctx.batch_videos, meter, member_writes)
    ctx.videos = _Metered(ctx.videos, meter, video_writes)


@dataclass
class PlanFigures:
    batches: int
    unfinished: int
    p50_minutes: float
    p95_minutes: float
    max_minutes: float
    jain: float


@dataclass
class Report:
    capacity: Capacity
    workload: Workload
    batches: int
    videos: int
    videos_per_hour: float
    media_hours_per_hour: float
    plans: dict[Tier, PlanFigures]
    peaks: dict[str, int]
    caps_held: bool
    peak_key_writes_per_second: int
    peak_key: str
    peak_shared_key_writes_per_second: int
    peak_shared_key: str
    writes: int
    cost_per_media_minute: float
    cost_total: float

    def lines(self) -> Iterator[str]:
        c, w = self.capacity, self.workload
        yield (
            f"caps: running batches {c.running_batches}, videos in flight {c.videos_in_flight}, "
            f"Transcribe jobs {c.transcribe_jobs}, Fargate tasks {c.fargate_tasks}, "
            f"Lambda slots {c.lambda_slots or c.admission_videos} ({c.part_slots} per video for its parts)"
        )
        yield (
            f"workload: {w.users} users ({'/'.join(f'{p:.0%}' for p in w.plan_mix)} free/creator/pro), "
            f"{w.batches_per_user_per_day} batches per user per day, {w.hours:g} h; "
            f"{self.batches} batches, {self.videos} videos"
        )
        yield (
            f"throughput over the day: {self.videos_per_hour:.0f} videos/h, "
            f"{self.media_hours_per_hour:.0f} media hours/h"
        )
        for tier, p in self.plans.items():
            yield (
                f"  {tier.value:8s} batches {p.batches:6d}  start→done p50 {p.p50_minutes:7.1f} min  "
                f"p95 {p.p95_minutes:7.1f}  max {p.max_minutes:7.1f}  Jain {p.jain:.3f}"
                + (f"  (unfinished {p.unfinished})" if p.unfinished else "")
            )
        peaks = ", ".join(f"{k} {v}" for k, v in self.peaks.items())
        yield f"highest in use: {peaks}; caps {'never exceeded' if self.caps_held else 'EXCEEDED'}"
        yield (
            f"highest write rate on one partition key: {self.peak_key_writes_per_second}/s "
            f"({self.peak_key}); on a key shared across users: {self.peak_shared_key_writes_per_second}/s "
            f"({self.peak_shared_key}); {self.writes} partition writes in all"
        )
        yield f"cost: ${self.cost_per_media_minute:.4f} per media minute (${self.cost_total:,.0f} in all)"


def jain(values: list[float]) -> float:
    """Jain's fairness index: 1 when every value is equal, 1/n when one takes everything."""
    if not values:
        return 1.0
    total = sum(values)
    squares = sum(v * v for v in values)
    return total * total / (len(values) * squares) if squares else 1.0


def ideal_seconds(durations: list[float], concurrency: int) -> float:
    """How long a batch takes alone on the service: its videos in order on `concurrency` lanes."""
    lanes = [0.0] * concurrency
    for duration in durations:
        lane = min(range(concurrency), key=lanes.__getitem__)
        lanes[lane] += duration
    return max(lanes)


def _jain_by_arrival_hour(done: list[tuple["_Batch", float, float]]) -> float:
    """Jain's index of the users' shares among users who asked in the same hour (they competed for the
    same capacity), averaged over the hours weighted by their users. A share is the time the user's
    batches would take alone over the time they took."""
    by_hour: dict[int, dict[str, list[float]]] = defaultdict(lambda: defaultdict(lambda: [0.0, 0.0]))
    for batch, took, ideal in done:
        entry = by_hour[int(batch.requested_at // 3600)][batch.user]
        entry[0] += ideal
        entry[1] += took
    weighted = users = 0.0
    for per_user in by_hour.values():
        shares = [ideal / took for ideal, took in per_user.values() if took > 0]
        weighted += jain(shares) * len(shares)
        users += len(shares)
    return weighted / users if users else 1.0


def _percentile(values: list[float], fraction: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(fraction * len(ordered)) - 1)]


class Simulation:
    def __init__(self, workload: Workload, capacity: Capacity, speeds: Speeds, root: Path) -> None:
        self.workload, self.capacity, self.speeds = workload, capacity, speeds
        self.random = random.Random(workload.seed)
        self.fake = fake_services(root)
        self.ctx = self.fake.ctx
        self.ctx.workflow = _Workflow(self.ctx.config.state_machine_arn, self._started)
        self.start = self.fake.clock.now
        self.t = 0.0
        self.meter = WriteMeter(lambda: self.t)
        _meter_stores(self.ctx, self.meter)
        change_capacity(self.ctx, capacity.model_dump())
        self.events: list[tuple[float, int, str, Any]] = []
        self.seq = 0
        self.tiers = [self._plan() for _ in range(workload.users)]
        self.live: dict[str, _Batch] = {}
        self.newly_started: list[str] = []
        self.fargate_running = 0
        self.lambda_running = 0
        self.fargate_waiting: list[_Video] = []
        self.in_flight = 0
        self.peaks: dict[str, int] = defaultdict(int)
        self.caps_held = True
        self.done: list[tuple[_Batch, float, float]] = []  # batch, seconds to completion, ideal seconds
        self.usage = Usage()
        self.media_seconds_done = 0.0
        self.videos_done_in_day = 0
        self.media_done_in_day = 0.0

    def _plan(self) -> Tier:
        return self.random.choices(PLANS, weights=self.workload.plan_mix)[0]

    def _push(self, at: float, kind: str, data: Any) -> None:
        self.seq += 1
        heapq.heappush(self.events, (at, self.seq, kind, data))

    def _started(self, batch_id: str) -> None:
        self.newly_started.append(batch_id)  # its videos start once the real call that admitted it returns

    def _set_clock(self, t: float) -> None:
        self.t = t
        self.fake.clock.now = self.start + timedelta(seconds=t)

    def run(self, drain_hours: float = 72.0) -> Report:
        w = self.workload
        rate = w.users * w.batches_per_user_per_day / (24 * 3600)
        t = self.random.expovariate(rate)
        horizon = w.hours * 3600
        while t < horizon:
            self._push(t, "arrive", self.random.randrange(w.users))
            t += self.random.expovariate(rate)
        while self.events and self.events[0][0] <= horizon + drain_hours * 3600:
            at, _, kind, data = heapq.heappop(self.events)
            self._set_clock(at)
            if kind == "arrive":
                self._arrive(int(data))
            else:
                self._video_done(data)
            self._launch_started()
            self._check_caps()
        return self._report()

    def _arrive(self, user_index: int) -> None:
        w, tier = self.workload, self.tiers[user_index]
        user = f"user{user_index:05d}"
        count = min(self.random.randint(*w.videos), limits_for(tier).max_videos_per_batch)
        caller = Caller(user, tier)
        self.ctx.users.upsert(user, tier, self.fake.clock())
        quality = ExportQuality.Q1080P if self.random.random() < w.share_1080p else ExportQuality.Q720P
        request = BatchJobCreate.model_validate(
            {"name": f"{user} batch", "video_count": count, "settings": {"export_quality": quality.value}}
        )
        created = batches.create_batch(self.ctx, caller, request)
        videos = []
        for upload in created.uploads:
            media = self.random.uniform(*w.minutes) * 60
            fields = {"status": UploadStatus.UPLOADED.value, "duration": media}
            self.ctx.videos.set_upload(upload.video_id, self.fake.clock(), fields)
            release_batches(self.ctx, upload.video_id)
            ref = VideoRef(batch_id=created.batch_job.id, video_id=upload.video_id)
            videos.append(self._video(ref, media, quality))
        batch_id = created.batch_job.id
        self.live[batch_id] = _Batch(batch_id, user, tier, self.t, videos, waiting=list(videos))
        batches.start_batch(self.ctx, caller, batch_id)

    def _video(self, ref: VideoRef, media: float, quality: ExportQuality) -> _Video:
        s, config = self.speeds, self.ctx.config
        route = choose_route(  # the probing stage's own rule
            duration=media,
            size=int(media / 60 * s.bytes_per_media_minute),
            height=quality.height,
            quality=quality,
            fmt=ExportFormat.MP4,
            lambda_max_seconds=config.lambda_max_media_seconds,
            lambda_max_bytes=config.lambda_max_file_bytes,
            part_seconds=config.render_part_seconds,
        )
        if route == "fargate":
            return _Video(ref, media, s.overhead_seconds + media / s.fargate_media_x, fargate=True)
        if route == "lambda":
            seconds = s.overhead_seconds + media / s.lambda_media_x
            return _Video(ref, media, seconds, fargate=False, lambda_seconds=seconds)
        output = media * s.output_ratio
        pieces = part_count(output, config.render_part_seconds)
        at_once = parts_at_once(pieces, config.render_part_concurrency, self.capacity)
        part = s.part_overhead_seconds + estimated_render_seconds(
            min(config.render_part_seconds, output), quality.height, quality, ExportFormat.MP4
        )
        before, stitch = s.overhead_seconds + media / s.analysis_media_x, output / STITCH_SPEED
        seconds = before + math.ceil(pieces / at_once) * part + stitch
        billed = before + pieces * part + stitch
        return _Video(ref, media, seconds, fargate=False, lambda_slots=at_once, lambda_seconds=billed)

    def _launch_started(self) -> None:
        while self.newly_started:
            batch = self.live[self.newly_started.pop(0)]
            for _ in range(batch_videos(batch.tier, len(batch.videos))):
                self._next_video(batch)

    def _next_video(self, batch: _Batch) -> None:
        if not batch.waiting:
            return
        video = batch.waiting.pop(0)
        batch.running += 1
        self.in_flight += 1
        begin_video(self.ctx, video.ref)
        if video.fargate and self.fargate_running >= self.capacity.fargate_tasks:
            self.fargate_waiting.append(video)  # holds its place in flight; the task waits for room
            return
        self._run(video)

    def _run(self, video: _Video) -> None:
        if video.fargate:
            self.fargate_running += 1
        else:  # a split render's part slots, counted for the whole video (an upper bound)
            self.lambda_running += video.lambda_slots
        self._push(self.t + video.processing_seconds, "video", video)

    def _video_done(self, video: _Video) -> None:
        batch = self.live[video.ref.batch_id]
        finish_video(self.ctx, video.ref)
        self._account(video)
        batch.running -= 1
        batch.finished += 1
        self.in_flight -= 1
        if video.fargate:
            self.fargate_running -= 1
            if self.fargate_waiting:
                self._run(self.fargate_waiting.pop(0))
        else:
            self.lambda_running -= video.lambda_slots
        if batch.finished == len(batch.videos):
            self._complete(batch)
        else:
            self._next_video(batch)

    def _account(self, video: _Video) -> None:
        s, f, u = self.speeds, self.speeds.footprint, self.usage
        if video.fargate:
            u.fargate_vcpu_seconds += f.worker_vcpus * video.processing_seconds
            u.fargate_gb_seconds += f.worker_memory_gb * video.processing_seconds
        else:
            media = u.lambda_gb_seconds.get("media", 0.0)
            u.lambda_gb_seconds["media"] = media + f.media_memory_gb * video.lambda_seconds
        control = f.control_calls_per_video * f.control_call_seconds * f.control_memory_gb
        u.lambda_gb_seconds["control"] = u.lambda_gb_seconds.get("control", 0.0) + control
        u.lambda_requests += f.control_calls_per_video + (0 if video.fargate else 4)
        if s.transcription == "transcribe":
            u.transcribe_seconds += max(video.media_seconds, 15.0)
        elif not video.fargate:  # the worker transcribes inside its own task (counted above)
            whisper = f.transcriber_memory_gb * video.media_seconds / s.whisper_media_x
            u.lambda_gb_seconds["transcriber"] = u.lambda_gb_seconds.get("transcriber", 0.0) + whisper
            u.lambda_requests += 1
        u.state_transitions += f.transitions_per_video
        size = video.media_seconds / 60 * s.bytes_per_media_minute
        u.s3_byte_seconds += size * (1 + s.output_ratio) * f.kept_seconds
        u.s3_bytes_sent += int(size * s.output_ratio)
        self.media_seconds_done += video.media_seconds
        if self.t <= self.workload.hours * 3600:
            self.videos_done_in_day += 1
            self.media_done_in_day += video.media_seconds

    def _complete(self, batch: _Batch) -> None:
        complete_batch(self.ctx, batch.id)
        self.usage.state_transitions += self.speeds.footprint.transitions_per_batch
        concurrency = batch_videos(batch.tier, len(batch.videos))
        ideal = ideal_seconds([v.processing_seconds for v in batch.videos], concurrency)
        self.done.append((batch, self.t - batch.requested_at, ideal))
        del self.live[batch.id]
        # The finished batch leaves the in-memory table so a day of batches stays cheap to query; what it
        # was is recorded above.
        self.ctx.batches.delete(batch.id, TERMINAL)
        for video in batch.videos:
            self.ctx.videos.delete(video.ref.video_id)

    def _check_caps(self) -> None:
        table = self.fake.table
        now = {
            "running batches": table.global_running,
            "videos in flight": self.in_flight,
            "Fargate tasks": self.fargate_running,
            "Lambda slots": self.lambda_running,
        }
        caps = {
            "running batches": self.capacity.running_batches,
            "videos in flight": self.capacity.admission_videos,
            "Fargate tasks": self.capacity.fargate_tasks,
            "Lambda slots": self.capacity.lambda_slots or self.capacity.admission_videos,
        }
        for name, value in now.items():
            self.peaks[name] = max(self.peaks[name], value)
            if value > caps[name]:
                self.caps_held = False
        if self.in_flight != table.global_videos and self.in_flight > table.global_videos:
            self.caps_held = False  # more videos running than admission counted

    def _report(self) -> Report:
        w = self.workload
        plans: dict[Tier, PlanFigures] = {}
        unfinished: dict[Tier, int] = defaultdict(int)
        for batch in self.live.values():
            unfinished[batch.tier] += 1
        for tier in PLANS:
            done = [(b, took, ideal) for b, took, ideal in self.done if b.tier is tier]
            minutes = [took / 60 for _, took, _ in done]
            plans_jain = _jain_by_arrival_hour(done)
            plans[tier] = PlanFigures(
                batches=len(done),
                unfinished=unfinished[tier],
                p50_minutes=statistics.median(minutes) if minutes else 0.0,
                p95_minutes=_percentile(minutes, 0.95),
                max_minutes=max(minutes, default=0.0),
                jain=plans_jain,
            )
        cost = cost_of(self.usage)
        media_minutes = self.media_seconds_done / 60
        return Report(
            capacity=self.capacity,
            workload=w,
            batches=len(self.done) + len(self.live),
            videos=sum(len(b.videos) for b, _, _ in self.done)
            + sum(len(b.videos) for b in self.live.values()),
            videos_per_hour=self.videos_done_in_day / w.hours,
            media_hours_per_hour=self.media_done_in_day / 3600 / w.hours,
            plans=plans,
            peaks=dict(self.peaks),
            caps_held=self.caps_held,
            peak_key_writes_per_second=self.meter.peak[0],
            peak_key=self.meter.peak[1],
            peak_shared_key_writes_per_second=self.meter.shared_peak[0],
            peak_shared_key=self.meter.shared_peak[1],
            writes=self.meter.writes,
            cost_per_media_minute=cost.total / media_minutes if media_minutes else 0.0,
            cost_total=cost.total,
        )


def simulate(
    workload: Workload = Workload(),
    capacity: Capacity | None = None,
    speeds: Speeds = Speeds(),
    drain_hours: float = 72.0,
) -> Report:
    logger.setLevel("WARNING")  # one admission line per finished batch would drown the report
    with tempfile.TemporaryDirectory(prefix="reelflow-sim-") as root:
        simulation = Simulation(workload, capacity or derived_capacity(), speeds, Path(root))
        return simulation.run(drain_hours)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    defaults = Workload()
    parser.add_argument("--users", type=int, default=defaults.users)
    parser.add_argument("--hours", type=float, default=defaults.hours, help="Simulated hours of arrivals")
    parser.add_argument("--batches-per-user-per-day", type=float, default=defaults.batches_per_user_per_day)
    parser.add_argument("--seed", type=int, default=defaults.seed)
    parser.add_argument(
        "--account",
        choices=["new", "raised"],
        default="new",
        help="Caps derived from a new account's default quotas or from raised ones (domain/capacity.py)",
    )
    for cap in CAPS:
        parser.add_argument(f"--{cap.replace('_', '-')}", type=int, help="Override one cap")
    parser.add_argument(
        "--transcription",
        choices=["whisper", "transcribe"],
        default="whisper",
        help="The deployed engine: faster-whisper on Lambda (default) or Amazon Transcribe minutes",
    )


def run_simulate(console: Console, args: argparse.Namespace) -> int:
    quotas = RAISED_ACCOUNT if args.account == "raised" else NEW_ACCOUNT
    overrides = {name: getattr(args, name) for name in CAPS}
    capacity = with_overrides(derived_capacity(quotas), overrides)
    workload = Workload(
        users=args.users,
        hours=args.hours,
        batches_per_user_per_day=args.batches_per_user_per_day,
        seed=args.seed,
    )
    report = simulate(workload, capacity, Speeds(transcription=args.transcription))
    for line in report.lines():
        console.print(line, highlight=False, soft_wrap=True)
    return 0 if report.caps_held else 1
