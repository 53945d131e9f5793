"""The media stages of one video, one module each. Analysis stages record data; only export renders.

Each stage records a compact summary in the BatchVideo's processing_result and, when it has bulk data
(a transcript, every kept interval, every highlight), an artifact JSON under results/ in the media
bucket, whose key the summary carries. Their order is functions/domain/stage_plan.py's table.
"""

from functions.domain.enums import Stage
from functions.domain.stage_plan import PROBE, TASK_NAMES
from functions.services.stages.detecting_highlights import detect_highlights
from functions.services.stages.exporting import export_video
from functions.services.stages.probing import probe_video
from functions.services.stages.removing_silence import remove_silence
from functions.services.stages.stage_context import StageContext
from functions.services.stages.stage_record import StageRunner
from functions.services.stages.transcribing import record_transcript, transcribe_video, transcription_blocker

__all__ = [
    "STAGE_RUNNERS",
    "StageContext",
    "StageRunner",
    "record_transcript",
    "transcribe_video",
    "transcription_blocker",
]

_RUNNERS: dict[str, StageRunner] = {
    PROBE: probe_video,
    Stage.TRANSCRIBING.value: transcribe_video,
    Stage.REMOVING_SILENCE.value: remove_silence,
    Stage.DETECTING_HIGHLIGHTS.value: detect_highlights,
    Stage.EXPORTING.value: export_video,
}
# Each media task's runner, in the order of the stage table (the probe first).
STAGE_RUNNERS: dict[str, StageRunner] = {name: _RUNNERS[name] for name in TASK_NAMES}
