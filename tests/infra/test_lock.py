"""One set of versions: the Lambda layer installs what uv.lock pins (the tests' virtualenv and the worker
image install from the same lock)."""

import subprocess
import tomllib
from pathlib import Path

from infra.bundling import PROVIDED_BY_RUNTIME, runtime_requirements

ROOT = Path(__file__).resolve().parents[2]


def locked_versions() -> dict[str, set[str]]:
    versions: dict[str, set[str]] = {}
    for package in tomllib.loads((ROOT / "uv.lock").read_text())["package"]:
        versions.setdefault(package["name"], set()).add(package["version"])
    return versions


def test_the_layer_installs_exactly_the_locked_runtime_versions():
    locked = locked_versions()
    pins = runtime_requirements()
    assert pins
    for pin in pins:
        name, _, rest = pin.partition("==")
        version = rest.split(";")[0].strip()
        assert version in locked[name], pin  # exact versions, never ranges
    names = {pin.split("==")[0] for pin in pins}
    assert "aws-lambda-powertools" in names and "pydantic" in names
    assert not names & PROVIDED_BY_RUNTIME


def test_the_worker_image_and_dev_install_from_the_lock():
    dockerfile = (ROOT / "infra" / "worker.Dockerfile").read_text()
    assert "uv.lock" in dockerfile and "uv export --frozen" in dockerfile
    dev = (ROOT / "dev").read_text()
    assert 'uv" export --frozen' in dev


def test_the_lock_matches_pyproject():
    """A dependency changed in pyproject.toml without `uv lock` would be missing from every install."""
    from infra.bundling import _uv

    result = subprocess.run(
        [_uv(), "lock", "--check"], cwd=ROOT, capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, result.stderr
