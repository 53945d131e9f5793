"""Model choice per language, and the reassembly of a split model: hash checked, atomic, race-safe."""

import hashlib
import threading
from pathlib import Path

import pytest

from functions.media import whisper_models
from functions.media.whisper_models import ModelIntegrityError, assemble_model, model_path_for, verify_model


@pytest.fixture
def split_model(tmp_path: Path) -> tuple[Path, list[Path], str]:
    support = tmp_path / "support"
    support.mkdir()
    for name in whisper_models.SUPPORT_FILES:
        (support / name).write_text(f"{name} contents")
    content = bytes(range(256)) * 9000  # > one read chunk, so the parts are streamed in blocks
    parts = [tmp_path / "model.bin.part1", tmp_path / "model.bin.part2"]
    parts[0].write_bytes(content[:1_000_000])
    parts[1].write_bytes(content[1_000_000:])
    return support, parts, hashlib.sha256(content).hexdigest()


def test_parts_are_joined_once_and_the_hash_is_checked(split_model, tmp_path):
    support, parts, sha = split_model
    target = tmp_path / "cache" / "model"
    assert assemble_model(support, parts, target, sha) == target
    assert (target / "model.bin").read_bytes() == parts[0].read_bytes() + parts[1].read_bytes()
    assert (target / "tokenizer.json").read_text() == "tokenizer.json contents"
    assert verify_model(target, sha) == target
    assert [p.name for p in target.parent.iterdir()] == ["model"]  # no temporary folder left behind


def test_a_wrong_hash_is_refused_and_leaves_nothing(split_model, tmp_path):
    support, parts, _ = split_model
    target = tmp_path / "cache" / "model"
    with pytest.raises(ModelIntegrityError, match="expected 0000"):
        assemble_model(support, parts, target, "0" * 64)
    assert list(target.parent.iterdir()) == []


def test_a_corrupted_copy_is_refused_before_use(split_model, tmp_path):
    support, parts, sha = split_model
    target = assemble_model(support, parts, tmp_path / "model", sha)
    with (target / "model.bin").open("r+b") as stream:
        stream.seek(5000)
        stream.write(b"\xff\xfe")
    with pytest.raises(ModelIntegrityError, match="damaged"):
        verify_model(target, sha)


def test_two_threads_building_at_once_both_get_the_same_complete_model(split_model, tmp_path):
    support, parts, sha = split_model
    target = tmp_path / "cache" / "model"
    barrier = threading.Barrier(4)
    results: list[Path] = []
    errors: list[BaseException] = []

    def build() -> None:
        barrier.wait()
        try:
            results.append(verify_model(assemble_model(support, parts, target, sha), sha))
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=build) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert results == [target] * 4
    assert [p.name for p in target.parent.iterdir()] == ["model"]


def test_english_keeps_tiny_en_and_other_languages_use_the_multilingual_model(monkeypatch, tmp_path):
    monkeypatch.setattr(whisper_models, "multilingual_model_path", lambda cache_dir=None: f"base@{cache_dir}")
    monkeypatch.setattr(whisper_models, "english_model_path", lambda: "tiny.en")
    assert model_path_for("en", cache_dir=tmp_path) == "tiny.en"
    assert model_path_for("en", english_model="base", cache_dir=tmp_path) == f"base@{tmp_path}"
    for language in ("es", "ru", "de", "fr", "auto"):
        assert model_path_for(language, cache_dir=tmp_path) == f"base@{tmp_path}"
    assert model_path_for("de", explicit_path="/models/mine") == "/models/mine"
