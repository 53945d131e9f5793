"""Batch exports end to end in local mode: the API, the export state machine (real ASL on moto), the
export Lambda task and the Fargate stand-in, real ffmpeg on tiny clips, real presigned URLs."""

import io
import json
import subprocess
import time
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from functions.media.binaries import ffmpeg, ffprobe
from functions.media.probe import probe
from tests.conftest import make_clip
from tests.helpers import api, start_batch, wait_for_batch

pytestmark = pytest.mark.usefixtures("local_cloud")
QUICK = {"transcribe": False, "remove_silence": False, "detect_highlights": False, "export_quality": "720p"}


@pytest.fixture(scope="module")
def mixed(tmp_path_factory: pytest.TempPathFactory, local_cloud: Any) -> dict[str, Any]:
    """A completed batch of four mixed inputs: mp4 1080p, mov 720p, webm, and an mp4 without audio."""
    folder = tmp_path_factory.mktemp("mixed")
    paths = [
        make_clip(folder / "Intro Привет.mp4", 2.0, 1920, 1080, 30),
        make_clip(folder / "talk.mov", 1.5, 1280, 720, 25),
        make_clip(folder / "b-roll.webm", 1.2, 640, 360, 30),
        make_clip(folder / "silent.mp4", 1.0, 640, 360, 25, audio=False),
    ]
    user = "export-owner"
    batch_id, _, _ = start_batch(user, paths, QUICK)
    batch = wait_for_batch(batch_id, user)
    assert batch["status"] == "completed", [v["error_message"] for v in batch["videos"]]
    return {"batch_id": batch_id, "user": user, "batch": batch}


def wait_for_export(batch_id: str, export_id: str, user: str, timeout: float = 180) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status, body = api("GET", f"/api/batch-jobs/{batch_id}/export/{export_id}", user=user)
        assert status == 200, body
        if body["status"] in {"completed", "failed"}:
            return body
        time.sleep(0.2)
    raise AssertionError(f"export {export_id} did not finish in {timeout} s")


def export(batch_id: str, user: str, **request: Any) -> dict[str, Any]:
    status, accepted = api("POST", f"/api/batch-jobs/{batch_id}/export", request, user=user)
    assert status == 202, accepted
    done = wait_for_export(batch_id, accepted["export_id"], user)
    assert done["status"] == "completed", done["error_message"]
    return done


def outputs(local_cloud: Any, batch: dict[str, Any]) -> list[bytes]:
    from functions.services.context import services

    s3 = local_cloud.client("s3")
    members = services().batch_videos.of_batch(batch["id"])
    return [s3.get_object(Bucket=local_cloud.media_bucket, Key=m.output_key)["Body"].read() for m in members]


def test_a_zip_holds_the_outputs_numbered_and_named_by_the_pattern(mixed, local_cloud):
    done = export(
        mixed["batch_id"],
        mixed["user"],
        format="zip",
        custom_naming="{batch} - {position} - {name}.{ext}",
        include_extras=False,
    )
    assert done["progress"] == 100 and done["file_size"] > 0
    assert "X-Amz-Signature" in done["download_url"]
    body = requests.get(done["download_url"], timeout=30).content
    assert len(body) == done["file_size"]
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        names = archive.namelist()
        assert names == [
            "run - 001 - Intro Привет.mp4",
            "run - 002 - talk.mp4",
            "run - 003 - b-roll.mp4",
            "run - 004 - silent.mp4",
            "results.json",
        ]
        assert [archive.read(n) for n in names[:-1]] == outputs(local_cloud, mixed["batch"])
        results = json.loads(archive.read("results.json"))
    assert [e["file"] for e in results["entries"]] == names[:-1]
    assert results["batch_id"] == mixed["batch_id"]
    key = local_cloud.client("s3").list_objects_v2(
        Bucket=local_cloud.media_bucket, Prefix=f"exports/{mixed['batch_id']}/{done['export_id']}/"
    )["Contents"]
    assert [o["Key"].rsplit("/", 1)[1] for o in key] == ["run.zip"]


def test_a_zip_holds_each_videos_captions_poster_and_cut_lists_beside_it(talk, local_cloud):
    user = "zip-extras"
    settings = {"captions": "sidecar", "cut_lists": True, "remove_silence": True, "detect_highlights": False}
    batch_id, _, _ = start_batch(user, [talk[0]], settings)
    batch = wait_for_batch(batch_id, user, timeout=300)
    assert batch["status"] == "completed", [v["error_message"] for v in batch["videos"]]
    done = export(batch_id, user, format="zip")
    with zipfile.ZipFile(io.BytesIO(requests.get(done["download_url"], timeout=30).content)) as archive:
        names = archive.namelist()
        beside = {"srt", "vtt", "poster.jpg", "thumb.jpg", "edl", "fcpxml", "chapters.txt"}
        assert names[0] == "001_talk.mp4" and names[-1] == "results.json", names
        assert set(names[1:-1]) == {f"001_talk.{suffix}" for suffix in beside}, names
        srt = archive.read("001_talk.srt").decode()
        assert "important" in srt.lower() and "-->" in srt
        assert archive.read("001_talk.poster.jpg")[:3] == b"\xff\xd8\xff"  # a JPEG
        assert "talk" in archive.read("001_talk.edl").decode()
        results = json.loads(archive.read("results.json"))
    files = results["entries"][0]["files"]
    assert files["captions_srt"] == "001_talk.srt" and files["edl"] == "001_talk.edl"
    assert set(files.values()) <= set(names)
    lean = export(batch_id, user, format="zip", include_extras=False)
    with zipfile.ZipFile(io.BytesIO(requests.get(lean["download_url"], timeout=30).content)) as archive:
        assert archive.namelist() == ["001_talk.mp4", "results.json"]


def test_highlight_clips_are_artifacts_of_the_video_and_the_zip_holds_them_beside_it(talk, local_cloud):
    user = "zip-clips"
    settings = {
        "keywords": ["important"],
        "highlight_clips": "vertical",
        "highlight_clip_seconds": 6,
        "export_quality": "720p",
    }
    batch_id, _, _ = start_batch(user, [talk[0]], settings)
    batch = wait_for_batch(batch_id, user, timeout=300)
    video = batch["videos"][0]
    assert video["status"] == "completed", video["error_message"]
    exported = video["processing_result"]["exporting"]
    clips = exported["clips"]
    assert 1 <= len(clips) <= 3 and clips[0]["name"] == "clip_1"
    assert [c["score"] for c in clips] == sorted((c["score"] for c in clips), reverse=True)
    names = {name for c in clips for name in (c["name"], c["poster"])}
    assert names <= set(exported["outputs"]) and names <= set(video["artifacts"])
    first = probe(video["artifacts"]["clip_1"])  # the API's download URL, read by ffprobe
    assert first.width / first.height == pytest.approx(9 / 16, rel=0.01)
    assert first.duration == pytest.approx(6.0, abs=0.1)
    poster = requests.get(video["artifacts"]["clip_1_poster"], timeout=30)
    assert poster.ok and poster.content[:3] == b"\xff\xd8\xff"
    done = export(batch_id, user, format="zip")
    with zipfile.ZipFile(io.BytesIO(requests.get(done["download_url"], timeout=30).content)) as archive:
        entries = archive.namelist()
        for number in range(1, len(clips) + 1):
            assert f"001_talk.clip{number}.mp4" in entries and f"001_talk.clip{number}.poster.jpg" in entries
        results = json.loads(archive.read("results.json"))
    files = results["entries"][0]["files"]
    assert files["clip_1"] == "001_talk.clip1.mp4" and files["clip_1_poster"] == "001_talk.clip1.poster.jpg"
    lean = export(batch_id, user, format="zip", include_extras=False)
    with zipfile.ZipFile(io.BytesIO(requests.get(lean["download_url"], timeout=30).content)) as archive:
        assert archive.namelist() == ["001_talk.mp4", "results.json"]


def output_durations(local_cloud: Any, batch: dict[str, Any], folder: Path) -> list[float]:
    durations = []
    for index, data in enumerate(outputs(local_cloud, batch)):
        path = folder / f"output{index}.mp4"
        path.write_bytes(data)
        durations.append(probe(str(path)).duration)
    return durations


def test_a_merged_video_lasts_the_sum_of_the_clips_and_decodes_without_error(mixed, local_cloud, tmp_path):
    done = export(mixed["batch_id"], mixed["user"], format="merged")
    merged = tmp_path / "merged.mp4"
    merged.write_bytes(requests.get(done["download_url"], timeout=60).content)
    found = probe(str(merged))
    expected = sum(output_durations(local_cloud, mixed["batch"], tmp_path))
    assert abs(found.duration - expected) <= 0.5, (found.duration, expected)
    decoded = subprocess.run(
        [ffmpeg(), "-v", "error", "-i", str(merged), "-f", "null", "-"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert decoded.returncode == 0 and decoded.stderr == ""
    chapters = subprocess.run(
        [ffprobe(), "-v", "error", "-show_chapters", "-of", "json", str(merged)],
        capture_output=True,
        text=True,
        check=True,
    )
    titles = [c["tags"]["title"] for c in json.loads(chapters.stdout)["chapters"]]
    assert titles == ["Intro Привет", "talk", "b-roll", "silent"]


def extinf(text: str) -> list[tuple[float, str]]:
    return [
        (float(line[8:].split(",", 1)[0]), line.split(",", 1)[1])
        for line in text.splitlines()
        if line.startswith("#EXTINF:")
    ]


def signed_until(url: str) -> datetime:
    """When S3 stops honouring a presigned URL, read from the URL itself (X-Amz-Date + X-Amz-Expires)."""
    query = parse_qs(urlsplit(url).query)
    signed = datetime.strptime(query["X-Amz-Date"][0], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    return signed + timedelta(seconds=int(query["X-Amz-Expires"][0]))


def test_no_link_the_api_returns_expires_before_the_time_it_states(mixed, local_cloud):
    batch_id, user = mixed["batch_id"], mixed["user"]
    status, batch = api("GET", f"/api/batch-jobs/{batch_id}", user=user)
    assert status == 200
    for video in batch["videos"]:
        stated = datetime.fromisoformat(video["links_expire_at"])
        links = [video["output_video_url"], *video["artifacts"].values()]
        assert links[0] and all(signed_until(link) >= stated for link in links)
        assert stated >= datetime.now(UTC) + timedelta(minutes=50)  # the hour the configuration asks
    done = export(batch_id, user, format="zip")
    stated = datetime.fromisoformat(done["links_expire_at"])
    assert signed_until(done["download_url"]) >= stated
    assert stated <= datetime.fromisoformat(done["expires_at"])


def test_a_playlist_lists_every_output_with_its_duration_and_an_hls_rendition(mixed, local_cloud, tmp_path):
    done = export(mixed["batch_id"], mixed["user"], format="playlist", hls=True)
    text = requests.get(done["download_url"], timeout=30).text
    # Written when downloaded: every entry lives at least as long as the playlist says (and its link).
    stated = datetime.fromisoformat(done["links_expire_at"])
    assert f"# reelflow: links valid until {done['links_expire_at'].replace('+00:00', 'Z')}" in text
    assert signed_until(done["download_url"]) >= stated and signed_until(done["hls_url"]) >= stated
    entries_until = [signed_until(line) for line in text.splitlines() if line.startswith("http")]
    assert len(entries_until) == 4 and min(entries_until) == stated
    text = "\n".join(line for line in text.splitlines() if not line.startswith("# reelflow"))
    assert text.startswith("#EXTM3U\n#PLAYLIST:run\n")
    entries = extinf(text)
    assert [title for _, title in entries] == ["Intro Привет", "talk", "b-roll", "silent"]
    expected = output_durations(local_cloud, mixed["batch"], tmp_path)
    assert [d for d, _ in entries] == pytest.approx(expected, abs=0.001)
    urls = [line for line in text.splitlines() if line.startswith("http")]
    assert len(urls) == 4 and all("X-Amz-Signature" in u for u in urls)
    assert requests.get(urls[0], timeout=30).content == outputs(local_cloud, mixed["batch"])[0]
    # The HLS rendition: segments under exports/{batch}/{export}/hls/, presigned in the media playlist.
    hls = requests.get(done["hls_url"], timeout=30).text
    assert "#EXT-X-ENDLIST" in hls and hls.count("#EXT-X-DISCONTINUITY") == 3
    segments = [line for line in hls.splitlines() if line.startswith("http")]
    assert segments and all(signed_until(segment) >= stated for segment in segments)
    decoded = subprocess.run(
        [ffmpeg(), "-v", "error", "-i", done["hls_url"], "-f", "null", "-"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert decoded.returncode == 0, decoded.stderr


def test_an_identical_request_returns_the_first_export_and_the_history_lists_it(mixed, local_cloud):
    batch_id, user = mixed["batch_id"], mixed["user"]
    request = {"format": "zip", "custom_naming": "{position}-{name}.{ext}"}
    first = api("POST", f"/api/batch-jobs/{batch_id}/export", request, user=user)[1]
    second = api("POST", f"/api/batch-jobs/{batch_id}/export", request, user=user)[1]
    assert second["export_id"] == first["export_id"] and second["reused"] and not first["reused"]
    wait_for_export(batch_id, first["export_id"], user)
    # Same request written differently (the pattern without '.{ext}' means the same file): still cached.
    third = api(
        "POST",
        f"/api/batch-jobs/{batch_id}/export",
        {**request, "custom_naming": "{position}-{name}"},
        user=user,
    )[1]
    assert third["export_id"] == first["export_id"]
    other = api("POST", f"/api/batch-jobs/{batch_id}/export", {"format": "zip"}, user=user)[1]
    assert other["export_id"] != first["export_id"]
    wait_for_export(batch_id, other["export_id"], user)
    status, history = api("GET", f"/api/batch-jobs/{batch_id}/exports", user=user)
    assert status == 200
    listed = {e["export_id"]: e for e in history["exports"]}
    assert {first["export_id"], other["export_id"]} <= set(listed)
    assert listed[first["export_id"]]["expired"] is False and listed[first["export_id"]]["file_size"] > 0
    # The records live in the batch's partition (deleting the batch deletes them) and carry the TTL.
    table = local_cloud.client("dynamodb")
    items = table.query(
        TableName=local_cloud.table_name,
        KeyConditionExpression="PK = :pk AND begins_with(SK, :sk)",
        ExpressionAttributeValues={":pk": {"S": f"BATCH#{batch_id}"}, ":sk": {"S": "EXPORT#"}},
    )["Items"]
    record = next(i for i in items if i["id"]["S"] == first["export_id"])
    assert int(record["expires_at_epoch"]["N"]) == int(record["ttl"]["N"])
    created = listed[first["export_id"]]["created_at"]
    lifetime = int(record["ttl"]["N"]) - datetime.fromisoformat(created).timestamp()
    assert abs(lifetime - 24 * 3600) < 1


def test_exports_of_another_user_or_an_unfinished_batch_are_refused(mixed, user_id, tmp_path):
    batch_id, user = mixed["batch_id"], mixed["user"]
    accepted = api("POST", f"/api/batch-jobs/{batch_id}/export", {"format": "playlist"}, user=user)[1]
    status, body = api("GET", f"/api/batch-jobs/{batch_id}/export/{accepted['export_id']}", user=user_id)
    assert status == 404 and body["error"]
    status, body = api("GET", f"/api/batch-jobs/{batch_id}/export/not-an-export", user=user)
    assert status == 404 and body["error"] == "Export not found"
    status, body = api(
        "POST", f"/api/batch-jobs/{batch_id}/export", {"format": "zip", "custom_naming": "{foo}"}, user=user
    )
    assert status == 422 and "{foo}" in body["detail"]
    status, body = api("POST", f"/api/batch-jobs/{batch_id}/export", {"format": "gif"}, user=user)
    assert status == 422
    status, created = api("POST", "/api/batch-jobs", {"name": "later", "video_count": 1}, user=user_id)
    assert status == 201, created
    pending = created["batch_job"]["id"]
    status, body = api("POST", f"/api/batch-jobs/{pending}/export", {"format": "zip"}, user=user_id)
    assert status == 409 and "pending" in body["detail"]
    wait_for_export(batch_id, accepted["export_id"], user)


def test_include_failed_adds_the_failed_videos_originals(local_cloud, user_id, clips):
    batch_id, _, _ = start_batch(user_id, [clips[".mp4"], clips["corrupt"]], QUICK)
    batch = wait_for_batch(batch_id, user_id)
    statuses = sorted(v["status"] for v in batch["videos"])
    assert statuses == ["completed", "failed"], batch
    assert batch["status"] == "completed"
    plain = export(batch_id, user_id, format="zip", include_extras=False)
    with_failed = export(batch_id, user_id, format="zip", include_failed=True, include_extras=False)
    assert plain["export_id"] != with_failed["export_id"]
    names = []
    for done in (plain, with_failed):
        with zipfile.ZipFile(io.BytesIO(requests.get(done["download_url"], timeout=30).content)) as archive:
            names.append(archive.namelist())
            results = json.loads(archive.read("results.json"))
    assert names[0] == ["001_clip.mp4", "results.json"]
    assert names[1] == ["001_clip.mp4", "002_corrupt.mp4", "results.json"]
    assert results["entries"][1]["status"] == "failed" and results["entries"][1]["error"]
    assert (
        zipfile.ZipFile(io.BytesIO(requests.get(with_failed["download_url"], timeout=30).content)).read(
            "002_corrupt.mp4"
        )
        == clips["corrupt"].read_bytes()
    )


def test_a_large_export_runs_on_the_worker_through_fargate(mixed, local_cloud, ctx, monkeypatch):
    monkeypatch.setattr(ctx.config, "export_lambda_budget_seconds", 0.0)  # nothing fits in Lambda
    done = export(mixed["batch_id"], mixed["user"], format="zip", custom_naming="{name}-{position}")
    sfn = local_cloud.client("stepfunctions")
    machine = local_cloud.export_state_machine_arn.replace(":stateMachine:", ":execution:")
    history = sfn.get_execution_history(executionArn=f"{machine}:{done['export_id']}")["events"]
    entered = [e["stateEnteredEventDetails"]["name"] for e in history if e["type"] == "TaskStateEntered"]
    assert entered == ["Export on Fargate"]
    with zipfile.ZipFile(io.BytesIO(requests.get(done["download_url"], timeout=30).content)) as archive:
        assert archive.namelist()[0] == "Intro Привет-001.mp4"


@pytest.mark.parametrize(
    ("request_fields", "what"),
    [({"format": "merged"}, "merged video"), ({"format": "playlist", "hls": True}, "HLS rendition")],
)
def test_an_export_longer_than_the_cap_is_refused_with_its_length_and_the_cap(
    mixed, ctx, monkeypatch, request_fields, what
):
    monkeypatch.setattr(ctx.config, "export_max_seconds", 3.0)  # the four clips last 5.7 s
    batch_id, user = mixed["batch_id"], mixed["user"]
    _, before = api("GET", f"/api/batch-jobs/{batch_id}/exports", user=user)
    status, body = api("POST", f"/api/batch-jobs/{batch_id}/export", request_fields, user=user)
    assert status == 409, body
    assert body["error"] == "Export too long"
    assert what in body["detail"] and "(3 s)" in body["detail"] and "(6 s)" in body["detail"]
    _, after = api("GET", f"/api/batch-jobs/{batch_id}/exports", user=user)
    assert after == before  # nothing was recorded or started
