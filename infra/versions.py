"""A state machine's published versions and its `live` alias: executions start on the alias, so a
definition can be rolled back by pointing the alias at an earlier version (docs/operations.md)."""

import aws_cdk as cdk
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from functions.deployment import STATE_MACHINE_ALIAS


class LiveAlias(Construct):
    """A version published whenever the state machine's revision changes, and the alias on it.

    The version's revision id is the state machine's: a deploy that changes the definition (or the
    role, logging, tracing) replaces the version resource, which publishes a new version; Retain keeps
    the replaced one published, so the alias can be pointed back at it."""

    def __init__(
        self, scope: Construct, construct_id: str, state_machine: sfn.StateMachine, what: str
    ) -> None:
        super().__init__(scope, construct_id)
        self.version = sfn.CfnStateMachineVersion(
            self,
            "Version",
            state_machine_arn=state_machine.state_machine_arn,
            state_machine_revision_id=state_machine.state_machine_revision_id,
            description=f"reelflow {what}, published by a deploy that changed it",
        )
        self.version.apply_removal_policy(cdk.RemovalPolicy.RETAIN)
        self.alias = sfn.CfnStateMachineAlias(
            self,
            "Alias",
            name=STATE_MACHINE_ALIAS,
            description=f"Where every {what} execution starts; a rollback points it at an earlier version",
            routing_configuration=[
                sfn.CfnStateMachineAlias.RoutingConfigurationVersionProperty(
                    state_machine_version_arn=self.version.attr_arn, weight=100
                )
            ],
        )
