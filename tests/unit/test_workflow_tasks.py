"""Finding the Fargate tasks of an execution in RunTask answers as Step Functions records them."""

import json

from functions.adapters.workflow import ecs_tasks


def test_run_task_answers_in_either_casing_give_cluster_and_task():
    pascal = {"Tasks": [{"TaskArn": "arn:task/c/1", "ClusterArn": "arn:cluster/c"}], "Failures": []}
    camel = {"tasks": [{"taskArn": "arn:task/c/2", "clusterArn": "arn:cluster/c"}]}
    assert ecs_tasks(json.dumps(pascal)) == [("arn:cluster/c", "arn:task/c/1")]
    assert ecs_tasks(json.dumps(camel)) == [("arn:cluster/c", "arn:task/c/2")]


def test_answers_without_tasks_or_unreadable_give_nothing():
    assert ecs_tasks(json.dumps({"Tasks": [{"TaskArn": "no cluster"}]})) == []
    assert ecs_tasks("not json") == []
    assert ecs_tasks("{}") == []
