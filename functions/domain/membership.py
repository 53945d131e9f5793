"""Rules about which videos a batch holds."""

from functions.domain.errors import Conflict
from functions.domain.models import BatchVideo


def reject_duplicate_members(batch_videos: list[BatchVideo]) -> None:
    video_ids = [bv.video_id for bv in batch_videos]
    if len(set(video_ids)) != len(video_ids):
        raise Conflict("The same video is listed twice; a video can be in a batch only once")
