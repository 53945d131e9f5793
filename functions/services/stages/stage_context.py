"""What a stage reads about its video, loaded once: the batch, the video, its settings, what earlier
stages recorded, and its local files."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import numpy as np
from pydantic import BaseModel

from functions.domain.enums import Stage
from functions.domain.errors import InvalidMediaError, SourceChangedError
from functions.domain.links import SignedRead
from functions.domain.media_values import ProbeResult
from functions.domain.models import BatchJob, BatchVideo, Video
from functions.domain.pipeline_contract import VideoRef
from functions.domain.settings import BatchSettings
from functions.domain.stage_plan import stage_spans
from functions.domain.stage_results import ProcessingResult
from functions.media import audio as audio_media
from functions.media.ffmpeg_run import FfmpegError
from functions.media.ranged_input import input_options, precondition_failed
from functions.services.access import require_batch
from functions.services.context import Services
from functions.services.stages.stage_progress import StageProgress
from functions.services.workspace import Workspace

M = TypeVar("M", bound=BaseModel)
SOURCE_READ_SECONDS = 900  # a Lambda's longest run: the URL outlives the task that reads it, no more


class StageContext:
    """Everything a stage reads about its video, loaded once."""

    def __init__(self, ctx: Services, ref: VideoRef) -> None:
        self.ctx = ctx
        self.ref = ref
        self.batch: BatchJob = require_batch(ctx, ref.batch_id)
        batch_video = ctx.batch_videos.get(ref.batch_id, ref.video_id)
        video = ctx.videos.get(ref.video_id)
        if batch_video is None or video is None:
            raise InvalidMediaError(f"Video {ref.video_id} is not part of batch {ref.batch_id}")
        self.batch_video: BatchVideo = batch_video
        self.video: Video = video
        self.workspace = Workspace(ctx, ref.batch_id, ref.video_id)
        self.result = ProcessingResult.model_validate(batch_video.processing_result or {})

    @property
    def settings(self) -> BatchSettings:
        return self.batch.settings

    def probe_result(self) -> ProbeResult:
        if self.result.probe is None:
            raise InvalidMediaError("The video was not probed before this stage")
        return self.result.probe.probe

    def progress(self, stage: Stage) -> StageProgress:
        return StageProgress(
            self.ctx, self.ref.batch_id, self.ref.video_id, stage_spans(self.settings)[stage]
        )

    def source_url(self) -> str:
        return self.ctx.storage.presigned_get(self.ctx.config.ingest_bucket, self.video.s3_key, 3600)

    def source_read(self) -> SignedRead:
        """The pinned source, for ffmpeg to read in ranges (no download)."""
        return self.ctx.storage.signed_read(
            self.ctx.config.ingest_bucket,
            self.video.s3_key,
            SOURCE_READ_SECONDS,
            self.batch_video.source_etag,
        )

    def source(self) -> Path:
        return self.workspace.source(self.video, self.batch_video.source_etag)

    @contextmanager
    def pinned_reads(self) -> Iterator[None]:
        """ffmpeg reading the pinned source by URL inside the block: S3's 412 (the file was replaced
        since it was pinned) becomes SourceChangedError."""
        try:
            yield
        except FfmpegError as error:
            if precondition_failed(error):
                raise SourceChangedError(self.video.s3_key.rsplit("/", 1)[-1]) from error
            raise

    def audio(self, on_progress: Callable[[float], None] | None = None) -> Path:
        """16 kHz mono WAV of the video, extracted once per workspace: from the source file if a stage
        here has downloaded it, else straight from the pinned source by URL, streamed in one GET (no
        copy of the video in /tmp, and the decode starts with the first bytes)."""
        wav = self.workspace.path("audio.wav")
        if not wav.exists():
            partial = self.workspace.path("audio.part.wav")
            downloaded = self.workspace.downloaded(self.video)
            options: tuple[str, ...]
            if downloaded is not None:
                source, options = str(downloaded), ()
            else:
                read = self.source_read()
                source, options = read.url, input_options(read, None)
            with self.pinned_reads():
                audio_media.extract_audio(
                    source, partial, self.probe_result().duration, on_progress, source_options=options
                )
            partial.replace(wav)
        return wav

    def loudness(self) -> np.ndarray:
        cached = self.workspace.path("loudness.npy")
        if cached.exists():
            loaded: np.ndarray = np.load(cached)
            return loaded
        frames = audio_media.loudness_frames(self.audio())
        np.save(cached, frames)
        return frames

    def artifact(self, key: str | None, model: type[M]) -> M | None:
        """An earlier stage's full data, stored in the media bucket under the key its summary names."""
        if not key:
            return None
        return model.model_validate(self.ctx.storage.get_json(self.ctx.config.media_bucket, key))
