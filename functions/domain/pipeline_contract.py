"""The contract between the batch state machine (statemachines/batch.asl.json) and its Lambda tasks.

Each task's payload is one input model and its reply one output model; the handler parses the one and
dumps the other, and `tests/unit/test_asl_contract.py` holds every JSONPath of the ASL to these models:
a state that reads or writes a field no model declares fails that test. A new task or a new scope (a Map
over something else) registers its models here.
"""

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from functions.domain.batch_control import GateAction
from functions.domain.enums import BatchStatus, VideoStatus
from functions.domain.routing import Route
from functions.domain.stage_results import StageOutcome


class Contract(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class BatchRef(Contract):
    batch_id: str


class VideoRef(BatchRef):
    """One video of a batch: the Map's item."""

    video_id: str
    position: int = 0

    def video(self) -> "VideoRef":
        """Just the video, from a task input that also carries the task's own fields."""
        return VideoRef(batch_id=self.batch_id, video_id=self.video_id, position=self.position)


class TaskError(BaseModel):
    """What a Catch records (`ResultPath: $.error`): the error name and its cause (often JSON)."""

    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True)

    error: str = Field(default="Error", alias="Error")
    cause: str = Field(default="", alias="Cause")


# ---- control tasks (the Control function; `task` names the step) --------------------------------


class PrepareBatchInput(BatchRef):
    task: Literal["prepare_batch"] = "prepare_batch"


class PrepareBatchOutput(Contract):
    batch_id: str
    videos: list[VideoRef]
    max_concurrency: int


class CheckGateInput(VideoRef):
    task: Literal["check_gate"] = "check_gate"


class GateOutput(Contract):
    action: GateAction


class ParkInput(VideoRef):
    task: Literal["park_until_resumed"] = "park_until_resumed"
    task_token: str


class BeginVideoInput(VideoRef):
    task: Literal["begin_video"] = "begin_video"


class BeginVideoOutput(Contract):
    attempt: int


class FinishVideoInput(VideoRef):
    task: Literal["finish_video"] = "finish_video"


class VideoOutcome(Contract):
    status: VideoStatus | Literal["missing"]


class HandleFailureInput(VideoRef):
    task: Literal["handle_failure"] = "handle_failure"
    error: TaskError = TaskError()
    retry_delays_seconds: list[int] = Field(
        default_factory=lambda: [0], min_length=1, description="Seconds before retry 1, 2, …"
    )


class FailureDecision(Contract):
    retry: bool
    wait_seconds: int = Field(ge=0)
    error_type: str


class CompleteBatchInput(BatchRef):
    task: Literal["complete_batch"] = "complete_batch"


class FailBatchInput(BatchRef):
    task: Literal["fail_batch"] = "fail_batch"
    error: TaskError = TaskError()


class BatchOutcome(Contract):
    status: BatchStatus | Literal["missing"]


# ---- media tasks (the Media function; `stage` names the step) ------------------------------------


class StageInput(VideoRef):
    stage: str


class TranscribeInput(StageInput):
    task_token: str


class SpeechGroupItem(VideoRef):
    """One group of a video's speech parts, the item of the "Transcribe parts" Map: heard by one
    Transcriber invocation. It carries its video so that the Map's ItemSelector reads the item alone."""

    index: int = Field(ge=0)


class TranscriptionPlan(Contract):
    """What the state machine reads of the Transcribe task's answer (`$.transcription`): transcribed at
    once (`split` false), or the groups left for the Map, at most `group_concurrency` at a time."""

    split: bool
    groups: list[SpeechGroupItem]
    group_concurrency: int = Field(ge=1)


class TranscriptionOutcome(TranscriptionPlan, StageOutcome):
    """The Transcribe task's answer (sent with its task token)."""


class TranscribeGroupInput(SpeechGroupItem):
    stage: Literal["transcribing_part"] = "transcribing_part"


class HeardGroup(Contract):
    """A heard group: its transcript's key in the media bucket (the state holds keys, never text), and
    the seconds its task took (the join records their sum: the Transcriber time the groups cost)."""

    index: int = Field(ge=0)
    key: str
    seconds: float = Field(ge=0)


class JoinTranscriptInput(StageInput):
    heard: list[HeardGroup]


class PartItem(VideoRef):
    """One piece of a split render, the item of the "Render parts" Map: the picture of part `index`, or
    (kind `sound`) the sound of the whole kept timeline. It carries its video so that the Map's
    ItemSelector reads the item alone."""

    kind: Literal["picture", "sound"]
    index: int = Field(ge=0)


class ExportPlan(Contract):
    """What the Map reads of the export task's reply (`$.export`): rendered at once (`split` false), or
    the parts left for the Map, at most `part_concurrency` at a time."""

    split: bool
    parts: list[PartItem]
    part_concurrency: int = Field(ge=1)


class ExportOutcome(ExportPlan, StageOutcome):
    """The export task's reply."""


class RenderPartInput(PartItem):
    stage: Literal["rendering_part"] = "rendering_part"


class RenderedPart(Contract):
    """A rendered piece: where it is in the media bucket (the state holds keys, never media), and the
    seconds its task took (the stitch records their sum: the Lambda time the parts cost)."""

    kind: Literal["picture", "sound"]
    index: int = Field(ge=0)
    key: str
    seconds: float = Field(ge=0)


class StitchInput(StageInput):
    rendered: list[RenderedPart]


class Empty(Contract):
    """A reply the state machine discards (`ResultPath: null`)."""


# ---- what flows through the states -----------------------------------------------------------------


class ProbeRoute(Contract):
    route: Route


class IterationState(VideoRef):
    """The document one Map iteration carries from state to state: the item plus what ResultPaths add."""

    model_config = ConfigDict(extra="forbid")

    gate: GateOutput | None = None
    probe: ProbeRoute | None = None
    transcription: TranscriptionPlan | None = None
    heard: list[HeardGroup] | None = None
    export: ExportPlan | None = None
    rendered: list[RenderedPart] | None = None
    error: TaskError | None = None
    decision: FailureDecision | None = None
    bookkeeping_error: TaskError | None = None


class SpeechGroupState(SpeechGroupItem):
    """The document of one "Transcribe parts" iteration (a child execution): the item plus its reply."""

    model_config = ConfigDict(extra="forbid")

    heard: HeardGroup | None = None


class PartState(PartItem):
    """The document of one "Render parts" iteration (a child execution): the item plus its reply."""

    model_config = ConfigDict(extra="forbid")

    rendered: RenderedPart | None = None


class ExecutionState(BatchRef):
    """The execution's own document: its input (`{"batch_id"}`) plus what ResultPaths add."""

    model_config = ConfigDict(extra="forbid")

    batch: PrepareBatchOutput | None = None
    error: TaskError | None = None


class TaskContract(BaseModel):
    input: type[BaseModel]
    output: type[BaseModel]


CONTROL_CONTRACTS: dict[str, TaskContract] = {
    "prepare_batch": TaskContract(input=PrepareBatchInput, output=PrepareBatchOutput),
    "check_gate": TaskContract(input=CheckGateInput, output=GateOutput),
    "park_until_resumed": TaskContract(input=ParkInput, output=Empty),
    "begin_video": TaskContract(input=BeginVideoInput, output=BeginVideoOutput),
    "finish_video": TaskContract(input=FinishVideoInput, output=VideoOutcome),
    "handle_failure": TaskContract(input=HandleFailureInput, output=FailureDecision),
    "complete_batch": TaskContract(input=CompleteBatchInput, output=BatchOutcome),
    "fail_batch": TaskContract(input=FailBatchInput, output=BatchOutcome),
}


RENDER_PART, STITCH = "rendering_part", "stitching"  # the tasks of a split export, after "exporting"
# The tasks of a transcription spread over invocations, after "transcribing" (they run where it runs).
TRANSCRIBE_GROUP, JOIN_TRANSCRIPT = "transcribing_part", "joining_transcript"
_MEDIA_CONTRACTS: dict[str, TaskContract] = {
    "transcribing": TaskContract(input=TranscribeInput, output=TranscriptionOutcome),
    TRANSCRIBE_GROUP: TaskContract(input=TranscribeGroupInput, output=HeardGroup),
    JOIN_TRANSCRIPT: TaskContract(input=JoinTranscriptInput, output=StageOutcome),
    "exporting": TaskContract(input=StageInput, output=ExportOutcome),
    RENDER_PART: TaskContract(input=RenderPartInput, output=RenderedPart),
    STITCH: TaskContract(input=StitchInput, output=StageOutcome),
}


def media_contract(stage: str) -> TaskContract:
    """A media stage takes a video and answers a StageOutcome, unless it has a contract of its own."""
    return _MEDIA_CONTRACTS.get(stage, TaskContract(input=StageInput, output=StageOutcome))


# The document each scope of the ASL carries: the top level, and each Map's ItemProcessor by Map name.
SCOPES: dict[str | None, type[BaseModel]] = {
    None: ExecutionState,
    "Process videos": IterationState,
    "Transcribe parts": SpeechGroupState,
    "Render parts": PartState,
}
# What each Map's ItemSelector reads from (`$$.Map.Item.Value`), by Map name.
MAP_ITEMS: dict[str, type[BaseModel]] = {
    "Process videos": VideoRef,
    "Transcribe parts": SpeechGroupItem,
    "Render parts": PartItem,
}


def dump(output: BaseModel | None) -> dict[str, Any]:
    return {} if output is None else output.model_dump(mode="json", exclude_none=True, by_alias=True)
