"""Each role's IAM statements as the CDK app synthesizes them, for local mode to enforce.

The CDK app is the one declaration of what every function may do. Local mode cannot synthesize it at
each start (a synth takes minutes), so `grants.json` beside this module holds the statements of the
synthesized templates with CloudFormation's references turned into `${Symbol}` placeholders, and a test
(tests/infra/test_local_grants.py) holds that file equal to them. `python -m reelflow.local.grants`
rewrites it after a change to the grants in `infra/`.

The file keeps each deployment's grants apart, by its `reelflow:transcription` setting: `whisper` (the
default: faster-whisper on Lambda) and `transcribe` (Amazon Transcribe). A local cloud runs one
transcription engine and enforces exactly the grants of the deployment that runs it (`for_engine`), so
a grant missing from one deployment fails locally even when the other deployment has it.

Statements local mode never needs (CloudWatch Logs, X-Ray, ECR: the runtime writes to stdout and runs
no images) are left out.
"""

import json
import re
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from functions import deployment

GRANTS_FILE = Path(__file__).with_name("grants.json")
WORKER = "Worker"  # the Fargate worker's task role
WORKER_EXECUTION = "WorkerExecution"  # its execution role: the ECS agent's, with nothing to do locally
# The symbols of the worker task definition's two roles, which running it passes (iam:PassRole)
WORKER_TASK_ROLE = "WorkerTaskRole"
WORKER_EXECUTION_ROLE = "WorkerExecutionRole"
STATE_MACHINES = {"batch": "StateMachine:batch", "export": "StateMachine:export"}
SKIPPED_SERVICES = ("logs:", "xray:", "ecr:")
PSEUDO = {"AWS::Partition": "Partition", "AWS::Region": "Region", "AWS::AccountId": "AccountId"}
SYMBOL = re.compile(r"\$\{([^}]+)\}")

# The runtime's engine (RuntimeConfig.transcription_engine) → the deployment that runs it (its
# `reelflow:transcription` setting; infra/config.py maps the other way).
DEPLOYMENT_OF_ENGINE = {"local": "whisper", "aws": "transcribe"}

Statement = dict[str, Any]
Grants = dict[str, list[Statement]]


class GrantsError(ValueError):
    """The template holds something the extraction cannot name (a new kind of reference)."""


def _symbols(resources: Mapping[str, Any], outputs: Mapping[str, Any], prefix: str) -> dict[str, str]:
    """Logical id → the symbol local mode knows it by."""
    named: dict[str, str] = {}
    for output, symbol in (("IngestBucketName", "IngestBucket"), ("MediaBucketName", "MediaBucket")):
        ref = outputs.get(output, {}).get("Value", {})
        if isinstance(ref, dict) and "Ref" in ref:
            named[ref["Ref"]] = symbol
    functions = {spec.name(prefix): spec.id for spec in deployment.FUNCTIONS}
    for resource in resources.values():  # the roles the worker's task definition passes (iam:PassRole)
        if resource["Type"] == "AWS::ECS::TaskDefinition":
            for prop, symbol in (
                ("TaskRoleArn", WORKER_TASK_ROLE),
                ("ExecutionRoleArn", WORKER_EXECUTION_ROLE),
            ):
                role = resource.get("Properties", {}).get(prop)
                if isinstance(role, dict) and "Fn::GetAtt" in role:
                    named[role["Fn::GetAtt"][0]] = symbol
    for logical_id, resource in resources.items():
        kind, props = resource["Type"], resource.get("Properties", {})
        if logical_id in named:
            continue
        if kind == "AWS::DynamoDB::Table":
            named[logical_id] = "Table"
        elif kind == "AWS::Lambda::Function" and props.get("FunctionName") in functions:
            named[logical_id] = f"Function:{functions[props['FunctionName']]}"
        elif kind == "AWS::ECS::Cluster":
            named[logical_id] = "Cluster"
        elif kind == "AWS::ECS::TaskDefinition":
            named[logical_id] = "WorkerTask"
        elif kind == "AWS::SNS::Topic":
            named[logical_id] = "Topic"
        elif kind == "AWS::ApiGatewayV2::Api" and props.get("ProtocolType") == "WEBSOCKET":
            named[logical_id] = "WebSocketApi"
        else:
            named[logical_id] = f"{kind.split('::')[1]}:{logical_id}"
    return named


def _text(value: Any, symbols: Mapping[str, str], prefix: str) -> str:
    """A CloudFormation value (string or intrinsic) as a string with `${Symbol}` placeholders."""
    if isinstance(value, str):
        return value.replace(f"{prefix}-", "${Prefix}-")
    if isinstance(value, dict) and len(value) == 1:
        ((function, argument),) = value.items()
        if function == "Ref":
            return "${" + (PSEUDO.get(argument) or symbols[argument]) + "}"
        if function == "Fn::GetAtt":
            return "${" + symbols[argument[0]] + "." + str(argument[1]) + "}"
        if function == "Fn::Join":
            separator, parts = argument
            return str(separator).join(_text(part, symbols, prefix) for part in parts)
        if function == "Fn::Sub" and isinstance(argument, str):
            return re.sub(r"\$\{AWS::(\w+)\}", lambda m: "${" + PSEUDO[f"AWS::{m.group(1)}"] + "}", argument)
    raise GrantsError(f"cannot name {json.dumps(value)[:200]}")


def _statement(statement: Statement, symbols: Mapping[str, str], prefix: str) -> Statement | None:
    actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
    actions = [a for a in actions if not a.startswith(SKIPPED_SERVICES)]
    if not actions:
        return None
    raw = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
    out: Statement = {
        "Effect": statement["Effect"],
        "Action": actions,
        "Resource": [_text(r, symbols, prefix) for r in raw],
    }
    if "Condition" in statement:
        out["Condition"] = {
            operator: {
                key: [_text(v, symbols, prefix) for v in (values if isinstance(values, list) else [values])]
                for key, values in pairs.items()
            }
            for operator, pairs in statement["Condition"].items()
        }
    return out


def _principals(resources: Mapping[str, Any], symbols: Mapping[str, str]) -> dict[str, str]:
    """Role logical id → principal name (a function id, the worker, a state machine)."""
    principals: dict[str, str] = {}
    for resource in resources.values():
        kind, props = resource["Type"], resource.get("Properties", {})
        role = props.get("Role") or props.get("TaskRoleArn") or props.get("RoleArn")
        if not (isinstance(role, dict) and "Fn::GetAtt" in role):
            continue
        role_id = role["Fn::GetAtt"][0]
        if kind == "AWS::Lambda::Function":
            name = symbols.get(next(k for k, v in resources.items() if v is resource), "")
            if name.startswith("Function:"):
                principals[role_id] = name.removeprefix("Function:")
        elif kind == "AWS::ECS::TaskDefinition" and "TaskRoleArn" in props:
            principals[props["TaskRoleArn"]["Fn::GetAtt"][0]] = WORKER
        elif kind == "AWS::StepFunctions::StateMachine":
            machine = str(props.get("StateMachineName", ""))
            for suffix, principal in STATE_MACHINES.items():
                if machine.endswith(f"-{suffix}"):
                    principals[role_id] = principal
    return principals


def extract(template: Mapping[str, Any], prefix: str) -> Grants:
    """Principal → its statements, from a synthesized template of the stack deployed as `prefix`."""
    resources = template["Resources"]
    symbols = _symbols(resources, template.get("Outputs", {}), prefix)
    principals = _principals(resources, symbols)
    grants: Grants = {name: [] for name in sorted(set(principals.values()))}
    for resource in resources.values():
        if resource["Type"] != "AWS::IAM::Policy":
            continue
        props = resource["Properties"]
        for role in props["Roles"]:
            principal = principals.get(role.get("Ref", ""))
            if principal is None:
                continue
            for statement in props["PolicyDocument"]["Statement"]:
                kept = _statement(statement, symbols, prefix)
                if kept is not None:
                    grants[principal].append(kept)
    return grants


def load() -> dict[str, Grants]:
    """Deployment (`whisper`, `transcribe`) → principal → its statements."""
    loaded: dict[str, Grants] = json.loads(GRANTS_FILE.read_text())
    return loaded


def for_engine(engine: str, by_deployment: Mapping[str, Grants] | None = None) -> Grants:
    """The grants of the deployment that runs `engine` ("local": whisper, "aws": transcribe), and only
    those: what that deployment's roles may do on AWS."""
    deployment_name = DEPLOYMENT_OF_ENGINE.get(engine)
    if deployment_name is None:
        raise GrantsError(
            f"no deployment runs the transcription engine {engine!r}: {sorted(DEPLOYMENT_OF_ENGINE)}"
        )
    return dict((load() if by_deployment is None else by_deployment)[deployment_name])


def render(statements: list[Statement], values: Mapping[str, str]) -> list[Statement]:
    """Statements with every `${Symbol}` replaced by its local value. A symbol local mode has no
    value for (a resource it does not run, such as a dead-letter queue) keeps a name no ARN matches."""

    def fill(text: str) -> str:
        return SYMBOL.sub(
            lambda m: values.get(
                m.group(1), "arn:aws:unprovisioned:::" + re.sub(r"[^A-Za-z0-9]", "-", m.group(1))
            ),
            text,
        )

    def walk(value: Any) -> Any:
        if isinstance(value, str):
            return fill(value)
        if isinstance(value, list):
            return [walk(v) for v in value]
        if isinstance(value, dict):
            return {k: walk(v) for k, v in value.items()}
        return value

    return [walk(statement) for statement in statements]


def write(by_deployment: Mapping[str, Grants]) -> None:
    GRANTS_FILE.write_text(json.dumps(by_deployment, indent=1, sort_keys=True) + "\n")


def main() -> int:  # pragma: no cover - needs a CDK synth (minutes); the drift test covers extract()
    import os
    import tempfile

    os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
    import aws_cdk as cdk

    from infra.app import build_app

    extracted: dict[str, Grants] = {}
    for transcription in DEPLOYMENT_OF_ENGINE.values():
        with tempfile.TemporaryDirectory() as outdir:
            context: dict[str, Any] = {"aws:cdk:bundling-stacks": [], "reelflow:transcription": transcription}
            app, stack = build_app(cdk.App(context=context, outdir=outdir))
            assembly = app.synth()
            template = json.loads(
                (Path(assembly.directory) / f"{stack.stack_name}.template.json").read_text()
            )
            extracted[transcription] = extract(template, stack.config.prefix)
    write(extracted)
    print(f"wrote {GRANTS_FILE}", file=sys.stderr)
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
