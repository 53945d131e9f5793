"""State machine ARNs: qualified by an alias or a version, and the ARNs of their executions."""

# arn:partition:states:region:account:stateMachine:name, then `:alias` or `:version` when qualified.
UNQUALIFIED_PARTS = 7


def unqualified(state_machine_arn: str) -> tuple[str, str | None]:
    """(the state machine's own ARN, the alias name or version number it is qualified with, if any)."""
    parts = state_machine_arn.split(":")
    qualifier = ":".join(parts[UNQUALIFIED_PARTS:]) or None
    return ":".join(parts[:UNQUALIFIED_PARTS]), qualifier


def execution_arn(state_machine_arn: str, name: str) -> str:
    """An execution started through an alias or a version has the state machine's execution ARN:
    arn:…:execution:<state machine name>:<execution name>."""
    machine, _ = unqualified(state_machine_arn)
    return machine.replace(":stateMachine:", ":execution:", 1) + f":{name}"
