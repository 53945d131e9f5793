"""Finding the Fargate tasks of an execution in RunTask answers as Step Functions records them."""

import json

from functions.adapters.workflow import ecs_tasks


def test_run_task_answers_as_step_functions_records_them_give_cluster_and_task():
    pascal = {"Tasks": [{"TaskArn": "arn:task/c/1", "ClusterArn": "arn:cluster/c"}], "Failures": []}
    assert ecs_tasks(json.dumps(pascal)) == [("arn:cluster/c", "arn:task/c/1")]
    # the ECS API's own casing is not what Step Functions records (local mode normalises it)
    assert (
        ecs_tasks(json.dumps({"tasks": [{"taskArn": "arn:task/c/2", "clusterArn": "arn:cluster/c"}]})) == []
    )


def test_answers_without_tasks_or_unreadable_give_nothing():
    assert ecs_tasks(json.dumps({"Tasks": [{"TaskArn": "no cluster"}]})) == []
    assert ecs_tasks("not json") == []
    assert ecs_tasks("{}") == []
