"""Cancel finds a batch's Fargate tasks by the ECS group "Process on Fargate" gives them: the state
machine and the adapter must spell it alike (Step Functions' RunTask integration takes `Group`, not
`StartedBy`, which it sets itself)."""

import json
import re

from functions.adapters.workflow import task_group
from functions.deployment import STATE_MACHINE_FILE


def test_the_state_machine_groups_a_batch_tasks_as_cancel_looks_for_them():
    video = json.loads(STATE_MACHINE_FILE.read_text())["States"]["Process videos"]["ItemProcessor"]["States"]
    parameters = video["Process on Fargate"]["Parameters"]
    assert "StartedBy" not in parameters and "StartedBy.$" not in parameters
    formatted = re.fullmatch(r"States\.Format\('([^']*)', \$\.batch_id\)", parameters["Group.$"])
    assert formatted is not None
    assert formatted.group(1).replace("{}", "b-1") == task_group("b-1") == "batch:b-1"
