"""Local mode starts without moto's EC2 (reelflow/local/lazy_moto.py): the Fargate stand-in is made on
the first ECS request, with the ARNs the state machine already names, and moto's Batch loads its
models only when read. Checked in a fresh process, as a user's `reelflow run` starts."""

from pathlib import Path

from tests.helpers import fresh_process_json

SCRIPT = """
import json, sys, tempfile, pathlib
from reelflow.local.cloud import LocalCloud, LocalSettings

cloud = LocalCloud(LocalSettings(work_dir=pathlib.Path(sys.argv[1]))).start()
try:
    started = {name: name in sys.modules for name in ("moto.ec2", "moto.ecs", "moto.batch.models")}
    definition = json.loads(
        cloud.client("stepfunctions").describe_state_machine(stateMachineArn=cloud.state_machine_arn)[
            "definition"
        ]
    )
    ecs = cloud.client("ecs")
    clusters = ecs.describe_clusters(clusters=[cloud.cluster_arn])["clusters"]
    task = ecs.describe_task_definition(taskDefinition=cloud.worker_task_definition_arn)["taskDefinition"]
    import moto.batch

    fargate = definition["States"]["Process videos"]["ItemProcessor"]["States"]["Process on Fargate"]
    print(json.dumps({
        "started": started,
        "cluster": [c["clusterArn"] for c in clusters],
        "task": task["taskDefinitionArn"],
        "asl": [fargate["Parameters"]["Cluster"], fargate["Parameters"]["TaskDefinition"]],
        "arns": [cloud.cluster_arn, cloud.worker_task_definition_arn],
        "batch_backends": hasattr(moto.batch, "batch_backends"),
    }))
finally:
    cloud.stop()
"""


def test_local_mode_starts_without_ec2_and_makes_the_worker_on_first_use(tmp_path: Path) -> None:
    seen = fresh_process_json(SCRIPT, str(tmp_path))
    assert seen["started"] == {"moto.ec2": False, "moto.ecs": False, "moto.batch.models": False}
    assert seen["cluster"] == [seen["arns"][0]] and seen["task"] == seen["arns"][1]
    assert seen["asl"] == seen["arns"]  # the state machine named what the first ECS call made
    assert seen["batch_backends"]  # moto's Batch still loads when read
