"""A function deployed without a variable it needs stops at cold start, naming it."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from functions import deployment
from functions.config import RuntimeConfig
from functions.startup import MissingConfiguration, check_environment, missing_environment

ROOT = Path(__file__).resolve().parents[2]


def full_environment(spec: deployment.FunctionSpec) -> dict[str, str]:
    return {deployment.ENV_PREFIX + field.upper(): f"value-of-{field}" for field in spec.needs}


def test_every_need_is_a_runtime_config_field():
    for spec in deployment.FUNCTIONS:
        assert set(spec.needs) <= set(RuntimeConfig.model_fields), spec.id


@pytest.mark.parametrize("spec", deployment.FUNCTIONS, ids=lambda s: s.id)
def test_each_function_is_refused_without_any_one_of_its_needs(spec):
    environ = {"_HANDLER": spec.handler, **full_environment(spec)}
    check_environment(environ)  # everything set: starts
    for name in full_environment(spec):
        for broken in ({k: v for k, v in environ.items() if k != name}, {**environ, name: ""}):
            assert missing_environment(spec.handler, broken) == [name]
            with pytest.raises(MissingConfiguration, match=name):
                check_environment(broken)


def test_outside_lambda_nothing_is_checked():
    check_environment({})  # tests, local mode and the worker run without _HANDLER


def test_a_control_function_without_its_state_machine_stops_at_import_with_a_clear_message():
    environ = {
        **{k: v for k, v in os.environ.items() if not k.startswith(deployment.ENV_PREFIX)},
        "_HANDLER": deployment.CONTROL.handler,
        **full_environment(deployment.CONTROL),
    }
    del environ["REELFLOW_STATE_MACHINE_ARN"]
    result = subprocess.run(
        [sys.executable, "-c", "import functions.handlers.pipeline"],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert "MissingConfiguration" in result.stderr
    assert "functions.handlers.pipeline.control_handler cannot start" in result.stderr
    assert "REELFLOW_STATE_MACHINE_ARN" in result.stderr
