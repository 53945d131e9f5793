"""The app deploys as it is: synthesis with the real CLI (no Docker, no AWS account) and Lambda's
size limit for code plus layers, measured on the real bundles."""

import os
import subprocess
from pathlib import Path

import pytest

from infra import bundling

ROOT = Path(__file__).resolve().parents[2]
LAMBDA_UNZIPPED_LIMIT = 262_144_000
pytestmark = pytest.mark.infra


def tree_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def test_function_code_plus_layers_fit_in_lambdas_unzipped_limit(tmp_path):
    code, dependencies, ffmpeg = tmp_path / "code", tmp_path / "deps", tmp_path / "ffmpeg"
    bundling.build_function_code(code)
    bundling.build_dependencies(dependencies, "arm64", "3.14")
    bundling.build_ffmpeg(ffmpeg, "arm64")
    sizes = {
        name: tree_size(path) for name, path in (("code", code), ("deps", dependencies), ("ffmpeg", ffmpeg))
    }
    total = sum(sizes.values())
    print(f"unzipped bytes: {sizes}, total {total} of {LAMBDA_UNZIPPED_LIMIT}")
    assert (ffmpeg / "bin" / "ffmpeg").stat().st_mode & 0o111
    assert (dependencies / "python" / "aws_lambda_powertools").is_dir()
    assert not list((dependencies / "python").glob("boto3*"))  # the runtime provides boto3
    assert (code / "functions" / "adapters" / "table.json").exists()
    assert total < LAMBDA_UNZIPPED_LIMIT
    assert total < 0.8 * LAMBDA_UNZIPPED_LIMIT  # headroom for growth


@pytest.mark.skipif(not (ROOT / "node_modules" / ".bin" / "cdk").exists(), reason="node tools not installed")
def test_cdk_synth_runs_without_docker_or_aws_credentials(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        DOCKER_HOST="unix:///nonexistent.sock",
        JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION="20",
        CDK_DISABLE_CLI_TELEMETRY="true",
        HOME=str(tmp_path),
    )
    result = subprocess.run(
        [str(ROOT / "node_modules" / ".bin" / "cdk"), "synth", "--quiet", "--output", str(tmp_path / "out")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert (tmp_path / "out" / "Reelflow-dev.template.json").exists()
    layers = [p for p in (tmp_path / "out").glob("asset.*") if (p / "bin" / "ffprobe").exists()]
    assert layers, "the ffmpeg layer was bundled locally"
