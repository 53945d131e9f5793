"""Executions started on an alias or a version have the state machine's execution ARN."""

from functions.domain.state_machine_arns import execution_arn, unqualified

MACHINE = "arn:aws:states:eu-west-1:123456789012:stateMachine:reelflow-dev-batch"


def test_an_alias_or_version_arn_splits_into_the_machine_and_its_qualifier() -> None:
    assert unqualified(MACHINE) == (MACHINE, None)
    assert unqualified(f"{MACHINE}:live") == (MACHINE, "live")
    assert unqualified(f"{MACHINE}:12") == (MACHINE, "12")


def test_an_execution_arn_names_the_state_machine_whatever_the_start_was_qualified_with() -> None:
    expected = "arn:aws:states:eu-west-1:123456789012:execution:reelflow-dev-batch:b-1-run1"
    for started_on in (MACHINE, f"{MACHINE}:live", f"{MACHINE}:3"):
        assert execution_arn(started_on, "b-1-run1") == expected
