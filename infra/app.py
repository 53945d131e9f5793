"""The CDK app: `cdk synth` / `cdk deploy` run this (see cdk.json). cdk-nag's AWS Solutions pack runs
on every synthesis; any finding that is not acknowledged with a reason stops it."""

import aws_cdk as cdk
from cdk_nag import AwsSolutionsChecks

from infra.config import DeployConfig
from infra.stack import ReelflowStack


def build_app(app: cdk.App | None = None) -> tuple[cdk.App, ReelflowStack]:
    app = app or cdk.App()
    config = DeployConfig.from_app(app)
    stack = ReelflowStack(app, f"Reelflow-{config.stage}", config)
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    return app, stack


def main() -> None:
    app, _ = build_app()
    app.synth()


if __name__ == "__main__":
    main()
